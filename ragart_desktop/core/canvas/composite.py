"""Compositing layers into the premultiplied display buffer, one rectangle at a time.

The composite is **premultiplied RGBA uint8** (the layout of ``QImage.Format_RGBA8888_Premultiplied``)
so the view can wrap it without conversion. Layers are straight RGBA (see ``layer.py``); they are
combined with the "normal" (source-over) operator in float32. Large rectangles are processed in
bands of rows so a 4096 x 4096 recomposite never allocates more than a band of float temporaries.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ragart_desktop.core.canvas.geometry import Rect
from ragart_desktop.core.canvas.layer import Layer

BAND_PIXELS = 1 << 20  # ~1 M pixels per band: 16 MB of float32 RGBA temporaries


def composite_rect(layers: Sequence[Layer], rect: Rect, out: np.ndarray) -> None:
    """Recompute ``out[rect]`` (premultiplied) from the visible ``layers``, bottom to top."""
    if rect.empty:
        return
    rows = max(1, BAND_PIXELS // max(1, rect.width))
    for y0 in range(rect.y0, rect.y1, rows):
        band = Rect(rect.x0, y0, rect.x1, min(rect.y1, y0 + rows))
        out[band.slices] = _composite_band(layers, band)


def _composite_band(layers: Sequence[Layer], rect: Rect) -> np.ndarray:
    rows, cols = rect.slices
    shown = [layer for layer in layers if layer.visible and layer.opacity > 0.0]
    # Start above the topmost layer that is fully opaque here: nothing below it can show through.
    first, result = 0, None  # result: the opaque layer's pixels (straight == premultiplied there)
    for i in range(len(shown) - 1, -1, -1):
        pixels = shown[i].pixels[rows, cols]
        if shown[i].opacity >= 1.0 and pixels[..., 3].min() == 255:
            first, result = i + 1, pixels
            break
    acc = None  # float32 premultiplied, 0..255; created only when a translucent layer contributes
    for layer in shown[first:]:
        src = layer.pixels[rows, cols]
        if not src[..., 3].any():
            continue  # fully transparent here: contributes nothing
        if acc is None:
            acc = result.astype(np.float32) if result is not None else np.zeros(src.shape, np.float32)
        alpha = src[..., 3].astype(np.float32) * np.float32(layer.opacity / 255.0)
        acc *= (1.0 - alpha)[..., None]
        acc[..., :3] += src[..., :3] * alpha[..., None]
        acc[..., 3] += alpha * 255.0
    if acc is not None:
        np.rint(acc, out=acc)
        return acc.astype(np.uint8)
    if result is not None:
        return result
    return np.zeros((rect.height, rect.width, 4), np.uint8)


def unpremultiply(premultiplied: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA uint8 -> straight RGBA uint8 (colour under alpha 0 becomes black)."""
    out = np.empty_like(premultiplied)
    alpha = premultiplied[..., 3:4].astype(np.float32)
    rgb = np.where(alpha > 0, premultiplied[..., :3] * (255.0 / np.maximum(alpha, 1.0)), 0.0)
    out[..., :3] = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    out[..., 3] = premultiplied[..., 3]
    return out


def flatten_on(premultiplied: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    """Premultiplied RGBA over an opaque colour -> RGB uint8: colour + background * (255 - alpha) / 255,
    rounded, in 16-bit integers (the window flattens the canvas when it asks for a generation: in
    float32 a 1024 px canvas took 25-86 ms of the UI thread, this 8)."""
    alpha = premultiplied[..., 3]
    if alpha.min() == 255:
        return np.ascontiguousarray(premultiplied[..., :3])
    inv = 255 - alpha.astype(np.uint16)
    out = np.empty(premultiplied.shape[:2] + (3,), np.uint8)
    for channel, value in enumerate(background):
        t = inv * np.uint16(value) + np.uint16(128)   # x / 255 rounded is (x + 128 + (x + 128) >> 8) >> 8
        t += t >> 8
        t >>= 8
        t += premultiplied[..., channel]
        np.minimum(t, 255, out=t)
        out[..., channel] = t
    return out
