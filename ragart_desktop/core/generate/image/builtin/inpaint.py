"""Exemplar-based inpainting: fill a selection with patches from the image and the references.

Space-time completion in the manner of Wexler, Shechtman and Irani (2007), solved with PatchMatch:
1. Build an image pyramid; at the coarsest level fill the hole by normalised-convolution
   diffusion of the known pixels (a smooth first guess).
2. At each level, coarse to fine, alternate: find for every patch overlapping the hole its
   nearest source patch (PatchMatch over the known part of the image and the references, never
   over patches touching the hole), then set every hole pixel to the vote of the patches that
   cover it, weighted by how well each patch matched.
3. The nearest-neighbour field is carried up to the next level, where the vote gives a sharp
   first guess. Known pixels are never changed: the result equals the input outside the mask.
"""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
from scipy import ndimage

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.generate.image.builtin.atlas import Atlas
from ragart_desktop.core.generate.image.builtin.imaging import (
    blur,
    check_mask,
    check_references,
    check_rgb,
    downsample2,
    lab_to_rgb,
    rgb_to_lab,
    to_pil,
)
from ragart_desktop.core.generate.image.builtin.patches import patch_descriptors
from ragart_desktop.core.generate.image.builtin.patchmatch import Source, patchmatch, upsample_nnf, vote
from ragart_desktop.core.progress import Task, ensure_task

log = logging.getLogger(__name__)

_RADIUS = 3  # 7x7 patches, as in Wexler et al.
_ORDERS = (4, 2, 2)  # DCT orders for L, a, b: texture detail in lightness, gradients in colour
_MAX_LEVELS = 5
_MIN_COARSE_SIDE = 24
_MAX_REFERENCES = 2  # reference sources beside the image itself
_CHANNEL_WEIGHT = np.array([1.0, 0.7, 0.7], dtype=np.float32)  # L, a, b in patch distances


