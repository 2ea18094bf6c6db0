"""Playback where there is no audio device (conftest.py keeps any sound server out of reach)."""
from __future__ import annotations

import wave

import pytest

from ragart_desktop.core.music.document import ScoreDocument
from ragart_desktop.core.music.score import Note, Score, TempoChange, Track
from ragart_desktop.ui.music import MusicEditor
from ragart_desktop.ui.music.player import Player


@pytest.fixture
def silent_editor(qtbot, home, monkeypatch):
    monkeypatch.setattr(Player, "_told", False)
    editor = MusicEditor(home=home)
    qtbot.addWidget(editor)
    score = Score(tempos=[TempoChange(0, 240)])
    score.add_track(Track("Lead", notes=[Note(i, i + 1, 60 + i) for i in range(8)]))
    editor.set_document(ScoreDocument(score))
    editor.show()
    yield editor
    editor.shutdown()


def test_playback_starts_and_stops_without_an_audio_device(silent_editor, qtbot):
    editor = silent_editor
    notices = []
    editor.player.notice.connect(notices.append)
    editor.state.set_cursor(2.0)
    editor.play_from_cursor()
    assert editor.player.playing and editor.player.silent
    qtbot.waitUntil(lambda: (editor.state.playhead or 0) > 2.5, timeout=5000)   # the playhead runs on a clock
    assert editor.play_cursor_action.text() == "■ Stop"
    editor.stop()
    assert not editor.player.playing and editor.state.playhead is None
    editor.play()                                         # said once per session, not at every play
    qtbot.waitUntil(lambda: not editor.player.playing, timeout=5000)     # 8 beats at 240 bpm: it ends
    assert len(notices) == 1 and "no audio output device" in notices[0] and "WAV" in notices[0]
    assert editor.status.text() == notices[0]
    assert editor.player.worker.pending_ids() == []       # nothing was rendered for no one to hear


def test_loop_keeps_the_playhead_inside_the_range(silent_editor, qtbot):
    editor = silent_editor
    editor.state.set_loop(4.0, 6.0)
    editor.play()
    seen = []
    editor.player.position_changed.connect(seen.append)
    qtbot.waitUntil(lambda: len(seen) > 10 and seen[-1] < seen[-2], timeout=5000)   # wrapped round
    assert all(4.0 <= b <= 6.0 for b in seen)
    editor.stop()


def test_wav_export_works_without_an_audio_device(silent_editor, qtbot, tmp_path):
    editor = silent_editor
    with qtbot.waitSignal(editor.files.finished, timeout=60_000):
        editor.export_to(tmp_path / "piece.wav", wav=True)
    with wave.open(str(tmp_path / "piece.wav")) as w:
        assert w.getnchannels() == 2 and w.getnframes() > 44100     # 2 s of music and its release
