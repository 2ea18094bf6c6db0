"""Flood fill: the 4-connected region of similar colour around a seed pixel.

Similarity is the largest per-channel difference (RGBA, 0..255) from the seed pixel, at most
``tolerance``; fully transparent pixels count as (0, 0, 0, 0) whatever colour they still hold.
Connected components come from ``scipy.ndimage.label``, which runs at C speed on a 4096 x 4096 canvas.
"""
from __future__ import annotations

import numpy as np

from ragart_desktop.core.canvas.geometry import Rect


def flood_region(pixels: np.ndarray, x: int, y: int, tolerance: int) -> tuple[Rect, np.ndarray]:
    """(bounding rect, boolean mask within it) of the region reachable from (x, y)."""
    from scipy import ndimage  # lazy: only filling needs scipy

    transparent = pixels[..., 3] == 0
    seed = np.zeros(4, np.int16) if transparent[y, x] else pixels[y, x].astype(np.int16)
    diff = np.zeros(pixels.shape[:2], np.int16)
    for c in range(4):  # channel by channel keeps the temporaries at 2 bytes per pixel
        channel = np.where(transparent, np.int16(0), pixels[..., c].astype(np.int16))
        np.maximum(diff, np.abs(channel - seed[c]), out=diff)
    labels, _ = ndimage.label(diff <= tolerance)
    region = labels == labels[y, x]
    rows = np.flatnonzero(region.any(axis=1))
    cols = np.flatnonzero(region.any(axis=0))
    rect = Rect(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
    return rect, region[rect.slices]
