"""Read an image file into an ``Analysis``: metadata, descriptive words, content image, thumbnail.

Speed: a JPEG is decoded with ``draft`` at the strongest DCT scaling (1/2, 1/4, 1/8) that keeps
its long side at least ``CONTENT_MIN_SIDE``, so a 2 MP photo is decoded with a quarter or a
sixteenth of its pixels. Every other step runs on that reduced image: at most one resize to the
content image (RGB, the embedders' input; long side at most ``CONTENT_SIDE`` and, for a JPEG, at
least ``CONTENT_MIN_SIDE`` unless the original is smaller), then the thumbnail (long side <=
``THUMBNAIL_SIDE``) from the content image.

Safety: ``MAX_PIXELS`` is both PIL's decompression-bomb limit (set here, process-wide) and this
module's own check on the declared size, which runs before any pixel is decoded.
"""
from __future__ import annotations

import html
import logging
import re
import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.library.analysis import Analysis
from ragart_desktop.core.library.read_text import display_stem

logger = logging.getLogger(__name__)

MAX_PIXELS = 64_000_000
CONTENT_SIDE = 512
CONTENT_MIN_SIDE = 256  # >= what the embedders use (descriptor 64 px, CLIP 224 px)
THUMBNAIL_SIDE = 256
MAX_FIELD_CHARS = 10_000
#: PIL format ids of the image kinds the library imports.
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")

# PIL raises DecompressionBombError above twice this and warns above it; our own check (below)
# refuses anything above it with a message that names the declared size.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# PNG text chunks whose values describe the picture (compared lower-case). "parameters" and
# "prompt" are written by image generators, including this product's own.
_DESCRIPTIVE_PNG_KEYS = frozenset(
    {"title", "description", "comment", "parameters", "prompt", "author", "keywords", "subject"}
)
_XMP_KEYS = ("XML:com.adobe.xmp", "xmp")
_EXIF_TEXT_TAGS = {
    ExifTags.Base.ImageDescription: "ImageDescription",
    ExifTags.Base.Artist: "Artist",
    ExifTags.Base.XPTitle: "XPTitle",
    ExifTags.Base.XPComment: "XPComment",
    ExifTags.Base.XPKeywords: "XPKeywords",
    ExifTags.Base.XPSubject: "XPSubject",
}
_USER_COMMENT_CODES = {b"ASCII\0\0\0": "ascii", b"JIS\0\0\0\0\0": "shift_jis", b"UNICODE\0": "utf-16"}
# Errors PIL raises for damaged metadata blocks; a damaged EXIF/XMP block costs its fields, not the image.
_METADATA_ERRORS = (OSError, ValueError, SyntaxError, struct.error, KeyError, IndexError, TypeError)


def read_image(path: Path) -> Analysis:
    """Decode one image; the caller (``readers.analyze_file``) maps decoder errors to ``BadInputError``."""
    with _open_checked(path) as im:
        exif = _exif(im, path)
        orientation = exif.get(ExifTags.Base.Orientation, 1) if exif else 1
        width, height = im.size
        if orientation in (5, 6, 7, 8):  # stored sideways: report the size as displayed
            width, height = height, width
        metadata: dict[str, Any] = {
            "width": width,
            "height": height,
            "format": im.format,
            "mode": im.mode,
            "frames": getattr(im, "n_frames", 1),
        }
        exif_texts = _exif_texts(exif)
        if im.format == "JPEG":
            # draft() keeps both sides >= the request; asking (n, 1) constrains only the long side.
            w, h = im.size
            im.draft("RGB", (CONTENT_MIN_SIDE, 1) if w >= h else (1, CONTENT_MIN_SIDE))
        im.load()
        if orientation in range(2, 9):
            ImageOps.exif_transpose(im, in_place=True)
            metadata["orientation"] = orientation
        content = content_image(im)
        png_text = _png_text(im)
        xmp = _parse_xmp(_xmp_packet(im, exif))

    if exif_texts:
        metadata["exif"] = exif_texts
    if png_text:
        metadata["png_text"] = png_text
    if xmp:
        metadata["xmp"] = xmp
    descriptive = [v for k, v in png_text.items() if k.lower() in _DESCRIPTIVE_PNG_KEYS]
    descriptive += exif_texts.values()
    descriptive += [xmp.get("title", ""), xmp.get("description", ""), *xmp.get("subject", [])]
    words = " ".join(dict.fromkeys(t for t in descriptive if t))
    thumbnail = content.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.BICUBIC)
    return Analysis(
        kind="image",
        title=xmp.get("title") or display_stem(path),
        metadata=metadata,
        words=words,
        content=content,
        thumbnail=thumbnail,
    )


