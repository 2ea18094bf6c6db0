"""Music-theory helpers on ``pretty_midi.PrettyMIDI`` objects: pitch-class histograms and key estimates.

Key finding is the Krumhansl-Schmuckler algorithm: the piece's duration- and velocity-weighted
pitch-class histogram is correlated (Pearson) with the Krumhansl-Kessler probe-tone profile of each
of the 24 major/minor keys, and the best-correlated key wins. Drum tracks carry no pitch class and are
left out.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pretty_midi is only needed by callers that already hold a PrettyMIDI
    import pretty_midi

NOTE_NAMES: tuple[str, ...] = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

#: Returned by :func:`estimate_key` for a piece with no pitched notes.
UNKNOWN_KEY = "unknown"

# Krumhansl & Kessler (1982) probe-tone ratings, tonic first.
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

_MODES = ("major", "minor")


def _key_profiles() -> np.ndarray:
    """(24, 12) profiles: rows 0-11 are C..B major, rows 12-23 are C..B minor."""
    rows = [np.roll(profile, tonic) for profile in (KK_MAJOR, KK_MINOR) for tonic in range(12)]
    return np.stack(rows)


_PROFILES = _key_profiles()


def pitch_class_histogram(pm: "pretty_midi.PrettyMIDI") -> np.ndarray:
    """Return a (12,) float64 histogram, C first: each pitched note adds duration * velocity/127.

    Drum instruments are excluded. The histogram is not normalised; it is all zeros when the piece
    has no pitched notes.
    """
    hist = np.zeros(12, dtype=np.float64)
    for instrument in pm.instruments:
        if instrument.is_drum or not instrument.notes:
            continue
        notes = instrument.notes
        pitches = np.fromiter((n.pitch for n in notes), dtype=np.int64, count=len(notes))
        weights = np.fromiter(
            ((n.end - n.start) * n.velocity for n in notes), dtype=np.float64, count=len(notes)
        )
        np.add.at(hist, pitches % 12, np.maximum(weights, 0.0) / 127.0)
    return hist


def key_correlations(histogram: np.ndarray) -> np.ndarray:
    """Pearson correlation of a (12,) pitch-class histogram with each of the 24 key profiles.

    Index ``tonic`` is ``tonic`` major and ``12 + tonic`` is ``tonic`` minor. All zeros for a flat
    (e.g. empty) histogram, since no key is preferred.
    """
    h = np.asarray(histogram, dtype=np.float64)
    h = h - h.mean()
    h_norm = np.linalg.norm(h)
    if h_norm < 1e-12:
        return np.zeros(24)
    p = _PROFILES - _PROFILES.mean(axis=1, keepdims=True)
    return (p @ h) / (np.linalg.norm(p, axis=1) * h_norm)


def key_name(index: int) -> str:
    """Name of key ``index`` in the :func:`key_correlations` order, e.g. 21 -> "A minor"."""
    return f"{NOTE_NAMES[index % 12]} {_MODES[index // 12]}"


def estimate_key_from_histogram(histogram: np.ndarray) -> tuple[int, float]:
    """Best key index (see :func:`key_correlations`) and its correlation; (-1, 0.0) if undecidable."""
    corr = key_correlations(histogram)
    if not corr.any():
        return -1, 0.0
    best = int(np.argmax(corr))
    return best, float(corr[best])


def estimate_key(pm: "pretty_midi.PrettyMIDI") -> tuple[str, float]:
    """Estimate the key of a piece, e.g. ``("A minor", 0.87)``.

    The confidence is the Pearson correlation (clipped to [0, 1]) between the piece's pitch-class
    histogram and the winning Krumhansl-Kessler key profile. A piece with no pitched notes (or a
    perfectly flat histogram) gives ``(UNKNOWN_KEY, 0.0)``.
    """
    best, corr = estimate_key_from_histogram(pitch_class_histogram(pm))
    if best < 0:
        return UNKNOWN_KEY, 0.0
    return key_name(best), max(0.0, min(1.0, corr))
