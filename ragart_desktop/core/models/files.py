"""Reading the small files of a user's models folder (headers, JSON configs) without trusting them.

Opening a FIFO for reading waits for a writer forever and a device can stream without end, so a
file is opened non-blocking and read only when it turns out to be a regular file. Reads are capped,
and JSON nested deeper than Python's parser can follow (``RecursionError``) is an error like any
other: the caller says "not loadable" for that file and goes on with the rest.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, BinaryIO

from ragart_desktop.core.errors import ModelError

MAX_JSON_BYTES = 16 * 1024 * 1024   # the largest configs (tokenizer.json of big vocabularies) are a few MB
NOT_REGULAR = "not a regular file (a pipe, device or socket); skipped without reading it."


def is_special(path: Path) -> bool:
    """True for an existing path that is neither a folder nor a regular file."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISDIR(mode) or stat.S_ISREG(mode))


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading if it is a regular file; never blocks on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ModelError(f"cannot read the file ({exc.strerror or exc}).", path=path) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ModelError(NOT_REGULAR, path=path)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: Path, limit: int) -> bytes:
    """The file's bytes; ``ModelError`` when it is larger than ``limit`` or not a regular file."""
    with open_regular(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ModelError(f"the file is larger than the {limit // (1024 * 1024)} MB a config may be.", path=path)
    return data


def parse_json(raw: bytes | str, path: Path, what: str = "the file", hint: str | None = None) -> Any:
    """``json.loads`` whose every failure (including nesting too deep to parse) is a ``ModelError``."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply to read" if isinstance(exc, RecursionError) else str(exc)
        raise ModelError(f"{what} is not valid JSON ({reason}).", path=path, hint=hint) from exc


def read_json_object(path: Path) -> dict | None:
    """A JSON object file, or None when it is missing, unreadable, damaged or not an object."""
    try:
        data = parse_json(read_capped(path, MAX_JSON_BYTES), path)
    except ModelError:
        return None
    return data if isinstance(data, dict) else None
