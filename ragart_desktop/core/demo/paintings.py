"""The demo paintings: a catalogue of named pictures in seven styles, and their encoding.

Each entry names its folder (the style, which the library turns into a tag), its file name, the
style function with its palette and choices, and the metadata to embed: a PNG "Description" text
chunk, a PNG "parameters" chunk shaped like an earlier generation's prompt, or an EXIF
ImageDescription in a JPEG. One entry is a crop-and-rescale of another (a near-duplicate).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from ragart_desktop.core.demo.abstract import abstract_geometric
from ragart_desktop.core.demo.ink import ink_sketch
from ragart_desktop.core.demo.landscapes import forest, seascape, sunset_landscape
from ragart_desktop.core.demo.nightcity import night_city
from ragart_desktop.core.demo.seeds import stable_seed
from ragart_desktop.core.demo.watercolour import watercolour_flowers

StyleFn = Callable[[np.random.Generator, int, int], Image.Image]
_EXIF_IMAGE_DESCRIPTION, _EXIF_SOFTWARE = 0x010E, 0x0131
SOFTWARE = "RagArt Desktop demo library generator"


@dataclass(frozen=True)
class PaintingSpec:
    folder: str
    name: str                          # file stem
    ext: str                           # png | jpg | webp
    style: StyleFn
    size: tuple[int, int] = (640, 480)
    description: str | None = None     # PNG Description chunk or JPEG EXIF ImageDescription
    parameters: str | None = None      # PNG "parameters" chunk (an earlier generation's prompt)
    crop_of: str | None = None         # name of the painting this is a crop of (near-duplicate)
    crop_box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)  # relative crop of the original

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.ext}"


SEA, SUNSET, FOREST, ABSTRACT, FLOWERS, CITY, INK = ("seascapes", "sunset landscapes", "forest", "abstract geometric",
                                                    "watercolour flowers", "night city", "ink sketches")
SQUARE = (512, 512)

_STORMY_HARBOUR = PaintingSpec(
    SEA, "stormy-harbour", "png",
    partial(seascape, sky=[(0, "#39434d"), (0.5, "#8d989e")], sea_far="#56696f", sea_near="#1b2b33", foam="#dfe6e4",
            cloud_light="#b3bbbf", cloud_dark="#444e57", cover=0.62, swell=1.6, extras=("lighthouse", "rain")),
    description="Stormy harbour: a striped lighthouse on the pier, grey squall, heavy swell and rain.")

PAINTINGS: tuple[PaintingSpec, ...] = (
    _STORMY_HARBOUR,
    PaintingSpec(SEA, "stormy-harbour-crop", "jpg", _STORMY_HARBOUR.style, size=(480, 360),
                 crop_of=_STORMY_HARBOUR.name, crop_box=(0.0, 0.1, 0.85, 0.95),
                 description="A cropped, smaller copy of the stormy harbour painting."),
    PaintingSpec(SEA, "calm-morning-bay", "jpg",
                 partial(seascape, sky=[(0, "#6b9fd4"), (0.5, "#f3d6c6")], sea_far="#82b4c9", sea_near="#2a6b8a",
                         foam="#f8fbfb", cloud_light="#ffffff", cloud_dark="#c9b5c6", cover=0.33, sun="#fff1c2",
                         sun_pos=(0.66, 0.32), extras=("sailboat",)),
                 description="Calm morning bay with a small sailing boat and the sun path on the water."),
    PaintingSpec(SEA, "moonlit-tide", "webp",
                 partial(seascape, sky=[(0, "#070d22"), (0.5, "#28365e")], sea_far="#2a3b63", sea_near="#060b1c",
                         foam="#9fb0d6", cloud_light="#5a6890", cloud_dark="#141c36", cover=0.4, sun="#e9ecff",
                         sun_pos=(0.3, 0.22), swell=1.2, extras=("rocks",))),
    PaintingSpec(SEA, "north-sea-squall", "jpg",
                 partial(seascape, sky=[(0, "#4a5552"), (0.45, "#a3aca2")], sea_far="#5f776c", sea_near="#1d3129",
                         foam="#e8eee6", cloud_light="#c2c8bd", cloud_dark="#3e4944", cover=0.7, horizon=0.45,
                         swell=2.0, waves=11, extras=("rain", "rocks"))),
    PaintingSpec(SEA, "turquoise-lagoon", "png",
                 partial(seascape, sky=[(0, "#2f8fd8"), (0.45, "#bfe6f2")], sea_far="#3cb6c4", sea_near="#15a2a0",
                         foam="#ffffff", cloud_light="#ffffff", cloud_dark="#d6e6ee", cover=0.3, swell=0.6,
                         sun="#fffbe0", sun_pos=(0.2, 0.15), extras=("beach",)),
                 description="Turquoise lagoon with a sandy beach under a bright summer sky."),

    PaintingSpec(SUNSET, "lavender-hills-at-dusk", "jpg",
                 partial(sunset_landscape, sky=[(0, "#2b1b4a"), (0.3, "#8a2f6b"), (0.45, "#e8603c"), (0.6, "#ffc15e")],
                         sun="#ffdd80", hills=("#7b4a7a", "#1a0d1e"), haze="#d98a8a"),
                 description="Lavender hills at dusk, layered ridges fading into a warm haze."),
    PaintingSpec(SUNSET, "desert-mesa-sunset", "png",
                 partial(sunset_landscape, sky=[(0, "#3a1240"), (0.35, "#c8402e"), (0.55, "#ff9a3c")], sun="#ffe08a",
                         hills=("#a8452c", "#2a0e0e"), haze="#e07a4a", mesas=True, ridges=4, sun_pos=(0.35, 0.5))),
    PaintingSpec(SUNSET, "golden-valley-evening", "webp",
                 partial(sunset_landscape, sky=[(0, "#5a3a6a"), (0.35, "#e0905a"), (0.55, "#ffd98a")], sun="#fff0b0",
                         hills=("#9a7a5a", "#2a1a18"), haze="#f0c08a", lake=True, roughness=0.7)),
    PaintingSpec(SUNSET, "lone-tree-afterglow", "png",
                 partial(sunset_landscape, sky=[(0, "#1e1640"), (0.35, "#b0406a"), (0.6, "#ffb060")], sun="#ffd890",
                         hills=("#6a3a6a", "#120814"), haze="#c87a8a", tree=True, birds=6, sun_pos=(0.45, 0.58)),
                 parameters="a lone tree on a hill at sunset, warm afterglow, layered purple hills, birds, "
                            "oil painting\nNegative prompt: blurry, text, watermark\nSteps: 28, Sampler: Euler a, "
                            "CFG scale: 7, Seed: 1234567, Size: 640x480, Model: dreamy-landscapes-v2"),
    PaintingSpec(SUNSET, "crimson-ridges", "jpg",
                 partial(sunset_landscape, sky=[(0, "#2a0a2a"), (0.3, "#9a1a3a"), (0.55, "#ff6a3a")], sun="#ffc070",
                         hills=("#8a2a3a", "#1a0508"), haze="#d0504a", ridges=6, roughness=1.4, birds=3),
                 description="Crimson ridges under a red evening sky."),

    PaintingSpec(FOREST, "misty-pines", "png",
                 partial(forest, light=[(0, "#dfe8c8"), (0.6, "#a9c49a"), (1, "#5d7a4e")],
                         layers=("#7f9f86", "#4f7a5a", "#2d5a3a", "#153a22"), fog="#d8e4d0", ground="#3d4a22"),
                 description="Misty pine forest, rows of spruce fading into fog."),
    PaintingSpec(FOREST, "autumn-birches", "jpg",
                 partial(forest, light=[(0, "#f6f1dc"), (1, "#d7c9a0")], layers=("#c9b27a", "#a8894a", "#6e5a2a"),
                         fog="#f4ecd4", ground="#7a5a2a", kind="birches", foliage=("#e8b53a", "#c9702a"), rays=0.2),
                 description="Autumn birches: white trunks, golden leaves, soft light."),
    PaintingSpec(FOREST, "deep-spruce-wood", "webp",
                 partial(forest, light=[(0, "#9ab89a"), (1, "#2e4a34")],
                         layers=("#4a6a52", "#2a4a34", "#12301e", "#06180c"), fog="#a8c0a4", ground="#1e2a14",
                         rays=0.45)),
    PaintingSpec(FOREST, "beech-glade-in-spring", "jpg",
                 partial(forest, light=[(0, "#f2f6d8"), (1, "#b8d08a")], layers=("#a8c88a", "#78a85a", "#4a7a3a"),
                         fog="#eef4d8", ground="#5a7a2a", kind="broadleaf", foliage=("#9ad05a", "#c8e07a"), rays=0.3),
                 description="Beech glade in spring, fresh green leaves and light shafts."),
    PaintingSpec(FOREST, "mossy-oaks-in-fog", "png",
                 partial(forest, light=[(0, "#c4ccc4"), (1, "#7a8a7a")], layers=("#9aa89a", "#6a7e6a", "#3a523e"),
                         fog="#ccd4cc", ground="#3a4a2a", kind="broadleaf", rays=0.0),
                 description="Mossy oaks in a grey morning fog."),

    PaintingSpec(ABSTRACT, "composition-in-red-blue-yellow", "png",
                 partial(abstract_geometric, layout="grid", ground="#f2eee3",
                         palette=("#c8281e", "#1f3f99", "#f2c21b")),
                 size=SQUARE, description="Grid composition in red, blue and yellow with black bars."),
    PaintingSpec(ABSTRACT, "grid-in-blue-and-grey", "png",
                 partial(abstract_geometric, layout="grid", ground="#eeebe4",
                         palette=("#1f3f99", "#8a8a8a", "#f2c21b", "#1f3f99")),
                 size=SQUARE),
    PaintingSpec(ABSTRACT, "circles-and-triangles", "jpg",
                 partial(abstract_geometric, layout="circles", ground="#efe4cc",
                         palette=("#d8342a", "#f0b42a", "#2a4f9e", "#3a8a4a")),
                 size=SQUARE, description="Circles, triangles and crossing lines on a warm ground."),
    PaintingSpec(ABSTRACT, "nested-squares-in-orange", "png",
                 partial(abstract_geometric, layout="nested squares", ground="#e9e1d0",
                         palette=("#e0a030", "#d9672a", "#b8322a", "#f0d060")),
                 size=SQUARE, description="Nested squares in orange, red and yellow: a colour study."),
    PaintingSpec(ABSTRACT, "warm-tiles-and-sun", "webp",
                 partial(abstract_geometric, layout="tiles", ground="#e9e1d0",
                         palette=("#e6a25a", "#c8553d", "#f2d49b", "#8fb0a6", "#d88c6a")),
                 size=SQUARE),

    PaintingSpec(FLOWERS, "peony-wash", "png",
                 partial(watercolour_flowers, paper="#f8f3ea", petals=("#f2a0b8", "#f6c1cf"), centre="#f2d060",
                         leaf="#8fb88a", petal_count=7, petal_size=0.14),
                 size=SQUARE, description="Pink peonies in loose watercolour washes."),
    PaintingSpec(FLOWERS, "blue-poppies", "jpg",
                 partial(watercolour_flowers, paper="#f6f4ef", petals=("#7fa6e8", "#9ec0f0"), centre="#2a2438",
                         leaf="#9cc29a", shape="cup", flowers=2, petal_size=0.13, background="#e8e0f0"),
                 size=SQUARE, description="Two blue poppies, watercolour on cold-pressed paper."),
    PaintingSpec(FLOWERS, "lilac-sprays", "webp",
                 partial(watercolour_flowers, paper="#f7f3ec", petals=("#c4a6e0", "#a889d4"), centre="#ffffff",
                         leaf="#93b98c", shape="cluster", petal_size=0.13), size=SQUARE),
    PaintingSpec(FLOWERS, "pansy-study", "png",
                 partial(watercolour_flowers, paper="#f8f4ea", petals=("#9b7fd4", "#f2d35c"), centre="#f2d060",
                         leaf="#8fb88a", shape="face", flowers=3, petal_size=0.13), size=SQUARE),
    PaintingSpec(FLOWERS, "wild-roses", "jpg",
                 partial(watercolour_flowers, paper="#faf5ec", petals=("#f29a8a", "#f7b8a8", "#f4c0c8"),
                         centre="#f0c040", leaf="#86ae7e", petal_count=5, flowers=4, petal_size=0.12,
                         background="#f4e8d8"),
                 size=SQUARE, description="Wild roses, coral and blush, with soft leaves."),

    PaintingSpec(CITY, "rooftops-at-midnight", "jpg",
                 partial(night_city, sky=[(0, "#04060f"), (0.6, "#141b36"), (1, "#2a2340")],
                         buildings=("#1b2238", "#10142a", "#07080f"), windows=("#ffd27a", "#ffb35c", "#fff1c9"),
                         moon=(0.8, 0.15), street_lights=True),
                 description="Rooftops at midnight under a full moon, warm lit windows."),
    PaintingSpec(CITY, "harbour-lights", "png",
                 partial(night_city, sky=[(0, "#060a1a"), (1, "#1d2a4a")], buildings=("#1a2440", "#0c1226"),
                         windows=("#ffd27a", "#bfe3ff"), water=0.3, skyline=0.45),
                 description="Harbour lights reflected in dark water."),
    PaintingSpec(CITY, "neon-district-in-rain", "jpg",
                 partial(night_city, sky=[(0, "#0d0418"), (1, "#3a0f3f")], buildings=("#241033", "#140820", "#07030d"),
                         windows=("#ff7ad9", "#7af0ff", "#ffd27a"), neon=("#ff2fb4", "#2ff3ff"), rain=True, stars=0)),
    PaintingSpec(CITY, "skyline-after-rain", "webp",
                 partial(night_city, sky=[(0, "#0a0a24"), (0.7, "#2a2050"), (1, "#4a2a50")],
                         buildings=("#22204a", "#141232", "#080818"), windows=("#ffc86a", "#ff9a5a"), water=0.25,
                         skyline=0.5, stars=60)),
    PaintingSpec(CITY, "quiet-avenue-at-3am", "png",
                 partial(night_city, sky=[(0, "#020308"), (1, "#101828")], buildings=("#141a2a", "#080a12"),
                         windows=("#ffe0a0",), lit=0.12, stars=260, street_lights=True),
                 description="A quiet avenue at 3 a.m.: few lit windows, many stars, street lamps."),

    PaintingSpec(INK, "still-life-spheres", "png", partial(ink_sketch, subject="spheres"), size=SQUARE,
                 description="Ink sketch: three spheres on a table, cross-hatched shadows."),
    PaintingSpec(INK, "jug-and-pears", "png", partial(ink_sketch, subject="jug and pears"), size=SQUARE,
                 description="Ink still life: a jug and two pears, light from the left."),
    PaintingSpec(INK, "mountain-ridges", "png", partial(ink_sketch, subject="mountains"), size=SQUARE),
    PaintingSpec(INK, "winter-oak", "jpg", partial(ink_sketch, subject="winter oak"), size=SQUARE,
                 description="Pen drawing of a bare oak in winter."),
    PaintingSpec(INK, "flowing-lines", "png", partial(ink_sketch, subject="flow field"), size=SQUARE),
)

_BY_NAME = {p.name: p for p in PAINTINGS}


def render_painting(spec: PaintingSpec) -> Image.Image:
    """The picture (RGB). A crop entry renders its original and crops/rescales it."""
    if spec.crop_of:
        original = _BY_NAME[spec.crop_of]
        full = render_painting(original)
        w, h = full.size
        x0, y0, x1, y1 = spec.crop_box
        return full.crop((round(x0 * w), round(y0 * h), round(x1 * w), round(y1 * h))).resize(
            spec.size, Image.Resampling.LANCZOS)
    rng = np.random.default_rng(stable_seed(f"images/{spec.folder}/{spec.name}"))
    return spec.style(rng, *spec.size)


def encode_painting(spec: PaintingSpec, image: Image.Image) -> bytes:
    """File bytes in the entry's format, with its metadata embedded (no timestamps: deterministic)."""
    buf = io.BytesIO()
    if spec.ext == "png":
        info = PngInfo()
        info.add_text("Software", SOFTWARE)
        if spec.description:
            info.add_text("Description", spec.description)
        if spec.parameters:
            info.add_text("parameters", spec.parameters)
        image.save(buf, "PNG", pnginfo=info, compress_level=3)  # 6 is 2.5x slower for 12% less
    elif spec.ext == "jpg":
        exif = Image.Exif()
        exif[_EXIF_SOFTWARE] = SOFTWARE
        if spec.description:
            exif[_EXIF_IMAGE_DESCRIPTION] = spec.description
        image.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    elif spec.ext == "webp":
        image.save(buf, "WEBP", quality=88, method=4)
    else:
        raise ValueError(f"unsupported demo image format {spec.ext!r}")
    return buf.getvalue()
