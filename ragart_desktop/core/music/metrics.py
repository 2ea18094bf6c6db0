"""Objective measures of a piece, and how close its style is to a set of references.

Single-piece metrics (as defined in MusPy, Dong et al. 2020, unless said otherwise):
- ``pitch_class_entropy``: Shannon entropy (bits) of the pitched notes' pitch-class histogram.
- ``scale_consistency``: the largest share of pitched notes inside one major or minor scale.
- ``in_key_ratio``: the share inside a given key (its scale, plus the raised 6th/7th in minor).
- ``groove_consistency``: 1 - mean Hamming distance between the onset grids (1/12 beat) of
  consecutive bars, divided by the grid size: 1 when every bar has the same rhythm.
- ``note_density``: notes per beat (all tracks).
- ``polyphony``: mean number of pitched notes sounding at the grid points where any sounds.

``style_match`` follows Yang & Lerch (2018), "On the evaluation of generative models in music":
per-bar features (pitch count, note count, pitch range, mean |interval|, mean IOI, note length)
are collected for the piece and for the references; for each feature the two distributions are
estimated with a Gaussian kernel density and their overlapping area (0..1) is taken; the mean over
features is the match (1 = indistinguishable distributions).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ragart_desktop.core.music.analysis import bar_spans, skyline
from ragart_desktop.core.music.score import EPS, Score
from ragart_desktop.core.music.theory import Key, MODES

GRID = 12  # onsets per beat (sixteenths and triplets)
STYLE_FEATURES = ("pitch_count", "note_count", "pitch_range", "interval", "ioi", "note_length")


def _pitched(score: Score) -> list[int]:
    return [n.pitch for _, n in score.all_notes(drums=False)]


def pitch_class_entropy(score: Score) -> float:
    pcs = np.bincount(np.array(_pitched(score), dtype=np.int64) % 12, minlength=12).astype(float)
    if pcs.sum() == 0:
        return 0.0
    p = pcs[pcs > 0] / pcs.sum()
    return float(-(p * np.log2(p)).sum())


def in_key_ratio(score: Score, key: Key) -> float:
    pitches = _pitched(score)
    if not pitches:
        return 1.0
    allowed = key.allowed_pitch_classes()
    return sum(p % 12 in allowed for p in pitches) / len(pitches)


def scale_consistency(score: Score) -> float:
    pitches = np.array(_pitched(score), dtype=np.int64) % 12
    if not len(pitches):
        return 1.0
    counts = np.bincount(pitches, minlength=12)
    best = 0
    for mode in ("major", "minor"):
        for tonic in range(12):
            best = max(best, sum(counts[(tonic + d) % 12] for d in MODES[mode]))
    return float(best / len(pitches))


def groove_consistency(score: Score) -> float:
    grids = []
    for a, b in bar_spans(score):
        cells = max(1, int(round((b - a) * GRID)))
        grid = np.zeros(cells, bool)
        for _, n in score.all_notes():
            if a - EPS <= n.start < b - EPS:
                grid[min(cells - 1, int(round((n.start - a) * GRID)))] = True
        grids.append(grid)
    pairs = [(x, y) for x, y in zip(grids[:-1], grids[1:]) if len(x) == len(y)]
    if not pairs:
        return 1.0
    return float(1.0 - np.mean([np.mean(x != y) for x, y in pairs]))


def note_density(score: Score) -> float:
    return score.note_count / max(score.end, EPS)


def polyphony(score: Score) -> float:
    cells = int(np.ceil(score.end * GRID)) + 1
    sounding = np.zeros(cells, np.int32)
    for _, n in score.all_notes(drums=False):
        a, b = int(round(n.start * GRID)), max(int(round(n.start * GRID)) + 1, int(round(n.end * GRID)))
        sounding[a:b] += 1
    active = sounding[sounding > 0]
    return float(active.mean()) if len(active) else 0.0


def metrics(score: Score, key: Key | None = None) -> dict[str, float]:
    key = key or score.effective_key()
    out = {
        "pitch_class_entropy": pitch_class_entropy(score),
        "scale_consistency": scale_consistency(score),
        "groove_consistency": groove_consistency(score),
        "note_density": note_density(score),
        "polyphony": polyphony(score),
    }
    if key is not None:
        out["in_key_ratio"] = in_key_ratio(score, key)
    return {k: round(v, 4) for k, v in out.items()}


# ---------------------------------------------------------------- style match (Yang & Lerch 2018)

def bar_features(score: Score) -> dict[str, list[float]]:
    """Per-bar values of the ``STYLE_FEATURES`` (bars without pitched notes are skipped)."""
    feats: dict[str, list[float]] = {f: [] for f in STYLE_FEATURES}
    for a, b in bar_spans(score):
        notes = [n for _, n in score.all_notes(drums=False) if a - EPS <= n.start < b - EPS]
        if not notes:
            continue
        pitches = [n.pitch for n in notes]
        line = skyline(notes)
        feats["pitch_count"].append(len(set(pitches)))
        feats["note_count"].append(len(notes))
        feats["pitch_range"].append(max(pitches) - min(pitches))
        feats["interval"].append(float(np.mean([abs(y.pitch - x.pitch) for x, y in zip(line, line[1:])]))
                                 if len(line) > 1 else 0.0)
        onsets = sorted({round(n.start, 3) for n in notes})
        feats["ioi"].append(float(np.mean(np.diff(onsets))) if len(onsets) > 1 else b - a)
        feats["note_length"].append(float(np.mean([n.duration for n in notes])))
    return feats


def overlap_area(x: Sequence[float], y: Sequence[float], points: int = 256) -> float:
    """Overlapping area of two Gaussian-KDE densities (Silverman bandwidth), 0..1."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) == 0 or len(y) == 0:
        return 0.0
    both = np.concatenate([x, y])
    spread = max(float(both.std()), 1e-3)
    lo, hi = both.min() - 3 * spread, both.max() + 3 * spread
    grid = np.linspace(lo, hi, points)

    def kde(v: np.ndarray) -> np.ndarray:
        bw = max(1.06 * max(float(v.std()), spread * 0.1) * len(v) ** (-1 / 5), 1e-3)
        d = np.exp(-0.5 * ((grid[:, None] - v[None, :]) / bw) ** 2).sum(axis=1)
        return d / np.trapezoid(d, grid)

    return float(np.clip(np.trapezoid(np.minimum(kde(x), kde(y)), grid), 0.0, 1.0))


def style_match(score: Score, references: Sequence[Score]) -> float:
    """Mean overlapping area of the per-bar feature distributions of ``score`` and ``references``."""
    mine = bar_features(score)
    theirs: dict[str, list[float]] = {f: [] for f in STYLE_FEATURES}
    for ref in references:
        for f, values in bar_features(ref).items():
            theirs[f].extend(values)
    areas = [overlap_area(mine[f], theirs[f]) for f in STYLE_FEATURES if mine[f] and theirs[f]]
    return round(float(np.mean(areas)), 4) if areas else 0.0
