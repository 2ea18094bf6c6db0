"""Round soft brush strokes, rasterised by stamping dabs along each segment.

A stroke is fed one segment at a time (``Stroke.line_to``). Dabs are placed every
``spacing * size`` pixels along the path, with the leftover distance carried into the next segment
so the spacing stays even however the pointer events arrive. Each dab raises a per-stroke coverage
map with ``max`` (overlapping dabs inside one stroke do not build up, so a stroke at 50 % opacity
is 50 % everywhere), and the segment's pixels are recomputed from the pixels the stroke started
from. Work per segment is bounded by the segment's bounding rectangle: nothing in this module ever
walks the whole canvas, which is what keeps a segment under a frame on a 4096 x 4096 canvas.

The stroke's copy of the starting pixels is taken tile by tile, the first time a dab touches a
tile; the same copies become the "before" half of the undo entry when the stroke ends.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ragart_desktop.core.canvas.geometry import Rect
from ragart_desktop.core.canvas.tiles import TileKey, TilePatch, changed_only, tile_rect, tiles_in
from ragart_desktop.core.errors import UsageError

# Sub-pixel dab positions are quantised (to 1/4 pixel for small brushes, whole pixels for big
# ones, where a fraction of a pixel is invisible) so that dab kernels can be cached per stroke.
_FINE_PHASES, _FINE_BELOW = 4, 100.0
_BAND_PIXELS = 1 << 16  # large paint areas are blended 64 K pixels at a time


class StrokeMode(enum.Enum):
    PAINT = "paint"            # colour onto a layer
    ERASE = "erase"            # lower a layer's alpha
    MASK_ADD = "mask-add"      # paint into the selection mask
    MASK_REMOVE = "mask-remove"  # erase from the selection mask

    @property
    def targets_selection(self) -> bool:
        return self in (StrokeMode.MASK_ADD, StrokeMode.MASK_REMOVE)


@dataclass(frozen=True)
class Brush:
    """``size`` is the dab diameter in pixels; ``hardness`` 1 = hard edge, 0 = soft from the centre."""

    size: float = 40.0
    hardness: float = 0.8
    opacity: float = 1.0
    colour: tuple[int, int, int] = (0, 0, 0)
    spacing: float = 0.1  # dab distance as a fraction of the size

    def __post_init__(self) -> None:
        if not 1.0 <= self.size <= 2000.0:
            raise UsageError(f"brush size {self.size} is outside 1..2000 pixels.")
        for name in ("hardness", "opacity"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise UsageError(f"brush {name} {value} is outside 0..1.")
        if not 0.01 <= self.spacing <= 10.0:
            raise UsageError(f"brush spacing {self.spacing} is outside 0.01..10.")
        if len(self.colour) != 3 or any(not 0 <= int(c) <= 255 for c in self.colour):
            raise UsageError(f"brush colour {self.colour!r} is not three values in 0..255.")

    @property
    def radius(self) -> float:
        return self.size / 2.0

    @property
    def step(self) -> float:
        return max(0.5, self.spacing * self.size)


def dab_kernel(brush: Brush, phase_x: float, phase_y: float) -> np.ndarray:
    """Coverage (float32, 0..1) of one dab whose centre sits ``phase`` pixels into pixel (n, n).

    The kernel is (2n+1) square with n = ceil(radius) + 1. Inside ``hardness * radius`` coverage is
    1; from there to the radius it falls with a smoothstep; the rim is antialiased over one pixel.
    """
    r = brush.radius
    n = int(math.ceil(r)) + 1
    offsets = np.arange(-n, n + 1, dtype=np.float32) + 0.5
    dx = offsets - np.float32(phase_x)
    dy = offsets - np.float32(phase_y)
    dist = np.sqrt(dy[:, None] ** 2 + dx[None, :] ** 2)
    rim = np.clip(r + 0.5 - dist, 0.0, 1.0)
    inner = brush.hardness * r
    if brush.hardness >= 1.0 or r - inner < 1e-6:
        return rim.astype(np.float32)
    u = np.clip((dist - inner) / (r - inner), 0.0, 1.0)
    soft = 1.0 - u * u * (3.0 - 2.0 * u)
    return (soft * rim).astype(np.float32)


class Stroke:
    """One brush stroke on ``target``: a layer's RGBA pixels, or the (H, W) selection mask.

    ``clip`` (a uint8 selection mask, optional) limits where the stroke may change pixels.
    The coverage map and the copy of the starting pixels are kept per tile (small arrays created on
    first touch), so a stroke costs memory and time only where it goes.
    """

    def __init__(self, target: np.ndarray, brush: Brush, mode: StrokeMode,
                 clip: Optional[np.ndarray] = None):
        expected_ndim = 2 if mode.targets_selection else 3
        if target.ndim != expected_ndim:
            raise UsageError(f"a {mode.value} stroke cannot paint on an array of shape {target.shape}.")
        self.target = target
        self.brush = brush
        self.mode = mode
        self.clip = clip
        self._height, self._width = target.shape[:2]
        self._bounds = Rect(0, 0, self._width, self._height)
        self._coverage: TilePatch = {}
        self._start: TilePatch = {}
        self._phases = _FINE_PHASES if brush.size < _FINE_BELOW else 1
        self._kernels: dict[tuple[int, int], np.ndarray] = {}
        self._last: Optional[tuple[float, float]] = None
        self._carry = 0.0

    # -- feeding points ---------------------------------------------------------------------
    def move_to(self, x: float, y: float) -> Optional[Rect]:
        """Start the stroke at (x, y) with one dab; returns the changed rectangle."""
        self._last = (x, y)
        self._carry = 0.0
        return self._apply([(x, y)])

    def line_to(self, x: float, y: float) -> Optional[Rect]:
        """Extend the stroke by one segment; returns the changed rectangle (None if no dab fell)."""
        if self._last is None:
            return self.move_to(x, y)
        x0, y0 = self._last
        length = math.hypot(x - x0, y - y0)
        step = self.brush.step
        dabs = []
        d = step - self._carry
        while d <= length:
            t = d / length
            dabs.append((x0 + (x - x0) * t, y0 + (y - y0) * t))
            d += step
        self._carry = length - (d - step) if dabs else self._carry + length
        self._last = (x, y)
        return self._apply(dabs) if dabs else None

    def finish(self) -> tuple[TilePatch, TilePatch]:
        """End the stroke: the (before, after) tiles that really changed, for the undo entry."""
        before, self._start, self._coverage = self._start, {}, {}
        return changed_only(before, self.target)

    # -- rasterising -----------------------------------------------------------------------
    def _apply(self, dabs: list[tuple[float, float]]) -> Optional[Rect]:
        rect: Optional[Rect] = None
        keys: set[TileKey] = set()
        for cx, cy in dabs:
            rect = self._stamp(cx, cy, rect, keys)
        if rect is None:
            return None
        for key in keys:
            self._blend_tile(key, rect)
        return rect

    def _kernel(self, qx: int, qy: int) -> np.ndarray:
        kernel = self._kernels.get((qx, qy))
        if kernel is None:
            n = self._phases
            kernel = self._kernels[(qx, qy)] = dab_kernel(self.brush, (qx + 0.5) / n, (qy + 0.5) / n)
        return kernel

    def _stamp(self, cx: float, cy: float, rect: Optional[Rect], keys: set[TileKey]) -> Optional[Rect]:
        """Raise the coverage under one dab; adds the tiles it touched to ``keys``."""
        ix, iy = math.floor(cx), math.floor(cy)
        kernel = self._kernel(int((cx - ix) * self._phases), int((cy - iy) * self._phases))
        n = kernel.shape[0] // 2
        window = Rect(ix - n, iy - n, ix + n + 1, iy + n + 1)
        clipped = window.intersect(self._bounds)
        if clipped.empty:
            return rect
        for key in tiles_in(clipped, self._height, self._width):
            keys.add(key)
            tile = tile_rect(key, self._height, self._width)
            part = clipped.intersect(tile)
            coverage = self._coverage.get(key)
            if coverage is None:
                coverage = self._coverage[key] = np.zeros((tile.height, tile.width), np.float32)
                self._start[key] = self.target[tile.slices].copy()
            view = coverage[part.y0 - tile.y0:part.y1 - tile.y0, part.x0 - tile.x0:part.x1 - tile.x0]
            np.maximum(view, kernel[part.y0 - window.y0:part.y1 - window.y0,
                                    part.x0 - window.x0:part.x1 - window.x0], out=view)
        return clipped.union(rect)

    def _blend_tile(self, key: TileKey, rect: Rect) -> None:
        tile = tile_rect(key, self._height, self._width)
        part = rect.intersect(tile)
        local = (slice(part.y0 - tile.y0, part.y1 - tile.y0), slice(part.x0 - tile.x0, part.x1 - tile.x0))
        start = self._start[key][local]
        a = self._coverage[key][local] * np.float32(self.brush.opacity)
        if self.clip is not None:
            a *= self.clip[part.slices] * np.float32(1.0 / 255.0)
        if self.mode is StrokeMode.PAINT:
            out = paint_over(start, a, self.brush.colour)
        elif self.mode is StrokeMode.ERASE:
            out = start.copy()
            out[..., 3] = np.rint(start[..., 3] * (1.0 - a))
        elif self.mode is StrokeMode.MASK_ADD:
            out = np.rint(start + (255.0 - start) * a).astype(np.uint8)
        else:
            out = np.rint(start * (1.0 - a)).astype(np.uint8)
        self.target[part.slices] = out


def paint_over(start: np.ndarray, a: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Straight-alpha source-over of a flat colour with coverage ``a`` (0..1) onto ``start``.

    Large areas (a fill) are processed in bands of rows so the float temporaries stay in cache."""
    rows = max(1, _BAND_PIXELS // max(1, a.shape[1]))
    if a.shape[0] <= rows:
        return _paint_over_band(start, a, colour)
    out = np.empty_like(start)
    for y in range(0, a.shape[0], rows):
        out[y:y + rows] = _paint_over_band(start[y:y + rows], a[y:y + rows], colour)
    return out


def _paint_over_band(start: np.ndarray, a: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    dst_a = start[..., 3] * np.float32(1.0 / 255.0)
    keep = dst_a * (1.0 - a)
    out_a = a + keep
    inv = np.reciprocal(np.maximum(out_a, np.float32(1e-12)))
    rgb = start[..., :3] * (keep * inv)[..., None]
    rgb += np.asarray(colour, np.float32) * (a * inv)[..., None]
    out = np.empty_like(start)
    out[..., :3] = np.rint(rgb)  # mathematically within 0..255: a convex mix of two colours
    out[..., 3] = np.rint(out_a * 255.0)
    # Pixels the paint did not reach keep their exact bytes (no float round trip).
    untouched = a <= 0
    if untouched.any():
        out[untouched] = start[untouched]
    return out
