import numpy as np
import pytest

from ragart_desktop.core.music.document import ScoreDocument
from ragart_desktop.core.music.grid import grid_beats, snap, snap_down, snap_up, step
from ragart_desktop.core.music.note_index import NoteIndex, ScoreIndex
from ragart_desktop.core.music.score import Note, Score, Track


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
