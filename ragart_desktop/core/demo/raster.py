"""Raster building blocks for the procedural demo paintings (numpy + PIL only).

Images are float32 arrays in [0, 1]: colour layers are ``(h, w, 3)``, masks ``(h, w)``. Painting
is alpha compositing of colours through soft masks, the way a painter lays washes over each other.
Every random choice comes from the ``numpy.random.Generator`` passed in, so a fixed seed gives the
same picture bit for bit.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Colour = Sequence[float] | np.ndarray
ColourStops = Sequence[tuple[float, str]]


def hex_rgb(code: str) -> np.ndarray:
    """``"#1f3a5c"`` -> float32 RGB in [0, 1]."""
    code = code.lstrip("#")
    return np.array([int(code[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.float32) / 255.0


def mix(a: Colour, b: Colour, t: float) -> np.ndarray:
    return np.asarray(a, np.float32) * (1.0 - t) + np.asarray(b, np.float32) * t


def value_noise(rng: np.random.Generator, h: int, w: int, cells: float) -> np.ndarray:
    """Smooth noise in [0, 1]: a random lattice with about ``cells`` cells on the long side,
    upsampled bicubically (PIL does the interpolation in C)."""
    scale = cells / max(h, w)
    gy, gx = max(2, int(round(h * scale)) + 2), max(2, int(round(w * scale)) + 2)
    lattice = rng.random((gy, gx), dtype=np.float32)
    up = Image.fromarray(lattice).resize((w, h), Image.Resampling.BICUBIC)
    return np.clip(np.asarray(up, dtype=np.float32), 0.0, 1.0)


def fbm(rng: np.random.Generator, h: int, w: int, cells: float = 4.0, octaves: int = 5,
        gain: float = 0.5) -> np.ndarray:
    """Fractal Brownian motion: octaves of value noise, each twice as fine and ``gain`` as strong,
    stretched to [0, 1]."""
    total = np.zeros((h, w), np.float32)
    amp = 1.0
    for octave in range(octaves):
        total += amp * value_noise(rng, h, w, cells * 2 ** octave)
        amp *= gain
    lo, hi = float(total.min()), float(total.max())
    return (total - lo) / max(hi - lo, 1e-6)


def fbm_line(rng: np.random.Generator, n: int, cells: float = 4.0, octaves: int = 4,
             gain: float = 0.5) -> np.ndarray:
    """A 1-D fractal profile of length ``n`` in [-1, 1] (ridge lines, wave crests, roof lines)."""
    xs = np.arange(n, dtype=np.float32)
    total = np.zeros(n, np.float32)
    amp = 1.0
    for octave in range(octaves):
        k = cells * 2 ** octave
        knots = rng.uniform(-1.0, 1.0, int(k) + 2).astype(np.float32)
        pos = xs / n * (len(knots) - 1)
        i = np.minimum(pos.astype(int), len(knots) - 2)
        f = pos - i
        f = f * f * (3 - 2 * f)  # smoothstep between knots
        total += amp * (knots[i] * (1 - f) + knots[i + 1] * f)
        amp *= gain
    return total / max(float(np.abs(total).max()), 1e-6)


def vertical_gradient(h: int, w: int, stops: ColourStops) -> np.ndarray:
    """A sky or wash: colours at relative heights (0 top, 1 bottom), linearly blended."""
    pos = np.array([p for p, _ in stops], np.float32)
    cols = np.stack([hex_rgb(c) for _, c in stops])
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)
    column = np.stack([np.interp(ys, pos, cols[:, c]) for c in range(3)], axis=-1)
    return np.broadcast_to(column[:, None, :], (h, w, 3)).astype(np.float32)


def radial(h: int, w: int, cx: float, cy: float, radius: float) -> np.ndarray:
    """Distance from (cx, cy) in pixels divided by ``radius`` (0 at the centre)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / radius


def glow(h: int, w: int, cx: float, cy: float, radius: float, falloff: float = 2.0) -> np.ndarray:
    """A soft round light: 1 at the centre, fading to 0 around ``radius``."""
    return np.exp(-radial(h, w, cx, cy, radius) ** falloff).astype(np.float32)


def below_curve(h: int, ys: np.ndarray, softness: float = 1.5) -> np.ndarray:
    """Mask of everything below the curve ``ys[x]`` (a ridge, a wave, a roof line), soft-edged."""
    rows = np.arange(h, dtype=np.float32)[:, None]
    return np.clip((rows - ys[None, :].astype(np.float32)) / softness + 0.5, 0.0, 1.0)


def paint(canvas: np.ndarray, colour: Colour | np.ndarray, mask: np.ndarray | float) -> np.ndarray:
    """Lay ``colour`` over ``canvas`` through ``mask`` (in place; also returned)."""
    delta = np.asarray(colour, np.float32) - canvas
    delta *= mask.astype(np.float32, copy=False)[..., None] if isinstance(mask, np.ndarray) else np.float32(mask)
    canvas += delta
    return canvas


