"""The near-copy guard on demo paintings: edited copies of a library picture are flagged and named,
different pictures (of the same style too) are not, and a library item is never its own copy."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

from ragart_desktop.core.demo.paintings import PAINTINGS, render_painting
from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.generate.image.evaluate import evaluate_file
from ragart_desktop.core.generate.image.near_copy import NEAR_COPY
from tests.core.library.conftest import shared_embedders  # noqa: F401

# Two of a style each, so "different" includes pictures made by the same procedure.
NAMES = ("desert-mesa-sunset", "golden-valley-evening", "grid-in-blue-and-grey", "composition-in-red-blue-yellow",
         "stormy-harbour", "misty-pines")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paintings")
    for spec in PAINTINGS:
        if spec.name in NAMES:
            render_painting(spec).save(folder / f"{spec.name}.png")
    return folder


@pytest.fixture(scope="module")
def lib(folder, tmp_path_factory, shared_embedders):  # noqa: F811
    from ragart_desktop.core.home import Home
    from ragart_desktop.core.library.library import Library

    library = Library.open(Home(tmp_path_factory.mktemp("home")).ensure(), embedders=shared_embedders)
    library.import_paths([folder])
    yield library
    library.close()


def _rotate(im: Image.Image, degrees: float) -> Image.Image:
    turned = im.rotate(degrees, resample=Image.BICUBIC)
    w, h = im.size
    return turned.crop((w * 0.07, h * 0.07, w * 0.93, h * 0.93))   # no black corners


def _hue(im: Image.Image, shift: int) -> Image.Image:
    hsv = np.asarray(im.convert("HSV")).copy()
    hsv[..., 0] = (hsv[..., 0].astype(int) + shift) % 256
    return Image.fromarray(hsv, "HSV").convert("RGB")


EDITS = {
    "80% crop": lambda im: im.crop((im.width * 0.1, im.height * 0.05, im.width * 0.9, im.height * 0.85)),
    "5 degree rotation": lambda im: _rotate(im, 5),
    "mirror": ImageOps.mirror,
    "recoloured and brighter": lambda im: ImageEnhance.Brightness(_hue(im, 40)).enhance(1.25),
    "squashed to a square, half size": lambda im: im.resize((im.width // 2, im.width // 2)),
    "mirrored 70% crop, darker": lambda im: ImageEnhance.Brightness(
        ImageOps.mirror(im).crop((0, 0, int(im.width * 0.7), int(im.height * 0.7)))).enhance(0.75),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_copy_of_a_library_picture_is_flagged_and_named(lib, folder, tmp_path, edit):
    original = lib.resolve(str(folder / "desert-mesa-sunset.png"))
    copy = tmp_path / "elsewhere" / "copy.png"
    copy.parent.mkdir()
    EDITS[edit](Image.open(original.path).convert("RGB")).save(copy)
    ev = evaluate_file(str(copy), lib)
    assert ev.near_copy and ev.nearest.item_id == original.id and ev.nearest.similarity >= NEAR_COPY
    assert ev.warnings and "desert-mesa-sunset.png" in ev.warnings[0]
    assert ev.to_json()["nearest_library_item"] == {"id": original.id, "path": original.path,
                                                    "similarity": round(ev.nearest.similarity, 4)}


def test_different_pictures_of_the_same_style_are_not_copies(lib, folder):
    for name in NAMES:
        ev = evaluate_file(str(folder / f"{name}.png"), lib)   # a library item: compared with the others
        assert not ev.near_copy and not ev.warnings, (name, ev.nearest)
        assert ev.nearest.item_id != lib.resolve(str(folder / f"{name}.png")).id


def test_a_file_that_is_not_a_picture_is_named(lib, tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    with pytest.raises(BadInputError, match="notes.png"):
        evaluate_file(str(bad), lib)
