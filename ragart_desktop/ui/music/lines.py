"""Straight lines for the roll's widgets, drawn as filled rectangles.

Qt's raster engine strokes a ``QPen`` line through its general path (and a dashed one dash by
dash): a full-height line cost about as much as all the visible notes. An axis-aligned rectangle is
a plain fill, so every grid, cursor, tick and stem line goes through these helpers instead.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import numpy as np

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap

DASH, GAP = 4, 4
DASH_TILE = 16 * (DASH + GAP)      # pixels of dashes per tile (each tile drawn is a call into the engine)


def vline(p: QPainter, x: float, top: float, bottom: float, colour: QColor, width: int = 1) -> None:
    p.fillRect(QRectF(_px(x - width / 2), top, width, bottom - top), colour)


def hline(p: QPainter, y: float, left: float, right: float, colour: QColor, width: int = 1) -> None:
    p.fillRect(QRectF(left, _px(y - width / 2), right - left, width), colour)


def dashed_vline(p: QPainter, x: float, top: float, bottom: float, colour: QColor) -> None:
    p.drawTiledPixmap(QRectF(_px(x - 0.5), top, 1, bottom - top), _dash(colour.rgba()))


def vlines(p: QPainter, xs: Sequence[float] | np.ndarray, tops: Sequence[float] | np.ndarray, bottom: float,
           colour: QColor, width: int = 1) -> None:
    """Lines from each ``tops[i]`` down to ``bottom`` at ``xs[i]`` (velocity stems, ruler ticks)."""
    lefts = np.floor(np.asarray(xs, np.float64) - width / 2 + 0.5).tolist()     # half up, as ``_px``
    tops = np.asarray(tops, np.float64)
    heights = (bottom - tops).tolist()
    p.save()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawRects([QRectF(x, t, width, h) for x, t, h in zip(lefts, tops.tolist(), heights)])
    p.restore()


def _px(v: float) -> int:
    """The pixel a coordinate falls in, half up: ``round`` rounds halves to even, so a line on a
    half pixel jittered by one pixel as the view scrolled by whole pixels."""
    return math.floor(v + 0.5)


@lru_cache(maxsize=8)
def _dash(rgba: int) -> QPixmap:
    pixmap = QPixmap(1, DASH_TILE)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    for y in range(0, DASH_TILE, DASH + GAP):
        p.fillRect(QRectF(0, y, 1, DASH), QColor.fromRgba(rgba))
    p.end()
    return pixmap
