"""The near-copy guard: the longest passage a piece shares with one other piece, whatever the key
and tempo.

Each melodic line (the skyline of every melody track; of every pitched track when a piece has no
melody track; drums never count) becomes a sequence of tokens, one per note after the second:
(interval from the previous note in semitones, log2 of the ratio of this inter-onset interval to
the previous one, in quarter steps). Intervals do not change under transposition and IOI ratios do
not change under a tempo change, so a transposed copy at another tempo has the same tokens. The
longest run of equal consecutive tokens between any line of one piece and any line of the other
is the copied passage; it spans ``run + 2`` notes.

A passage of ``NEAR_COPY_NOTES`` (16) notes or more - about four bars of a tune - is a near copy.
Shared scales, arpeggios and cadences of one style stay well below it (tests/core/music).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ragart_desktop.core.music.analysis import MELODY, skyline, track_role
from ragart_desktop.core.music.score import Score

NEAR_COPY_NOTES = 16


@dataclass(frozen=True)
class Copy:
    notes: int         # length of the longest shared passage, in notes (0: none)
    start: float       # where it starts in the examined piece (beats)

    @property
    def near_copy(self) -> bool:
        return self.notes >= NEAR_COPY_NOTES


def melodic_lines(score: Score) -> list[tuple[np.ndarray, list[float]]]:
    """Token sequences (as int64 codes) of the piece's melodic lines, with each token's onset."""
    pitched = [t for t in score.tracks if not t.is_drum and t.notes]
    melodic = [t for t in pitched if track_role(t) == MELODY] or pitched
    out = []
    for t in melodic:
        line = skyline(t.notes)
        codes, onsets = [], []
        for a, b, c in zip(line, line[1:], line[2:]):
            ioi1, ioi2 = b.start - a.start, c.start - b.start
            ratio = int(round(4 * np.log2(max(ioi2, 1e-3) / max(ioi1, 1e-3))))
            codes.append((c.pitch - b.pitch + 128) * 1000 + ratio + 500)
            onsets.append(a.start)
        if codes:
            out.append((np.array(codes, dtype=np.int64), onsets))
    return out


def longest_common_run(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """Length of the longest common substring of two code arrays and where it starts in ``a``."""
    if not len(a) or not len(b):
        return 0, 0
    prev = np.zeros(len(b) + 1, np.int32)
    best, where = 0, 0
    for i in range(len(a)):
        cur = np.zeros(len(b) + 1, np.int32)
        eq = a[i] == b
        cur[1:][eq] = prev[:-1][eq] + 1
        m = int(cur.max())
        if m > best:
            best, where = m, i - m + 1
        prev = cur
    return best, where


def longest_copy(piece: Score, other: Score | Sequence[tuple[np.ndarray, list[float]]]) -> Copy:
    """The longest passage ``piece`` shares with ``other`` (a score or its ``melodic_lines``)."""
    theirs = melodic_lines(other) if isinstance(other, Score) else other
    best = Copy(0, 0.0)
    for codes, onsets in melodic_lines(piece):
        for other_codes, _ in theirs:
            run, where = longest_common_run(codes, other_codes)
            if run and run + 2 > best.notes:
                best = Copy(run + 2, onsets[where])
    return best
