"""One file in, one ``Analysis`` out, or a ``BadInputError`` that says why in plain words.

``analyze_file`` is the single entry point the importer calls for every file:

1. The kind comes from the extension (``kind_for_suffix``).
2. The file must be a readable, non-empty regular file.
3. Its first bytes must match the kind (magic numbers for images and MIDI, a text check for notes):
   a text file named ``.png`` is refused, while a JPEG named ``.png`` is an image and is read (the
   metadata records its real format).
4. The kind's reader (``read_image`` / ``read_midi`` / ``read_text``, imported on first use so that
   start-up does not pay for PIL or pretty_midi) decodes it.

Whatever a decoder raises on a damaged file (OSError, ValueError, EOFError, struct.error, ...)
becomes a ``BadInputError`` here, so one bad file never stops an import.
"""
from __future__ import annotations

import errno
import logging
import os
import stat
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ragart_desktop.core.errors import BadInputError, RagartError
from ragart_desktop.core.kinds import kind_for_suffix, kind_named
from ragart_desktop.core.library.analysis import Analysis

logger = logging.getLogger(__name__)

HEAD_BYTES = 4096
_IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")
_BMP_INFO_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})
_DESCRIPTIONS = {
    "PNG": "a PNG image",
    "JPEG": "a JPEG image",
    "GIF": "a GIF image",
    "WEBP": "a WebP image",
    "BMP": "a BMP image",
    "TIFF": "a TIFF image",
    "MIDI": "a MIDI file",
    "PDF": "a PDF document",
    "ZIP": "a ZIP archive",
    "GZIP": "a gzip archive",
    "WAVE": "WAV audio",
    "MP3": "MP3 audio",
    "OGG": "Ogg audio",
    "FLAC": "FLAC audio",
    "text": "text",
    "binary": "binary data of an unknown kind",
}
# What decoders raise for damaged or malformed data (besides OSError and EOFError, handled apart).
_DECODER_ERRORS = (
    ValueError, struct.error, SyntaxError, IndexError, KeyError, ZeroDivisionError, OverflowError, TypeError,
)  # fmt: skip


def analyze_file(path: Path) -> Analysis:
    """Read ``path`` into an ``Analysis``; raises ``BadInputError`` naming the file and the reason."""
    path = Path(path)
    kind = kind_for_suffix(path.suffix)
    if kind is None:
        if os.path.isdir(path):
            raise BadInputError("is a folder, not a file", path=path)
        raise BadInputError(f"unsupported file type '{path.suffix or '(no extension)'}'", path=path)
    reader = _reader(kind)  # outside the error mapping: a missing decoder package is not a bad file
    with bad_input_errors(path, kind):
        _check_content_matches(path, kind, sniff(_read_head(path)))
        return reader(path)


def sniff(head: bytes) -> str:
    """Name the format of a file from its first bytes.

    Returns a PIL-style image format id ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"), "MIDI",
    another recognised container ("PDF", "ZIP", ...), "text" or "binary".
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        return head[8:12].decode()
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "TIFF"
    # "BM" alone is too weak (a note may begin with it): also require a known DIB header size.
    if head[:2] == b"BM" and len(head) >= 18 and struct.unpack("<I", head[14:18])[0] in _BMP_INFO_HEADER_SIZES:
        return "BMP"
    if head.startswith(b"MThd\x00\x00\x00\x06"):
        return "MIDI"
    for magic, name in (
        (b"%PDF-", "PDF"), (b"PK\x03\x04", "ZIP"), (b"\x1f\x8b", "GZIP"), (b"ID3", "MP3"),
        (b"OggS", "OGG"), (b"fLaC", "FLAC"),
    ):  # fmt: skip
        if head.startswith(magic):
            return name
    return "text" if _looks_like_text(head) else "binary"


@contextmanager
def bad_input_errors(path: Path, kind: str) -> Iterator[None]:
    """Turn any error a damaged, vanished or unreadable file causes into a ``BadInputError``."""
    what = kind_named(kind).label
    try:
        yield
    except RagartError:
        raise
    except FileNotFoundError:
        if os.path.lexists(path):
            raise BadInputError("is a broken symbolic link (its target does not exist)", path=path) from None
        raise BadInputError("vanished before it could be read (the file no longer exists)", path=path) from None
    except PermissionError:
        hint = "Check the file's permissions."
        raise BadInputError("cannot be read: permission denied", path=path, hint=hint) from None
    except IsADirectoryError:
        raise BadInputError("is a folder, not a file", path=path) from None
    except MemoryError:
        raise BadInputError(f"the {what} is too large to decode in the available memory", path=path) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BadInputError("is a symbolic link loop", path=path) from None
        if exc.errno is not None:
            raise BadInputError(f"cannot be read ({exc.strerror or exc})", path=path) from None
        raise BadInputError(f"the {what} is damaged or truncated ({exc})", path=path) from None
    except EOFError:
        raise BadInputError(f"the {what} is truncated (the data ends too early)", path=path) from None
    except _DECODER_ERRORS as exc:
        raise BadInputError(f"the {what} is damaged or malformed ({_describe(exc)})", path=path) from None
    except Exception as exc:  # a decoder's own bug on hostile data must not stop the import
        logger.exception("unexpected error while reading %s", path)
        raise BadInputError(f"the {what} could not be decoded (unexpected {_describe(exc)})", path=path) from None


def _read_head(path: Path) -> bytes:
    """Check ``path`` is a non-empty regular file and return its first ``HEAD_BYTES`` bytes."""
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise BadInputError("is a folder, not a file", path=path)
    if not stat.S_ISREG(st.st_mode):
        raise BadInputError("is not a regular file (a device, pipe or socket)", path=path)
    if st.st_size == 0:
        raise BadInputError("is empty (0 bytes)", path=path)
    with open(path, "rb") as fp:
        head = fp.read(HEAD_BYTES)
    if not head:
        raise BadInputError("is empty (0 bytes)", path=path)
    return head


def _check_content_matches(path: Path, kind: str, fmt: str) -> None:
    looks_like = f"the content looks like {_DESCRIPTIONS[fmt]}"
    if kind == "image" and fmt not in _IMAGE_FORMATS:
        if fmt == "binary":
            looks_like = "the content is not PNG, JPEG, WebP, GIF, BMP or TIFF data"
        raise BadInputError(f"not an image ({looks_like})", path=path)
    if kind == "music" and fmt != "MIDI":
        if fmt == "binary":
            looks_like = "it has no MIDI header"
        raise BadInputError(f"not a MIDI file ({looks_like})", path=path)
    if kind == "text" and fmt != "text":
        raise BadInputError(f"not a text file ({looks_like})", path=path)


def _looks_like_text(head: bytes) -> bool:
    """No NUL bytes (unless UTF-16 with a BOM) and almost no control characters."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\f\b\x1b")
    return controls <= len(head) // 20


def _reader(kind: str) -> Callable[[Path], Analysis]:
    if kind == "image":
        from ragart_desktop.core.library.read_image import read_image

        return read_image
    if kind == "music":
        from ragart_desktop.core.library.read_midi import read_midi

        return read_midi
    from ragart_desktop.core.library.read_text import read_text

    return read_text


def _describe(exc: BaseException) -> str:
    detail = str(exc).strip()
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
