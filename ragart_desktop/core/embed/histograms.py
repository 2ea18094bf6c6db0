"""Soft histograms, shared by the built-in descriptors: small shifts change them smoothly."""
from __future__ import annotations

import numpy as np


def split_between_bins(pos: np.ndarray, weights: np.ndarray, bins: int, circular: bool) -> np.ndarray:
    """Histogram of positions in bin-centre units (``k`` = the centre of bin ``k``), each weight
    split linearly between its two nearest centres. Circular positions wrap; others are clamped."""
    low = np.floor(pos)
    frac = pos - low
    low = low.astype(np.int64)
    high = low + 1
    if circular:
        low %= bins
        high %= bins
    else:
        low = np.clip(low, 0, bins - 1)
        high = np.clip(high, 0, bins - 1)
    return np.bincount(low, weights * (1.0 - frac), minlength=bins) + np.bincount(high, weights * frac,
                                                                                   minlength=bins)
