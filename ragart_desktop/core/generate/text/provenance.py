"""Provenance written beside (and read back from) an exported text.

- ``.md``: a front-matter block at the top: ``title`` (the first line) and ``ragart``, the whole
  record as one line of JSON (JSON is valid YAML, and our own importer reads the block too).
- ``.txt``: the text alone, and the record in a sidecar ``NAME.txt.ragart.json`` beside it, so the
  text file stays exactly the poem.
Both files are written atomically (temp file, fsync, rename).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.fileio import atomic_write

SUFFIXES = (".md", ".txt")   # the first is what a folder receives
SIDECAR = ".ragart.json"
KEY = "ragart"


def sidecar_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name + SIDECAR)


def markdown_with_record(text: str, record: dict[str, Any]) -> str:
    title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    head = json.dumps(title, ensure_ascii=False)
    return f"---\ntitle: {head}\n{KEY}: {json.dumps(record, ensure_ascii=False, default=str)}\n---\n\n{text.rstrip()}\n"


def save_text(text: str, path: str | os.PathLike, record: dict[str, Any]) -> Path:
    """Write ``text`` with its record: front matter in a .md, a sidecar for any other suffix."""
    path = Path(path)
    if path.suffix.lower() == ".md":
        data = markdown_with_record(text, record).encode("utf-8")
        return atomic_write(path, lambda f: f.write(data), "the text")
    atomic_write(path, lambda f: f.write(text.rstrip().encode("utf-8") + b"\n"), "the text")
    sidecar = json.dumps(record, ensure_ascii=False, indent=1, default=str).encode("utf-8")
    atomic_write(sidecar_path(path), lambda f: f.write(sidecar), "the provenance sidecar")
    return path


def read_text_file(path: str | os.PathLike) -> tuple[str, Optional[dict[str, Any]]]:
    """(the text without front matter, its RagArt record or None) of a .txt or .md file."""
    from ragart_desktop.core.library.read_text import decode_text, split_front_matter

    path = Path(path)
    try:
        text, _ = decode_text(path.read_bytes())
    except OSError as exc:
        raise BadInputError(f"cannot be read ({exc.strerror or exc}).", path=path) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fields, body = split_front_matter(text)
    raw: Any = fields.get(KEY)
    if raw is None and sidecar_path(path).is_file():
        try:
            raw = sidecar_path(path).read_text(encoding="utf-8")
        except OSError:
            raw = None
    record = None
    if isinstance(raw, str):
        try:
            record = json.loads(raw)
        except ValueError:
            record = None   # a damaged record is no record: the text is still evaluated
    return body.strip("\n"), record if isinstance(record, dict) else None
