"""Notes as arrays sorted by start: the time index a piano roll queries every frame.

A view of a 20,000-note piece must find the notes in its window without looking at the others.
``NoteIndex`` keeps one track's starts, ends, pitches and velocities as numpy arrays in start order;
the notes sounding in ``[b0, b1)`` lie between two binary searches (a note that started up to the
longest duration before ``b0`` may still sound), then a vectorised filter on ends and pitches.

``ScoreIndex`` holds one ``NoteIndex`` per track of a live ``ScoreDocument`` and rebuilds a track's
index only after that track's notes changed (it listens to the document).
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ragart_desktop.core.music.score import EPS, Note, Score

_EMPTY = np.zeros(0, dtype=np.int64)


class NoteIndex:
    def __init__(self, notes: Sequence[Note]):
        n = len(notes)
        starts = np.fromiter((x.start for x in notes), np.float64, n)
        if n > 1 and np.any(np.diff(starts) < 0):   # tracks keep their notes sorted; be safe anyway
            order = np.argsort(starts, kind="stable")
            notes = [notes[i] for i in order]
            starts = starts[order]
        self.notes: list[Note] = list(notes)
        self.starts = starts
        self.ends = np.fromiter((x.end for x in self.notes), np.float64, n)
        self.pitches = np.fromiter((x.pitch for x in self.notes), np.int16, n)
        self.velocities = np.fromiter((x.velocity for x in self.notes), np.int16, n)
        self.max_duration = float((self.ends - self.starts).max()) if n else 0.0

    def __len__(self) -> int:
        return len(self.notes)

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


class ScoreIndex:
    """One ``NoteIndex`` per track of a score, rebuilt lazily when a track's notes change."""

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
