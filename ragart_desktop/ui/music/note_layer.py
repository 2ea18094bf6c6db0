"""Drawing notes fast: only the visible ones, as rectangles, or as images when there are many.

Up to ``VECTOR_LIMIT`` visible notes are drawn as rectangles (one ``drawRects`` per velocity shade;
a one-pixel gap instead of an outline, since outlines cost three times as much to draw). Beyond
that the view is zoomed out over a dense piece and a note is a few pixels wide: the track is drawn
from a raster with one row per pitch and ``level`` pixels per beat (a power of two at or below the
zoom, so scaling it up never drops a note). The raster is cut into tiles ``TILE_PX`` wide, as a map
viewer cuts its map: only the tiles on screen are built (with numpy, a run-length difference per row,
summed: well under a millisecond each; once per velocity shade, louder over softer, so the raster is
shaded as the rectangles are), each only as tall as the pitches sounding in it, and they
stay cached (keyed by the track's version, so an edit never shows a stale tile) until the cache's
memory bound pushes them out. A whole-piece raster, built at once when the zoom crossed a level,
cost up to a hundred milliseconds in one frame; with tiles the vector limit could drop from 800 to
200 notes (``bench/bench_piano_roll.py`` measures the zoom).
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Hashable, Optional

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from ragart_desktop.core.music.note_index import NoteIndex
from ragart_desktop.ui.music.geometry import PITCHES, RollGeometry

VECTOR_LIMIT = 200
TILE_PX = 512                          # raster tile width
GAP_FROM_PX = 3                        # raster notes this long or longer end a pixel early: repeated notes stay apart
MAX_CACHE_BYTES = 64 * 1024 * 1024    # of tiles per layer
MAX_TILES = 4096                       # per layer, counting the empty ones (None)
SHADES = (0.55, 0.7, 0.85, 1.0)          # note brightness by velocity quarter


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
    bucket = velocity_shade(velocities)
    for b, factor in enumerate(SHADES):
        pick = bucket == b
        if pick.any():
            painter.setBrush(shade(colour, factor, alpha))
            painter.drawRects(note_rects(g, starts[pick], ends[pick], pitches[pick]))


def velocity_shade(velocities: np.ndarray) -> np.ndarray:
    """Which of ``SHADES`` each note is drawn in (by its velocity's quarter)."""
    return np.minimum(velocities // 32, len(SHADES) - 1)


class NoteLayer:
    """Draws one track's notes (or a selection of them) for a geometry, choosing vector or raster."""

    def __init__(self, limit: int = VECTOR_LIMIT):
        self.limit = limit
        self._tiles: OrderedDict[Hashable, Optional[Tile]] = OrderedDict()
        self._bytes = 0
        self.last_mode = ""     # "vector" | "raster" (benchmarks and tests read it)
        self.built = 0          # tiles built so far (tests read it)

    def paint(self, painter: QPainter, g: RollGeometry, index: NoteIndex, key: Hashable, colour: QColor, *,
              alpha: int = 255, shaded: bool = True) -> None:
        """Draw the visible notes of ``index``; ``key`` names its raster in the cache (it must change
        whenever the notes do: track id and index version; the colour is part of the name anyway)."""
        low, high = g.visible_pitches()
        visible = index.visible(g.left, g.right, low, high)
        if len(visible) <= self.limit:
            self.last_mode = "vector"
            paint_vector(painter, g, index.starts[visible], index.ends[visible], index.pitches[visible],
                         index.velocities[visible] if shaded else None, colour, alpha=alpha)
            return
        self.last_mode = "raster"
        if shaded:
            self.paint_raster(painter, g, key, index.starts, index.ends, index.pitches,
                              tuple(shade(colour, f, alpha) for f in SHADES), velocity_shade(index.velocities))
        else:
            self.paint_raster(painter, g, key, index.starts, index.ends, index.pitches, (shade(colour, 0.85, alpha),))

    def paint_raster(self, painter: QPainter, g: RollGeometry, key: Hashable, starts: np.ndarray, ends: np.ndarray,
                     pitches: np.ndarray, colours: tuple[QColor, ...], shades: Optional[np.ndarray] = None,
                     dx: float = 0.0, dy: int = 0) -> None:
        """All the visible notes at once from cached raster tiles, note ``i`` in ``colours[shades[i]]``
        (``shades`` None: all in ``colours[0]``); ``dx`` beats and ``dy`` semitones move them (a
        selection being dragged)."""
        if not len(starts):
            return
        level = raster_level(g.ppb)
        b0, b1 = max(0.0, g.left - dx), g.right - dx
        if b1 <= b0:
            return
        low, high = g.visible_pitches()
        low, high = low - dy, high - dy
        span = TILE_PX / level                  # beats per tile
        for t in range(int(b0 // span), int(b1 // span) + 1):
            tile = self._tile((key, tuple(c.rgba() for c in colours), level, t), starts, ends, pitches, level, t,
                              colours, shades)
            if tile is None:
                continue
            top, bottom = min(high, tile.top), max(low, tile.top - tile.image.height() + 1)
            t0, t1 = max(b0, t * span), min(b1, (t + 1) * span)
            if top < bottom or t1 <= t0:
                continue
            source = QRectF((t0 - t * span) * level, tile.top - top, (t1 - t0) * level, top - bottom + 1)
            target = QRectF(g.x(t0 + dx), g.y(top + dy), (t1 - t0) * g.ppb, (top - bottom + 1) * g.row)
            painter.drawImage(target, tile.image, source)

    def _tile(self, name: Hashable, starts: np.ndarray, ends: np.ndarray, pitches: np.ndarray, level: float,
              t: int, colours: tuple[QColor, ...], shades: Optional[np.ndarray]) -> Optional["Tile"]:
        if name in self._tiles:
            self._tiles.move_to_end(name)
            return self._tiles[name]
        tile = build_tile(starts, ends, pitches, level, t, colours, shades)
        self.built += 1
        self._tiles[name] = tile
        self._bytes += tile.buffer.nbytes if tile is not None else 0
        while (self._bytes > MAX_CACHE_BYTES or len(self._tiles) > MAX_TILES) and len(self._tiles) > 1:
            old = self._tiles.popitem(last=False)[1]
            self._bytes -= old.buffer.nbytes if old is not None else 0
        return tile

    def forget(self) -> None:
        self._tiles.clear()
        self._bytes = 0


def raster_level(ppb: float) -> float:
    """Pixels per beat of the raster: the power of two at or below the zoom (scaling up never drops
    a note)."""
    return 2.0 ** math.floor(math.log2(max(ppb, 1 / 64)))


@dataclass
class Tile:
    """``TILE_PX`` columns of a raster; row 0 is pitch ``top``, one row per semitone downwards."""
    image: QImage
    buffer: np.ndarray      # the pixels ``image`` points into (kept alive with it)
    top: int


def build_tile(starts: np.ndarray, ends: np.ndarray, pitches: np.ndarray, level: float, t: int,
               colours: tuple[QColor, ...], shades: Optional[np.ndarray] = None) -> Optional[Tile]:
    """Tile ``t`` of the raster with ``level`` pixels per beat (its beats ``[t, t + 1) * TILE_PX /
    level``), only as tall as the pitches sounding in it; None when no note does. Note ``i`` is in
    ``colours[shades[i]]`` (all in ``colours[0]`` without ``shades``); where notes overlap, the
    later colour (the louder shade) is on top."""
    x0 = np.floor(starts * level).astype(np.int64) - t * TILE_PX
    x1 = np.floor(ends * level).astype(np.int64) - t * TILE_PX
    x1 = np.where(x1 - x0 >= GAP_FROM_PX, x1 - 1, np.maximum(x0 + 1, x1))   # a gap, as drawn notes have
    inside = (x1 > 0) & (x0 < TILE_PX)
    if not inside.any():
        return None
    x0, x1 = np.clip(x0[inside], 0, TILE_PX), np.clip(x1[inside], 0, TILE_PX)
    pitch = pitches[inside].astype(np.int64)
    shade_of = shades[inside] if shades is not None else np.zeros(len(pitch), np.int64)
    top, rows = int(pitch.max()), int(pitch.max() - pitch.min()) + 1
    stride = TILE_PX + 1
    at = (top - pitch) * stride
    buffer = np.zeros((rows, TILE_PX), np.uint32)
    for k, colour in enumerate(colours):
        mine = shade_of == k
        if mine.any():
            runs = np.bincount(at[mine] + x0[mine], minlength=rows * stride) - \
                np.bincount(at[mine] + x1[mine], minlength=rows * stride)
            buffer[np.cumsum(runs.reshape(rows, stride), axis=1)[:, :TILE_PX] > 0] = premultiplied(colour)
    image = QImage(buffer.data, TILE_PX, rows, TILE_PX * 4, QImage.Format.Format_ARGB32_Premultiplied)
    return Tile(image, buffer, top)


def premultiplied(colour: QColor) -> np.uint32:
    """``colour`` as a pixel of a Format_ARGB32_Premultiplied image."""
    a = colour.alpha()
    return np.uint32((a << 24) | ((colour.red() * a // 255) << 16) | ((colour.green() * a // 255) << 8)
                     | (colour.blue() * a // 255))
