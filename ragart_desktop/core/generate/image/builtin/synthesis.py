"""Canvas-guided patch synthesis: the canvas's structure rendered with the references' textures.

In the family of image analogies (Hertzmann et al. 2001) and texture optimisation (Kwatra et al.
2005), solved with PatchMatch:
1. Guidance. The canvas is recoloured into the references' palette (palette transfer) and lightly
   blurred; the references get the same blur. A blank canvas gets a layout instead: blurred,
   cropped, flipped and warped views of the references (several of one reference when there are
   fewer than four), blended by seeded random masks, so "create from nothing" composes a new
   picture out of the references' own colour masses rather than a warped crop of one of them.
2. Coarse to fine over an image pyramid, a nearest-neighbour field from canvas patches to
   reference patches is found with PatchMatch: first on guidance alone, then (expectation-
   maximisation steps) on guidance plus the current result, which pulls neighbouring patches into
   coherent pieces of real reference texture.
3. Every output pixel is the Gaussian-weighted vote of the reference patches that cover it; the
   result is blended with the canvas by ``strength``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import ndimage

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.generate.image.builtin.atlas import Atlas
from ragart_desktop.core.generate.image.builtin.imaging import (
    blur,
    check_references,
    check_rgb,
    check_strength,
    downsample2,
    lab_to_rgb,
    resize,
    rgb_to_lab,
    to_pil,
)
from ragart_desktop.core.generate.image.builtin.palette import palette_transfer
from ragart_desktop.core.generate.image.builtin.patches import patch_descriptors
from ragart_desktop.core.generate.image.builtin.patchmatch import Source, patchmatch, upsample_nnf, vote
from ragart_desktop.core.progress import Task, ensure_task

log = logging.getLogger(__name__)

_RADIUS = 2  # 5x5 patches
# DCT orders per channel (L, a, b of the guidance, then of the result): shape detail in
# lightness, mean colour in a and b.
_GUIDE_ORDERS = (3, 1, 1)
_ORDERS = _GUIDE_ORDERS + (3, 1, 1)
_GUIDE_WEIGHT = np.array([1.0, 0.6, 0.6], dtype=np.float32)  # L, a, b of the guidance
_LOOK_WEIGHT = np.array([0.8, 0.5, 0.5], dtype=np.float32)  # L, a, b of the current result
_COHERENCE = 0.15  # preference for continuing a neighbour's match (see patchmatch)
_BLANK_STD = 0.01  # a canvas flatter than this counts as empty
_ATLAS_AREA = 2.0  # reference pixels per output pixel
_REFERENCE_PENALTY = 0.25  # share of a random match's cost added for a reference of weight 0
_LAYOUT_VIEWS = 4  # views of the references an empty canvas's composition mixes, at least


@dataclass(frozen=True)
class _Plan:
    """PatchMatch effort at one pyramid level."""

    em_steps: int  # match-then-vote rounds
    iterations: int  # PatchMatch iterations per round
    jumps: tuple[int, ...]  # propagation distances
    radius: int  # first random-search radius


_MIDDLE = _Plan(em_steps=2, iterations=2, jumps=(2, 1), radius=8)
_FINEST = _Plan(em_steps=1, iterations=1, jumps=(1,), radius=4)


def _is_blank(canvas: np.ndarray) -> bool:
    return float(canvas.reshape(-1, 3).std(axis=0).max()) < _BLANK_STD


def _output_shape(canvas: np.ndarray | None, size: tuple[int, int] | None) -> tuple[int, int]:
    if size is not None:
        width, height = (int(v) for v in size)
        if width < 16 or height < 16 or width > 8192 or height > 8192:
            raise UsageError(f"Image size must be between 16 and 8192 pixels a side, got {width}x{height}.")
        return height, width
    if canvas is None:
        raise UsageError("Give a canvas or an output size (width, height).")
    return canvas.shape[0], canvas.shape[1]


def _levels(height: int, width: int) -> int:
    """Pyramid depth: halve while the coarsest side stays at least 48 pixels, at most 3 levels."""
    levels = 1
    while levels < 3 and min(height, width) >> levels >= 48:
        levels += 1
    return levels


def _random_view(ref: np.ndarray, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A random crop (55-90% of the largest fitting window), maybe mirrored, at output size."""
    rh, rw = ref.shape[:2]
    fit = min(rh / height, rw / width)
    scale = rng.uniform(0.55, 0.9)
    ch, cw = max(int(height * fit * scale), 8), max(int(width * fit * scale), 8)
    y0, x0 = rng.integers(0, rh - ch + 1), rng.integers(0, rw - cw + 1)
    view = resize(ref[y0 : y0 + ch, x0 : x0 + cw], height, width)
    return view[:, ::-1] if rng.random() < 0.5 else view


