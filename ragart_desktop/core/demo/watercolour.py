"""Watercolour flowers: transparent pastel glazes on textured paper.

Watercolour is subtractive: each wash multiplies the paper by its colour, so overlaps darken. A
wash bleeds (its outline is blurred and eaten by noise), pools pigment at its edges (the darker rim
of a drying wash) and granulates (pigment settles in the paper's tooth).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ragart_desktop.core.demo.raster import blob_polygon, blur, fbm, grain, hex_rgb, to_image


class _Paper:
    """The sheet plus the noise fields every wash on it shares (computed once: fast)."""

    def __init__(self, rng: np.random.Generator, w: int, h: int, colour: str):
        self.rng, self.w, self.h = rng, w, h
        self.canvas = np.full((h, w, 3), hex_rgb(colour), np.float32)
        self.bleed = fbm(rng, h, w, cells=9, octaves=4) - 0.5
        self.tooth = fbm(rng, h, w, cells=70, octaves=2)

    def wash(self, colour: str, draw, strength: float = 0.55, spread: float = 5.0) -> None:
        """Glaze ``colour`` through the shape drawn by ``draw`` (a PIL drawing callable)."""
        shape = Image.new("L", (self.w, self.h), 0)
        draw(ImageDraw.Draw(shape))
        bbox = shape.getbbox()
        if bbox is None:
            return
        margin = int(3 * spread + 10)  # work only around the shape: most washes are small
        x0, y0 = max(0, bbox[0] - margin), max(0, bbox[1] - margin)
        x1, y1 = min(self.w, bbox[2] + margin), min(self.h, bbox[3] + margin)
        region = shape.crop((x0, y0, x1, y1)).filter(ImageFilter.GaussianBlur(spread))
        soft = np.asarray(region, np.float32) / 255.0
        dy, dx = (int(v) for v in self.rng.integers(0, 400, 2))
        ragged = np.roll(self.bleed, (dy, dx), axis=(0, 1))[y0:y1, x0:x1]
        m = np.clip((soft + 0.45 * ragged - 0.35) / 0.3, 0.0, 1.0)
        rim = np.clip(m - blur(m, 2.5), 0.0, 1.0) * 1.6  # pigment pools where the wash dries
        alpha = np.clip(m * strength * (0.75 + 0.5 * self.tooth[y0:y1, x0:x1]) + rim * strength, 0.0, 0.95)
        self.canvas[y0:y1, x0:x1] *= 1.0 - alpha[..., None] * (1.0 - hex_rgb(colour))

    def wash_polygons(self, colour: str, polygons: list[list[tuple[float, float]]], strength: float,
                      spread: float) -> None:
        self.wash(colour, lambda d: [d.polygon(p, fill=255) for p in polygons], strength, spread)

    def wash_lines(self, colour: str, lines: list[list[tuple[float, float]]], width: int, strength: float,
                   spread: float) -> None:
        self.wash(colour, lambda d: [d.line(line, fill=255, width=width) for line in lines], strength, spread)


def _petal(rng: np.random.Generator, hx: float, hy: float, angle: float, reach: float, rx: float, ry: float,
           wobble: float) -> list[tuple[float, float]]:
    """A petal outline pointing out from the flower centre at ``angle``."""
    return blob_polygon(rng, hx + np.cos(angle) * reach, hy + np.sin(angle) * reach, rx, ry, angle=angle,
                        wobble=wobble)


def watercolour_flowers(rng: np.random.Generator, w: int, h: int, *, paper: str, petals: tuple[str, ...],
                        centre: str, leaf: str, flowers: int = 3, petal_count: int = 6,
                        petal_size: float = 0.11, shape: str = "round", background: str | None = None) -> Image.Image:
    """A few flowers on stems with leaves; ``shape``: round (peony, rose), cup (poppy),
    cluster (lilac sprays) or face (pansy)."""
    sheet = _Paper(rng, w, h, paper)
    if background:
        wash = blob_polygon(rng, w * 0.5, h * 0.55, w * 0.45, h * 0.4, wobble=0.5)
        sheet.wash_polygons(background, [wash], strength=0.22, spread=30)
    heads = [(w * x, h * y) for x, y in zip(np.linspace(0.25, 0.75, flowers) + rng.normal(0, 0.05, flowers),
                                            rng.uniform(0.22, 0.5, flowers))]
    base = (w * rng.uniform(0.4, 0.6), h * 1.02)
    for hx, hy in heads:  # stems and leaves first: the blossoms glaze over them
        bend = rng.normal(0, w * 0.08)
        stem = [(base[0] + (hx - base[0]) * t + bend * np.sin(np.pi * t), base[1] + (hy - base[1]) * t)
                for t in np.linspace(0, 1, 24)]
        sheet.wash_lines(leaf, [stem], width=5, strength=0.7, spread=1.2)
        for t in rng.uniform(0.2, 0.7, 2):
            px, py = stem[int(t * 23)]
            side = rng.choice([-1, 1])
            blade = blob_polygon(rng, px + side * w * 0.06, py, w * 0.07, h * 0.022,
                                 angle=side * rng.uniform(0.3, 0.7), wobble=0.2)
            sheet.wash_polygons(leaf, [blade], strength=0.6, spread=2.5)
    for k, (hx, hy) in enumerate(heads):
        colour = petals[k % len(petals)]
        size = w * petal_size * rng.uniform(0.8, 1.2)
        _BLOSSOMS[shape](sheet, rng, hx, hy, size, colour, petals, petal_count)
        if shape != "cluster":
            r = size * 0.22
            sheet.wash(centre, lambda d: d.ellipse((hx - r, hy - r, hx + r, hy + r), fill=255), 0.8, 2)
    _splatter(sheet, rng, petals + (leaf,))
    grain(sheet.canvas, rng, 0.05, cells=160)
    return to_image(sheet.canvas)


Blossom = Callable[[_Paper, np.random.Generator, float, float, float, str, tuple[str, ...], int], None]


def _round(sheet: _Paper, rng: np.random.Generator, hx: float, hy: float, size: float, colour: str,
           palette: tuple[str, ...], count: int) -> None:
    """Peony or rose: rings of overlapping round petals, outer to inner."""
    for ring, scale in enumerate((1.0, 0.7, 0.45)):
        angles = np.linspace(0, 2 * np.pi, count, endpoint=False) + ring * 0.5 + rng.uniform(0, 1)
        for group in (angles[0::2], angles[1::2]):  # alternate petals in two washes so they overlap
            petals = [_petal(rng, hx, hy, a, size * 0.55 * scale, size * 0.55 * scale, size * 0.38 * scale, 0.25)
                      for a in group]
            sheet.wash_polygons(colour, petals, strength=0.35, spread=3.5)


def _cup(sheet: _Paper, rng: np.random.Generator, hx: float, hy: float, size: float, colour: str,
         palette: tuple[str, ...], count: int) -> None:
    """Poppy: four broad petals and a dark centre with stamens."""
    for a in np.linspace(0, 2 * np.pi, 4, endpoint=False) + rng.uniform(0, 1):
        sheet.wash_polygons(colour, [_petal(rng, hx, hy, a, size * 0.6, size * 0.85, size * 0.7, 0.35)], 0.42, 4)
    r = size * 0.3
    stamens = [[(hx, hy), (hx + np.cos(a) * r, hy + np.sin(a) * r)] for a in np.linspace(0, 2 * np.pi, 14)]
    sheet.wash_lines("#2a2438", stamens, width=2, strength=0.8, spread=0.8)


def _cluster(sheet: _Paper, rng: np.random.Generator, hx: float, hy: float, size: float, colour: str,
             palette: tuple[str, ...], count: int) -> None:
    """A cone of tiny florets: lilac or buddleia."""
    for tone in palette[:2]:
        def draw(d: ImageDraw.ImageDraw) -> None:
            for _ in range(55):
                t = rng.uniform(0, 1)
                fx = hx + rng.normal(0, size * 0.55 * (1 - t * 0.7))
                fy = hy - size * 1.6 * t + size * 0.6
                r = size * rng.uniform(0.08, 0.16)
                d.ellipse((fx - r, fy - r, fx + r, fy + r), fill=255)
        sheet.wash(tone, draw, strength=0.38, spread=2.5)


def _face(sheet: _Paper, rng: np.random.Generator, hx: float, hy: float, size: float, colour: str,
          palette: tuple[str, ...], count: int) -> None:
    """Pansy: two upper petals, three lower ones in a second colour, dark whiskers."""
    lower = palette[(palette.index(colour) + 1) % len(palette)]
    for a in (-2.2, -0.95):
        sheet.wash_polygons(colour, [_petal(rng, hx, hy, a, size * 0.6, size * 0.7, size * 0.55, 0.2)], 0.5, 3)
    for a in (0.5, np.pi / 2, np.pi - 0.5):
        sheet.wash_polygons(lower, [_petal(rng, hx, hy, a, size * 0.55, size * 0.6, size * 0.5, 0.2)], 0.45, 3)
    reach = size * 0.45
    whiskers = [[(hx, hy), (hx + np.cos(a) * reach, hy + np.sin(a) * reach)] for a in np.linspace(0.3, np.pi - 0.3, 7)]
    sheet.wash_lines("#3b1f4a", whiskers, width=2, strength=0.7, spread=1)


def _splatter(sheet: _Paper, rng: np.random.Generator, colours: tuple[str, ...]) -> None:
    for colour in colours[:3]:
        pts = [(rng.uniform(0, sheet.w), rng.uniform(0, sheet.h), rng.uniform(1, 4)) for _ in range(14)]
        sheet.wash(colour, lambda d: [d.ellipse((x - r, y - r, x + r, y + r), fill=255) for x, y, r in pts], 0.6, 0.8)


_BLOSSOMS: dict[str, Blossom] = {"round": _round, "cup": _cup, "cluster": _cluster, "face": _face}
