from collections import Counter

import pytest

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.music.document import ScoreDocument
from ragart_desktop.core.music.score import Note, Score, Track


def _doc() -> tuple[ScoreDocument, int]:
    score = Score()
    lead = score.add_track(Track("Lead", notes=[Note(0, 1, 60, 80), Note(1.1, 2, 62, 70), Note(2, 4, 64, 90)]))
    score.add_track(Track("Drums", is_drum=True, notes=[Note(0, 0.25, 36, 100)]))
    return ScoreDocument(score), lead.id


def _snapshot(doc: ScoreDocument):
    return [(t.id, t.name, t.program, t.is_drum, t.mute, t.solo, tuple(t.notes)) for t in doc.score.tracks]


def _undo_redo_restores(doc: ScoreDocument, before, after) -> None:
    assert doc.undo() and _snapshot(doc) == before
    assert doc.redo() and _snapshot(doc) == after
    assert doc.undo()


def test_each_note_edit_changes_the_score_and_undoes_exactly():
    doc, lead = _doc()
    notes = list(doc.score.track(lead).notes)
    edits = [
        lambda: doc.add_notes(lead, [Note(4, 5, 67, 64)]),
        lambda: doc.delete_notes({lead: notes[:1]}),
        lambda: doc.move_notes({lead: notes}, beats=0.5, semitones=2),
        lambda: doc.resize_notes({lead: notes}, 0.5),
        lambda: doc.set_velocity({lead: notes}, 100),
        lambda: doc.transpose({lead: notes}, -3),
        lambda: doc.quantize({lead: notes}, grid=1.0),
        lambda: doc.split({lead: notes[2:]}, at=3.0),
    ]
    for edit in edits:
        before = _snapshot(doc)
        edit()
        after = _snapshot(doc)
        assert after != before
        _undo_redo_restores(doc, before, after)


def test_move_clamps_at_zero_and_pitch_range():
    doc, lead = _doc()
    moved = doc.move_notes({lead: doc.score.track(lead).notes}, beats=-10, semitones=100)
    assert min(n.start for n in moved[lead]) == 0 and max(n.pitch for n in moved[lead]) == 127
    assert doc.score.track(lead).notes == sorted(moved[lead], key=lambda n: (n.start, n.pitch))


def test_quantize_strength_moves_part_way_and_keeps_durations():
    doc, lead = _doc()
    note = Note(1.1, 2.0, 62, 70)
    half = doc.quantize({lead: [note]}, grid=1.0, strength=0.5)[lead][0]
    assert half.start == pytest.approx(1.05) and half.duration == pytest.approx(note.duration)
    full = doc.quantize({lead: [half]}, grid=0.5, strength=1.0, ends=True)[lead][0]
    assert (full.start, full.end) == (1.0, 2.0)
    with pytest.raises(UsageError):
        doc.quantize({lead: [full]}, grid=0, strength=1)


def test_split_cuts_only_notes_across_the_point():
    doc, lead = _doc()
    out = doc.split({lead: doc.score.track(lead).notes}, at=3.0)[lead]
    assert Note(2, 3, 64, 90) in out and Note(3, 4, 64, 90) in out and len(out) == 4


def test_transpose_leaves_drums_and_velocity_clamps():
    doc, lead = _doc()
    drums = doc.score.tracks[1]
    doc.transpose({drums.id: drums.notes}, 5)
    assert drums.notes == [Note(0, 0.25, 36, 100)]
    doc.set_velocity({drums.id: drums.notes}, delta=90)
    assert drums.notes[0].velocity == 127


def test_tracks_add_remove_and_mute_are_undoable():
    doc, lead = _doc()
    start = _snapshot(doc)
    bass = doc.add_track("Bass", program=33, notes=[Note(0, 2, 40, 90)])
    doc.set_track(bass.id, mute=True)
    doc.set_track(bass.id, mute=False)   # merges with the previous mute change: one step
    doc.set_track(lead, solo=True)
    assert [t.id for t in doc.score.audible_tracks()] == [lead]
    doc.remove_track(lead)
    assert [t.name for t in doc.score.tracks] == ["Drums", "Bass"]
    for _ in range(4):
        assert doc.undo()
    assert _snapshot(doc) == start and not doc.can_undo
    with pytest.raises(UsageError):
        doc.set_track(lead, loudness=3)


def test_generation_result_is_applied_as_one_undo_step():
    doc, lead = _doc()
    start = _snapshot(doc)
    result = doc.score.copy()
    result.track(lead).notes = [n for n in result.track(lead).notes if n.start < 2] + \
        [Note(2 + i / 4, 2.25 + i / 4, 60 + i, 70) for i in range(40)]
    result.add_track(Track("Chords", program=4, notes=[Note(0, 4, p, 60) for p in (48, 52, 55)]))
    doc.apply_result(result, "Infill bars 1-2")
    assert Counter(doc.score.track(lead).notes) == Counter(result.track(lead).notes)
    assert [t.name for t in doc.score.tracks] == ["Lead", "Drums", "Chords"]
    assert doc.history.undo_label == "Infill bars 1-2"
    doc.undo()
    assert _snapshot(doc) == start


def test_listeners_hear_which_track_changed():
    doc, lead = _doc()
    heard = []
    doc.subscribe(heard.append)
    doc.add_notes(lead, [Note(5, 6, 70)])
    assert any(lead in c.tracks for c in heard) and heard[-1].history


def test_score_properties_are_undoable():
    doc, _ = _doc()
    from ragart_desktop.core.music.score import TempoChange
    from ragart_desktop.core.music.theory import parse_key
    doc.set_score(tempos=[TempoChange(0, 90)], key=parse_key("Am"))
    assert doc.score.tempo == 90 and doc.score.key.short == "Am" and doc.modified
    doc.undo()
    assert doc.score.tempo == 120 and doc.score.key is None


def test_undo_and_redo_tell_the_views_and_track_the_saved_state():
    doc, lead = _doc()
    seen = []
    doc.subscribe(seen.append)
    doc.add_notes(lead, [Note(4, 5, 67, 64)])
    assert doc.modified
    doc.mark_saved()
    seen.clear()
    assert doc.undo() and doc.modified
    assert lead in set().union(*(c.tracks for c in seen)) and any(c.history for c in seen[-1:])
    seen.clear()
    assert doc.redo() and seen[-1].history