def drawn_mask(w: int, h: int, draw: Callable[[ImageDraw.ImageDraw], None],
               blur: float = 0.0) -> np.ndarray:
    """Rasterise PIL drawing commands (fill=255) into a mask; ``blur`` softens the edges."""
    img = Image.new("L", (w, h), 0)
    draw(ImageDraw.Draw(img))
    if blur > 0:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    return np.asarray(img, dtype=np.float32) / 255.0


def disc(w: int, h: int, cx: float, cy: float, rx: float, ry: float | None = None, blur: float = 0.8,
         ring: int = 0) -> np.ndarray:
    """Mask of a filled ellipse (or, with ``ring`` > 0, its outline that many pixels wide)."""
    ry = rx if ry is None else ry
    box = (cx - rx, cy - ry, cx + rx, cy + ry)
    if ring:
        return drawn_mask(w, h, lambda d: d.ellipse(box, outline=255, width=ring), blur)
    return drawn_mask(w, h, lambda d: d.ellipse(box, fill=255), blur)


def blur(arr: np.ndarray, radius: float) -> np.ndarray:
    """Gaussian blur of a mask or colour array (via 8-bit PIL; fine for soft shapes)."""
    if arr.ndim == 2:
        img = Image.fromarray(to_uint8(arr), "L")
    else:
        img = Image.fromarray(to_uint8(arr), "RGB")
    out = img.filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(out, dtype=np.float32) / 255.0


def blob_polygon(rng: np.random.Generator, cx: float, cy: float, rx: float, ry: float,
                 angle: float = 0.0, wobble: float = 0.25, points: int = 28) -> list[tuple[float, float]]:
    """An irregular rounded outline (a petal, a cloud, a leaf) as polygon points."""
    t = np.linspace(0, 2 * np.pi, points, endpoint=False)
    harmonics = sum(rng.uniform(-1, 1) * np.sin(k * t + rng.uniform(0, 2 * np.pi)) / k
                    for k in (2, 3, 5))
    r = 1.0 + wobble * harmonics / 1.8
    x, y = rx * r * np.cos(t), ry * r * np.sin(t)
    ca, sa = np.cos(angle), np.sin(angle)
    return [(float(cx + ca * a - sa * b), float(cy + sa * a + ca * b)) for a, b in zip(x, y)]


def brush_strokes(canvas: np.ndarray, rng: np.random.Generator, count: int, length: float,
                  width: int, angle: np.ndarray | float, jitter: float = 0.04,
                  alpha: float = 0.55, mask: np.ndarray | None = None) -> np.ndarray:
    """Painterly rendering: short strokes that pick up the colour beneath them (with a little
    jitter) and follow a direction field, so flat areas read as brushwork. ``mask`` limits where
    strokes start."""
    h, w, _ = canvas.shape
    if mask is not None:
        weights = mask.ravel().astype(np.float64)
        if weights.sum() <= 0:
            return canvas
        idx = rng.choice(h * w, size=count, p=weights / weights.sum())
        ys, xs = np.divmod(idx, w)
    else:
        ys = rng.integers(0, h, count)
        xs = rng.integers(0, w, count)
    base = canvas[ys, xs] + rng.normal(0.0, jitter, (count, 3))
    cols = np.clip(base * 255, 0, 255).astype(np.uint8)
    angles = angle[ys, xs] if isinstance(angle, np.ndarray) else np.full(count, angle)
    angles = angles + rng.normal(0.0, 0.15, count)
    lens = length * rng.uniform(0.6, 1.3, count)
    dx, dy = np.cos(angles) * lens / 2, np.sin(angles) * lens / 2
    widths = np.maximum(1, (width * rng.uniform(0.6, 1.4, count)).astype(int))
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    a = int(alpha * 255)
    for i in range(count):
        c = tuple(int(v) for v in cols[i]) + (a,)
        draw.line([(xs[i] - dx[i], ys[i] - dy[i]), (xs[i] + dx[i], ys[i] + dy[i])],
                  fill=c, width=int(widths[i]))
    rgba = np.asarray(layer, dtype=np.float32) / 255.0
    return paint(canvas, rgba[..., :3], rgba[..., 3])


def grain(canvas: np.ndarray, rng: np.random.Generator, strength: float = 0.06,
          cells: float = 90.0) -> np.ndarray:
    """Canvas or paper texture: a fine multiplicative tooth."""
    h, w, _ = canvas.shape
    tooth = value_noise(rng, h, w, cells) * 0.6 + value_noise(rng, h, w, cells * 2.5) * 0.4
    canvas *= (1.0 + strength * (tooth - 0.5))[..., None]
    return canvas


def vignette(canvas: np.ndarray, strength: float = 0.25) -> np.ndarray:
    h, w, _ = canvas.shape
    r = radial(h, w, w / 2, h / 2, np.hypot(w, h) / 2)
    canvas *= (1.0 - strength * r ** 2)[..., None]
    return canvas


def to_uint8(arr: np.ndarray) -> np.ndarray:
    return (np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def to_image(canvas: np.ndarray) -> Image.Image:
    return Image.fromarray(to_uint8(canvas), "RGB")
