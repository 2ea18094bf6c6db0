"""Landscape styles of the demo library: seascapes, sunset landscapes and forests.

Each style function takes a seeded generator, a size and a few named choices (palette, weather,
extras) and returns a PIL image. They paint like a landscape painter works: sky first, then the
far planes in hazy colours, then nearer and darker planes, details, and finally brushwork and
canvas grain over everything.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ragart_desktop.core.demo.raster import (
    ColourStops, below_curve, blob_polygon, brush_strokes, drawn_mask, fbm, fbm_line, glow,
    grain, hex_rgb, mix, paint, to_image, vertical_gradient, vignette,
)


def _clouds(rng: np.random.Generator, h: int, w: int, horizon: int, cover: float,
            light: str, dark: str, stretch: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Layered clouds (noise stretched sideways): returns (colour, mask) for the sky."""
    narrow = max(8, w // stretch)
    n = fbm(rng, h, narrow, cells=5, octaves=5)
    n = np.asarray(Image.fromarray(n).resize((w, h), Image.Resampling.BICUBIC), np.float32)
    shade = fbm(rng, h, w, cells=6, octaves=3)
    threshold = 1.0 - cover
    mask = np.clip((n - threshold) / 0.22, 0.0, 1.0)
    rows = np.arange(h, dtype=np.float32)[:, None]
    mask *= np.clip((horizon - rows) / (0.12 * h), 0.0, 1.0)  # thin out at the horizon
    colour = hex_rgb(dark) * (1.0 - shade[..., None]) + hex_rgb(light) * shade[..., None]
    return colour, mask * 0.9


def _horizontal_flow(rng: np.random.Generator, h: int, w: int, wander: float = 0.12) -> np.ndarray:
    return ((fbm(rng, h, w, cells=3, octaves=2) - 0.5) * 2 * wander).astype(np.float32)


def seascape(rng: np.random.Generator, w: int, h: int, *, sky: ColourStops, sea_far: str,
             sea_near: str, foam: str, cloud_light: str, cloud_dark: str, cover: float = 0.45,
             horizon: float = 0.5, waves: int = 9, swell: float = 1.0, sun: str | None = None,
             sun_pos: tuple[float, float] = (0.7, 0.3), extras: tuple[str, ...] = ()) -> Image.Image:
    """Sky over layered wave bands with foam crests; optional sun/moon path, boat, lighthouse,
    rocks, rain or a beach."""
    hz = int(h * horizon)
    canvas = vertical_gradient(h, w, sky).copy()
    # 1. Light source and clouds.
    if sun:
        sx, sy = w * sun_pos[0], h * sun_pos[1]
        paint(canvas, hex_rgb(sun), glow(h, w, sx, sy, h * 0.25, 1.4) * 0.55)
    colour, mask = _clouds(rng, h, w, hz, cover, cloud_light, cloud_dark)
    paint(canvas, colour, mask)
    if sun:
        paint(canvas, hex_rgb(sun), glow(h, w, sx, sy, h * 0.045, 6.0))
    # 2. The sea: a gradient, then wave bands from the horizon forward with growing swell.
    sea = vertical_gradient(h, w, [(0.0, sea_far), (1.0, sea_near)])
    rows = np.arange(h, dtype=np.float32)
    sea_mask = np.clip(rows - hz + 0.5, 0.0, 1.0)[:, None] * np.ones((1, w), np.float32)
    paint(canvas, sea, sea_mask)
    xs = np.arange(w, dtype=np.float32)
    for i in range(waves):
        t = (i + 1) / waves
        y0 = hz + (h - hz) * t ** 1.5
        amp = swell * (1.5 + 16.0 * t ** 2)
        k = 2 * np.pi / (w * (0.5 - 0.35 * t) + 30) * rng.uniform(0.8, 1.2)
        ys = y0 + amp * (0.6 * np.sin(xs * k + rng.uniform(0, 6.3)) + 0.4 * fbm_line(rng, w, 6))
        band = below_curve(h, ys, softness=1.2)
        tone = mix(hex_rgb(sea_far), hex_rgb(sea_near), min(1.0, t + 0.1))
        tone = tone * rng.uniform(0.82, 1.08)
        paint(canvas, tone, band * 0.55)
        crest = band - below_curve(h, ys + 1.5 + 5.0 * t * swell, softness=1.2)
        broken = fbm(rng, h, w, cells=12 + 20 * (1 - t), octaves=2)
        paint(canvas, hex_rgb(foam), np.clip(crest, 0, 1) * np.clip((broken - 0.5) * 3, 0, 1) * (0.35 + 0.5 * t))
    # 3. The light's path on the water.
    if sun:
        spread = w * (0.03 + 0.12 * np.maximum(rows[:, None] - hz, 0) / h)
        path = np.exp(-((xs - sx) / spread) ** 2)
        flicker = fbm(rng, h, w, cells=40, octaves=2)
        paint(canvas, hex_rgb(sun), path * sea_mask * np.clip((flicker - 0.45) * 3, 0, 1) * 0.8)
    for extra in extras:
        _SEA_EXTRAS[extra](canvas, rng, hz)
    # 4. Brushwork along the swell, then canvas grain.
    flow = _horizontal_flow(rng, h, w, 0.1)
    brush_strokes(canvas, rng, 2600, length=w * 0.03, width=3, angle=flow, jitter=0.03, alpha=0.5)
    grain(canvas, rng, 0.07)
    vignette(canvas, 0.22)
    return to_image(canvas)


def _lighthouse(canvas: np.ndarray, rng: np.random.Generator, hz: int) -> None:
    h, w, _ = canvas.shape
    x0 = int(w * 0.12)
    def draw(d: ImageDraw.ImageDraw) -> None:
        d.polygon([(0, hz - 6), (w * 0.42, hz - 4), (w * 0.44, hz + 14), (0, hz + 18)], fill=255)
        d.polygon([(x0 - 14, hz - 4), (x0 + 14, hz - 4), (x0 + 8, hz - 110), (x0 - 8, hz - 110)], fill=255)
        d.rectangle([x0 - 11, hz - 126, x0 + 11, hz - 110], fill=255)
        d.polygon([(x0 - 13, hz - 126), (x0 + 13, hz - 126), (x0, hz - 140)], fill=255)
    paint(canvas, hex_rgb("#1c2126"), drawn_mask(w, h, draw, blur=0.8))
    stripes = drawn_mask(w, h, lambda d: [d.rectangle([x0 - 14, hz - 90 + 34 * k, x0 + 14, hz - 76 + 34 * k], fill=255)
                                           for k in range(2)], blur=0.6)
    tower = drawn_mask(w, h, lambda d: d.polygon([(x0 - 14, hz - 4), (x0 + 14, hz - 4), (x0 + 8, hz - 110),
                                                  (x0 - 8, hz - 110)], fill=255))
    paint(canvas, hex_rgb("#8a2e2a"), stripes * tower)
    paint(canvas, hex_rgb("#ffe9a8"), glow(h, w, x0, hz - 118, 28, 1.5) * 0.9)
    beam = drawn_mask(w, h, lambda d: d.polygon([(x0, hz - 118), (w, hz - 190), (w, hz - 120)], fill=255), blur=14)
    paint(canvas, hex_rgb("#fff3c8"), beam * 0.22)


def _sailboat(canvas: np.ndarray, rng: np.random.Generator, hz: int) -> None:
    h, w, _ = canvas.shape
    bx, by = w * rng.uniform(0.25, 0.4), hz + (h - hz) * 0.22
    def draw(d: ImageDraw.ImageDraw) -> None:
        d.polygon([(bx - 22, by), (bx + 26, by), (bx + 18, by + 7), (bx - 16, by + 7)], fill=255)
        d.line([(bx, by), (bx, by - 52)], fill=255, width=2)
    paint(canvas, hex_rgb("#2b2622"), drawn_mask(w, h, draw, blur=0.6))
    sail = drawn_mask(w, h, lambda d: d.polygon([(bx + 2, by - 50), (bx + 2, by - 4), (bx + 28, by - 6)],
                                                fill=255), 0.6)
    paint(canvas, hex_rgb("#f1e6d2"), sail)
    jib = drawn_mask(w, h, lambda d: d.polygon([(bx - 2, by - 44), (bx - 2, by - 5), (bx - 20, by - 5)], fill=255), 0.6)
    paint(canvas, hex_rgb("#c9543a"), jib)


def _rocks(canvas: np.ndarray, rng: np.random.Generator, hz: int) -> None:
    h, w, _ = canvas.shape
    def draw(d: ImageDraw.ImageDraw) -> None:
        for cx in (w * 0.82, w * 0.93, w * 0.7):
            d.polygon(blob_polygon(rng, cx, h * 0.93, w * rng.uniform(0.06, 0.12), h * 0.09, wobble=0.4), fill=255)
    rocks = drawn_mask(w, h, draw, blur=1.2)
    texture = fbm(rng, h, w, cells=20, octaves=3)[..., None]
    paint(canvas, hex_rgb("#1e1b1a") * (0.7 + 0.8 * texture), rocks)


def _rain(canvas: np.ndarray, rng: np.random.Generator, hz: int) -> None:
    h, w, _ = canvas.shape
    def draw(d: ImageDraw.ImageDraw) -> None:
        for _ in range(900):
            x, y = rng.uniform(-40, w), rng.uniform(0, h)
            d.line([(x, y), (x + 6, y + 26)], fill=int(rng.uniform(60, 160)), width=1)
    paint(canvas, hex_rgb("#c8d0d4"), drawn_mask(w, h, draw, blur=0.7) * 0.45)


def _beach(canvas: np.ndarray, rng: np.random.Generator, hz: int) -> None:
    h, w, _ = canvas.shape
    xs = np.arange(w, dtype=np.float32)
    shore = h * 0.8 + 18 * fbm_line(rng, w, 3) - xs * 0.08
    sand = below_curve(h, shore, 2.0)
    texture = fbm(rng, h, w, cells=60, octaves=3)[..., None]
    paint(canvas, hex_rgb("#e6cf9e") * (0.9 + 0.2 * texture), sand)
    wet = sand - below_curve(h, shore + 10, 3.0)
    paint(canvas, hex_rgb("#f7f4ea"), np.clip(wet, 0, 1) * 0.8)


_SEA_EXTRAS = {"lighthouse": _lighthouse, "sailboat": _sailboat, "rocks": _rocks, "rain": _rain,
               "beach": _beach}


def sunset_landscape(rng: np.random.Generator, w: int, h: int, *, sky: ColourStops, sun: str,
                     hills: tuple[str, str], haze: str, sun_pos: tuple[float, float] = (0.6, 0.55),
                     ridges: int = 5, roughness: float = 1.0, mesas: bool = False,
                     lake: bool = False, tree: bool = False, birds: int = 0) -> Image.Image:
    """Warm sky and a low sun behind receding hill silhouettes (far: hazy, near: dark)."""
    canvas = vertical_gradient(h, w, sky).copy()
    sx, sy = w * sun_pos[0], h * sun_pos[1]
    paint(canvas, hex_rgb(sun), glow(h, w, sx, sy, h * 0.45, 1.2) * 0.6)
    colour, mask = _clouds(rng, h, w, int(h * 0.6), 0.35, "#ffc58a", "#b4577a", stretch=6)
    paint(canvas, colour, mask * 0.85)
    paint(canvas, hex_rgb("#fff4d6"), glow(h, w, sx, sy, h * 0.07, 8.0))
    xs = np.arange(w, dtype=np.float32)
    base = h * 0.5
    for i in range(ridges):
        t = i / max(ridges - 1, 1)
        y0 = base + (h - base) * (0.12 + 0.7 * t ** 1.3)
        amp = roughness * h * (0.05 + 0.06 * (1 - t))
        profile = fbm_line(rng, w, cells=2 + 2 * t, octaves=4)
        if mesas:
            profile = np.minimum(profile, 0.15 + 0.2 * (1 - t))
        ys = y0 - amp * profile - h * 0.03
        tone = mix(mix(hex_rgb(haze), hex_rgb(hills[0]), 0.35), hex_rgb(hills[1]), t)
        layer = below_curve(h, ys, softness=1.0 + 2.0 * (1 - t))
        rim = layer - below_curve(h, ys + 3, softness=1.0)
        paint(canvas, tone, layer)
        paint(canvas, hex_rgb(sun), np.clip(rim, 0, 1) * 0.5 * (1 - t))
        # atmospheric haze settles in the valleys behind each ridge
        valley = np.clip((np.arange(h)[:, None] - ys[None, :]) / (h * 0.12), 0, 1)
        paint(canvas, hex_rgb(haze), layer * (1 - valley) * 0.25 * (1 - t))
    if lake:
        _lake(canvas, rng, int(h * 0.78))
    if tree:
        _lone_tree(canvas, rng, w * 0.78, h * 0.86, h * 0.3)
    if birds:
        _birds(canvas, rng, birds, (sx, sy))
    flow = _horizontal_flow(rng, h, w, 0.08)
    brush_strokes(canvas, rng, 2400, length=w * 0.035, width=3, angle=flow, jitter=0.025, alpha=0.5)
    grain(canvas, rng, 0.06)
    vignette(canvas, 0.28)
    return to_image(canvas)


def _lake(canvas: np.ndarray, rng: np.random.Generator, y: int) -> None:
    h, w, _ = canvas.shape
    mirrored = canvas[max(0, 2 * y - h):y][::-1]
    rows = mirrored.shape[0]
    ripple = (np.sin(np.arange(rows) * 0.9) * 3).astype(int)
    shifted = np.stack([np.roll(mirrored[r], ripple[r], axis=0) for r in range(rows)])
    region = canvas[y:y + rows]
    region[:] = mix(shifted, hex_rgb("#1b1030"), 0.35)
    edge = drawn_mask(w, h, lambda d: d.line([(0, y), (w, y)], fill=255, width=2), 1.0)
    paint(canvas, hex_rgb("#ffd9a0"), edge * 0.5)


def _lone_tree(canvas: np.ndarray, rng: np.random.Generator, x: float, y: float, size: float) -> None:
    h, w, _ = canvas.shape
    def branch(d: ImageDraw.ImageDraw, x0: float, y0: float, length: float, angle: float, width: float) -> None:
        x1, y1 = x0 + length * np.cos(angle), y0 - length * np.sin(angle)
        d.line([(x0, y0), (x1, y1)], fill=255, width=max(1, int(width)))
        if length > 7:
            for turn in (rng.uniform(0.25, 0.6), -rng.uniform(0.25, 0.6)):
                branch(d, x1, y1, length * rng.uniform(0.62, 0.78), angle + turn, width * 0.68)
    def draw(d: ImageDraw.ImageDraw) -> None:
        branch(d, x, y, size * 0.35, np.pi / 2, size * 0.06)
        for _ in range(26):
            cx, cy = x + rng.normal(0, size * 0.28), y - size * rng.uniform(0.55, 1.0)
            d.polygon(blob_polygon(rng, cx, cy, size * 0.1, size * 0.07, wobble=0.4), fill=255)
    paint(canvas, hex_rgb("#130a14"), drawn_mask(w, h, draw, blur=0.9))


def _birds(canvas: np.ndarray, rng: np.random.Generator, count: int, near: tuple[float, float]) -> None:
    h, w, _ = canvas.shape
    def draw(d: ImageDraw.ImageDraw) -> None:
        for _ in range(count):
            bx, by = near[0] + rng.normal(0, w * 0.12), near[1] - rng.uniform(h * 0.1, h * 0.35)
            s = rng.uniform(4, 9)
            d.line([(bx - s, by - s * 0.4), (bx, by), (bx + s, by - s * 0.5)], fill=255, width=2)
    paint(canvas, hex_rgb("#2a1526"), drawn_mask(w, h, draw, blur=0.5) * 0.9)


def forest(rng: np.random.Generator, w: int, h: int, *, light: ColourStops, layers: tuple[str, ...],
           fog: str, ground: str, kind: str = "pines", foliage: tuple[str, ...] = (),
           rays: float = 0.3, trunks: str = "#3a2a1e") -> Image.Image:
    """Receding rows of trees in mist: far rows pale and blurred, near rows dark and crisp, light
    shafts through the canopy, leaf dabs in front. ``kind``: pines, birches or broadleaf."""
    canvas = vertical_gradient(h, w, light).copy()
    trees = np.zeros((h, w), np.float32)
    n = len(layers)
    for i, tone in enumerate(layers):
        t = i / max(n - 1, 1)
        mask = drawn_mask(w, h, lambda d: _tree_row(d, rng, w, h, t, kind), blur=3.5 * (1 - t) + 0.7)
        texture = fbm(rng, h, w, cells=10 + 20 * t, octaves=3)[..., None]
        colour = mix(hex_rgb(fog), hex_rgb(tone), 0.45 + 0.55 * t) * (0.8 + 0.4 * texture)
        paint(canvas, colour, mask)
        np.maximum(trees, mask, out=trees)
        if i < n - 1:
            paint(canvas, hex_rgb(fog), 0.12 * (1 - t))  # mist veils what lies behind
    if rays:
        beams = [[(x, 0), (x + w * 0.06, 0), (x + w * 0.4, h), (x + w * 0.28, h)]
                 for x in rng.uniform(-0.2 * w, 0.7 * w, 4)]
        shafts = drawn_mask(w, h, lambda d: [d.polygon(b, fill=255) for b in beams], blur=16)
        paint(canvas, hex_rgb("#fff8d8"), shafts * rays)
    rows = np.arange(h, dtype=np.float32)
    floor = np.clip((rows - h * 0.86) / (h * 0.05), 0, 1)[:, None] * np.ones((1, w), np.float32)
    paint(canvas, hex_rgb(ground) * (0.8 + 0.4 * fbm(rng, h, w, 30, 3))[..., None], floor)
    if kind == "birches":
        _birch_trunks(canvas, rng)
    for colour_code in foliage:  # leaf dabs in clumps over the canopy
        clumps = np.clip((fbm(rng, h, w, cells=7, octaves=3) - 0.45) * 3, 0, 1) * trees * (1 - floor)
        leaves = np.full_like(canvas, hex_rgb(colour_code))
        angle = (fbm(rng, h, w, 4, 2) * 2 * np.pi).astype(np.float32)
        brush_strokes(leaves, rng, 900, length=8, width=6, angle=angle, jitter=0.09, alpha=0.9, mask=clumps)
        paint(canvas, leaves, clumps * 0.8)
    angle = (np.pi / 2 + (fbm(rng, h, w, 5, 2) - 0.5)).astype(np.float32)
    brush_strokes(canvas, rng, 2600, length=h * 0.03, width=3, angle=angle, jitter=0.04, alpha=0.5)
    grain(canvas, rng, 0.08)
    vignette(canvas, 0.3)
    return to_image(canvas)


def _tree_row(d: ImageDraw.ImageDraw, rng: np.random.Generator, w: int, h: int, t: float, kind: str) -> None:
    """One row of trees at depth ``t`` (0 far, 1 near): smaller and denser far away."""
    base = h * (0.55 + 0.33 * t)
    height = h * (0.18 + 0.55 * t)
    spacing = w * (0.035 + 0.09 * t)
    x = rng.uniform(-spacing, 0)
    while x < w + spacing:
        th = height * rng.uniform(0.7, 1.2)
        if kind == "pines":
            half = th * 0.22
            for tier in range(4):  # stacked tiers make the spruce outline
                top = base - th + tier * th * 0.2
                d.polygon([(x, top), (x - half * (0.45 + 0.2 * tier), top + th * 0.38),
                           (x + half * (0.45 + 0.2 * tier), top + th * 0.38)], fill=255)
            d.rectangle([x - th * 0.015, base - th * 0.2, x + th * 0.015, base + h * 0.05], fill=255)
        else:
            d.rectangle([x - th * 0.02, base - th * 0.6, x + th * 0.02, base + h * 0.05], fill=255)
            for _ in range(9):
                cx, cy = x + rng.normal(0, th * 0.14), base - th * rng.uniform(0.55, 0.95)
                d.polygon(blob_polygon(rng, cx, cy, th * 0.14, th * 0.11, wobble=0.5), fill=255)
        d.rectangle([x - spacing, base, x + spacing, h], fill=255)
        x += spacing * rng.uniform(0.6, 1.3)


def _birch_trunks(canvas: np.ndarray, rng: np.random.Generator) -> None:
    """White birch trunks, rounded by light from the left, with black bark marks."""
    h, w, _ = canvas.shape
    xs = np.arange(w, dtype=np.float32)
    for x in rng.uniform(0.05, 0.95, 7) * w:
        width = rng.uniform(8, 18)
        outline = [(x - width / 2, h), (x + width / 2, h), (x + width * 0.3, 0), (x - width * 0.3, 0)]
        trunk = drawn_mask(w, h, lambda d: d.polygon(outline, fill=255), blur=1.0)
        across = np.clip((xs - x) / (width / 2), -1, 1)
        paint(canvas, hex_rgb("#ece6da")[None, None, :] * (0.9 - 0.3 * across)[None, :, None], trunk)
        marks = [(x - width * rng.uniform(0.1, 0.5), y, x + width * rng.uniform(0.0, 0.4), y + rng.uniform(2, 5))
                 for y in rng.uniform(0, h, 26)]
        bark = drawn_mask(w, h, lambda d: [d.rectangle(m, fill=255) for m in marks], blur=0.6)
        paint(canvas, hex_rgb("#22201c"), bark * trunk)