def content_image(im: Image.Image, side: int = CONTENT_SIDE) -> Image.Image:
    """A new RGB image, long side <= ``side``: transparency flattened on white, high bit depth scaled."""
    work = _working_mode(im)
    w, h = work.size
    if max(w, h) > side:
        scale = side / max(w, h)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        work = work.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    if work.mode in ("RGBA", "LA"):
        rgba = work.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if work.mode != "RGB":
        return work.convert("RGB")
    return work if work is not im else work.copy()


def _working_mode(im: Image.Image) -> Image.Image:
    """``im`` in one of RGB, RGBA, L, LA, which resize and flatten handle directly."""
    mode = im.mode
    if mode in ("RGB", "RGBA", "L", "LA"):
        return im
    if mode == "P":
        return im.convert("RGBA" if "transparency" in im.info else "RGB")
    if mode in ("PA", "RGBa"):
        return im.convert("RGBA")
    if mode == "La":
        return im.convert("LA")
    if mode == "1":
        return im.convert("L")
    if mode.startswith("I") or mode == "F":
        return _high_depth_to_l(im)
    return im.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX


def _high_depth_to_l(im: Image.Image) -> Image.Image:
    """16-bit (or 32-bit int / float) greyscale to 8 bits by scaling, not clipping as convert() does."""
    a = np.asarray(im).astype(np.float32)
    if im.mode.startswith("I;16") or (im.mode == "I" and a.size and a.max() > 255):
        a = a / 257.0
    elif im.mode == "F" and a.size and a.max() <= 1.0:
        a = a * 255.0
    return Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8))


def _open_checked(path: Path) -> Image.Image:
    """Open (header only) and refuse a declared size over ``MAX_PIXELS`` before decoding anything."""
    try:
        with warnings.catch_warnings():
            # Over-limit sizes are refused below with a clear message; PIL's warning would only add noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path, formats=FORMATS)
    except Image.DecompressionBombError:
        raise BadInputError(_bomb_message(_declared_size(path)), path=path) from None
    except UnidentifiedImageError:
        raise BadInputError("the image is damaged (its header cannot be decoded)", path=path) from None
    width, height = im.size
    if width * height > MAX_PIXELS:
        im.close()
        raise BadInputError(_bomb_message((width, height)), path=path)
    if width == 0 or height == 0:
        im.close()
        raise BadInputError(f"declares an empty image ({width}x{height} pixels)", path=path)
    return im


def _bomb_message(size: tuple[int, int] | None) -> str:
    limit = f"over the {MAX_PIXELS // 1_000_000} MP limit"
    if size is None:
        return f"declares more than {2 * MAX_PIXELS // 1_000_000} MP, {limit} (a possible decompression bomb)"
    return f"declares {size[0]}x{size[1]} pixels, {limit} (a possible decompression bomb)"


def _declared_size(path: Path) -> tuple[int, int] | None:
    """The size an image header declares, read with PIL's format plugins but without the bomb check.

    Only used to word the error for images PIL refused to open as decompression bombs.
    """
    Image.init()
    with open(path, "rb") as fp:
        prefix = fp.read(16)
        for fmt in FORMATS:
            factory, accept = Image.OPEN[fmt]
            accepted = accept is None or accept(prefix)
            if not accepted or isinstance(accepted, str):  # a str is PIL's "almost, but no" answer
                continue
            fp.seek(0)
            try:
                return factory(fp, str(path)).size
            except (SyntaxError, OSError, ValueError, struct.error, IndexError):
                return None
    return None


def _exif(im: Image.Image, path: Path) -> Image.Exif | None:
    try:
        return im.getexif()
    except _METADATA_ERRORS as exc:
        logger.info("%s: ignoring damaged EXIF block (%s)", path, exc)
        return None


