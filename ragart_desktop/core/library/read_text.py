"""Read a text note (.txt / .md) into an ``Analysis``: decoded body, title, front-matter tags.

Decoding: a byte-order mark decides first (UTF-8 BOM -> ``utf-8-sig``, UTF-16 BOMs -> ``utf-16``);
otherwise strict UTF-8, then cp1252 (Windows "ANSI" notes), then Latin-1, which maps every byte and
so always succeeds. The encoding used is recorded in the metadata.

Size policy: a note larger than ``MAX_TEXT_BYTES`` (2 MB) is refused with a ``BadInputError`` rather
than silently truncated, so the import report tells the user which file was left out and why.
"""
from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.library.analysis import Analysis

MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_TITLE_CHARS = 120

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_TAG_KEYS = ("tags", "keywords", "categories")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of unknown encoding; returns ``(text, encoding)`` (see module docstring)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1", errors="replace"), "latin-1"


def display_stem(path: Path) -> str:
    """The file's stem as clean text, even for a non-UTF-8 file name.

    On POSIX a name that is not valid UTF-8 reaches Python with surrogate escapes, which SQLite and
    JSON cannot store; the raw bytes are decoded like a note's content instead.
    """
    return decode_text(os.fsencode(Path(path).stem))[0]


def read_text(path: Path) -> Analysis:
    """Read a text note; the caller (``readers.analyze_file``) has checked it is a non-empty text file."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise BadInputError(
            f"too large for a text note ({size / 1e6:.1f} MB; the limit is {MAX_TEXT_BYTES / 1e6:.0f} MB)",
            path=path,
            hint="Split the file into smaller notes.",
        )
    text, encoding = decode_text(path.read_bytes())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front_matter, rest = split_front_matter(text)
    tags = front_matter_tags(front_matter)
    title = (
        _clean_title(str(front_matter.get("title", "")))
        or _first_title_line(rest, markdown=path.suffix.lower() == ".md")
        or display_stem(path)
    )
    metadata = {
        "encoding": encoding,
        "chars": len(text),
        "lines": text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        "words": len(text.split()),
    }
    if tags:
        metadata["tags"] = tags
    words = " ".join([title, *tags])
    return Analysis(kind="text", title=title, metadata=metadata, words=words, content=text, body=text)


def split_front_matter(text: str) -> tuple[dict[str, str | list[str]], str]:
    """Split a leading ``---`` YAML-style block into a flat dict; returns ``(fields, remaining text)``.

    Only the simple subset notes use is understood: ``key: value``, inline lists ``[a, b]`` and
    block lists (``- a`` lines under a key). Anything else is kept as a plain string.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return {}, text
    fields: dict[str, str | list[str]] = {}
    key = None
    for line in lines[1:end]:
        item = re.match(r"^\s+-\s+(.*)$", line) or re.match(r"^-\s+(.*)$", line)
        if item and key is not None:
            current = fields.get(key)
            values = current if isinstance(current, list) else []
            values.append(_unquote(item.group(1)))
            fields[key] = values
            continue
        pair = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if pair:
            key, value = pair.group(1).lower(), pair.group(2).strip()
            if value.startswith("[") and value.endswith("]"):
                fields[key] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
            else:
                fields[key] = _unquote(value)
    return fields, "\n".join(lines[end + 1:])


def front_matter_tags(fields: dict[str, str | list[str]]) -> list[str]:
    """Tags named by ``tags``/``keywords``/``categories`` (a list, or a comma/space separated string)."""
    tags: list[str] = []
    for key in _TAG_KEYS:
        value = fields.get(key)
        if isinstance(value, str):
            value = [v for v in re.split(r"[,\s]+", value) if v]
        for tag in value or []:
            tag = tag.strip().lstrip("#")
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def _first_title_line(text: str, *, markdown: bool) -> str:
    """First markdown heading outside code fences (for .md), else the first non-empty line."""
    if markdown:
        in_fence = False
        for line in text.split("\n"):
            if _FENCE.match(line):
                in_fence = not in_fence
                continue
            heading = None if in_fence else _HEADING.match(line)
            if heading:
                return _clean_title(heading.group(1))
    for line in text.split("\n"):
        if line.strip():
            return _clean_title(line)
    return ""


def _clean_title(line: str) -> str:
    return " ".join(line.split())[:MAX_TITLE_CHARS].strip()


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
