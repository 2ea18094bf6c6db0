"""Text notes: encodings, titles, front-matter tags, non-UTF-8 file names, the size limit."""
from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.library.read_text import MAX_TEXT_BYTES, decode_text, display_stem
from ragart_desktop.core.library.readers import analyze_file


def test_markdown_title_tags_and_body(tmp_path: Path):
    path = tmp_path / "ideas.md"
    path.write_text(
        "---\ntags: [ink, harbour]\nkeywords:\n  - boats\n  - fog\n---\n"
        "intro line\n```\n# not a heading inside code\n```\n## Harbour at dawn ##\nGrey boats, thin fog.\n",
        encoding="utf-8",
    )
    a = analyze_file(path)
    assert a.kind == "text"
    assert a.title == "Harbour at dawn"
    assert a.metadata["tags"] == ["ink", "harbour", "boats", "fog"]
    assert a.metadata["encoding"] == "utf-8"
    assert a.words == "Harbour at dawn ink harbour boats fog"
    assert a.body == a.content and "Grey boats, thin fog." in a.body


def test_front_matter_title_wins_and_string_tags_are_split(tmp_path: Path):
    path = tmp_path / "n.md"
    path.write_text('---\ntitle: "Colour notes"\ntags: warm, cool, muted\n---\n# Heading\n', encoding="utf-8")
    a = analyze_file(path)
    assert a.title == "Colour notes"
    assert a.metadata["tags"] == ["warm", "cool", "muted"]


def test_plain_text_title_is_first_non_empty_line_trimmed(tmp_path: Path):
    path = tmp_path / "long.txt"
    first = "word " * 60
    path.write_text(f"\n\n   {first}\n# not used in .txt\n", encoding="utf-8")
    a = analyze_file(path)
    assert len(a.title) <= 120
    assert a.title.startswith("word word")


def test_latin1_bytes_are_decoded_and_the_encoding_recorded(tmp_path: Path):
    path = tmp_path / "cafe.txt"
    path.write_bytes("Café crème, déjà vu\r\nsecond line\r\n".encode("latin-1"))
    a = analyze_file(path)
    assert a.metadata["encoding"] == "cp1252"
    assert a.title == "Café crème, déjà vu"
    assert a.body == "Café crème, déjà vu\nsecond line\n"


def test_decoding_fallback_chain():
    assert decode_text("naïve".encode("utf-8")) == ("naïve", "utf-8")
    assert decode_text(codecs.BOM_UTF8 + b"bom") == ("bom", "utf-8-sig")
    assert decode_text("utf16 ü".encode("utf-16")) == ("utf16 ü", "utf-16")
    assert decode_text(b"\x93quoted\x94") == ("\u201cquoted\u201d", "cp1252")
    assert decode_text(b"undefined in cp1252: \x81") == ("undefined in cp1252: \x81", "latin-1")


def test_utf16_note_is_text(tmp_path: Path):
    path = tmp_path / "windows.txt"
    path.write_bytes("Notepad note\nline two".encode("utf-16"))
    a = analyze_file(path)
    assert a.metadata["encoding"] == "utf-16"
    assert a.title == "Notepad note"


def test_non_utf8_file_name_gives_a_clean_title(tmp_path: Path):
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9 notes.txt")  # Latin-1 name, invalid UTF-8
    with open(raw, "wb") as fp:
        fp.write(b"\n  \n")  # no line to take a title from: the stem is used
    path = Path(os.fsdecode(raw))
    a = analyze_file(path)
    assert a.title == "café notes"
    a.title.encode("utf-8")  # storable in SQLite / JSON (no surrogate escapes)
    assert display_stem(path) == "café notes"


def test_note_over_the_size_limit_is_refused(tmp_path: Path):
    path = tmp_path / "dump.txt"
    path.write_bytes(b"a" * (MAX_TEXT_BYTES + 1))
    with pytest.raises(BadInputError, match="too large for a text note") as info:
        analyze_file(path)
    assert info.value.path == str(path)
