"""What a piece is made of, as material a generator can learn from: roles, lines, chords, bar patterns.

- ``track_role``: melody (a single line), arpeggio (a single line in one steady note value: a broken
  chord or ostinato), bass (a low single line), chords (mostly several notes at once) or drums.
- ``skyline``: the top note at each onset of a track: its melodic line.
- ``bar_chords``: the chord of each bar, recognised by matching the bar's duration-weighted
  pitch-class profile against triad and seventh templates on all 12 roots.
- ``bar_patterns``: the notes of each bar relative to its start (rhythm cells, drum grooves).
All positions are in beats; nothing here depends on an engine.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ragart_desktop.core.music.score import EPS, Note, Score, Track

MELODY, ARPEGGIO, BASS, CHORDS, DRUMS = "melody", "arpeggio", "bass", "chords", "drums"
ROLES = (MELODY, CHORDS, ARPEGGIO, BASS, DRUMS)

# Chord qualities as pitch classes above the root.
QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8), "sus4": (0, 5, 7),
    "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "m7": (0, 3, 7, 10), "m7b5": (0, 3, 6, 10),
}


@dataclass(frozen=True)
class Chord:
    root: int          # pitch class
    quality: str       # key of QUALITIES

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        return tuple((self.root + i) % 12 for i in QUALITIES[self.quality])

    def transposed(self, semitones: int) -> "Chord":
        return Chord((self.root + semitones) % 12, self.quality)


def onset_groups(notes: Sequence[Note]) -> list[list[Note]]:
    """Notes grouped by (near-)equal start, in time order."""
    groups: list[list[Note]] = []
    for n in sorted(notes, key=lambda n: (n.start, -n.pitch)):
        if groups and abs(groups[-1][0].start - n.start) < 0.02:
            groups[-1].append(n)
        else:
            groups.append([n])
    return groups


def track_role(track: Track) -> str:
    if track.is_drum:
        return DRUMS
    groups = onset_groups(track.notes)
    if not groups:
        return MELODY
    chordal = sum(len(g) >= 2 for g in groups) / len(groups)
    if chordal > 0.4:
        return CHORDS
    median = float(np.median([n.pitch for n in track.notes]))
    if median < 52:
        return BASS
    iois = np.round(np.diff([g[0].start for g in groups]), 3)
    if len(iois) >= 16 and np.mean(iois == np.median(iois)) >= 0.85:
        return ARPEGGIO
    return MELODY


def skyline(notes: Sequence[Note]) -> list[Note]:
    """The top note of each onset group: a track's melodic line."""
    return [max(g, key=lambda n: n.pitch) for g in onset_groups(notes)]


def bass_line(notes: Sequence[Note]) -> list[Note]:
    return [min(g, key=lambda n: n.pitch) for g in onset_groups(notes)]


def bar_spans(score: Score, start: float = 0.0, end: float | None = None) -> list[tuple[float, float]]:
    """(start, end) of each bar overlapping [start, end)."""
    lines = score.bar_starts(score.end if end is None else end)
    return [(a, b) for a, b in zip(lines[:-1], lines[1:]) if b > start + EPS]


def _templates() -> tuple[list[Chord], np.ndarray, np.ndarray]:
    """Every (root, quality) chord, its 0/1 pitch-class template and its fixed score terms."""
    chords, rows, bias = [], [], []
    for quality, tones in QUALITIES.items():
        for root in range(12):
            row = np.zeros(12)
            row[[(root + t) % 12 for t in tones]] = 1.0
            chords.append(Chord(root, quality))
            rows.append(row)
            bias.append(-0.04 * (len(tones) - 3))   # a seventh must earn its extra tone
    return chords, np.array(rows), np.array(bias)


_CHORDS, _TEMPLATES, _BIAS = _templates()
_ROOTS = np.array([c.root for c in _CHORDS])


def chord_of(notes: Sequence[Note], start: float, end: float) -> Chord | None:
    """The best-fitting chord of the notes sounding in [start, end), or None if nothing sounds."""
    return chords_of(notes, [(start, end)])[0]


def chords_of(notes: Sequence[Note], spans: Sequence[tuple[float, float]]) -> list[Chord | None]:
    """The chord of each span: most of the sounding time on chord tones (a note struck at the
    span's start counts half again), a little extra for the root, sevenths only when they pay."""
    if not notes:
        return [None] * len(spans)
    starts = np.array([n.start for n in notes])
    ends = np.array([n.end for n in notes])
    pcs = np.array([n.pitch % 12 for n in notes])
    out: list[Chord | None] = []
    for a, b in spans:
        overlap = np.minimum(ends, b) - np.maximum(starts, a)
        weight = np.where(overlap > 0, overlap, 0.0) * np.where(np.abs(starts - a) < EPS, 1.5, 1.0)
        profile = np.bincount(pcs, weights=weight, minlength=12)
        total = profile.sum()
        if total <= 0:
            out.append(None)
            continue
        profile /= total
        covered = _TEMPLATES @ profile
        scores = covered - 0.6 * (1 - covered) + _BIAS + 0.05 * profile[_ROOTS]
        out.append(_CHORDS[int(np.argmax(scores))])
    return out


def bar_chords(score: Score, tracks: Sequence[Track] | None = None) -> list[Chord | None]:
    """One chord per bar of ``score`` from the pitched ``tracks`` (default: all pitched tracks)."""
    notes = [n for t in (tracks if tracks is not None else score.pitched_tracks()) for n in t.notes]
    return chords_of(notes, bar_spans(score))


@dataclass(frozen=True)
class BarPattern:
    """The notes of one bar, positions relative to the bar start, with the bar's chord (for
    pitched parts, pitches are stored relative to the chord root's pitch class)."""

    length: float
    notes: tuple[Note, ...]
    chord: Chord | None = None


def bar_patterns(score: Score, track: Track) -> list[BarPattern]:
    """Each bar of ``track`` as a pattern (empty bars included, so position in the piece is kept)."""
    out = []
    chords = bar_chords(score) if not track.is_drum else None
    for i, (a, b) in enumerate(bar_spans(score)):
        notes = tuple(n.shifted(-a) for n in track.notes if a - EPS <= n.start < b - EPS)
        out.append(BarPattern(b - a, notes, chords[i] if chords else None))
    return out
