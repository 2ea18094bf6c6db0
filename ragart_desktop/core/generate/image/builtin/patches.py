"""Patch descriptors: the low-frequency 2-D DCT coefficients of every pixel's neighbourhood.

A square patch is summarised by its first DCT coefficients per channel (the patch mean, the
horizontal and vertical gradients, then curvatures ...), each basis function windowed by a
Gaussian so the centre counts most. The basis is separable, so all descriptors of an image come
from a few 1-D correlations: no im2col copies, no data-dependent fitting, and the descriptor
distance approximates the Gaussian-weighted sum of squared differences of the smoothed patches.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import ndimage


def _basis(radius: int, count: int) -> list[np.ndarray]:
    """The first ``count`` 1-D DCT-II vectors over 2*radius+1 taps, Gaussian-windowed (sqrt)."""
    size = 2 * radius + 1
    t = np.arange(size, dtype=np.float64)
    window = np.sqrt(np.exp(-((t - radius) ** 2) / (2.0 * max(radius, 1) ** 2)))
    out = []
    for k in range(count):
        v = np.cos(np.pi * (t + 0.5) * k / size) * window
        out.append((v / np.linalg.norm(v)).astype(np.float32))
    return out


def descriptor_size(orders: Sequence[int]) -> int:
    """Number of coefficients for the given per-channel orders (order K keeps i + j < K)."""
    return sum(k * (k + 1) // 2 for k in orders)


def patch_descriptors(image: np.ndarray, radius: int, orders: Sequence[int]) -> np.ndarray:
    """(H, W, C) -> (H, W, D) descriptors; channel c keeps the DCT terms (i, j) with i + j < orders[c].

    Scale a channel before calling to change its weight in patch distances.
    """
    h, w = image.shape[:2]
    out = np.empty((h, w, descriptor_size(orders)), dtype=np.float32)
    basis = _basis(radius, max(orders))
    d = 0
    for c, order in enumerate(orders):
        plane = np.ascontiguousarray(image[..., c], dtype=np.float32)
        rows = [ndimage.correlate1d(plane, basis[i], axis=0, mode="reflect") for i in range(order)]
        for i in range(order):
            for j in range(order - i):
                out[..., d] = ndimage.correlate1d(rows[i], basis[j], axis=1, mode="reflect")
                d += 1
    return out
