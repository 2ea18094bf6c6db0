"""Selection shapes rasterised into coverage masks.

The document keeps its selection as a uint8 coverage mask (0 = outside, 255 = inside; partial values
from soft mask brushes). It is the float mask 0..1 quantised to 8 bits: a quarter of the memory of
float32, and inversion is then exactly undoable. ``CanvasDocument.selection_mask()`` hands it to
generation as a PIL "L" image (the inpaint mask).
"""
from __future__ import annotations

import enum
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from ragart_desktop.core.canvas.geometry import Rect
from ragart_desktop.core.errors import UsageError


class SelectMode(enum.Enum):
    REPLACE = "replace"
    ADD = "add"
    SUBTRACT = "subtract"


def polygon_mask(points: Sequence[tuple[float, float]], bounds: Rect) -> tuple[Rect, np.ndarray]:
    """Rasterise a lasso polygon: (its clipped bounding rect, uint8 mask of that rect)."""
    if len(points) < 3:
        raise UsageError(f"a lasso needs at least 3 points, got {len(points)}.")
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    rect = Rect.around(xs, ys, 0).intersect(bounds)
    if rect.empty:
        return rect, np.zeros((0, 0), np.uint8)
    image = Image.new("L", (rect.width, rect.height), 0)
    ImageDraw.Draw(image).polygon([(x - rect.x0, y - rect.y0) for x, y in points], fill=255, outline=255)
    return rect, np.asarray(image, dtype=np.uint8)


def combine(old: np.ndarray, shape: np.ndarray, mode: SelectMode) -> np.ndarray:
    """Merge a new shape's coverage into the old coverage of the same rectangle."""
    if mode is SelectMode.REPLACE:
        return shape
    if mode is SelectMode.ADD:
        return np.maximum(old, shape)
    return np.minimum(old, 255 - shape)