def _diffusion_fill(lab: np.ndarray, hole: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Fill the hole with a smooth blend of the nearest known colours (normalised convolution).

    With no known pixel at all, the hole takes the ``fallback`` colour.
    """
    known = (~hole).astype(np.float32)
    out = lab.copy()
    if not known.any():
        out[...] = fallback
        return out
    todo = hole.copy()
    sigma = 1.0
    while todo.any() and sigma <= max(hole.shape):
        weight = blur(known, sigma)
        value = blur(lab * known[..., None], sigma)
        ready = todo & (weight > 1e-3)
        out[ready] = value[ready] / weight[ready][:, None]
        todo &= ~ready
        sigma *= 2.0
    out[todo] = lab[~hole].mean(axis=0)
    return out


def _pad_to(array: np.ndarray, multiple: int) -> np.ndarray:
    h, w = array.shape[:2]
    pad = [(0, -h % multiple), (0, -w % multiple)] + [(0, 0)] * (array.ndim - 2)
    return np.pad(array, pad, mode="symmetric")


def _levels(height: int, width: int) -> int:
    levels = 1
    while levels < _MAX_LEVELS and min(height, width) >> levels >= _MIN_COARSE_SIDE:
        levels += 1
    return levels


def exemplar_inpaint(
    image: np.ndarray,
    mask: np.ndarray,
    references: Sequence[np.ndarray] = (),
    seed: int = 0,
    *,
    weights: Sequence[float] | None = None,
    task: Task | None = None,
) -> np.ndarray:
    """Fill the masked pixels of ``image`` from its unmasked part and the references.

    ``mask`` (H, W) is true (or > 0.5) where pixels are missing or damaged. Pixels outside the
    mask are returned exactly as given. References (at most the two of highest weight are used)
    are scaled to the image's width. Returns a float32 (H, W, 3) array in [0, 1].
    """
    task = ensure_task(task)
    img = check_rgb(image, "image")
    hole_full = check_mask(mask, img.shape[:2])
    refs, w = check_references(references, weights, required=False)
    if not hole_full.any():
        return img.copy()
    if hole_full.all() and not refs:
        raise UsageError(
            "The selection covers the whole image, so there is nothing to fill it from.",
            hint="Select only the damaged part, or add reference images.",
        )
    rng = np.random.default_rng(seed)
    height, width = img.shape[:2]
    levels = _levels(height, width)
    multiple = 2 ** (levels - 1)
    steps = levels + 1
    task.progress(0, steps, "Preparing sources")

    # 1. Pyramids of the (padded) image and hole; the image and references as one source atlas.
    padded = _pad_to(img, multiple)
    hole = _pad_to(hole_full, multiple)
    order = list(np.argsort(-w, kind="stable")[:_MAX_REFERENCES]) if refs else []
    parts = [padded] + [refs[i] for i in order]
    part_weights = [1.0] + [1.0] * len(order)
    atlas = Atlas.build(parts, part_weights, padded.shape[1], levels, max_pixels=padded.shape[0]
                        * padded.shape[1] * len(parts))
    atlas_lab = [rgb_to_lab(atlas.image) * _CHANNEL_WEIGHT]
    for _ in range(levels - 1):
        atlas_lab.append(downsample2(atlas_lab[-1]))
    holes = [hole]
    for _ in range(levels - 1):
        holes.append(downsample2(holes[-1].astype(np.float32)) > 0)
    task.check()

    # 2. Coarse to fine completion.
    estimate = None
    nnf = None
    for k in range(levels - 1, -1, -1):
        task.check()
        source_lab = atlas_lab[k]
        hole_k = holes[k]
        h, wd = hole_k.shape
        known_lab = source_lab[:h, :wd]
        valid = atlas.valid(k, _RADIUS)
        touching = ndimage.binary_dilation(hole_k, iterations=_RADIUS, structure=np.ones((3, 3)))
        valid[:h, :wd] &= ~touching
        if not valid.any():
            raise UsageError(
                "The selection leaves no intact area large enough to copy from.",
                hint="Select a smaller region or add reference images.",
            )
        ty, tx = np.nonzero(touching)
        hy, hx = np.nonzero(hole_k)
        if nnf is None:
            estimate = _diffusion_fill(known_lab, hole_k, source_lab[valid].mean(axis=0))
            nnf = np.zeros((h, wd), dtype=np.int64)
            usable = np.flatnonzero(valid)
            nnf[...] = usable[rng.integers(len(usable), size=h * wd)].reshape(h, wd)
            em_steps, iterations, radius = 5, 4, max(valid.shape) // 2
        else:
            nnf = upsample_nnf(nnf, prev_width, (h, wd), valid, rng)
            estimate = known_lab.copy()
            estimate[hy, hx] = vote(source_lab, nnf, _RADIUS, hy, hx)
            em_steps, iterations, radius = (3, 2, 16) if k > 0 else (2, 2, 8)
        source = Source(patch_descriptors(source_lab, _RADIUS, _ORDERS), valid)
        for _ in range(em_steps):
            features = patch_descriptors(estimate, _RADIUS, _ORDERS)[ty, tx]
            cost = patchmatch(features, ty, tx, nnf, source, rng, iterations=iterations,
                              search_radius=radius, task=task)
            quality = np.zeros((h, wd), dtype=np.float32)
            quality[ty, tx] = np.exp(-cost / (2.0 * max(float(np.percentile(cost, 75)), 1e-6)))
            estimate[hy, hx] = vote(source_lab, nnf, _RADIUS, hy, hx, weights=quality + 1e-4)
        prev_width = valid.shape[1]
        if task.wants_previews:
            task.preview(to_pil(lab_to_rgb(estimate / _CHANNEL_WEIGHT)[: height >> k, : width >> k]))
        task.progress(levels - k, steps, "Filling the selection")

    # 3. Known pixels exactly as given; the hole from the final estimate.
    filled = lab_to_rgb(estimate / _CHANNEL_WEIGHT)[:height, :width]
    out = img.copy()
    out[hole_full] = filled[hole_full]
    task.progress(steps, steps, "Done")
    log.debug("inpaint %dx%d: %d hole pixels, %d references", width, height, int(hole_full.sum()), len(order))
    return out

