"""Night city style: dark skies, rows of buildings with lit windows, glow, neon, reflections."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ragart_desktop.core.demo.raster import (
    ColourStops, blur, brush_strokes, drawn_mask, fbm, glow, grain, hex_rgb, mix, paint, to_image,
    vertical_gradient, vignette,
)


def night_city(rng: np.random.Generator, w: int, h: int, *, sky: ColourStops, buildings: tuple[str, ...],
               windows: tuple[str, ...], lit: float = 0.35, skyline: float = 0.55, stars: int = 160,
               moon: tuple[float, float] | None = None, neon: tuple[str, ...] = (),
               water: float = 0.0, rain: bool = False, street_lights: bool = False) -> Image.Image:
    """Skyline rows from far (hazy, small windows) to near (dark, large windows); light blooms
    around windows and signs; ``water`` mirrors the lower part of the city in a river."""
    ground = int(h * (1.0 - water)) if water else h
    canvas = vertical_gradient(h, w, sky).copy()
    _stars(canvas, rng, stars, int(h * skyline))
    if moon:
        mx, my = moon[0] * w, moon[1] * h
        paint(canvas, hex_rgb("#cfd8ff"), glow(h, w, mx, my, h * 0.12, 1.3) * 0.35)
        paint(canvas, hex_rgb("#f4f1e0"), glow(h, w, mx, my, h * 0.035, 10.0))
    paint(canvas, hex_rgb(windows[0]), glow(h, w, w / 2, ground, w * 0.7, 2.0) * 0.18)  # city glow
    light = np.zeros((h, w, 4), np.uint8)
    light_img = Image.fromarray(light, "RGBA")
    light_draw = ImageDraw.Draw(light_img)
    n = len(buildings)
    for i, tone in enumerate(buildings):
        t = i / max(n - 1, 1)
        blocks = _block_row(rng, w, ground, t, skyline)
        mask = drawn_mask(w, h, lambda d: [d.rectangle(b, fill=255) for b in blocks] + [
            d.polygon(_spire(b), fill=255) for b in blocks if rng.random() < 0.12], blur=0.7 + 1.5 * (1 - t))
        texture = fbm(rng, h, w, cells=40, octaves=2)[..., None]
        paint(canvas, hex_rgb(tone) * (0.85 + 0.3 * texture), mask)
        for b in blocks:
            _windows(light_draw, rng, b, t, windows, lit)
        if neon and t > 0.5:
            _neon_signs(light_draw, rng, blocks, neon)
    if street_lights:
        for x in np.arange(rng.uniform(10, 40), w, w / 9):
            light_draw.ellipse([x - 3, ground - 34, x + 3, ground - 28], fill=(255, 214, 150, 255))
    lights = np.asarray(light_img, np.float32) / 255.0
    paint(canvas, lights[..., :3], lights[..., 3])
    bloom = blur(lights[..., :3] * lights[..., 3:], 6) * 0.9 + blur(lights[..., :3] * lights[..., 3:], 18) * 0.8
    canvas += bloom
    if water:
        _river(canvas, rng, ground)
    if rain:
        drops = zip(rng.uniform(0, w + 40, 800), rng.uniform(0, h, 800), rng.uniform(50, 140, 800))
        streaks = drawn_mask(w, h, lambda d: [d.line([(x, y), (x - 5, y + 22)], fill=int(v)) for x, y, v in drops], 0.6)
        paint(canvas, hex_rgb("#aab4d0"), streaks * 0.4)
        wet = np.clip((np.arange(h)[:, None] - h * 0.86) / (h * 0.1), 0, 1) * np.ones((1, w), np.float32)
        paint(canvas, np.flipud(canvas).copy(), wet * 0.35)
    flow = (np.pi / 2 + (fbm(rng, h, w, 3, 2) - 0.5) * 0.2).astype(np.float32)
    brush_strokes(canvas, rng, 1800, length=h * 0.025, width=2, angle=flow, jitter=0.008, alpha=0.45)
    grain(canvas, rng, 0.08)
    vignette(canvas, 0.35)
    return to_image(canvas)


def _stars(canvas: np.ndarray, rng: np.random.Generator, count: int, below: int) -> None:
    h, w, _ = canvas.shape
    ys, xs = rng.integers(0, max(below, 1), count), rng.integers(0, w, count)
    bright = rng.uniform(0.3, 1.0, count) ** 2
    for y, x, b in zip(ys, xs, bright):
        canvas[y, x] = mix(canvas[y, x], np.ones(3, np.float32), float(b))


def _block_row(rng: np.random.Generator, w: int, ground: int, t: float,
               skyline: float) -> list[tuple[int, int, int, int]]:
    """Building rectangles (x0, y0, x1, y1) of one row; near rows are wider and taller."""
    blocks = []
    x = int(rng.uniform(-30, 0))
    top_mean = ground - (ground - skyline * ground) * (1.0 - 0.5 * t)  # towers behind, low blocks in front
    while x < w:
        bw = int(rng.uniform(24, 60) * (0.7 + 0.9 * t))
        top = int(np.clip(top_mean + rng.normal(0, ground * 0.12), ground * 0.12, ground - 30))
        blocks.append((x, top, x + bw, ground))
        x += bw + int(rng.uniform(0, 6))
    return blocks


def _spire(b: tuple[int, int, int, int]) -> list[tuple[float, float]]:
    x0, y0, x1, _ = b
    mid = (x0 + x1) / 2
    return [(x0 + (x1 - x0) * 0.25, y0), (mid, y0 - (x1 - x0) * 0.9), (x1 - (x1 - x0) * 0.25, y0)]


def _windows(draw: ImageDraw.ImageDraw, rng: np.random.Generator, b: tuple[int, int, int, int], t: float,
             palette: tuple[str, ...], lit: float) -> None:
    x0, y0, x1, y1 = b
    size = 1 + int(4 * t)
    gap = size + 3 + int(3 * t)
    for wy in range(y0 + 6, y1 - 6, gap + 2):
        row_lit = lit * (0.3 + 0.7 * t) * rng.uniform(0.2, 1.6)  # some floors are busier than others
        for wx in range(x0 + 4, x1 - 4 - size, gap):
            if rng.random() < row_lit:
                code = palette[int(rng.integers(0, len(palette)))]
                r, g, bl = (int(v * 255) for v in hex_rgb(code) * rng.uniform(0.75, 1.0))
                draw.rectangle([wx, wy, wx + size, wy + size + 1], fill=(r, g, bl, int(120 + 135 * t)))


def _neon_signs(draw: ImageDraw.ImageDraw, rng: np.random.Generator, blocks: list, neon: tuple[str, ...]) -> None:
    for x0, y0, x1, y1 in blocks:
        if rng.random() < 0.3:
            r, g, b = (int(v * 255) for v in hex_rgb(neon[int(rng.integers(0, len(neon)))]))
            sx = x0 + (x1 - x0) * rng.uniform(0.2, 0.6)
            sy = y0 + (y1 - y0) * rng.uniform(0.2, 0.5)
            if rng.random() < 0.5:
                draw.rectangle([sx, sy, sx + 6, sy + 50], outline=(r, g, b, 255), width=2)
            else:
                draw.rectangle([sx - 16, sy, sx + 16, sy + 10], outline=(r, g, b, 255), width=2)


def _river(canvas: np.ndarray, rng: np.random.Generator, ground: int) -> None:
    """Mirror the city into the water below ``ground`` with rippled, darkened rows."""
    h, w, _ = canvas.shape
    depth = h - ground
    source = canvas[ground - depth:ground][::-1].copy()
    shifts = (np.sin(np.arange(depth) * 0.7) * (2 + np.arange(depth) * 0.06)).astype(int)
    rippled = np.stack([np.roll(source[r], shifts[r], axis=0) for r in range(depth)])
    streaks = blur(rippled, 1.5)
    canvas[ground:] = mix(streaks, hex_rgb("#050814"), 0.35)
    canvas[ground:ground + 2] *= 0.5
