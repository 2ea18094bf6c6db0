"""Ink sketches: black-and-white line drawings with hatching, usable as canvas sketches.

A scene is first described as a tone map (0 = darkest, 1 = paper) with simple lighting; then
hatching layers are laid where the tone is dark enough: a first diagonal layer in the half-tones,
a cross-hatch in the shadows, a third direction in the deepest darks, the way an etcher builds
value. Contours are drawn twice with a slight wobble, like a confident pen.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from PIL import Image, ImageDraw

from ragart_desktop.core.demo.raster import blur, drawn_mask, fbm, fbm_line, grain, hex_rgb, to_image

_LIGHT = np.array([-0.5, -0.65, 0.58], np.float32) / np.linalg.norm([-0.5, -0.65, 0.58])
# (angle, spacing px, tone below which the layer appears)
_HATCH_LAYERS = ((np.pi / 4, 5.0, 0.72), (-np.pi / 4, 5.0, 0.48), (0.0, 4.0, 0.28), (np.pi / 2.6, 3.5, 0.14))


def ink_sketch(rng: np.random.Generator, w: int, h: int, *, subject: str, paper: str = "#f4efe4",
               ink: str = "#1b1a1f") -> Image.Image:
    tone, contours = _SUBJECTS[subject](rng, w, h)
    tone = np.clip(tone + (fbm(rng, h, w, cells=10, octaves=3) - 0.5) * 0.12, 0.0, 1.0)
    lines = hatching(rng, tone) if subject != "flow field" else np.zeros((h, w), np.float32)
    lines = np.maximum(lines, contours)
    canvas = np.full((h, w, 3), hex_rgb(paper), np.float32)
    canvas -= (hex_rgb(paper) - hex_rgb(ink)) * lines[..., None] * 0.92
    grain(canvas, rng, 0.06, cells=150)
    return to_image(canvas)


def hatching(rng: np.random.Generator, tone: np.ndarray) -> np.ndarray:
    """Ink coverage (0..1) from hatching layers gated by tone thresholds."""
    h, w = tone.shape
    ink = np.zeros((h, w), np.float32)
    for angle, spacing, threshold in _HATCH_LAYERS:
        layer = drawn_mask(w, h, lambda d: _parallel_lines(d, rng, w, h, angle, spacing), blur=0.5)
        gate = np.clip((threshold - tone) / 0.06, 0.0, 1.0)
        np.maximum(ink, layer * gate, out=ink)
    return ink


def _parallel_lines(d: ImageDraw.ImageDraw, rng: np.random.Generator, w: int, h: int, angle: float,
                    spacing: float) -> None:
    diag = float(np.hypot(w, h))
    ux, uy = np.cos(angle), np.sin(angle)      # along the stroke
    nx, ny = -uy, ux                           # across the strokes
    cx, cy = w / 2, h / 2
    ts = np.linspace(-diag / 2, diag / 2, 14)
    for offset in np.arange(-diag / 2, diag / 2, spacing):
        wobble = rng.normal(0, 0.5, len(ts))
        off = offset + rng.normal(0, spacing * 0.12)
        pts = [(cx + nx * (off + e) + ux * t, cy + ny * (off + e) + uy * t) for t, e in zip(ts, wobble)]
        d.line(pts, fill=255, width=1)


def _pen(w: int, h: int, outlines: list[list[tuple[float, float]]], rng: np.random.Generator,
         width: int = 2) -> np.ndarray:
    """Contour lines drawn twice with a little wobble."""
    def draw(d: ImageDraw.ImageDraw) -> None:
        for pts in outlines:
            for _ in range(2):
                jitter = [(x + rng.normal(0, 0.7), y + rng.normal(0, 0.7)) for x, y in pts]
                d.line(jitter, fill=255, width=width)
    return drawn_mask(w, h, draw, blur=0.5)


def _revolve(tone: np.ndarray, cx: float, top: float, bottom: float,
             radius: Callable[[np.ndarray], np.ndarray]) -> list[tuple[float, float]]:
    """Shade a solid of revolution (vase, fruit, ball) with Lambert light into ``tone``; returns its outline."""
    h, w = tone.shape
    ys = np.arange(int(top), int(bottom) + 1, dtype=np.float32)
    t = (ys - top) / (bottom - top)
    r = np.maximum(radius(t), 1e-3)
    dr = np.gradient(r, ys) if len(ys) > 1 else np.zeros_like(r)
    xs = np.arange(w, dtype=np.float32)
    rel = (xs[None, :] - cx) / r[:, None]
    inside = np.abs(rel) < 1.0
    nz = np.sqrt(np.clip(1 - rel ** 2, 0, 1))
    n = np.stack([rel, -dr[:, None] * nz, nz], axis=-1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    lambert = np.clip(n @ _LIGHT, 0.0, 1.0)
    region = tone[int(top):int(top) + len(ys)]  # a view: writes shade the tone map
    k = region.shape[0]
    region[inside[:k]] = (0.08 + 0.92 * lambert[:k] ** 0.8)[inside[:k]]
    left = [(cx - ri, y) for ri, y in zip(r, ys)]
    right = [(cx + ri, y) for ri, y in zip(r, ys)]
    return left[::-1] + right if len(ys) else []


def _shadow(tone: np.ndarray, cx: float, cy: float, rx: float, ry: float) -> None:
    h, w = tone.shape
    mask = drawn_mask(w, h, lambda d: d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=255), blur=6)
    tone *= 1.0 - 0.55 * mask


def _table(w: int, h: int, edge: float) -> np.ndarray:
    tone = np.full((h, w), 0.93, np.float32)
    tone[int(edge):] = 0.66
    return tone


def _spheres(rng: np.random.Generator, w: int, h: int):
    edge = h * 0.62
    tone = _table(w, h, edge)
    outlines = [[(0, edge), (w, edge)]]
    balls = sorted(((w * x, h * (0.62 + 0.18 * z), w * r) for x, z, r in
                    zip(rng.uniform(0.22, 0.78, 3), (0.05, 0.3, 0.55), (0.16, 0.12, 0.09))), key=lambda b: b[1])
    for cx, base, r in balls:
        _shadow(tone, cx + r * 0.9, base, r * 1.2, r * 0.3)
        ball = lambda t, r=r: np.sqrt(np.clip(1 - (2 * t - 1) ** 2, 0, 1)) * r  # noqa: E731
        outlines.append(_revolve(tone, cx, base - 2 * r, base, ball))
    return tone, _pen(w, h, outlines, rng)


def _jug_and_pears(rng: np.random.Generator, w: int, h: int):
    edge = h * 0.6
    tone = _table(w, h, edge)
    outlines = [[(0, edge), (w, edge)]]
    jx, jbase = w * 0.4, h * 0.78
    _shadow(tone, jx + w * 0.15, jbase, w * 0.2, h * 0.04)
    jug = lambda t: w * (0.06 + 0.1 * np.sin(np.pi * (0.15 + 0.8 * t)) ** 1.5 + 0.03 * (t < 0.12))
    outlines.append(_revolve(tone, jx, h * 0.25, jbase, jug))
    handle = [(0.08, 0.33), (0.2, 0.36), (0.21, 0.5), (0.15, 0.6)]
    outlines.append([(jx + w * x, h * y) for x, y in handle])
    for px, pbase, s in ((w * 0.72, h * 0.86, 1.0), (w * 0.6, h * 0.92, 0.85)):
        _shadow(tone, px + w * 0.07 * s, pbase, w * 0.09 * s, h * 0.025)
        def pear(t: np.ndarray, s: float = s) -> np.ndarray:  # a narrow neck swelling into a round belly
            neck = 0.05 * np.sqrt(np.clip(np.sin(np.pi * t * 0.9 + 0.1), 0, 1))
            belly = 0.09 * np.clip(t - 0.45, 0, 1) * np.sin(np.pi * t)
            return w * s * (neck + belly)

        outlines.append(_revolve(tone, px, pbase - h * 0.22 * s, pbase, pear))
        outlines.append([(px, pbase - h * 0.22 * s), (px + 4, pbase - h * 0.26 * s)])
    return tone, _pen(w, h, outlines, rng)


def _mountains(rng: np.random.Generator, w: int, h: int):
    """Four ridges, far to near: slopes facing the light stay white, the others are hatched;
    far ridges are paler; each ridge line is drawn only where no nearer ridge hides it."""
    xs = np.arange(w, dtype=np.float32)
    profiles = [h * (0.32 + 0.36 * t) - h * (0.15 - 0.07 * t) * fbm_line(rng, w, 2 + i, 4)
                for i, t in enumerate(np.linspace(0, 1, 4))]
    tone = np.full((h, w), 0.97, np.float32)
    rows = np.arange(h, dtype=np.float32)[:, None]
    outlines = []
    for i, profile in enumerate(profiles):
        t = i / 3
        slope = np.convolve(np.gradient(profile), np.ones(25) / 25, mode="same")
        lit = np.clip(0.5 - slope * 0.9, 0.08, 0.95) + 0.2 * (1 - t)  # slopes rising rightwards face the light
        mist = np.clip((rows - profile[None, :]) / (h * 0.22), 0, 1) * 0.45  # valleys fade into mist
        tone = np.where(rows > profile[None, :], lit[None, :] + mist, tone)
        hidden_by = np.min(profiles[i + 1:], axis=0) if i < 3 else np.full(w, np.inf)
        visible = profile < hidden_by - 1
        run: list[tuple[float, float]] = []
        for x in range(0, w, 3):
            if visible[x]:
                run.append((float(xs[x]), float(profile[x])))
            elif run:
                outlines.append(run)
                run = []
        if len(run) > 1:
            outlines.append(run)
    return np.clip(tone, 0, 1).astype(np.float32), _pen(w, h, [o for o in outlines if len(o) > 1], rng, width=2)


def _winter_oak(rng: np.random.Generator, w: int, h: int):
    tone = np.full((h, w), 0.96, np.float32)
    ground = h * 0.82
    tone[int(ground):] = 0.62
    segments: list[tuple[float, float, float, float, float]] = []

    def grow(x: float, y: float, length: float, angle: float, width: float, depth: int) -> None:
        x1, y1 = x + length * np.cos(angle), y - length * np.sin(angle)
        segments.append((x, y, x1, y1, width))
        if depth < 8 and length > 6:
            for _ in range(2 if depth > 1 else 3):
                grow(x1, y1, length * rng.uniform(0.62, 0.8), angle + rng.uniform(-0.65, 0.65), width * 0.66, depth + 1)

    grow(w * 0.5, ground, h * 0.2, np.pi / 2 + rng.normal(0, 0.05), w * 0.05, 0)
    def draw(d: ImageDraw.ImageDraw) -> None:
        for x0, y0, x1, y1, width in segments:
            d.line([(x0, y0), (x1, y1)], fill=255, width=max(1, int(width)))
    bark = drawn_mask(w, h, draw, blur=0.5)
    shade = drawn_mask(w, h, lambda d: [d.line([(x0 + width * 0.25, y0), (x1 + width * 0.25, y1)], fill=255,
                                               width=max(1, int(width * 0.5)))
                                        for x0, y0, x1, y1, width in segments if width > 3], blur=0.5)
    tone = np.where(shade > 0.5, 0.1, tone).astype(np.float32)
    horizon = [[(0, ground), (w, ground)], [(w * 0.1, ground + 12), (w * 0.35, ground + 14)]]
    return tone, np.maximum(bark * (1 - shade), _pen(w, h, horizon, rng))


def _flow_field(rng: np.random.Generator, w: int, h: int):
    """Streamlines through a smooth noise field: an abstract ink doodle."""
    field = fbm(rng, h, w, cells=3, octaves=3) * 4 * np.pi
    density = blur(fbm(rng, h, w, cells=2, octaves=2), 4)
    def draw(d: ImageDraw.ImageDraw) -> None:
        for _ in range(420):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            if rng.random() > density[int(y), int(x)] * 1.3:
                continue
            pts = [(x, y)]
            for _ in range(60):
                a = field[int(y) % h, int(x) % w]
                x, y = x + 3 * np.cos(a), y + 3 * np.sin(a)
                if not (0 <= x < w and 0 <= y < h):
                    break
                pts.append((x, y))
            d.line(pts, fill=255, width=1 if rng.random() < 0.8 else 2)
    return np.ones((h, w), np.float32), drawn_mask(w, h, draw, blur=0.5)


_SUBJECTS = {"spheres": _spheres, "jug and pears": _jug_and_pears, "mountains": _mountains,
             "winter oak": _winter_oak, "flow field": _flow_field}
