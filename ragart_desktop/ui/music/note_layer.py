"""Drawing notes fast: only the visible ones, as rectangles, or as one image when there are many.

Up to ``VECTOR_LIMIT`` visible notes are drawn as rectangles (one ``drawRects`` per velocity shade;
a one-pixel gap instead of an outline, since outlines cost three times as much to draw). Beyond
that the view is zoomed out over a dense piece and a note is a few pixels wide: the track is drawn
from a raster with one row per pitch and ``level`` pixels per beat (a power of two at or below the
zoom, so scaling it up never drops a note), cached until the track changes. The raster is built
with numpy (a run-length difference per row, summed), in a few milliseconds for 20,000 notes.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from typing import Hashable, Optional

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from ragart_desktop.core.music.note_index import NoteIndex
from ragart_desktop.ui.music.geometry import PITCHES, RollGeometry

VECTOR_LIMIT = 800
MAX_RASTER_BYTES = 64 * 1024 * 1024
SHADES = (0.55, 0.7, 0.85, 1.0)          # note brightness by velocity quarter
_CACHE_SIZE = 16


def shade(colour: QColor, factor: float, alpha: int = 255) -> QColor:
    c = QColor(colour)
    if factor < 1.0:
        c = QColor.fromHsvF(c.hsvHueF(), c.hsvSaturationF() * (0.6 + 0.4 * factor), c.valueF() * factor)
    c.setAlpha(alpha)
    return c


def note_rects(g: RollGeometry, starts: np.ndarray, ends: np.ndarray, pitches: np.ndarray,
               gap: bool = True) -> list[QRectF]:
    x = (starts - g.left) * g.ppb
    w = np.maximum((ends - starts) * g.ppb - (1.0 if gap else 0.0), 1.0)
    y = (PITCHES - 1 - pitches.astype(np.float64)) * g.row - g.top
    h = max(1.0, g.row - (1.0 if gap and g.row >= 4 else 0.0))
    return [QRectF(a, b, c, h) for a, b, c in zip(x.tolist(), y.tolist(), w.tolist())]


def paint_vector(painter: QPainter, g: RollGeometry, starts: np.ndarray, ends: np.ndarray, pitches: np.ndarray,
                 velocities: Optional[np.ndarray], colour: QColor, *, alpha: int = 255,
                 edge: Optional[QColor] = None) -> None:
    """Notes as rectangles, brighter the louder (``velocities`` None: one shade)."""
    if not len(starts):
        return
    painter.setPen(QPen(edge, 1) if edge is not None else Qt.PenStyle.NoPen)
    if velocities is None:
        painter.setBrush(shade(colour, 1.0, alpha))
        painter.drawRects(note_rects(g, starts, ends, pitches))
        return
    bucket = np.minimum(velocities // 32, len(SHADES) - 1)
    for b, factor in enumerate(SHADES):
        pick = bucket == b
        if pick.any():
            painter.setBrush(shade(colour, factor, alpha))
            painter.drawRects(note_rects(g, starts[pick], ends[pick], pitches[pick]))


class NoteLayer:
    """Draws one track's notes (or a selection of them) for a geometry, choosing vector or raster."""

    def __init__(self, limit: int = VECTOR_LIMIT):
        self.limit = limit
        self._rasters: OrderedDict[Hashable, tuple[QImage, np.ndarray, float]] = OrderedDict()
        self.last_mode = ""     # "vector" | "raster" (benchmarks and tests read it)

    def paint(self, painter: QPainter, g: RollGeometry, index: NoteIndex, key: Hashable, colour: QColor, *,
              alpha: int = 255, shaded: bool = True) -> None:
        """Draw the visible notes of ``index``; ``key`` names its raster in the cache (it must change
        whenever the notes do: track id and index version)."""
        low, high = g.visible_pitches()
        visible = index.visible(g.left, g.right, low, high)
        if len(visible) <= self.limit:
            self.last_mode = "vector"
            paint_vector(painter, g, index.starts[visible], index.ends[visible], index.pitches[visible],
                         index.velocities[visible] if shaded else None, colour, alpha=alpha)
            return
        self.last_mode = "raster"
        self.paint_raster(painter, g, key, index.starts, index.ends, index.pitches, shade(colour, 0.85, alpha))

    def paint_raster(self, painter: QPainter, g: RollGeometry, key: Hashable, starts: np.ndarray, ends: np.ndarray,
                     pitches: np.ndarray, colour: QColor, dx: float = 0.0, dy: int = 0) -> None:
        """All the notes at once from a cached raster; ``dx`` beats and ``dy`` semitones move it
        (a selection being dragged)."""
        if not len(starts):
            return
        level = raster_level(g.ppb, float(ends.max()))
        cached = self._rasters.get((key, level))
        if cached is None:
            image, buffer = build_raster(starts, ends, pitches, level, colour)
            cached = self._rasters[(key, level)] = (image, buffer, level)
            while len(self._rasters) > _CACHE_SIZE:
                self._rasters.popitem(last=False)
        else:
            self._rasters.move_to_end((key, level))
        image = cached[0]
        b0, b1 = max(0.0, g.left - dx), min(image.width() / level, g.right - dx)
        if b1 <= b0:
            return
        low, high = g.visible_pitches()
        low, high = max(0, low - dy), min(PITCHES - 1, high - dy)
        source = QRectF(b0 * level, PITCHES - 1 - high, (b1 - b0) * level, high - low + 1)
        target = QRectF(g.x(b0 + dx), g.y(high + dy), (b1 - b0) * g.ppb, (high - low + 1) * g.row)
        painter.drawImage(target, image, source)

    def forget(self) -> None:
        self._rasters.clear()


def raster_level(ppb: float, end: float) -> float:
    """Pixels per beat of the raster: the power of two at or below the zoom, within memory bounds."""
    level = 2.0 ** math.floor(math.log2(max(ppb, 1 / 64)))
    while level > 1 / 64 and (end * level + 2) * PITCHES * 4 > MAX_RASTER_BYTES:
        level /= 2
    return level


def build_raster(starts: np.ndarray, ends: np.ndarray, pitches: np.ndarray, level: float,
                 colour: QColor) -> tuple[QImage, np.ndarray]:
    """A PITCHES-row image, ``level`` pixels per beat, the notes filled in ``colour``."""
    width = int(math.ceil(float(ends.max()) * level)) + 2
    stride = width + 1
    x0 = np.floor(starts * level).astype(np.int64)
    x1 = np.maximum(x0 + 1, np.floor(ends * level).astype(np.int64))
    rows = (PITCHES - 1 - pitches.astype(np.int64)) * stride
    size = PITCHES * stride
    runs = np.bincount(rows + x0, minlength=size) - np.bincount(rows + x1, minlength=size)
    covered = np.cumsum(runs.reshape(PITCHES, stride), axis=1)[:, :width] > 0
    buffer = np.zeros((PITCHES, width), np.uint32)
    buffer[covered] = premultiplied(colour)
    image = QImage(buffer.data, width, PITCHES, width * 4, QImage.Format.Format_ARGB32_Premultiplied)
    return image, buffer


def premultiplied(colour: QColor) -> np.uint32:
    """``colour`` as a pixel of a Format_ARGB32_Premultiplied image."""
    a = colour.alpha()
    return np.uint32((a << 24) | ((colour.red() * a // 255) << 16) | ((colour.green() * a // 255) << 8)
                     | (colour.blue() * a // 255))
