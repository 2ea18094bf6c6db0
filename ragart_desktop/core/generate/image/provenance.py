"""Provenance written into (and read back from) the output PNG.

The ``ragart`` text chunk holds the full JSON record (request, seed, engine, model, references with
weights, scores); a ``parameters`` chunk in the common "prompt / Negative prompt / Steps ..." form
lets other tools (and our own importer) read the prompt too.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.fileio import atomic_write

CHUNK = "ragart"


def parameters_text(record: dict[str, Any]) -> str:
    req = record["request"]
    lines = [req.get("prompt", "")]
    if req.get("negative_prompt"):
        lines.append(f"Negative prompt: {req['negative_prompt']}")
    steps = f"Steps: {req['steps']}, " if req.get("steps") is not None else ""   # the built-in engines take none
    lines.append(f"{steps}Seed: {record.get('seed')}, Size: {req.get('width')}x{req.get('height')}, "
                 f"Mode: {req.get('mode')}, Engine: {record.get('engine')}")
    return "\n".join(lines)


def save_png(image: Image.Image, path: str | os.PathLike, record: dict[str, Any]) -> Path:
    """Write atomically (temp file + rename) so a cancelled or crashed job leaves no half file."""
    info = PngInfo()
    info.add_itxt(CHUNK, json.dumps(record, default=str))
    info.add_text("parameters", parameters_text(record))
    return atomic_write(path, lambda f: image.save(f, format="PNG", pnginfo=info), "the image")


def read_record(path: str | os.PathLike) -> dict[str, Any]:
    try:
        with Image.open(path) as im:
            text = getattr(im, "text", {}).get(CHUNK)
    except OSError as exc:
        raise BadInputError(f"cannot be read ({exc}).", path=path) from exc
    if not text:
        raise BadInputError("has no RagArt provenance.", path=path)
    return json.loads(text)
