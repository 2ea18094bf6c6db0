"""Image reading: every supported format, modes, orientation, animation, and descriptive metadata."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

from ragart_desktop.core.library.read_image import CONTENT_MIN_SIDE, CONTENT_SIDE, THUMBNAIL_SIDE
from ragart_desktop.core.library.readers import analyze_file


def _noise(w: int, h: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray((rng.random((h, w, 3)) * 255).astype(np.uint8))


def _halves(w: int, h: int, left: str, right: str) -> Image.Image:
    img = Image.new("RGB", (w, h), right)
    img.paste(Image.new("RGB", (w // 2, h), left), (0, 0))
    return img


def _close(pixel, colour, tol=40) -> bool:
    return all(abs(int(a) - int(b)) <= tol for a, b in zip(pixel, colour, strict=True))


@pytest.mark.parametrize(
    "suffix, fmt",
    [(".png", "PNG"), (".jpg", "JPEG"), (".jpeg", "JPEG"), (".webp", "WEBP"), (".gif", "GIF"),
     (".bmp", "BMP"), (".tif", "TIFF"), (".tiff", "TIFF")],
)  # fmt: skip
def test_each_format_is_read(tmp_path: Path, suffix: str, fmt: str):
    path = tmp_path / f"forest dawn{suffix}"
    _noise(64, 48).save(path)
    a = analyze_file(path)
    assert a.kind == "image"
    assert a.title == "forest dawn"
    assert a.metadata["format"] == fmt
    assert (a.metadata["width"], a.metadata["height"]) == (64, 48)
    assert a.content.mode == "RGB" and a.content.size == (64, 48)
    assert a.thumbnail.mode == "RGB" and a.thumbnail.size == (64, 48)


@pytest.mark.parametrize("size", [(1800, 1200), (1200, 1800), (1280, 960), (4000, 600)])
def test_large_jpeg_is_draft_decoded_to_content_and_thumbnail_sizes(tmp_path: Path, size: tuple[int, int]):
    path = tmp_path / "big.jpg"
    _halves(*size, "red", "blue").save(path, quality=90)
    a = analyze_file(path)
    assert (a.metadata["width"], a.metadata["height"]) == size  # original, not the draft size
    w, h = a.content.size
    assert CONTENT_MIN_SIDE <= max(w, h) <= CONTENT_SIDE
    assert abs(w / h - size[0] / size[1]) < 0.02
    assert max(a.thumbnail.size) == THUMBNAIL_SIDE
    assert _close(a.content.getpixel((w // 10, h // 2)), (255, 0, 0))
    assert _close(a.content.getpixel((w - 1 - w // 10, h // 2)), (0, 0, 255))


def test_large_png_is_reduced_to_content_side(tmp_path: Path):
    path = tmp_path / "big.png"
    _halves(2000, 1000, "red", "blue").save(path)
    a = analyze_file(path)
    assert a.content.size == (CONTENT_SIDE, CONTENT_SIDE // 2)
    assert a.thumbnail.size == (THUMBNAIL_SIDE, THUMBNAIL_SIDE // 2)


def test_jpeg_named_png_is_read_with_its_real_format(tmp_path: Path):
    path = tmp_path / "photo.png"
    _noise(40, 30).save(path, format="JPEG")
    a = analyze_file(path)
    assert a.metadata["format"] == "JPEG"
    assert a.content.size == (40, 30)


def test_exif_orientation_is_applied_and_size_reported_as_displayed(tmp_path: Path):
    path = tmp_path / "sideways.jpg"
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored rotated: display needs a 90 degree clockwise turn
    _halves(80, 40, "red", "blue").save(path, exif=exif, quality=95)
    a = analyze_file(path)
    assert (a.metadata["width"], a.metadata["height"]) == (40, 80)
    assert a.metadata["orientation"] == 6
    assert a.content.size == (40, 80)
    assert _close(a.content.getpixel((20, 5)), (255, 0, 0))  # the stored left half is now on top
    assert _close(a.content.getpixel((20, 75)), (0, 0, 255))


def test_exif_descriptions_become_words(tmp_path: Path):
    path = tmp_path / "fox.jpg"
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = "A red fox in deep snow"
    exif[ExifTags.Base.Artist] = "Ada Lovelace"
    exif[ExifTags.Base.XPComment] = "winter study".encode("utf-16-le") + b"\0\0"
    exif[ExifTags.Base.XPKeywords] = "fox;snow".encode("utf-16-le") + b"\0\0"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.UserComment] = b"ASCII\0\0\0painted at dusk"
    _noise(32, 32).save(path, exif=exif)
    a = analyze_file(path)
    assert a.metadata["exif"] == {
        "ImageDescription": "A red fox in deep snow",
        "Artist": "Ada Lovelace",
        "XPComment": "winter study",
        "XPKeywords": "fox;snow",
        "UserComment": "painted at dusk",
    }
    for word in ("fox", "snow", "Ada", "winter", "dusk"):
        assert word in a.words
    assert str(tmp_path) not in a.words  # path words are the importer's job


def test_png_text_chunks_are_read_and_descriptive_ones_become_words(tmp_path: Path):
    path = tmp_path / "gen.png"
    info = PngInfo()
    info.add_text("parameters", "misty harbour at dawn\nSteps: 20, Sampler: Euler")
    info.add_text("Comment", "second version with boats", zip=True)  # zTXt
    info.add_itxt("Description", "café terrace", lang="fr", tkey="Description")
    info.add_text("Software", "PaintTool 3")
    _noise(16, 16).save(path, pnginfo=info)
    a = analyze_file(path)
    text = a.metadata["png_text"]
    assert text["parameters"].startswith("misty harbour at dawn")
    assert text["Comment"] == "second version with boats"
    assert text["Description"] == "café terrace"
    assert text["Software"] == "PaintTool 3"
    assert "harbour" in a.words and "boats" in a.words and "café" in a.words
    assert "PaintTool" not in a.words  # not a description of the picture


XMP_PACKET = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">
 <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Lighthouse &amp; Gulls</rdf:li></rdf:Alt></dc:title>
 <dc:description><rdf:Alt><rdf:li xml:lang="x-default">stormy sea, ink wash</rdf:li></rdf:Alt></dc:description>
 <dc:subject><rdf:Bag><rdf:li>sea</rdf:li><rdf:li>ink</rdf:li><rdf:li>birds</rdf:li></rdf:Bag></dc:subject>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp"])
def test_xmp_packet_gives_title_description_and_subjects(tmp_path: Path, suffix: str):
    path = tmp_path / f"img_0001{suffix}"
    if suffix == ".png":  # PNG keeps XMP in an iTXt chunk; JPEG and WebP in their own XMP blocks
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP_PACKET)
        _noise(16, 16).save(path, pnginfo=info)
    else:
        _noise(16, 16).save(path, xmp=XMP_PACKET.encode("utf-8"))
    a = analyze_file(path)
    assert a.title == "Lighthouse & Gulls"
    assert a.metadata["xmp"] == {
        "title": "Lighthouse & Gulls",
        "description": "stormy sea, ink wash",
        "subject": ["sea", "ink", "birds"],
    }
    assert "XML:com.adobe.xmp" not in a.metadata.get("png_text", {})
    for word in ("Lighthouse", "stormy", "birds"):
        assert word in a.words


def test_transparency_is_flattened_on_white(tmp_path: Path):
    rgba = Image.new("RGBA", (20, 10), (0, 0, 0, 0))
    rgba.paste(Image.new("RGBA", (10, 10), (0, 128, 0, 255)), (10, 0))
    rgba.save(tmp_path / "rgba.png")
    rgba.convert("LA").save(tmp_path / "la.png")
    rgba.convert("P").save(tmp_path / "palette.png", transparency=0)
    for name in ("rgba.png", "la.png"):
        a = analyze_file(tmp_path / name)
        assert a.content.mode == "RGB"
        assert a.content.getpixel((2, 5)) == (255, 255, 255), name
        assert a.content.getpixel((15, 5)) != (255, 255, 255), name
    palette = analyze_file(tmp_path / "palette.png")
    assert palette.metadata["mode"] == "P"
    assert palette.content.mode == "RGB"


def test_cmyk_jpeg_is_converted_to_rgb(tmp_path: Path):
    path = tmp_path / "print.jpg"
    Image.new("RGB", (24, 24), (200, 30, 30)).convert("CMYK").save(path)
    a = analyze_file(path)
    assert a.metadata["mode"] == "CMYK"
    assert _close(a.content.getpixel((12, 12)), (200, 30, 30), tol=50)


def test_sixteen_bit_greyscale_is_scaled_not_clipped(tmp_path: Path):
    path = tmp_path / "depth.png"
    levels = np.full((8, 8), 32768, dtype=np.uint16)
    Image.fromarray(levels).save(path)
    a = analyze_file(path)
    assert a.metadata["mode"].startswith("I")
    r, g, b = a.content.getpixel((4, 4))
    assert r == g == b and abs(r - 128) <= 2


@pytest.mark.parametrize("suffix", [".gif", ".webp"])
def test_animated_image_uses_first_frame_and_counts_frames(tmp_path: Path, suffix: str):
    path = tmp_path / f"blink{suffix}"
    frames = [Image.new("RGB", (30, 20), c) for c in ("red", "blue", "lime")]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    a = analyze_file(path)
    assert a.metadata["frames"] == 3
    assert _close(a.content.getpixel((15, 10)), (255, 0, 0))
