"""Seconds per 512x512 image for each built-in image engine, against the 3 s goal.

Two procedural 512x512 references (warm brush strokes, cool stained-glass cells) and a procedural
canvas (a sketch with a few colour regions) feed palette transfer, canvas-guided and blank-canvas
patch synthesis, and exemplar inpainting of a damaged copy of the canvas. Each engine runs three
times; the median is printed beside the goal and beside a baseline measured in the same run (one
Gaussian blur of the canvas: the cost of touching every pixel once, to judge the machine's speed).
Sample outputs go to /tmp/engines_*.png (override with --out DIR).

    PYTHONPATH=. python bench/bench_builtin_engines.py [--size 512] [--out /tmp]
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from scipy.spatial import cKDTree

from ragart_desktop.core.generate.image import builtin

GOAL_SECONDS = 3.0


def brush_strokes(size: int, seed: int) -> np.ndarray:
    """Warm, oriented brush strokes over a dark ground."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (size, size), (40, 22, 18))
    draw = ImageDraw.Draw(img)
    palette = [(214, 96, 40), (236, 170, 60), (170, 40, 34), (250, 214, 140), (120, 60, 30)]
    for _ in range(size * 3):
        x, y = rng.uniform(0, size, 2)
        angle = 0.6 + 0.5 * np.sin(y / size * 6.0) + rng.normal(0, 0.15)
        length = rng.uniform(size / 40, size / 12)
        colour = palette[rng.integers(len(palette))]
        jitter = tuple(int(np.clip(c + rng.normal(0, 12), 0, 255)) for c in colour)
        draw.line(
            [(x, y), (x + length * np.cos(angle), y + length * np.sin(angle))],
            fill=jitter, width=int(rng.integers(2, 6)),
        )
    arr = np.asarray(img, dtype=np.float32) / 255.0
    return np.clip(arr + rng.normal(0, 0.02, arr.shape), 0, 1).astype(np.float32)


def stained_glass(size: int, seed: int) -> np.ndarray:
    """Cool Voronoi cells with dark lead lines and a mottled glass texture."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, size, (60, 2))
    y, x = np.mgrid[0:size, 0:size]
    dist, idx = cKDTree(points).query(np.stack([y.ravel(), x.ravel()], 1), k=2)
    palette = np.array([[30, 70, 140], [40, 140, 160], [90, 180, 200], [20, 40, 90], [150, 200, 220]]) / 255.0
    colours = palette[rng.integers(len(palette), size=len(points))]
    img = colours[idx[:, 0]].reshape(size, size, 3)
    edge = (dist[:, 1] - dist[:, 0]).reshape(size, size) < 3.0
    mottle = ndimage.gaussian_filter(rng.normal(0, 1, (size, size)), 3)[..., None] * 0.25
    img = np.clip(img * (1 + mottle), 0, 1)
    img[edge] = 0.08
    return img.astype(np.float32)


def sketch_canvas(size: int) -> np.ndarray:
    """A simple painting-in-progress: sky, a hill, a sun, and black sketch lines."""
    img = Image.new("RGB", (size, size), (235, 235, 235))
    draw = ImageDraw.Draw(img)
    s = size / 512
    draw.rectangle([0, 0, size, int(300 * s)], fill=(150, 190, 230))
    draw.ellipse([int(-100 * s), int(260 * s), int(400 * s), int(700 * s)], fill=(90, 150, 70))
    draw.ellipse([int(330 * s), int(60 * s), int(440 * s), int(170 * s)], fill=(245, 210, 60),
                 outline=(0, 0, 0), width=max(int(4 * s), 1))
    draw.line([(0, int(380 * s)), (size, int(330 * s))], fill=(0, 0, 0), width=max(int(4 * s), 1))
    draw.line([(int(60 * s), int(120 * s)), (int(250 * s), int(90 * s))], fill=(0, 0, 0), width=max(int(3 * s), 1))
    return np.asarray(img, dtype=np.float32) / 255.0


def timed(fn, repeats: int = 3) -> tuple[float, np.ndarray]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def save(image: np.ndarray, path: Path) -> None:
    Image.fromarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)).save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    args = parser.parse_args()
    n = args.size
    refs = [brush_strokes(n, 1), stained_glass(n, 2)]
    canvas = sketch_canvas(n)
    hole = np.zeros((n, n), dtype=bool)
    hole[n * 3 // 8 : n * 5 // 8, n // 4 : n // 2] = True
    damaged = canvas.copy()
    damaged[hole] = 1.0

    baseline, _ = timed(lambda: ndimage.gaussian_filter(canvas, (2, 2, 0)))
    runs = {
        "palette_transfer": lambda: builtin.palette_transfer(canvas, refs, 1.0, seed=0),
        "patch_synthesis (canvas)": lambda: builtin.patch_synthesis(canvas, refs, 1.0, seed=0),
        "patch_synthesis (blank)": lambda: builtin.patch_synthesis(None, refs, 1.0, seed=0, size=(n, n)),
        "exemplar_inpaint": lambda: builtin.exemplar_inpaint(damaged, hole, refs, seed=0),
    }
    print(f"built-in engines at {n}x{n}, median of 3; baseline (one Gaussian blur): {baseline:.3f} s")
    args.out.mkdir(parents=True, exist_ok=True)
    for i, ref in enumerate(refs):
        save(ref, args.out / f"engines_reference_{i + 1}.png")
    save(canvas, args.out / "engines_canvas.png")
    save(damaged, args.out / "engines_damaged.png")
    for name, fn in runs.items():
        seconds, out = timed(fn)
        verdict = "OK" if seconds <= GOAL_SECONDS else "SLOW"
        print(f"{name:28s} {seconds:6.2f} s  goal {GOAL_SECONDS:.1f} s  {verdict}  "
              f"({seconds / baseline:.0f}x baseline)")
        slug = name.replace(" (", "_").replace(")", "").replace(" ", "_")
        save(out, args.out / f"engines_{slug}.png")


if __name__ == "__main__":
    main()
