"""Notes as arrays sorted by start: the time index a piano roll queries every frame.

A view of a 20,000-note piece must find the notes in its window without looking at the others.
``NoteIndex`` keeps one track's starts, ends, pitches and velocities as numpy arrays in start order;
the notes sounding in ``[b0, b1)`` lie between two binary searches (a note that started up to the
longest duration before ``b0`` may still sound), then a vectorised filter on ends and pitches.

An edit does not rebuild the index: ``splice`` takes notes out and puts notes in with binary searches
and numpy deletes/inserts, so dropping 500 dragged notes on a 20,000-note track costs a loop over
the 500, not over the 20,000 (a rebuild reads every note's fields in Python: milliseconds).

``ScoreIndex`` holds one ``NoteIndex`` per track of a ``ScoreDocument``'s score; the document
splices a track's index with every note edit and the track's notes follow it (``doc.index``).
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Iterable, Optional, Sequence

import numpy as np

from ragart_desktop.core.music.score import EPS, Note, Score, note_order

_EMPTY = np.zeros(0, dtype=np.int64)


class NoteIndex:
    def __init__(self, notes: Sequence[Note]):
        fields = _fields(notes, len(notes))
        if len(notes) > 1 and np.any(np.diff(fields[0]) < 0):   # tracks keep their notes sorted; be safe anyway
            order = np.argsort(fields[0], kind="stable")
            notes = [notes[i] for i in order.tolist()]
            fields = tuple(a[order] for a in fields)
        self._set(list(notes), *fields)

    def _set(self, notes: list[Note], starts: np.ndarray, ends: np.ndarray, pitches: np.ndarray,
             velocities: np.ndarray) -> None:
        self.notes = notes
        self.starts, self.ends, self.pitches, self.velocities = starts, ends, pitches, velocities
        self.max_duration = float((ends - starts).max()) if len(notes) else 0.0

    def __len__(self) -> int:
        return len(self.notes)

    def splice(self, removed: Sequence[Note], added: Iterable[Note]) -> "NoteIndex":
        """A new index without one occurrence of each ``removed`` note and with the ``added`` ones,
        in the order ``Track.sort`` gives the rest plus ``added`` (equal notes: the added ones last).

        Raises ``KeyError`` with the number of ``removed`` notes that are not here."""
        keep = np.ones(len(self.notes), bool)
        keep[self._positions(removed)] = False
        gone = np.flatnonzero(~keep).tolist()
        notes = _without(self.notes, gone)
        starts, ends, pitches, velocities = (a[keep] for a in (self.starts, self.ends, self.pitches, self.velocities))
        added = sorted(added, key=note_order)
        new = _fields(added, len(added))
        a_starts = new[0]
        at = np.searchsorted(starts, a_starts, "left").tolist()
        after = np.searchsorted(starts, a_starts, "right").tolist()
        for k, note in enumerate(added):       # equal starts: place by the rest of the order
            if at[k] < after[k]:
                at[k] = bisect_right(notes, note_order(note), at[k], after[k], key=note_order)
        index = NoteIndex(())
        index._set(_with(notes, at, added), *(np.insert(old, at, values) for old, values in
                                              zip((starts, ends, pitches, velocities), new)))
        return index

    def _positions(self, removed: Sequence[Note]) -> list[int]:
        """Where one occurrence of each ``removed`` note is (distinct positions)."""
        starts = np.fromiter((n.start for n in removed), np.float64, len(removed))
        runs = zip(np.searchsorted(self.starts, starts, "left").tolist(),
                   np.searchsorted(self.starts, starts, "right").tolist())
        taken: set[int] = set()
        for note, (first, end) in zip(removed, runs):
            k = _find(self.notes, note, first, end, taken)
            if k is not None:
                taken.add(k)
        if len(taken) < len(removed):
            raise KeyError(len(removed) - len(taken))
        return list(taken)

    def sounding(self, b0: float, b1: float) -> np.ndarray:
        """Indices (in start order) of the notes that sound somewhere in ``[b0, b1)``."""
        if not self.notes or b1 <= b0:
            return _EMPTY
        lo = int(np.searchsorted(self.starts, b0 - self.max_duration - EPS, "left"))
        hi = int(np.searchsorted(self.starts, b1, "left"))
        idx = np.arange(lo, hi)
        return idx[self.ends[lo:hi] > b0 + EPS]

    def visible(self, b0: float, b1: float, low: int, high: int) -> np.ndarray:
        """Notes sounding in ``[b0, b1)`` with pitches in ``[low, high]``."""
        idx = self.sounding(b0, b1)
        p = self.pitches[idx]
        return idx[(p >= low) & (p <= high)]

    def starting(self, b0: float, b1: float) -> np.ndarray:
        """Notes that start in ``[b0, b1)``."""
        lo = int(np.searchsorted(self.starts, b0 - EPS, "left"))
        hi = int(np.searchsorted(self.starts, b1 - EPS, "left"))
        return np.arange(lo, hi)

    def at(self, beat: float, pitch: int) -> Optional[int]:
        """The note on ``pitch`` that sounds at ``beat`` (the latest started, drawn on top), or None."""
        idx = self.sounding(beat, beat + EPS)
        idx = idx[(self.pitches[idx] == pitch) & (self.starts[idx] <= beat + EPS)]
        return int(idx[-1]) if len(idx) else None

    def take(self, indices: np.ndarray) -> list[Note]:
        return [self.notes[i] for i in indices.tolist()]


def _fields(notes: Sequence[Note], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (np.fromiter((x.start for x in notes), np.float64, n), np.fromiter((x.end for x in notes), np.float64, n),
            np.fromiter((x.pitch for x in notes), np.int16, n), np.fromiter((x.velocity for x in notes), np.int16, n))


def _find(notes: list[Note], note: Note, first: int, end: int, taken: set[int]) -> Optional[int]:
    """A position in ``[first, end)`` (the notes starting where ``note`` starts) not ``taken``
    holding ``note`` itself (a selection holds the track's own notes), else an equal note."""
    for k in range(first, end):
        if notes[k] is note and k not in taken:
            return k
    for k in range(first, end):
        if notes[k] == note and k not in taken:
            return k
    return None


def _without(notes: list[Note], gone: list[int]) -> list[Note]:
    """``notes`` without the positions ``gone`` (ascending), copied a slice at a time."""
    out: list[Note] = []
    previous = 0
    for i in gone:
        out += notes[previous:i]
        previous = i + 1
    out += notes[previous:]
    return out


def _with(notes: list[Note], at: list[int], added: list[Note]) -> list[Note]:
    """``notes`` with ``added[k]`` inserted before position ``at[k]`` (``at`` ascending)."""
    out: list[Note] = []
    previous = 0
    for i, note in zip(at, added):
        out += notes[previous:i]
        out.append(note)
        previous = i
    out += notes[previous:]
    return out


class ScoreIndex:
    """One ``NoteIndex`` per track of a score, built when first asked for and spliced by every
    note edit (``ScoreDocument`` does that); ``invalidate`` drops it (a track added or removed)."""

    def __init__(self, score: Score):
        self.score = score
        self._indexes: dict[int, NoteIndex] = {}
        self._versions: dict[int, int] = {}
        self._notes_end: Optional[float] = None

    @property
    def end(self) -> float:
        """``score.end`` without a walk over every note each time it is asked (views ask per frame)."""
        if self.score.length is not None:
            return self.score.length
        if self._notes_end is None:
            self._notes_end = max((float(self.track(t.id).ends.max()) for t in self.score.tracks if t.notes),
                                  default=0.0)
        return self._notes_end

    def track(self, track_id: int) -> NoteIndex:
        index = self._indexes.get(track_id)
        if index is None:
            index = self._indexes[track_id] = NoteIndex(self.score.track(track_id).notes)
        return index

    def splice(self, track_id: int, removed: Sequence[Note], added: Sequence[Note]) -> NoteIndex:
        """Take ``removed`` out of the track's index and put ``added`` in (see ``NoteIndex.splice``)."""
        index = self._indexes[track_id] = self.track(track_id).splice(removed, added)
        self._notes_end = None
        self._versions[track_id] = self._versions.get(track_id, 0) + 1
        return index

    def version(self, track_id: int) -> int:
        """Bumps whenever the track's notes change (a cache key for what is drawn from them)."""
        return self._versions.get(track_id, 0)

    def invalidate(self, track_ids: Optional[frozenset[int] | set[int]] = None) -> None:
        """Forget the indexes of ``track_ids`` (all tracks when None)."""
        self._notes_end = None
        for track_id in list(self._indexes) if track_ids is None else track_ids:
            self._indexes.pop(track_id, None)
            self._versions[track_id] = self._versions.get(track_id, 0) + 1
        if track_ids is None:
            for t in self.score.tracks:
                self._versions[t.id] = self._versions.get(t.id, 0) + 1
