"""A raster layer and the conversions between its pixels and PIL images.

Pixel format: every layer holds **straight (non-premultiplied) RGBA, uint8, shape (height, width,
4)**. Straight alpha was chosen because a layer then round-trips through PNG bit for bit (project
files store one PNG per layer), because erasing keeps the colour under a half-erased stroke, and
because low-alpha paint keeps its full colour precision. Only the composite cache is premultiplied
(see ``composite.py``), since that is what the display wants.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

BLEND_NORMAL = "normal"


@dataclass(eq=False)
class Layer:
    """One layer. ``id`` is unique within a document and its history, and never reused."""

    id: int
    name: str
    pixels: np.ndarray
    opacity: float = 1.0
    visible: bool = True
    blend: str = BLEND_NORMAL
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])


def blank_pixels(width: int, height: int, rgba: tuple[int, int, int, int] = (0, 0, 0, 0)) -> np.ndarray:
    """A layer buffer filled with one colour. It is written in full here, on purpose: with lazily
    mapped zero pages (plain ``np.zeros``) the first brush strokes on a new layer would pay the page
    faults, which showed up as 10-200 ms stalls on a 4096 x 4096 canvas. It is filled as one
    32-bit word per pixel: a broadcast of the 4-byte colour ran a 4-long inner loop per pixel,
    30 ms for the 1024 x 1024 canvas the app opens with (on the UI thread, at start-up)."""
    out = np.empty((height, width, 4), np.uint8)
    out.view(np.uint32).fill(np.frombuffer(bytes(rgba), np.uint32)[0])
    return out


def image_to_pixels(image: Image.Image) -> np.ndarray:
    """Any PIL image as straight RGBA uint8 (palette, greyscale, CMYK, 16-bit all converted)."""
    if image.mode != "RGBA":
        image = image.convert("RGBA")
    return np.array(image, dtype=np.uint8)


def place_centered(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """A canvas-sized transparent layer with ``pixels`` centred on it (cropped where it overhangs)."""
    out = blank_pixels(width, height)
    ph, pw = pixels.shape[:2]
    ox, oy = (width - pw) // 2, (height - ph) // 2
    sx0, sy0 = max(0, -ox), max(0, -oy)
    dx0, dy0 = max(0, ox), max(0, oy)
    w = min(pw - sx0, width - dx0)
    h = min(ph - sy0, height - dy0)
    out[dy0:dy0 + h, dx0:dx0 + w] = pixels[sy0:sy0 + h, sx0:sx0 + w]
    return out


def fit_image(image: Image.Image, width: int, height: int, *, enlarge: bool = False) -> Image.Image:
    """Scale ``image`` to fit inside ``width`` x ``height`` keeping its aspect: only down, unless
    ``enlarge`` (generated results made at a lower resolution are brought up to the canvas)."""
    if (image.width <= width and image.height <= height) and not enlarge:
        return image
    scale = min(width / image.width, height / image.height)
    if scale == 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)
