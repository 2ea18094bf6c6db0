"""Palette and colour transfer from reference images (the built-in "restyle" engine).

Two real, classic steps in CIE Lab:
1. Reinhard et al. (2001) statistics transfer: each Lab channel of the image gets the mean and
   standard deviation of the (weighted) references' pixels, which moves the overall mood.
2. Palette mapping: k-means palettes of the image and of the references; every image cluster is
   moved onto a blend of its nearest reference palette colours, with the target lightness
   re-sorted so darker clusters stay darker (luminance order is kept). Pixels carry soft
   memberships, so gradients stay smooth and each pixel keeps its offset from its cluster centre
   (shading and texture survive).
"""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np

from ragart_desktop.core.generate.image.builtin.imaging import (
    check_references,
    check_rgb,
    check_strength,
    lab_to_rgb,
    rgb_to_lab,
)
from ragart_desktop.core.generate.image.builtin.kmeans import kmeans, squared_distances
from ragart_desktop.core.progress import Task, ensure_task

log = logging.getLogger(__name__)

_REFERENCE_SAMPLES = 24_000
_IMAGE_SAMPLES = 16_000
_MIN_SOURCE_STD = 1.0  # Lab units; keeps near-flat images from having their noise blown up
_PALETTE_SOFTNESS = 8.0  # Lab units; how far a cluster looks for its reference colours
_MATCH_WEIGHT = np.array([np.sqrt(3.0), 1.0, 1.0])  # lightness counts 3x in palette matching


def sample_reference_lab(
    references: Sequence[np.ndarray], weights: np.ndarray, count: int, rng: np.random.Generator
) -> np.ndarray:
    """Lab pixels drawn from the references, each contributing in proportion to its weight."""
    per_ref = np.maximum(np.round(weights * count).astype(int), 0)
    samples = []
    for ref, n in zip(references, per_ref):
        if n == 0:
            continue
        flat = ref.reshape(-1, 3)
        samples.append(flat[rng.integers(len(flat), size=n)])
    return rgb_to_lab(np.concatenate(samples)).astype(np.float64)


def _palette_targets(image_palette: np.ndarray, reference_palette: np.ndarray) -> np.ndarray:
    """Where each image palette colour (sorted by lightness) should move in the references' palette.

    Colours are matched with lightness counting most, so light and dark areas of the image stay
    apart; target lightnesses are re-sorted so the k-th darkest image colour gets the k-th
    darkest target (luminance order is kept).
    """
    dist = squared_distances(image_palette * _MATCH_WEIGHT, reference_palette * _MATCH_WEIGHT)
    logits = -(dist - dist.min(axis=1, keepdims=True)) / (2.0 * _PALETTE_SOFTNESS**2)
    affinity = np.exp(logits)
    affinity /= affinity.sum(axis=1, keepdims=True)
    targets = affinity @ reference_palette
    targets[:, 0] = np.sort(targets[:, 0])
    return targets


def _soft_memberships(lab: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Per-pixel soft assignment (n, k) to the centres, as sharp as the clusters are tight."""
    dist = squared_distances(lab, centres.astype(np.float32))
    nearest = dist.min(axis=1, keepdims=True)
    spread = max(float(nearest.mean()), 4.0)
    weights = np.exp(-(dist - nearest) / spread)
    return weights / weights.sum(axis=1, keepdims=True)


def palette_transfer(
    image: np.ndarray,
    references: Sequence[np.ndarray],
    strength: float = 1.0,
    seed: int = 0,
    *,
    weights: Sequence[float] | None = None,
    palette_size: int = 8,
    task: Task | None = None,
) -> np.ndarray:
    """Recolour ``image`` with the palette and colour statistics of the weighted ``references``.

    ``strength`` 0 returns the image unchanged, 1 applies the full transfer. The seed drives the
    pixel sampling and k-means seeding. Returns a float32 (H, W, 3) array in [0, 1].
    """
    task = ensure_task(task)
    img = check_rgb(image, "image")
    refs, w = check_references(references, weights, required=True)
    s = check_strength(strength)
    if s == 0.0:
        return img
    rng = np.random.default_rng(seed)
    steps = 4

    # 1. The references' colours: a weighted pixel sample and its palette.
    task.progress(0, steps, "Reading the references' colours")
    ref_lab = sample_reference_lab(refs, w, _REFERENCE_SAMPLES, rng)
    ref_palette, _ = kmeans(ref_lab, palette_size, rng)
    task.check()

    # 2. Global statistics transfer (Reinhard).
    task.progress(1, steps, "Matching colour statistics")
    lab = rgb_to_lab(img).reshape(-1, 3)
    src_mean, src_std = lab.mean(axis=0), lab.std(axis=0)
    scale = (ref_lab.std(axis=0) / np.maximum(src_std, _MIN_SOURCE_STD)).astype(np.float32)
    moved = (lab - src_mean) * scale + ref_lab.mean(axis=0).astype(np.float32)
    task.check()

    # 3. Palette mapping on the statistics-matched image.
    task.progress(2, steps, "Mapping the palette")
    picks = rng.choice(len(moved), size=min(len(moved), _IMAGE_SAMPLES), replace=False)
    image_palette, _ = kmeans(moved[picks].astype(np.float64), palette_size, rng)
    shift = (_palette_targets(image_palette, ref_palette) - image_palette).astype(np.float32)
    moved += _soft_memberships(moved, image_palette) @ shift
    task.check()

    # 4. Blend with the original by strength.
    task.progress(3, steps, "Blending")
    out = lab_to_rgb((lab + s * (moved - lab)).reshape(img.shape))
    task.progress(steps, steps, "Done")
    log.debug("palette transfer: %d reference colours, strength %.2f", len(ref_palette), s)
    return out
