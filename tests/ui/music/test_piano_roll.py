"""The piano roll as a musician uses it: mouse and keys on the real widgets, edits checked in the score."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from ragart_desktop.core.music.document import ScoreDocument
from ragart_desktop.core.music.midi_io import read_score, score_from_bytes
from ragart_desktop.core.music.score import Note, Score, TempoChange, TimeSignature, Track, note_order
from ragart_desktop.ui.music import MusicEditor
from ragart_desktop.ui.music.state import Tool
from ragart_desktop.ui.music.velocity import HEIGHT, PAD

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def with_notes(editor: MusicEditor, notes: list[Note]) -> int:
    score = Score(tempos=[TempoChange(0, 120)], time_signatures=[TimeSignature(0, 4, 4)])
    track = score.add_track(Track("Lead", notes=list(notes)))
    editor.set_document(ScoreDocument(score))
    editor.geometry.set_view(left=0.0, ppb=40.0, row=12.0)
    editor.geometry.show_pitch(64)
    return track.id


def at(editor: MusicEditor, beat: float, pitch: int) -> QPoint:
    g = editor.geometry
    return QPoint(round(g.x(beat)), int(g.y(pitch) + g.row / 2))


def drag(widget, start: QPoint, end: QPoint, modifiers=NONE, steps: int = 6) -> None:
    QTest.mousePress(widget, LEFT, modifiers, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(widget, start + (end - start) * i / steps)
    QTest.mouseRelease(widget, LEFT, modifiers, end)


def notes(editor: MusicEditor) -> list[Note]:
    return list(editor.state.active_track().notes)


def test_pencil_draws_a_note_and_drag_sets_its_length(editor):
    editor.state.set_tool(Tool.DRAW)
    QTest.mouseClick(editor.roll, LEFT, NONE, at(editor, 2.1, 60))
    assert notes(editor) == [Note(2.0, 3.0, 60, 90)]            # snapped to the 1/16 grid, one beat long
    drag(editor.roll, at(editor, 4.05, 64), at(editor, 6.02, 64))
    assert notes(editor)[-1] == Note(4.0, 6.0, 64, 90)
    assert editor.state.new_note_length == 2.0                 # the next note is drawn as long
    assert editor.doc.history.undo_label == "Draw note"


def test_click_shift_click_marquee_and_select_all(editor):
    lead = with_notes(editor, [Note(0, 1, 60), Note(1, 2, 62), Note(2, 3, 64), Note(4, 5, 72)])
    editor.state.set_tool(Tool.SELECT)
    roll = editor.roll
    QTest.mouseClick(roll, LEFT, NONE, at(editor, 0.5, 60))
    assert editor.state.selection.notes == [Note(0, 1, 60)]
    QTest.mouseClick(roll, LEFT, SHIFT, at(editor, 2.5, 64))
    assert set(editor.state.selection.notes) == {Note(0, 1, 60), Note(2, 3, 64)}
    QTest.mouseClick(roll, LEFT, SHIFT, at(editor, 0.5, 60))        # shift-click again deselects
    assert editor.state.selection.notes == [Note(2, 3, 64)]
    drag(roll, at(editor, 0.8, 66), at(editor, 3.5, 59))          # a marquee over the first three
    assert set(editor.state.selection.notes) == {Note(0, 1, 60), Note(1, 2, 62), Note(2, 3, 64)}
    QTest.mouseClick(roll, LEFT, NONE, at(editor, 7.5, 50))           # empty space: nothing selected
    assert not editor.state.selection.notes and editor.state.cursor == 7.5
    QTest.keyClick(roll, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(editor.state.selection) == 4 and editor.state.active_track_id == lead


def test_drag_moves_the_selection_and_keys_nudge_it(editor):
    with_notes(editor, [Note(0, 1, 60), Note(1, 2, 62)])
    editor.editing.select_all()
    drag(editor.roll, at(editor, 1.5, 62), at(editor, 3.5, 65))      # +2 beats, +3 semitones
    assert notes(editor) == [Note(2, 3, 63), Note(3, 4, 65)]
    assert set(editor.state.selection.notes) == set(notes(editor))   # the moved notes stay selected
    QTest.keyClick(editor.roll, Qt.Key.Key_Right)                      # one grid step (1/16)
    QTest.keyClick(editor.roll, Qt.Key.Key_Up, SHIFT)                   # an octave
    QTest.keyClick(editor.roll, Qt.Key.Key_Down)
    assert notes(editor) == [Note(2.25, 3.25, 74), Note(3.25, 4.25, 76)]
    assert editor.doc.undo() and notes(editor) == [Note(2.25, 3.25, 75), Note(3.25, 4.25, 77)]


def test_dropping_many_dragged_notes_among_others_keeps_track_index_and_undo_exact(editor):
    """500 notes of a 3,000-note track (chords: many notes start together) dragged onto other notes."""
    piece = [Note(b / 2, b / 2 + 0.5, p, 40 + (b * 7 + p) % 80) for b in range(750) for p in (60, 64, 67, 71)]
    track_id = with_notes(editor, piece)
    picked = piece[1000:1500]                   # beats 125 to 187.5, every note of their chords
    editor.geometry.set_view(left=149.0, ppb=40.0)
    editor.state.select(picked)
    drag(editor.roll, at(editor, 150.25, 64), at(editor, 152.25, 66))    # +2 beats, +2 semitones
    moved = sorted((n.shifted(2.0, 2) for n in picked), key=note_order)
    want = sorted(piece[:1000] + piece[1500:] + moved, key=note_order)
    assert notes(editor) == want and editor.doc.history.undo_label == "Move notes"
    index = editor.state.index.track(track_id)
    assert index.notes.tolist() == want and index.starts.tolist() == [n.start for n in want]
    assert index.pitches.tolist() == [n.pitch for n in want] and index.ends.tolist() == [n.end for n in want]
    assert sorted(editor.state.selection.notes, key=note_order) == moved
    assert editor.doc.undo() and notes(editor) == piece and len(editor.state.selection) == 0
    assert editor.state.index.track(track_id).notes.tolist() == piece
    assert editor.doc.redo() and notes(editor) == want


def test_resize_from_either_end(editor):
    with_notes(editor, [Note(2, 4, 60)])
    roll = editor.roll
    drag(roll, at(editor, 3.98, 60), at(editor, 5.02, 60))              # the right edge to beat 5
    assert notes(editor) == [Note(2, 5, 60)]
    drag(roll, at(editor, 2.01, 60), at(editor, 1.0, 60))                # the left edge to beat 1
    assert notes(editor) == [Note(1, 5, 60)]
    assert editor.doc.history.undo_label == "Resize notes"


def test_velocity_lane_edits_one_note_or_the_whole_selection(editor):
    with_notes(editor, [Note(0, 1, 60, 60), Note(1, 2, 62, 80), Note(2, 3, 64, 100)])
    lane = editor.velocity
    g = editor.geometry
    y_of = lambda v: int(PAD + (HEIGHT - 2 * PAD) * (1 - v / 127))
    drag(lane, QPoint(int(g.x(0)), y_of(60)), QPoint(int(g.x(0)), y_of(120)))   # one unselected note
    assert [n.velocity for n in notes(editor)] == [pytest.approx(120, abs=2), 80, 100]
    editor.state.select(notes(editor)[1:])                                       # two selected: together
    drag(lane, QPoint(int(g.x(1)), y_of(80)), QPoint(int(g.x(1)), y_of(60)))
    velocities = [n.velocity for n in notes(editor)]
    assert velocities[1] == pytest.approx(60, abs=2) and velocities[2] - velocities[1] == 20
    assert editor.doc.history.undo_label == "Velocity"


def test_quantize_selection_with_strength(editor):
    with_notes(editor, [Note(0.1, 1.1, 60), Note(1.2, 1.7, 62)])
    editor.state.set_grid("1/4")
    editor.editing.select_all()
    editor.strength.setValue(50)
    QTest.keyClick(editor.roll, Qt.Key.Key_Q)
    assert [n.start for n in notes(editor)] == [pytest.approx(0.05), pytest.approx(1.1)]
    editor.strength.setValue(100)
    QTest.keyClick(editor.roll, Qt.Key.Key_Q)
    assert [(n.start, n.duration) for n in notes(editor)] == [(0.0, pytest.approx(1.0)), (1.0, pytest.approx(0.5))]


def test_every_edit_undoes_and_redoes_through_the_editors_undo_stack(editor):
    with_notes(editor, [Note(0, 1, 60)])
    stack = editor.undo_stack()
    before = notes(editor)
    editor.state.set_tool(Tool.DRAW)
    QTest.mouseClick(editor.roll, LEFT, NONE, at(editor, 2, 67))
    editor.editing.select_all()
    QTest.keyClick(editor.roll, Qt.Key.Key_Delete)
    assert notes(editor) == [] and editor.is_modified()
    assert stack.undo() and len(notes(editor)) == 2
    assert stack.undo() and notes(editor) == before
    assert stack.redo() and stack.redo() and notes(editor) == []
    editor.doc.mark_saved()
    assert not editor.is_modified()


def test_copy_paste_at_the_cursor_and_duplicate(editor):
    with_notes(editor, [Note(0, 1, 60), Note(1, 1.5, 64)])
    editor.editing.select_all()
    QTest.keyClick(editor.roll, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    editor.state.set_cursor(8.0)
    QTest.keyClick(editor.roll, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert notes(editor)[2:] == [Note(8, 9, 60), Note(9, 9.5, 64)]
    QTest.keyClick(editor.roll, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)   # right after the pasted
    assert notes(editor)[4:] == [Note(9.5, 10.5, 60), Note(10.5, 11, 64)]


def test_tracks_tempo_meter_and_key_are_undoable_edits(editor):
    editor.tracks.add_track()
    assert len(editor.doc.score.tracks) == 2 and editor.state.active_track_id == editor.doc.score.tracks[1].id
    row = editor.tracks.rows[1]
    row.instrument.setCurrentIndex(row.instrument.findData(-1))
    row.instrument.activated.emit(row.instrument.currentIndex())
    QTest.mouseClick(row.solo, LEFT)
    track = editor.doc.score.tracks[1]
    assert track.is_drum and track.solo and editor.doc.score.audible_tracks() == [track]
    editor.tempo.setValue(96)
    editor.meter.setCurrentText("3/4")
    editor.meter.activated.emit(0)
    editor.key_box.setCurrentIndex(editor.key_box.findData("Am"))
    editor.key_box.activated.emit(editor.key_box.currentIndex())
    score = editor.doc.score
    assert (score.tempo, score.time_signature.text, score.key.short) == (96, "3/4", "Am")
    for _ in range(3):
        editor.doc.undo()
    assert (editor.doc.score.tempo, editor.doc.score.time_signature.text) == (120, "4/4")
    assert editor.tempo.value() == 120                                  # the controls follow an undo


def test_open_save_round_trip(editor, qtbot, tmp_path, jazz_midi):
    source = tmp_path / "blue-hour.mid"
    source.write_bytes(jazz_midi)
    with qtbot.waitSignal(editor.document_loaded, timeout=10_000):
        editor.open_path(source)
    original = read_score(source)
    assert editor.document_name() == "blue-hour.mid" and not editor.is_modified()
    assert [t.name for t in editor.doc.score.tracks] == [t.name for t in original.tracks]
    assert any(t.is_drum for t in editor.doc.score.tracks)
    editor.state.set_active_track(editor.doc.score.tracks[0].id)
    editor.editing.select_all()
    editor.editing.transpose(2)
    target = tmp_path / "saved.mid"
    assert editor._write(target) and not editor.is_modified() and editor.document_name() == "saved.mid"
    again = read_score(target)
    assert again.tracks[0].notes == [n.shifted(semitones=2) for n in original.tracks[0].notes]
    assert [t.notes for t in again.tracks[1:]] == [t.notes for t in original.tracks[1:]]
    assert (again.tempo, again.key, again.time_signature) == (original.tempo, original.key, original.time_signature)


def test_a_midi_file_dropped_on_the_roll_is_inserted_at_the_cursor(editor, qtbot, tmp_path):
    lead = with_notes(editor, [Note(0, 1, 60)])
    phrase = Score()
    phrase.add_track(Track("Riff", notes=[Note(0.5, 1, 67), Note(1, 2, 69)]))
    path = tmp_path / "riff.mid"
    from ragart_desktop.core.music.midi_io import write_score
    write_score(phrase, path)
    menu = editor.drop_menu([{"path": str(path), "title": "riff.mid"}])
    assert [a.text() for a in menu.actions()] == ["Open riff.mid", "Insert at the cursor"]
    editor.state.set_cursor(8.0)
    with qtbot.waitSignal(editor.state.notes_changed, timeout=10_000):
        menu.actions()[1].trigger()
    assert editor.doc.score.track(lead).notes == [Note(0, 1, 60), Note(8.5, 9, 67), Note(9, 10, 69)]
    assert editor.doc.undo() and editor.doc.score.track(lead).notes == [Note(0, 1, 60)]


@pytest.fixture
def jazz_midi() -> bytes:
    from ragart_desktop.core.demo.music import PIECES, render_piece

    return render_piece(next(p for p in PIECES if p.name == "blue-hour-ii-v-i"))


def test_large_piece_is_drawn_as_a_raster_when_zoomed_out(editor, jazz_midi):
    score = score_from_bytes(jazz_midi)
    big = Score(tempos=score.tempos, time_signatures=score.time_signatures)
    track = big.add_track(Track("Dense", notes=[n.shifted(beats=k * 64) for k in range(40) for n in score.tracks[1].notes]))
    editor.set_document(ScoreDocument(big))
    editor.state.set_active_track(track.id)
    editor.geometry.set_view(left=0.0, ppb=0.6)
    editor.roll.repaint()
    assert editor.roll.active_layer.last_mode == "raster"
    editor.geometry.set_view(ppb=60.0)
    editor.roll.repaint()
    assert editor.roll.active_layer.last_mode == "vector"
