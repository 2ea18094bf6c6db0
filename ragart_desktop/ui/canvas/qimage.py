"""QImage views of the document's numpy buffers, without copying them.

The QImages borrow the arrays' memory: they stay valid only while the document keeps those arrays,
so the view rebuilds them whenever it is given another document.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from PIL import Image
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPixmap

from ragart_desktop.core.canvas import CanvasDocument

SELECTION_TINT = QColor(40, 140, 255)
_TINT_MAX_ALPHA = 90  # how strongly a fully selected pixel is tinted (0..255)


def composite_image(doc: CanvasDocument) -> QImage:
    """The premultiplied composite as a QImage sharing its memory."""
    buf = doc.composite
    return QImage(buf.data, doc.width, doc.height, buf.strides[0], QImage.Format.Format_RGBA8888_Premultiplied)


def solid_colour(doc: CanvasDocument) -> Optional[QColor]:
    """The composite's one colour when every pixel has it and it is opaque or clear (a new canvas),
    else None. A sparse sample rules most pictures out before every pixel is compared."""
    words = doc.composite.view(np.uint32)[..., 0]
    first = words[0, 0]
    if not (words[::61, ::61] == first).all() or not (words == first).all():
        return None
    r, g, b, a = (int(v) for v in doc.composite[0, 0])
    return QColor(r, g, b, a) if a in (0, 255) else None


def selection_image(doc: CanvasDocument) -> QImage:
    """The selection mask as an 8-bit indexed QImage whose colour table tints selected pixels."""
    buf = doc.selection
    image = QImage(buf.data, doc.width, doc.height, buf.strides[0], QImage.Format.Format_Indexed8)
    r, g, b = SELECTION_TINT.red(), SELECTION_TINT.green(), SELECTION_TINT.blue()
    table = []
    for i in range(256):
        a = i * _TINT_MAX_ALPHA // 255
        table.append(QColor(r, g, b, a).rgba())
    image.setColorTable(table)
    return image


def pil_to_qimage(image: Image.Image) -> QImage:
    """A PIL image as an independent (copied) RGBA QImage."""
    rgba = np.ascontiguousarray(np.asarray(image.convert("RGBA"), dtype=np.uint8))
    h, w = rgba.shape[:2]
    return QImage(rgba.data, w, h, rgba.strides[0], QImage.Format.Format_RGBA8888).copy()


def pixels_thumbnail(pixels: np.ndarray, size: int) -> QImage:
    """A quick thumbnail of straight RGBA pixels by strided sampling (no full-size pass)."""
    h, w = pixels.shape[:2]
    step = max(1, int(np.ceil(max(h, w) / size)))
    small = np.ascontiguousarray(pixels[::step, ::step])
    sh, sw = small.shape[:2]
    return QImage(small.data, sw, sh, small.strides[0], QImage.Format.Format_RGBA8888).copy()


def checker_brush(cell: int) -> QBrush:
    """The light grey checkerboard painted under transparent pixels."""
    tile = QPixmap(2 * cell, 2 * cell)
    tile.fill(QColor(204, 204, 204))
    p = QPainter(tile)
    p.fillRect(0, 0, cell, cell, QColor(236, 236, 236))
    p.fillRect(cell, cell, cell, cell, QColor(236, 236, 236))
    p.end()
    return QBrush(tile)
