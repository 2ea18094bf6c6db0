"""The demo images: they open, carry their metadata, the styles look different, one is a near-duplicate."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from PIL import Image

from ragart_desktop.core.demo.paintings import PAINTINGS

STYLES = ("seascapes", "forest", "abstract geometric", "sunset landscapes", "watercolour flowers", "night city",
          "ink sketches")


def _images(dest: Path) -> list[Path]:
    return sorted(p for p in (dest / "images").rglob("*") if p.is_file())


def _colour_histogram(path: Path) -> np.ndarray:
    """216-bin RGB histogram (6 levels per channel) of a 64x64 reduction."""
    rgb = np.asarray(Image.open(path).convert("RGB").resize((64, 64))).astype(int) * 6 // 256
    idx = rgb[..., 0] * 36 + rgb[..., 1] * 6 + rgb[..., 2]
    return np.bincount(idx.ravel(), minlength=216) / idx.size


def test_every_image_opens_and_is_a_real_picture(demo_library):
    files = _images(demo_library.dest)
    assert len(files) == 36
    for path in files:
        with Image.open(path) as im:
            im.verify()
        with Image.open(path) as im:
            assert im.format in ("PNG", "JPEG", "WEBP")
            assert min(im.size) >= 360
            pixels = np.asarray(im.convert("L"), np.float32)
        assert pixels.std() > 8, f"{path.name} is nearly flat"


def test_metadata_is_embedded(demo_library):
    dest = demo_library.dest
    png_descriptions, jpeg_descriptions, parameters = 0, 0, []
    for path in _images(dest):
        with Image.open(path) as im:
            if im.format == "PNG":
                png_descriptions += "Description" in im.text
                if "parameters" in im.text:
                    parameters.append(im.text["parameters"])
            elif im.format == "JPEG":
                jpeg_descriptions += bool(im.getexif().get(0x010E))
    assert png_descriptions >= 5 and jpeg_descriptions >= 5
    assert len(parameters) == 1 and "Negative prompt:" in parameters[0] and "Seed:" in parameters[0]
    with Image.open(dest / "images/seascapes/stormy-harbour.png") as im:
        assert "lighthouse" in im.text["Description"]


def test_each_style_has_its_own_palette(demo_library):
    dest = demo_library.dest
    by_style = {s: [_colour_histogram(p) for p in (dest / "images" / s).iterdir()] for s in STYLES}
    centroids = {s: np.mean(h, axis=0) for s, h in by_style.items()}
    for a, b in itertools.combinations(STYLES, 2):
        distance = np.abs(centroids[a] - centroids[b]).sum()  # L1 of histograms: 0 same .. 2 disjoint
        assert distance > 0.4, f"{a} and {b} look alike ({distance:.2f})"

    def mean_rgb(style: str) -> np.ndarray:
        return np.mean([np.asarray(Image.open(p).convert("RGB"), np.float32).mean(axis=(0, 1)) / 255
                        for p in (dest / "images" / style).iterdir()], axis=0)

    means = {s: mean_rgb(s) for s in STYLES}
    r, g, b = (lambda s, i=i: means[s][i] for i in range(3))
    assert min(STYLES, key=lambda s: means[s].mean()) == "night city"            # the darkest
    assert max(STYLES, key=lambda s: r(s) - g(s)) == "sunset landscapes"          # the reddest
    assert max(STYLES, key=lambda s: g(s) - (r(s) + b(s)) / 2) == "forest"        # the greenest
    assert max(STYLES, key=lambda s: b(s) - r(s)) == "seascapes"                  # the bluest
    for path in (dest / "images" / "ink sketches").iterdir():                     # black ink on paper
        rgb = np.asarray(Image.open(path).convert("RGB"), np.float32) / 255
        assert ((rgb.max(axis=2) - rgb.min(axis=2)) < 0.1).mean() > 0.97, path.name


def test_near_duplicate_is_a_crop_and_rescale_of_its_original(demo_library):
    dest = demo_library.dest
    spec = next(p for p in PAINTINGS if p.crop_of)
    original = next(p for p in PAINTINGS if p.name == spec.crop_of)
    copy = Image.open(dest / "images" / spec.folder / spec.filename).convert("RGB")
    full = Image.open(dest / "images" / original.folder / original.filename).convert("RGB")
    w, h = full.size
    x0, y0, x1, y1 = spec.crop_box
    expected = full.crop((round(x0 * w), round(y0 * h), round(x1 * w), round(y1 * h))).resize(copy.size)
    diff = np.abs(np.asarray(copy, np.float32) - np.asarray(expected, np.float32)).mean()
    assert copy.size != full.size and diff < 4.0
    other = Image.open(dest / "images/seascapes/calm-morning-bay.jpg").convert("RGB").resize(copy.size)
    assert np.abs(np.asarray(other, np.float32) - np.asarray(expected, np.float32)).mean() > 5 * diff
