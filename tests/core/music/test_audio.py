import shutil
import threading
import wave

import numpy as np
import pytest

from ragart_desktop.core.errors import BadInputError, Cancelled
from ragart_desktop.core.models.registry import ModelRegistry
from ragart_desktop.core.music.audio import bundled_soundfont, load_soundfont, render_wav, soundfont_path
from ragart_desktop.core.music.score import Note, Score, Track
from ragart_desktop.core.music.soundfont import SoundFont
from ragart_desktop.core.music.synth import SAMPLE_RATE, render
from ragart_desktop.core.progress import Task
from ragart_desktop.core.settings import Settings


@pytest.fixture(scope="module")
def font() -> SoundFont:
    return load_soundfont(bundled_soundfont())


def _one_track(notes, program=0, is_drum=False) -> Score:
    s = Score()
    s.add_track(Track("t", program=program, is_drum=is_drum, notes=list(notes)))
    return s


def _spectrum(audio: np.ndarray) -> np.ndarray:
    mono = audio.mean(axis=0)
    mag = np.abs(np.fft.rfft(mono[: SAMPLE_RATE]))
    bands = np.add.reduceat(mag, np.geomspace(1, len(mag) - 1, 48).astype(int))  # log-spaced bands
    return bands / np.linalg.norm(bands)


def _rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio ** 2)))


def test_a4_sounds_at_440_hz(font):
    audio = render(_one_track([Note(0, 2, 69, 100)], program=73), font)  # flute: a clear fundamental
    mono = audio.mean(axis=0)[SAMPLE_RATE // 4: SAMPLE_RATE // 4 + SAMPLE_RATE // 2]
    mag = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    freqs = np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE)
    assert freqs[np.argmax(mag)] == pytest.approx(440, rel=0.02)


def test_drums_and_piano_sound_different(font):
    hits = [Note(0, 0.5, 36, 100), Note(0, 0.5, 42, 100), Note(0, 0.5, 38, 100)]
    piano = render(_one_track(hits, program=0), font)       # the same keys, once as piano notes
    drums = render(_one_track(hits, is_drum=True), font)    # and once as kick, hi-hat, snare
    assert _rms(piano) > 0.01 and _rms(drums) > 0.01
    assert float(_spectrum(piano) @ _spectrum(drums)) < 0.8


def test_the_program_is_audible(font):
    chord = [Note(0, 1, p, 100) for p in (60, 64, 67)]
    piano = render(_one_track(chord, program=0), font)
    flute = render(_one_track(chord, program=73), font)
    assert float(_spectrum(piano) @ _spectrum(flute)) < 0.97


def test_velocity_sets_the_level(font):
    soft = render(_one_track([Note(0, 1, 60, 40)]), font)
    loud = render(_one_track([Note(0, 1, 60, 110)]), font)
    assert 20 * np.log10(_rms(loud) / _rms(soft)) > 10


def test_muted_track_is_silent_and_solo_wins(font):
    s = _one_track([Note(0, 1, 60, 100)])
    s.add_track(Track("drums", is_drum=True, notes=[Note(0, 0.5, 36, 100)]))
    both = render(s, font)
    s.tracks[0].mute = True
    only_drums = render(s, font)
    assert not np.allclose(both, only_drums)
    s.tracks[0].mute, s.tracks[1].solo = False, True
    assert np.allclose(render(s, font), only_drums)


def test_wav_file_has_the_piece_length(tmp_path, font):
    s = _one_track([Note(0, 4, 60, 90)])  # 4 beats at 120 bpm = 2 s, plus the release
    result = render_wav(s, tmp_path / "out.wav")
    with wave.open(result.path) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, SAMPLE_RATE)
        assert 2.0 <= w.getnframes() / SAMPLE_RATE <= 4.0
    assert result.soundfont.endswith("TimGM6mb.sf2")


def test_cancelled_render_writes_nothing(tmp_path):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        render_wav(_one_track([Note(0, 1, 60, 90)]), tmp_path / "out.wav", task=Task(cancel_event=cancel))
    assert list(tmp_path.iterdir()) == []


def test_a_soundfont_in_the_models_folder_is_preferred(home, tmp_path):
    registry = ModelRegistry(home, Settings())
    assert soundfont_path(registry) == bundled_soundfont()
    big = home.models_dir / "My Big GM.sf2"
    shutil.copy(bundled_soundfont(), big)
    (home.models_dir / "broken.sf2").write_bytes(b"not a soundfont")
    registry.refresh()
    assert soundfont_path(registry) == big
    entry = registry.get("My Big GM")
    assert entry.kind == "soundfont" and entry.loadable
    assert not registry.get("broken").loadable


def test_damaged_soundfont_is_a_bad_input_error(tmp_path):
    path = tmp_path / "cut.sf2"
    path.write_bytes(bundled_soundfont().read_bytes()[:50_000])
    with pytest.raises(BadInputError) as err:
        SoundFont(path)
    assert "cut.sf2" in str(err.value)