def _exif_texts(exif: Image.Exif | None) -> dict[str, str]:
    """Descriptive EXIF fields as clean strings, keyed by tag name."""
    if not exif:
        return {}
    texts = {name: _tag_text(exif.get(tag), utf16=name.startswith("XP")) for tag, name in _EXIF_TEXT_TAGS.items()}
    try:
        comment = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.UserComment)
    except _METADATA_ERRORS:
        comment = None
    texts["UserComment"] = _user_comment(comment)
    return {name: text for name, text in texts.items() if text}


def _tag_text(value: Any, *, utf16: bool = False) -> str:
    """EXIF values arrive as str, bytes or tuples of ints; XP* tags are UTF-16LE byte strings."""
    if value is None:
        return ""
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        value = bytes(v & 0xFF for v in value)
    if isinstance(value, bytes):
        value = value.decode("utf-16-le" if utf16 else "utf-8", errors="replace")
    return _clean(str(value))


def _user_comment(value: Any) -> str:
    """EXIF UserComment: an 8-byte character-code prefix, then the text."""
    if not isinstance(value, bytes):
        return _tag_text(value)
    code, text = value[:8], value[8:]
    encoding = _USER_COMMENT_CODES.get(code, "utf-8")
    if encoding == "utf-16" and not text.startswith((b"\xff\xfe", b"\xfe\xff")):
        # No BOM: guess the byte order from where the zero bytes of ASCII-range characters fall.
        encoding = "utf-16-be" if text[:1] == b"\0" else "utf-16-le"
    return _clean(text.decode(encoding, errors="replace"))


def _png_text(im: Image.Image) -> dict[str, str]:
    """All PNG tEXt/zTXt/iTXt chunks except the XMP packet (parsed on its own)."""
    if im.format != "PNG":
        return {}
    try:
        chunks = dict(im.text)
    except _METADATA_ERRORS:
        return {}
    return {k: _clean(str(v)) for k, v in chunks.items() if k not in _XMP_KEYS and _clean(str(v))}


def _xmp_packet(im: Image.Image, exif: Image.Exif | None) -> str:
    """The XMP packet from wherever the format keeps it (PNG iTXt, JPEG/WebP/GIF info, TIFF tag 700)."""
    packet: Any = None
    for key in _XMP_KEYS:
        packet = packet or im.info.get(key)
    if packet is None and im.format == "PNG":
        try:
            packet = im.text.get(_XMP_KEYS[0])
        except _METADATA_ERRORS:
            packet = None
    if packet is None and exif:
        packet = exif.get(ExifTags.Base.XMLPacket)
    if isinstance(packet, tuple):
        packet = bytes(packet)
    if isinstance(packet, bytes):
        packet = packet.decode("utf-8", errors="replace")
    return packet or ""


def _parse_xmp(packet: str) -> dict[str, Any]:
    """dc:title, dc:description (first language alternative) and dc:subject (all bag items).

    A deliberately small reader: the three Dublin Core fields are found by their element names,
    which avoids parsing untrusted XML with an entity-expanding parser.
    """
    if not packet:
        return {}
    fields: dict[str, Any] = {}
    for name in ("title", "description"):
        items = _xmp_items(packet, name)
        if items:
            fields[name] = items[0]
    subject = _xmp_items(packet, "subject")
    if subject:
        fields["subject"] = subject
    return fields


def _xmp_items(packet: str, name: str) -> list[str]:
    element = re.search(rf"<dc:{name}\b[^>]*>(.*?)</dc:{name}>", packet, re.S)
    if element is None:
        attribute = re.search(rf"\bdc:{name}\s*=\s*\"([^\"]*)\"", packet)
        return [_clean(html.unescape(attribute.group(1)))] if attribute else []
    inner = element.group(1)
    items = re.findall(r"<rdf:li\b[^>]*>(.*?)</rdf:li>", inner, re.S) or [inner]
    texts = [_clean(html.unescape(re.sub(r"<[^>]+>", " ", item))) for item in items]
    return [t for t in texts if t]


def _clean(text: str) -> str:
    return " ".join(text.replace("\x00", " ").split())[:MAX_FIELD_CHARS]
