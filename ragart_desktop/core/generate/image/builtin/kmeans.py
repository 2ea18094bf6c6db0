"""Small seeded k-means (k-means++ seeding, Lloyd iterations) for colour palettes."""
from __future__ import annotations

import numpy as np


def squared_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(n, d) x (k, d) -> (n, k) squared Euclidean distances.

    Direct differences rather than a matrix product: d and k are tiny here (colours, palettes),
    and this avoids BLAS threads, which stall when the CPU is busy.
    """
    dist = np.zeros((len(points), len(centres)), dtype=np.result_type(points, centres))
    for j in range(points.shape[1]):
        dist += (points[:, j, None] - centres[None, :, j]) ** 2
    return dist


def kmeans(
    points: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 15
) -> tuple[np.ndarray, np.ndarray]:
    """Cluster ``points`` (n, d); return (centres (m, d), share of points per centre (m,)).

    ``m`` can be below ``k`` when the points have fewer distinct values. Centres are sorted by
    their first coordinate (lightness, for Lab points) so results do not depend on label order.
    """
    points = np.asarray(points, dtype=np.float64)
    centres = [points[rng.integers(len(points))]]
    nearest = squared_distances(points, np.array(centres))[:, 0]
    while len(centres) < k and nearest.sum() > 1e-9:
        pick = rng.choice(len(points), p=nearest / nearest.sum())
        centres.append(points[pick])
        nearest = np.minimum(nearest, squared_distances(points, points[pick][None])[:, 0])
    c = np.array(centres)
    for _ in range(iterations):
        labels = squared_distances(points, c).argmin(axis=1)
        counts = np.bincount(labels, minlength=len(c))
        sums = np.stack(
            [np.bincount(labels, weights=points[:, j], minlength=len(c)) for j in range(c.shape[1])],
            axis=1,
        )
        moved = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], c)
        if np.allclose(moved, c, atol=1e-4):
            c = moved
            break
        c = moved
    labels = squared_distances(points, c).argmin(axis=1)
    share = np.bincount(labels, minlength=len(c)) / len(points)
    keep = share > 0
    c, share = c[keep], share[keep]
    order = np.argsort(c[:, 0], kind="stable")
    return c[order], share[order]
