"""Benchmark: reading 1-2 MP JPEGs with ``analyze_file`` against a plain decode + thumbnail baseline.

Generates N deterministic JPEGs (1.2-1.9 MP, painterly gradients with texture) in a temporary
folder, then times on one core, in the same run:

  baseline   PIL full-resolution decode (convert to RGB) + ``thumbnail`` to 256 px
  reader     ``analyze_file``: sniff, metadata, draft decode, 512 px content image, 256 px thumbnail
  reader+save  the same plus writing the thumbnail into a ``ThumbnailCache``

Run from the repository root: ``python bench/bench_decode.py [--count 200]``.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from ragart_desktop.core.library.readers import analyze_file  # noqa: E402
from ragart_desktop.core.library.thumbnails import ThumbnailCache  # noqa: E402

SIZES = ((1280, 960), (1600, 1000), (1600, 1200), (1200, 1200))


def make_jpegs(folder: Path, count: int, seed: int = 0) -> list[Path]:
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        w, h = SIZES[i % len(SIZES)]
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        fx, fy, phase = rng.uniform(0.002, 0.02, 2).tolist() + [rng.uniform(0, 6.28)]
        base = rng.uniform(40, 215, 3)
        wave = np.sin(x * fx + phase) * np.cos(y * fy)
        pixels = base + 60 * wave[..., None] * rng.uniform(-1, 1, 3) + rng.normal(0, 12, (h, w, 3))
        path = folder / f"painting_{i:04d}.jpg"
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=88)
        paths.append(path)
    return paths


def _pixels(path: Path) -> int:
    with Image.open(path) as im:
        return im.width * im.height


def baseline(path: Path) -> None:
    with Image.open(path) as im:
        rgb = im.convert("RGB")
    rgb.thumbnail((256, 256))


def timed(methods: dict[str, Callable[[Path], object]], paths: list[Path]) -> dict[str, float]:
    """Images/s per method. The methods take turns on each file, so a load change on a shared
    machine affects them alike instead of skewing whichever ran during it."""
    for fn in methods.values():
        fn(paths[0])  # warm-up: plugin imports, first-call setup
    seconds = dict.fromkeys(methods, 0.0)
    for path in paths:
        for label, fn in methods.items():
            start = time.perf_counter()
            fn(path)
            seconds[label] += time.perf_counter() - start
    return {label: len(paths) / s for label, s in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make_jpegs(folder, args.count)
        megapixels = np.mean([_pixels(p) for p in paths]) / 1e6
        print(f"{len(paths)} JPEGs, mean {megapixels:.2f} MP, one core")
        cache = ThumbnailCache(folder / "thumbs")

        def read_and_save(path: Path) -> None:
            cache.save(hashlib.sha256(path.name.encode()).hexdigest(), analyze_file(path).thumbnail)

        rates = timed({"baseline": baseline, "reader": analyze_file, "reader+save": read_and_save}, paths)
        for label, rate in rates.items():
            print(f"{label:<12} {rate:8.1f} images/s   {rate / rates['baseline']:.2f}x baseline")
        print("goal for the whole import: >= 0.5x baseline (within 2x); the reader is one part of it")


if __name__ == "__main__":
    main()
