"""Abstract geometric style: grids in primaries (after Mondrian), circles, triangles and lines on
a warm ground (after Kandinsky), nested squares (after Albers) and a patchwork of coloured tiles
(after Klee). Flat colour, slightly uneven paint, visible canvas."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ragart_desktop.core.demo.raster import disc, drawn_mask, fbm, grain, hex_rgb, mix, paint, to_image

Box = tuple[float, float, float, float]


def _flat(canvas: np.ndarray, rng: np.random.Generator, colour: str, mask: np.ndarray,
          unevenness: float = 0.08) -> None:
    """Flat paint that is not quite flat: a faint mottling like hand-laid colour."""
    h, w, _ = canvas.shape
    mottle = fbm(rng, h, w, cells=14, octaves=3)[..., None]
    paint(canvas, hex_rgb(colour) * (1 - unevenness / 2 + unevenness * mottle), mask)


def abstract_geometric(rng: np.random.Generator, w: int, h: int, *, layout: str, ground: str,
                       palette: tuple[str, ...], ink: str = "#151515") -> Image.Image:
    canvas = np.full((h, w, 3), hex_rgb(ground), np.float32)
    _flat(canvas, rng, ground, np.ones((h, w), np.float32), 0.1)
    _LAYOUTS[layout](canvas, rng, palette, ink)
    grain(canvas, rng, 0.1, cells=120)
    return to_image(canvas)


def _grid(canvas: np.ndarray, rng: np.random.Generator, palette: tuple[str, ...], ink: str) -> None:
    """Recursive subdivision into rectangles; a few filled with primaries; thick black bars."""
    h, w, _ = canvas.shape
    boxes: list[Box] = []

    def split(box: Box, depth: int) -> None:
        x0, y0, x1, y1 = box
        if depth > 3 or (depth > 1 and rng.random() < 0.3) or min(x1 - x0, y1 - y0) < 70:
            boxes.append(box)
            return
        if (x1 - x0) > (y1 - y0) * rng.uniform(0.7, 1.3):
            cut = x0 + (x1 - x0) * rng.uniform(0.3, 0.7)
            split((x0, y0, cut, y1), depth + 1)
            split((cut, y0, x1, y1), depth + 1)
        else:
            cut = y0 + (y1 - y0) * rng.uniform(0.3, 0.7)
            split((x0, y0, x1, cut), depth + 1)
            split((x0, cut, x1, y1), depth + 1)

    split((0, 0, w, h), 0)
    order = rng.permutation(len(boxes))
    for rank, i in enumerate(order[: len(palette) + 1]):
        colour = palette[rank % len(palette)]
        _flat(canvas, rng, colour, drawn_mask(w, h, lambda d: d.rectangle(boxes[i], fill=255), 0.8))
    bar = int(w * 0.018)
    frames = [(x0 - bar / 2, y0 - bar / 2, x1 + bar / 2, y1 + bar / 2) for x0, y0, x1, y1 in boxes]
    lines = drawn_mask(w, h, lambda d: [d.rectangle(f, outline=255, width=bar) for f in frames], 0.8)
    _flat(canvas, rng, ink, lines, 0.15)


def _circles(canvas: np.ndarray, rng: np.random.Generator, palette: tuple[str, ...], ink: str) -> None:
    """Floating circles with halos, sharp triangles, crossing lines and small checkers."""
    h, w, _ = canvas.shape
    pick = lambda: palette[int(rng.integers(0, len(palette)))]  # noqa: E731
    bx, by = rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h
    r = w * 0.2
    _flat(canvas, rng, palette[1], disc(w, h, bx, by, r * 1.3, blur=12) * 0.7)   # halo
    _flat(canvas, rng, ink, disc(w, h, bx, by, r))                              # the big dark circle
    _flat(canvas, rng, palette[0], disc(w, h, bx - r * 0.1, by - r * 0.25, r * 0.45))
    for _ in range(7):
        cx, cy, rr = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(10, 55)
        _flat(canvas, rng, pick(), disc(w, h, cx, cy, rr) * 0.92)
        if rng.random() < 0.5:
            _flat(canvas, rng, ink, disc(w, h, cx, cy, rr * 1.4, blur=0.6, ring=3))
    for _ in range(3):
        pts = [(rng.uniform(0, w), rng.uniform(0, h)) for _ in range(3)]
        _flat(canvas, rng, pick(), drawn_mask(w, h, lambda d: d.polygon(pts, fill=255), 0.8) * 0.85)

    def strokes(d: ImageDraw.ImageDraw) -> None:
        for _ in range(6):
            x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
            a, length = rng.uniform(0, np.pi), rng.uniform(0.3, 0.8) * w
            end = (x0 + np.cos(a) * length, y0 + np.sin(a) * length)
            d.line([(x0, y0), end], fill=255, width=int(rng.integers(2, 7)))
        for _ in range(2):
            x0, y0, rr = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(40, 120)
            d.arc((x0 - rr, y0 - rr, x0 + rr, y0 + rr), rng.uniform(0, 180), rng.uniform(200, 340), fill=255, width=4)

    _flat(canvas, rng, ink, drawn_mask(w, h, strokes, 0.7))
    cx, cy, s = rng.uniform(0.1, 0.7) * w, rng.uniform(0.6, 0.85) * h, 14
    cells = [(cx + i * s, cy + j * s, cx + (i + 1) * s, cy + (j + 1) * s)
             for i in range(5) for j in range(3) if (i + j) % 2 == 0]
    _flat(canvas, rng, ink, drawn_mask(w, h, lambda d: [d.rectangle(c, fill=255) for c in cells], 0.5))


def _nested_squares(canvas: np.ndarray, rng: np.random.Generator, palette: tuple[str, ...], ink: str) -> None:
    """Squares inside squares, centred low: colour interaction studies."""
    h, w, _ = canvas.shape
    size = min(w, h) * 0.92
    x0, y0 = (w - size) / 2, (h - size) / 2
    for k, colour in enumerate(palette):
        s = size * (1 - 0.2 * k)
        left = x0 + (size - s) / 2
        top = y0 + (size - s) * 0.75  # Albers: the inner squares sit low
        square = drawn_mask(w, h, lambda d: d.rectangle((left, top, left + s, top + s), fill=255), 1.0)
        _flat(canvas, rng, colour, square, 0.06)


def _tiles(canvas: np.ndarray, rng: np.random.Generator, palette: tuple[str, ...], ink: str) -> None:
    """A loose patchwork of warm tiles with soft seams, a sun and a thin ink line through it."""
    h, w, _ = canvas.shape
    cols, rows = 7, 7
    xs = np.sort(np.concatenate([[0, w], rng.uniform(0.05, 0.95, cols - 1) * w]))
    ys = np.sort(np.concatenate([[0, h], rng.uniform(0.05, 0.95, rows - 1) * h]))
    tiles = Image.new("RGB", (w, h), (0, 0, 0))
    seams = Image.new("L", (w, h), 0)
    draw, draw_seams = ImageDraw.Draw(tiles), ImageDraw.Draw(seams)
    for i in range(cols):
        for j in range(rows):
            a, b = (hex_rgb(palette[int(k)]) for k in rng.integers(0, len(palette), 2))
            colour = tuple(int(v * 255) for v in mix(a, b, rng.uniform(0, 0.5)))
            box = (xs[i] + 2, ys[j] + 2, xs[i + 1] - 2, ys[j + 1] - 2)
            draw.rectangle(box, fill=colour)
            draw_seams.rectangle(box, fill=255)
    colours = np.asarray(tiles.filter(ImageFilter.GaussianBlur(1.0)), np.float32) / 255.0
    mask = np.asarray(seams.filter(ImageFilter.GaussianBlur(2.0)), np.float32) / 255.0
    paint(canvas, colours * (0.94 + 0.12 * fbm(rng, h, w, 20, 2)[..., None]), mask)
    cx, cy, r = w * 0.68, h * 0.3, w * 0.08
    _flat(canvas, rng, "#f0b42a", disc(w, h, cx, cy, r, blur=1.0))
    path = [(x, h * 0.72 + np.sin(x / w * 9) * h * 0.05) for x in np.linspace(0, w, 60)]
    _flat(canvas, rng, ink, drawn_mask(w, h, lambda d: d.line(path, fill=255, width=3), 0.6))


_LAYOUTS = {"grid": _grid, "circles": _circles, "nested squares": _nested_squares, "tiles": _tiles}
