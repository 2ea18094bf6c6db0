"""Notes as arrays sorted by start: the time index a piano roll queries every frame.

A view of a 20,000-note piece must find the notes in its window without looking at the others.
``NoteIndex`` keeps one track's starts, ends, pitches and velocities as numpy arrays in start order;
the notes sounding in ``[b0, b1)`` lie between two binary searches (a note that started up to the
longest duration before ``b0`` may still sound), then a vectorised filter on ends and pitches.

An edit does not rebuild the index: ``splice`` takes notes out and puts notes in with binary searches
and numpy masks and inserts (the Note objects are a column too), so dropping 500 dragged notes on a
20,000-note track reads the fields of the 500 in Python, not of the 20,000 (a rebuild and the track
sort it replaced cost milliseconds).

``ScoreIndex`` holds one ``NoteIndex`` per track of a ``ScoreDocument``'s score; the document
splices a track's index with every note edit and the track's notes follow it (``doc.index``).
"""
from __future__ import annotations

from operator import attrgetter
from typing import Optional, Sequence

import numpy as np

from ragart_desktop.core.music.score import EPS, Note, Score

_EMPTY = np.zeros(0, dtype=np.int64)
_FIELDS = (("start", np.float64), ("end", np.float64), ("pitch", np.int16), ("velocity", np.int16))


class NoteIndex:
    def __init__(self, notes: Sequence[Note]):
        columns = _columns(notes)
        if len(notes) > 1 and np.any(np.diff(columns[1]) < 0):   # tracks keep their notes sorted; be safe anyway
            order = np.argsort(columns[1], kind="stable")
            columns = tuple(a[order] for a in columns)
        self._set(*columns)

    def _set(self, notes: np.ndarray, starts: np.ndarray, ends: np.ndarray, pitches: np.ndarray,
             velocities: np.ndarray) -> None:
        self.notes = notes        # the Note objects (an object array: spliced like the others)
        self.starts, self.ends, self.pitches, self.velocities = starts, ends, pitches, velocities
        self.max_duration = float((ends - starts).max()) if len(notes) else 0.0

    def __len__(self) -> int:
        return len(self.notes)

    def splice(self, removed: Sequence[Note], added: Sequence[Note]) -> "NoteIndex":
        """A new index without one occurrence of each ``removed`` note and with the ``added`` ones,
        in the order ``Track.sort`` gives the rest plus ``added`` (equal notes: the added ones last).

        Raises ``KeyError`` with the number of ``removed`` notes that are not here."""
        keep = np.ones(len(self.notes), bool)
        keep[self._positions(_columns(removed))] = False
        rest = [a[keep] for a in self._columns]
        new = _sorted(_columns(added))
        at, after = np.searchsorted(rest[1], new[1], "left"), np.searchsorted(rest[1], new[1], "right")
        at += _before(rest, at, after, new, equal=True)
        index = NoteIndex(())
        index._set(*_inserted(rest, at, new))
        return index

    @property
    def _columns(self) -> tuple[np.ndarray, ...]:
        return self.notes, self.starts, self.ends, self.pitches, self.velocities

    def _positions(self, removed: tuple[np.ndarray, ...]) -> np.ndarray:
        """Distinct positions of notes equal to the ``removed`` ones. Where the track's order puts
        each is worked out for all at once; a note not found there (only when the notes of one
        start are out of order) is looked for among all the notes of its start."""
        removed = _sorted(removed)
        first, end = np.searchsorted(self.starts, removed[1], "left"), np.searchsorted(self.starts, removed[1], "right")
        fields = np.stack(removed[1:], axis=1)
        repeat = np.r_[False, np.all(fields[1:] == fields[:-1], axis=1)] if len(first) else np.zeros(0, bool)
        group = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(first))))    # equal removed notes: 2nd, 3rd ...
        at = first + _before(self._columns, first, end, removed, equal=False) + np.arange(len(first)) - group
        inside = np.minimum(at, max(len(self.notes) - 1, 0))
        found = (at < end) & np.all(np.stack([c[inside] for c in self._columns[1:]], axis=1) == fields, axis=1) \
            if len(self.notes) else np.zeros(len(first), bool)
        taken = set(at[found].tolist())
        for k in np.flatnonzero(~found).tolist():
            position = _find(self.notes, removed[0][k], int(first[k]), int(end[k]), taken)
            if position is not None:
                taken.add(position)
        if len(taken) < len(first):
            raise KeyError(len(first) - len(taken))
        return np.fromiter(taken, np.int64, len(taken))

    def sounding(self, b0: float, b1: float) -> np.ndarray:
        """Indices (in start order) of the notes that sound somewhere in ``[b0, b1)``."""
        if not len(self.notes) or b1 <= b0:
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
        return self.notes[indices].tolist()


def _columns(notes: Sequence[Note]) -> tuple[np.ndarray, ...]:
    """The index's columns of ``notes``: the notes themselves, starts, ends, pitches, velocities."""
    n = len(notes)
    return (np.fromiter(notes, object, n), *(np.fromiter(map(attrgetter(name), notes), dtype, n) for name, dtype in _FIELDS))


def _sorted(columns: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """``columns`` in the track's order (``note_order``: start, pitch, end, velocity; stable)."""
    order = np.lexsort((columns[4], columns[2], columns[3], columns[1]))
    return tuple(c[order] for c in columns)


def _before(columns: Sequence[np.ndarray], first: np.ndarray, end: np.ndarray, notes: Sequence[np.ndarray], *,
            equal: bool) -> np.ndarray:
    """For each of ``notes`` (columns), how many of the ``columns`` notes in ``[first, end)`` (those
    starting where it starts) come before it in the track's order (or are equal to it, ``equal``)."""
    lengths = end - first
    if not lengths.any():
        return np.zeros(len(first), np.int64)
    rows = np.repeat(np.arange(len(first)), lengths)
    at = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths) + np.repeat(first, lengths)
    e, p, v = (c[at] for c in columns[2:])          # ends, pitches, velocities
    e0, p0, v0 = (c[rows] for c in notes[2:])
    last = v <= v0 if equal else v < v0
    earlier = (p < p0) | ((p == p0) & ((e < e0) | ((e == e0) & last)))
    return np.bincount(rows, weights=earlier, minlength=len(first)).astype(np.int64)


def _inserted(columns: list[np.ndarray], at: np.ndarray, values: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    """``columns`` with ``values[c][k]`` put before position ``at[k]`` (``at`` ascending), as
    ``np.insert`` does, sharing the work of placing them between the columns."""
    total = len(columns[0]) + len(at)
    slots = at + np.arange(len(at))
    old = np.ones(total, bool)
    old[slots] = False
    out = []
    for column, value in zip(columns, values):
        merged = np.empty(total, column.dtype)
        merged[old] = column
        merged[slots] = value
        out.append(merged)
    return out


def _find(notes: np.ndarray, note: Note, first: int, end: int, taken: set[int]) -> Optional[int]:
    """A position in ``[first, end)`` (the notes starting where ``note`` starts) not ``taken``
    holding ``note`` itself (a selection holds the track's own notes), else an equal note."""
    for k in range(first, end):
        if notes[k] is note and k not in taken:
            return k
    for k in range(first, end):
        if notes[k] == note and k not in taken:
            return k
    return None


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
