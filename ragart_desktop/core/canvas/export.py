"""PNG export carrying provenance: the caller's JSON in a "ragart" text chunk.

The generation pipeline passes the full request, seed, engine and references; reading it back is
``json.loads(Image.open(path).text["ragart"])``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

from ragart_desktop.core.fileio import atomic_write
from ragart_desktop.core.errors import BadInputError, UsageError

METADATA_KEY = "ragart"


def write_png_with_metadata(image: Image.Image, path: Path, metadata: dict[str, Any]) -> Path:
    try:
        text = json.dumps(metadata, ensure_ascii=True, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"the image metadata cannot be written as JSON ({exc}).", path=path) from None
    info = PngImagePlugin.PngInfo()
    info.add_text(METADATA_KEY, text, zip=len(text) > 1024)
    return atomic_write(path, lambda fh: image.save(fh, format="PNG", pnginfo=info))


def read_png_metadata(path: Path) -> dict[str, Any] | None:
    """The "ragart" JSON of a PNG, or None when it has none."""
    try:
        with Image.open(path) as image:
            text = getattr(image, "text", {}).get(METADATA_KEY)
        return json.loads(text) if text else None
    except (OSError, ValueError) as exc:
        raise BadInputError(f"the PNG's ragart metadata cannot be read ({exc}).", path=path) from None