def _smooth_noise(height: int, width: int, cells: int, rng: np.random.Generator) -> np.ndarray:
    """Seeded low-frequency noise in about [-1, 1], ``cells`` blobs across the short side."""
    step = max(min(height, width) // cells, 1)
    coarse = blur(rng.standard_normal((height // step + 3, width // step + 3)).astype(np.float32), 1.0)
    coarse /= max(float(np.abs(coarse).max()), 1e-6)
    return resize(coarse, height, width)


def _layout(
    refs: list[np.ndarray], weights: np.ndarray, height: int, width: int, rng: np.random.Generator
) -> np.ndarray:
    """A new composition for an empty canvas, made of views of the references (RGB).

    The three heaviest references give a view each, and the heaviest again until there are
    ``_LAYOUT_VIEWS``: with one or two references the picture is still a mix of several different
    crops, never one warped crop of one picture (which the near-copy guard would rightly flag).
    Each view covers a share of the picture in proportion to its weight.
    """
    order = list(np.argsort(-weights, kind="stable")[:3])
    views = order + [order[i % len(order)] for i in range(max(0, _LAYOUT_VIEWS - len(order)))]
    share_of = np.array([weights[i] / views.count(i) for i in views])
    layout = _random_view(refs[views[0]], height, width, rng)
    for k in range(1, len(views)):
        share = share_of[k] / share_of[: k + 1].sum()   # of the area so far: final areas follow the weights
        field = _smooth_noise(height, width, 4, rng)
        threshold = np.quantile(field, 1.0 - share)
        mask = np.clip((field - threshold) * 6.0 + 0.5, 0.0, 1.0)[..., None]
        layout = mask * _random_view(refs[views[k]], height, width, rng) + (1.0 - mask) * layout
    # A smooth random warp so no view lines up with its reference pixel for pixel.
    amplitude = 0.06 * min(height, width)
    dy = _smooth_noise(height, width, 3, rng) * amplitude
    dx = _smooth_noise(height, width, 3, rng) * amplitude
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    warped = [
        ndimage.map_coordinates(layout[..., c], [y + dy, x + dx], order=1, mode="reflect")
        for c in range(3)
    ]
    return np.stack(warped, axis=-1).astype(np.float32)


def _pyramid(image: np.ndarray, levels: int) -> list[np.ndarray]:
    out = [image]
    for _ in range(levels - 1):
        out.append(downsample2(out[-1]))
    return out


def _with_look(guide: np.ndarray, look_lab: np.ndarray) -> np.ndarray:
    """Guidance channels followed by the weighted Lab of the image itself."""
    return np.concatenate([guide, look_lab * _LOOK_WEIGHT], axis=-1)


def _source(features: np.ndarray, valid: np.ndarray, atlas: Atlas, level: int) -> Source:
    """Reference patches as a PatchMatch source; references of lower weight cost a little extra."""
    source = Source(features, valid)
    if atlas.weights.min() < 1.0:
        random_match_cost = 2.0 * float(source.features[source.valid_index].var(axis=0).sum())
        per_part = _REFERENCE_PENALTY * (1.0 - atlas.weights) * random_match_cost
        source.penalty = atlas.part_map(level, per_part).ravel()
    return source


def patch_synthesis(
    canvas: np.ndarray | None,
    references: Sequence[np.ndarray],
    strength: float = 1.0,
    seed: int = 0,
    size: tuple[int, int] | None = None,
    *,
    weights: Sequence[float] | None = None,
    task: Task | None = None,
) -> np.ndarray:
    """Render the canvas's structure with patches of the references.

    ``canvas`` may be None or blank (one flat colour): the engine then composes from the
    references alone and ``strength`` is not used. ``size`` is (width, height) like the CLI's
    WxH; by default the canvas's size. ``weights`` (one per reference) favour some references.
    Returns a float32 (height, width, 3) array in [0, 1].
    """
    task = ensure_task(task)
    refs, w = check_references(references, weights, required=True)
    s = check_strength(strength)
    img = None if canvas is None else check_rgb(canvas, "canvas")
    height, width = _output_shape(img, size)
    rng = np.random.default_rng(seed)
    levels = _levels(height, width)
    blank = img is None or _is_blank(img)
    steps = 2 + levels
    task.progress(0, steps, "Preparing guidance")

    # 1. Guidance for the canvas (or a composed layout) and for the references.
    order = np.argsort(-w, kind="stable")
    atlas = Atlas.build(
        [refs[i] for i in order], w[order], width, levels,
        max_pixels=max(int(_ATLAS_AREA * height * width), 16 * width * 2**levels),
    )
    atlas_blur = None
    if blank:
        sigma = min(height, width) / 48.0
        guide_rgb = blur(_layout(refs, w, height, width, rng), sigma)
    else:
        # Image analogies' luminance remapping, extended to colour: the blurred canvas takes the
        # palette and statistics of the equally blurred references, so a canvas region matches
        # reference areas of the same local average colour (textured ones too, not only flat).
        sigma = max(2.0, min(height, width) / 160.0)
        canvas_rgb = resize(img, height, width)
        atlas_blur = blur(atlas.image, sigma)
        parts = [atlas_blur[y0:y1] for y0, y1 in atlas.rows]
        guide_rgb = palette_transfer(blur(canvas_rgb, sigma), parts, 1.0, seed, weights=atlas.weights)
    task.check()
    guide_a = _pyramid(rgb_to_lab(guide_rgb) * _GUIDE_WEIGHT, levels)
    atlas_blur = blur(atlas.image, sigma) if atlas_blur is None else atlas_blur
    guide_b = _pyramid(rgb_to_lab(atlas_blur) * _GUIDE_WEIGHT, levels)
    look_b = _pyramid(rgb_to_lab(atlas.image), levels)
    task.progress(1, steps, "Matching patches")

    # 2. Coarse to fine: PatchMatch on guidance, then on guidance + current result.
    nnf = result = None
    for k in range(levels - 1, -1, -1):
        task.check()
        ga, gb, vb = guide_a[k], guide_b[k], look_b[k]
        h, wd = ga.shape[:2]
        ys, xs = (a.ravel() for a in np.mgrid[0:h, 0:wd])
        valid = atlas.valid(k, _RADIUS)
        if nnf is None:
            source = _source(patch_descriptors(gb, _RADIUS, _GUIDE_ORDERS), valid, atlas, k)
            nnf = source.random(h * wd, rng).reshape(h, wd)
            fa = patch_descriptors(ga, _RADIUS, _GUIDE_ORDERS).reshape(h * wd, -1)
            patchmatch(fa, ys, xs, nnf, source, rng, iterations=6, jumps=(8, 4, 2, 1),
                       search_radius=max(vb.shape[:2]) // 2, coherence=_COHERENCE, task=task)
            result = vote(vb, nnf, _RADIUS, ys, xs).reshape(h, wd, 3)
            plan = _Plan(em_steps=3, iterations=2, jumps=(4, 2, 1), radius=max(vb.shape[:2]) // 4)
        else:
            nnf = upsample_nnf(nnf, look_b[k + 1].shape[1], (h, wd), valid, rng)
            result = resize(result, h, wd)
            plan = _FINEST if k == 0 else _MIDDLE
        source = _source(patch_descriptors(_with_look(gb, vb), _RADIUS, _ORDERS), valid, atlas, k)
        for _ in range(plan.em_steps):
            fa = patch_descriptors(_with_look(ga, result), _RADIUS, _ORDERS).reshape(h * wd, -1)
            patchmatch(fa, ys, xs, nnf, source, rng, iterations=plan.iterations, jumps=plan.jumps,
                       search_radius=plan.radius, coherence=_COHERENCE, task=task)
            result = vote(vb, nnf, _RADIUS, ys, xs).reshape(h, wd, 3)
        if task.wants_previews:
            task.preview(to_pil(lab_to_rgb(result)))
        task.progress(levels - k + 1, steps, "Matching patches")

    # 3. Back to RGB and blended with the canvas.
    out = lab_to_rgb(result)
    if not blank:
        out = canvas_rgb + s * (out - canvas_rgb)
    task.progress(steps, steps, "Done")
    log.debug("patch synthesis %dx%d, %d levels, blank=%s", width, height, levels, blank)
    return np.clip(out, 0.0, 1.0).astype(np.float32)
