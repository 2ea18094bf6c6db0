"""Vectorised PatchMatch (Barnes et al. 2009) plus patch voting, for numpy on a CPU.

A nearest-neighbour field (NNF) maps each target pixel to the centre of its most similar source
patch. The classic algorithm scans pixels one by one; here every step runs on all target pixels
at once: propagation tries each neighbour's match shifted by one step (and by longer jumps, as in
jump flooding, so good matches spread quickly), then random search tries candidates in windows of
halving radius around the current match. NNFs are stored as flat indices into the source image.
"""
from __future__ import annotations

import numpy as np

from ragart_desktop.core.progress import Task


class Source:
    """The source side of a match: per-pixel descriptors and which patch centres may be used."""

    def __init__(self, features: np.ndarray, valid: np.ndarray):
        self.height, self.width = valid.shape
        self.features = np.ascontiguousarray(features.reshape(self.height * self.width, -1))
        self.valid = valid.ravel()
        self.valid_index = np.flatnonzero(self.valid)
        if len(self.valid_index) == 0:
            raise ValueError("no usable source patch centres")
        self.penalty: np.ndarray | None = None  # optional extra cost per source pixel (flat)

    def random(self, count: int, rng: np.random.Generator) -> np.ndarray:
        return self.valid_index[rng.integers(len(self.valid_index), size=count)]

    def cost(self, target_features: np.ndarray, index: np.ndarray) -> np.ndarray:
        diff = target_features - self.features[index]
        cost = np.einsum("nd,nd->n", diff, diff)
        if self.penalty is not None:
            cost += self.penalty[index]
        return cost


def patchmatch(
    target_features: np.ndarray,
    ys: np.ndarray,
    xs: np.ndarray,
    nnf: np.ndarray,
    source: Source,
    rng: np.random.Generator,
    *,
    iterations: int,
    jumps: tuple[int, ...] = (4, 2, 1),
    search_radius: int,
    coherence: float = 0.0,
    task: Task | None = None,
) -> np.ndarray:
    """Improve ``nnf`` (target H x W, flat source indices) in place at pixels (ys, xs).

    ``target_features`` holds one descriptor row per listed pixel. ``coherence`` (0..1) is the
    share by which a propagated candidate (one continuing a neighbour's match) is cheaper than
    its raw cost, as in Ashikhmin's coherent synthesis: where many source patches fit about
    equally well, whole pieces of the source are copied instead of a mosaic of single patches.
    Returns the (coherence-discounted) match costs.
    """
    height, width = nnf.shape
    current = nnf[ys, xs]
    cost = source.cost(target_features, current)

    def attempt(by: np.ndarray, bx: np.ndarray, discount: float = 1.0) -> None:
        np.clip(by, 0, source.height - 1, out=by)
        np.clip(bx, 0, source.width - 1, out=bx)
        cand = by * source.width + bx
        todo = np.flatnonzero((cand != current) & source.valid[cand])
        if len(todo) == 0:
            return
        c = source.cost(target_features[todo], cand[todo]) * discount
        better = c < cost[todo]
        won = todo[better]
        current[won] = cand[todo][better]
        cost[won] = c[better]

    for it in range(iterations):
        if task is not None:
            task.check()
        sign = 1 if it % 2 == 0 else -1
        for jump in jumps:
            for dy, dx in ((jump, 0), (0, jump), (-jump, 0), (0, -jump)):
                qy = np.clip(ys - sign * dy, 0, height - 1)
                qx = np.clip(xs - sign * dx, 0, width - 1)
                neighbour = nnf[qy, qx]
                attempt(neighbour // source.width + (ys - qy), neighbour % source.width + (xs - qx),
                        1.0 - coherence)
                nnf[ys, xs] = current
        radius = search_radius
        while radius >= 1:
            offsets = rng.integers(-radius, radius + 1, size=(2, len(current)))
            attempt(current // source.width + offsets[0], current % source.width + offsets[1])
            radius //= 2
        fresh = source.random(len(current), rng)
        attempt(fresh // source.width, fresh % source.width)
        nnf[ys, xs] = current
    return cost


def upsample_nnf(
    coarse: np.ndarray, coarse_source_width: int, shape: tuple[int, int], valid: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """NNF for a target of ``shape`` from one at half size, over a source exactly half ``valid``.

    ``valid`` marks usable centres of the (full-size) source; matches landing elsewhere are
    replaced by random usable centres.
    """
    h, w = shape
    src_h, src_w = valid.shape
    y, x = np.mgrid[0:h, 0:w]
    cy = np.minimum(y // 2, coarse.shape[0] - 1)
    cx = np.minimum(x // 2, coarse.shape[1] - 1)
    match = coarse[cy, cx]
    by = np.clip(2 * (match // coarse_source_width) + (y - 2 * cy), 0, src_h - 1)
    bx = np.clip(2 * (match % coarse_source_width) + (x - 2 * cx), 0, src_w - 1)
    fine = by * src_w + bx
    bad = ~valid.ravel()[fine]
    usable = np.flatnonzero(valid)
    fine[bad] = usable[rng.integers(len(usable), size=int(bad.sum()))]
    return fine


def vote(
    values: np.ndarray,
    nnf: np.ndarray,
    radius: int,
    ys: np.ndarray,
    xs: np.ndarray,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Reconstruct pixels (ys, xs) as the weighted mean of every overlapping matched patch.

    ``values`` (Hs, Ws, C) is the source image whose pixels are copied; ``weights`` (H, W) scales
    the vote of each target patch (e.g. by match quality). Returns (n, C) float32.
    """
    height, width = nnf.shape
    src_w = values.shape[1]
    flat = values.reshape(-1, values.shape[2])
    acc = np.zeros((len(ys), values.shape[2]), dtype=np.float32)
    total = np.zeros(len(ys), dtype=np.float32)
    sigma2 = 2.0 * max(radius, 1) ** 2
    for oy in range(-radius, radius + 1):
        for ox in range(-radius, radius + 1):
            qy, qx = ys - oy, xs - ox
            inside = (qy >= 0) & (qy < height) & (qx >= 0) & (qx < width)
            qy = np.clip(qy, 0, height - 1)
            qx = np.clip(qx, 0, width - 1)
            match = nnf[qy, qx]
            sy = np.clip(match // src_w + oy, 0, values.shape[0] - 1)
            sx = np.clip(match % src_w + ox, 0, src_w - 1)
            wgt = inside * np.float32(np.exp(-(oy * oy + ox * ox) / sigma2))
            if weights is not None:
                wgt = wgt * weights[qy, qx]
            acc += wgt[:, None] * flat[sy * src_w + sx]
            total += wgt
    return acc / np.maximum(total, 1e-12)[:, None]
