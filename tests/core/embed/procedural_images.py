"""Seeded procedural test images (gradients, stripes, rings, blobs, noise textures, checkers) and the
edits a user makes to a picture (crop, rescale, JPEG, recolouring), for retrieval tests."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageEnhance

KINDS = ("gradient", "stripes", "rings", "blobs", "noise", "checkers")


def _palette(rng: np.random.Generator, n: int) -> np.ndarray:
    """n colours with a random base hue, spread in hue, saturation and value (RGB in [0, 1])."""
    import colorsys

    base = rng.random()
    spread = rng.uniform(0.05, 0.5)
    colours = []
    for k in range(n):
        h = (base + spread * k / max(n - 1, 1)) % 1.0
        colours.append(colorsys.hsv_to_rgb(h, rng.uniform(0.3, 1.0), rng.uniform(0.25, 1.0)))
    return np.array(colours)


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    coarse = Image.fromarray((rng.random((cells, cells)) * 255).astype(np.uint8))
    return np.asarray(coarse.resize((w, h), Image.Resampling.BICUBIC), dtype=np.float64) / 255.0


def _field(kind: str, rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A scalar field in [0, 1] whose geometry depends on the kind and on random parameters."""
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    angle = rng.uniform(0, np.pi)
    u = x * np.cos(angle) + y * np.sin(angle)
    if kind == "gradient":
        field = u + 0.3 * _smooth_noise(rng, h, w, 3)
    elif kind == "stripes":
        field = 0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(3, 14) * u + rng.uniform(0, 6))
    elif kind == "rings":
        cy, cx = rng.uniform(0.1, 0.7, 2)
        field = 0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(3, 10) * np.hypot(x - cx, y - cy))
    elif kind == "blobs":
        field = np.zeros((h, w))
        for _ in range(rng.integers(3, 8)):
            cy, cx = rng.uniform(0, h / max(h, w)), rng.uniform(0, w / max(h, w))
            r = rng.uniform(0.05, 0.25)
            field += rng.uniform(0.4, 1.0) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    elif kind == "noise":
        field = sum(_smooth_noise(rng, h, w, c) / k for k, c in enumerate((4, 9, 21, 45), start=1))
    else:  # checkers
        f = rng.uniform(3, 10)
        v = -x * np.sin(angle) + y * np.cos(angle)
        field = ((np.floor(f * u) + np.floor(f * v)) % 2) * 0.8 + 0.2 * _smooth_noise(rng, h, w, 5)
    field = field - field.min()
    return field / max(field.max(), 1e-9)


def procedural_image(seed: int, size: tuple[int, int] = (256, 192)) -> Image.Image:
    """One distinct RGB image: a field of kind ``KINDS[seed % 6]`` coloured by a random palette,
    with a second, fainter field of another kind on top."""
    rng = np.random.default_rng(seed)
    w, h = size
    main = _field(KINDS[seed % len(KINDS)], rng, h, w)
    detail = _field(KINDS[(seed // len(KINDS) + seed + 1) % len(KINDS)], rng, h, w)
    field = np.clip(0.8 * main + 0.2 * detail, 0, 1)
    palette = _palette(rng, int(rng.integers(2, 5)))
    pos = field * (len(palette) - 1)
    low = np.floor(pos).astype(int).clip(0, len(palette) - 2)
    frac = (pos - low)[..., None]
    rgb = palette[low] * (1 - frac) + palette[low + 1] * frac
    return Image.fromarray((rgb * 255).round().astype(np.uint8), "RGB")


def central_crop(image: Image.Image, keep: float = 0.8) -> Image.Image:
    w, h = image.size
    dw, dh = round(w * (1 - keep) / 2), round(h * (1 - keep) / 2)
    return image.crop((dw, dh, w - dw, h - dh))


def rescale(image: Image.Image, factor: float) -> Image.Image:
    w, h = image.size
    return image.resize((max(1, round(w * factor)), max(1, round(h * factor))), Image.Resampling.LANCZOS)


def jpeg(image: Image.Image, quality: int = 60) -> Image.Image:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def hue_shift(image: Image.Image, degrees: float) -> Image.Image:
    hsv = np.asarray(image.convert("HSV")).copy()
    hsv[..., 0] = (hsv[..., 0].astype(np.int32) + round(degrees / 360 * 256)) % 256
    return Image.fromarray(hsv, "HSV").convert("RGB")


def saturate(image: Image.Image, factor: float) -> Image.Image:
    return ImageEnhance.Color(image).enhance(factor)
