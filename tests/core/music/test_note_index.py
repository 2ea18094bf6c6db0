from collections import Counter

import numpy as np
import pytest

from ragart_desktop.core.music.document import ScoreDocument
from ragart_desktop.core.music.grid import grid_beats, snap, snap_down, snap_up, step
from ragart_desktop.core.music.note_index import NoteIndex, ScoreIndex
from ragart_desktop.core.music.score import Note, Score, Track, note_order


def _random_notes(n: int, seed: int = 0) -> list[Note]:
    rng = np.random.default_rng(seed)
    starts = np.sort(rng.uniform(0, 400, n))
    return [Note(float(s), float(s + d), int(p), int(v)) for s, d, p, v in
            zip(starts, rng.uniform(0.1, 6, n), rng.integers(20, 100, n), rng.integers(1, 128, n))]


def test_window_queries_match_a_linear_scan():
    notes = _random_notes(3000)
    index = NoteIndex(notes)
    for b0, b1, low, high in [(0, 4, 0, 127), (100.5, 103, 40, 60), (399, 500, 0, 127), (-5, 0.05, 0, 127)]:
        want = sorted((n for n in notes if n.start < b1 and n.end > b0 and low <= n.pitch <= high),
                      key=lambda n: (n.start, n.pitch))
        got = sorted(index.take(index.visible(b0, b1, low, high)), key=lambda n: (n.start, n.pitch))
        assert got == want
    starting = index.take(index.starting(10, 20))
    assert starting == [n for n in notes if 10 <= n.start < 20]


def test_note_at_finds_the_note_under_a_point():
    index = NoteIndex([Note(0, 1, 60), Note(0.5, 2, 60), Note(1, 2, 62)])
    assert index.notes[index.at(0.25, 60)] == Note(0, 1, 60)
    assert index.notes[index.at(0.75, 60)] == Note(0.5, 2, 60)     # the later one is drawn on top
    assert index.at(1.5, 61) is None and index.at(2.5, 60) is None


def test_unsorted_notes_are_sorted():
    index = NoteIndex([Note(3, 4, 60), Note(1, 2, 61)])
    assert list(index.starts) == [1, 3] and index.notes[0].pitch == 61


def test_score_index_rebuilds_only_changed_tracks():
    score = Score()
    a = score.add_track(Track("A", notes=[Note(0, 1, 60)]))
    b = score.add_track(Track("B", notes=[Note(0, 1, 40)]))
    doc = ScoreDocument(score)
    index = ScoreIndex(doc.score)
    doc.subscribe(lambda change: index.invalidate(change.tracks))
    first_b = index.track(b.id)
    version = index.version(a.id)
    doc.add_notes(a.id, [Note(2, 3, 64)])
    assert len(index.track(a.id)) == 2 and index.version(a.id) > version
    assert index.track(b.id) is first_b


def test_grid_snapping():
    assert grid_beats("1/16") == 0.25 and grid_beats("1/8 triplet") == pytest.approx(1 / 3)
    assert grid_beats("Off") is None
    assert snap(1.13, 0.25) == 1.25 and snap(1.13, None) == 1.13
    assert snap_down(1.99, 0.5) == 1.5 and snap_down(2.0, 0.5) == 2.0
    assert snap_down(1.0, 1 / 3) == pytest.approx(1.0)           # a triplet line, despite float error
    assert snap_up(0.3, 0.25) == 0.5 and snap_up(0.0, 0.25) == 0.25
    assert step(None) > 0


def _chords(n: int, seed: int) -> list[Note]:
    """Notes on a coarse grid, so many start together (chords), with some exact duplicates."""
    rng = np.random.default_rng(seed)
    notes = [Note(float(s), float(s + d), int(p), int(v)) for s, d, p, v in
             zip(rng.integers(0, n // 3, n) / 2, rng.integers(1, 4, n) / 2, rng.integers(58, 66, n),
                 rng.choice([40, 80], n))]
    notes += notes[: n // 20]
    return sorted(notes, key=note_order)


def _rebuilt(notes: list[Note], removed: list[Note], added: list[Note]) -> list[Note]:
    """What a track sort of the notes left plus the added ones gives (the reference)."""
    left = Counter(removed)
    kept = []
    for note in notes:
        if left[note]:
            left[note] -= 1
        else:
            kept.append(note)
    return sorted(kept + added, key=note_order)


def _assert_index_of(index: NoteIndex, notes: list[Note]) -> None:
    assert index.notes.tolist() == notes
    want = NoteIndex(notes)
    for name in ("starts", "ends", "pitches", "velocities"):
        assert np.array_equal(getattr(index, name), getattr(want, name)), name
    assert index.max_duration == want.max_duration


@pytest.mark.parametrize("seed", range(6))
def test_splice_gives_the_notes_a_rebuild_gives(seed):
    notes = _chords(600, seed)
    rng = np.random.default_rng(100 + seed)
    index = NoteIndex(notes)
    removed = [notes[i] for i in rng.choice(len(notes), 150, replace=False)]
    removed[:10] = [Note(n.start, n.end, n.pitch, n.velocity) for n in removed[:10]]   # equal, not the same object
    added = [n.shifted(float(rng.integers(-4, 5)) / 2, int(rng.integers(-2, 3))) for n in removed]
    added = [n if n.start >= 0 else n.shifted(-n.start) for n in added] + notes[:5]     # some equal to kept notes
    _assert_index_of(index.splice(removed, added), _rebuilt(notes, removed, added))


def test_splice_finds_notes_whose_chord_is_out_of_order():
    notes = [Note(0, 1, 64), Note(0, 1, 60), Note(0, 2, 62), Note(1, 2, 60)]     # start 0: not by pitch
    index = NoteIndex(notes)
    spliced = index.splice([Note(0, 1, 60), Note(0, 2, 62)], [Note(0, 1, 61)])
    assert sorted(spliced.notes.tolist(), key=note_order) == [Note(0, 1, 61), Note(0, 1, 64), Note(1, 2, 60)]
    assert list(spliced.starts) == [0, 0, 1]


def test_splice_refuses_notes_that_are_not_there():
    index = NoteIndex([Note(0, 1, 60), Note(0, 1, 60)])
    with pytest.raises(KeyError) as missing:
        index.splice([Note(0, 1, 60), Note(0, 1, 60), Note(0, 1, 60), Note(5, 6, 70)], [])
    assert missing.value.args[0] == 2
    assert len(index.splice([Note(0, 1, 60), Note(0, 1, 60)], [])) == 0
    empty = NoteIndex([])
    assert empty.splice([], [Note(1, 2, 60)]).notes.tolist() == [Note(1, 2, 60)]
    with pytest.raises(KeyError):
        empty.splice([Note(1, 2, 60)], [])


def test_moving_notes_splices_the_documents_index_and_undoes_exactly():
    score = Score()
    track = score.add_track(Track("A", notes=_chords(3000, 7)))
    doc = ScoreDocument(score)
    before = list(track.notes)
    index = doc.index.track(track.id)
    picked = index.take(np.arange(100, 600))
    moved = doc.move_notes({track.id: picked}, 1.5, 2)[track.id]
    after = list(doc.score.track(track.id).notes)
    assert after == _rebuilt(before, picked, moved)
    _assert_index_of(doc.index.track(track.id), after)
    assert doc.undo() and doc.score.track(track.id).notes == before
    _assert_index_of(doc.index.track(track.id), before)
    assert doc.redo() and doc.score.track(track.id).notes == after
