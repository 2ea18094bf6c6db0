"""Bad files: each one raises BadInputError naming the file and the reason, never anything else."""
from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pretty_midi
import pytest
from PIL import Image

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.library.readers import analyze_file, bad_input_errors


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _png_declaring(width: int, height: int) -> bytes:
    """A well-formed PNG header (valid CRCs) declaring a huge RGB image, with almost no pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _image_bytes(fmt: str, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    img = Image.fromarray((rng.random((48, 64, 3)) * 255).astype(np.uint8))
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def _midi_bytes() -> bytes:
    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=0, name="Lead")
    inst.notes += [pretty_midi.Note(velocity=80, pitch=60 + i, start=i * 0.25, end=i * 0.25 + 0.2) for i in range(40)]
    pm.instruments.append(inst)
    buf = io.BytesIO()
    pm.write(buf)
    return buf.getvalue()


def _raises(path: Path, reason: str) -> BadInputError:
    with pytest.raises(BadInputError) as info:
        analyze_file(path)
    assert reason in info.value.message
    assert info.value.path == str(path)
    return info.value


@pytest.mark.parametrize("name", ["empty.png", "empty.jpg", "empty.mid", "empty.txt"])
def test_zero_byte_file(tmp_path: Path, name: str):
    path = tmp_path / name
    path.write_bytes(b"")
    _raises(path, "empty (0 bytes)")


@pytest.mark.parametrize(
    "fmt, name", [("PNG", "cut.png"), ("JPEG", "cut.jpg"), ("GIF", "cut.gif"), ("WEBP", "cut.webp")]
)
def test_truncated_image(tmp_path: Path, fmt: str, name: str):
    data = _image_bytes(fmt)
    path = tmp_path / name
    path.write_bytes(data[: len(data) // 2])
    _raises(path, "damaged or truncated")


def test_garbage_named_jpg(tmp_path: Path):
    path = tmp_path / "noise.jpg"
    path.write_bytes(bytes(np.random.default_rng(1).integers(0, 256, 2000, dtype=np.uint8)))
    _raises(path, "not an image (the content is not PNG, JPEG, WebP, GIF, BMP or TIFF data)")


def test_text_named_png(tmp_path: Path):
    path = tmp_path / "readme.png"
    path.write_text("This is just a note about a painting.\n")
    _raises(path, "not an image (the content looks like text)")


def test_midi_named_png(tmp_path: Path):
    path = tmp_path / "song.png"
    path.write_bytes(_midi_bytes())
    _raises(path, "not an image (the content looks like a MIDI file)")


def test_png_named_txt(tmp_path: Path):
    path = tmp_path / "picture.txt"
    path.write_bytes(_image_bytes("PNG"))
    _raises(path, "not a text file (the content looks like a PNG image)")


def test_binary_named_txt(tmp_path: Path):
    path = tmp_path / "blob.txt"
    path.write_bytes(b"abc\x00\x01\x02" * 100)
    _raises(path, "not a text file (the content looks like binary data")


@pytest.mark.parametrize("width, height", [(40000, 40000), (9000, 9000)])
def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path, width: int, height: int):
    # 40000x40000 is over PIL's hard limit (2x); 9000x9000 = 81 MP is over ours but under PIL's.
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_declaring(width, height))
    assert path.stat().st_size < 200
    _raises(path, f"declares {width}x{height} pixels, over the 64 MP limit")


def test_text_named_mid(tmp_path: Path):
    path = tmp_path / "lyrics.mid"
    path.write_text("la la la\n")
    _raises(path, "not a MIDI file (the content looks like text)")


def test_midi_with_bad_header(tmp_path: Path):
    path = tmp_path / "header.mid"
    path.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x00\x60" + b"XXXX\x00\x00\x00\x04\x00\xff\x2f\x00")
    _raises(path, "MIDI file is damaged")


def test_midi_without_header(tmp_path: Path):
    path = tmp_path / "junk.midi"
    path.write_bytes(b"\x00\x01\x02\x03" * 64)
    _raises(path, "not a MIDI file (it has no MIDI header)")


def test_truncated_midi(tmp_path: Path):
    data = _midi_bytes()
    path = tmp_path / "cut.mid"
    path.write_bytes(data[: len(data) // 2])
    _raises(path, "MIDI file is truncated")


def test_directory_is_refused(tmp_path: Path):
    folder = tmp_path / "album.png"
    folder.mkdir()
    _raises(folder, "is a folder, not a file")
    _raises(tmp_path, "is a folder, not a file")


def test_vanished_file(tmp_path: Path):
    path = tmp_path / "gone.png"
    path.write_bytes(_image_bytes("PNG"))
    path.unlink()
    _raises(path, "vanished before it could be read")


def test_broken_symlink_and_symlink_loop(tmp_path: Path):
    broken = tmp_path / "broken.png"
    broken.symlink_to(tmp_path / "missing.png")
    _raises(broken, "broken symbolic link")
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    a.symlink_to(b)
    b.symlink_to(a)
    _raises(a, "symbolic link loop")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path):
    path = tmp_path / "locked.png"
    path.write_bytes(_image_bytes("PNG"))
    path.chmod(0)
    try:
        _raises(path, "permission denied")
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize(
    "error, reason",
    [
        (PermissionError(13, "Permission denied"), "cannot be read: permission denied"),
        (MemoryError(), "the image is too large to decode in the available memory"),
        (OSError(5, "Input/output error"), "cannot be read (Input/output error)"),
        (RuntimeError("decoder bug"), "the image could not be decoded (unexpected RuntimeError: decoder bug)"),
    ],
)
def test_error_mapping_covers_what_a_root_test_run_cannot_provoke(tmp_path: Path, error: Exception, reason: str):
    path = tmp_path / "x.png"
    with pytest.raises(BadInputError) as info, bad_input_errors(path, "image"):
        raise error
    assert info.value.message == reason and info.value.path == str(path)


def test_unsupported_extension(tmp_path: Path):
    path = tmp_path / "model.obj"
    path.write_text("v 0 0 0\n")
    _raises(path, "unsupported file type '.obj'")


@pytest.mark.parametrize("fmt, name", [("PNG", "x.png"), ("JPEG", "x.jpg"), ("GIF", "x.gif"), ("BMP", "x.bmp"),
                                       ("TIFF", "x.tif"), ("WEBP", "x.webp"), ("MIDI", "x.mid")])  # fmt: skip
def test_corrupted_bytes_never_escape_as_another_error(tmp_path: Path, fmt: str, name: str):
    """Flip random bytes after the header: the reader either still copes or raises BadInputError."""
    original = _midi_bytes() if fmt == "MIDI" else _image_bytes(fmt)
    rng = np.random.default_rng(42)
    path = tmp_path / name
    for _ in range(25):
        data = bytearray(original)
        for pos in rng.integers(16, len(data), size=8):
            data[pos] = int(rng.integers(0, 256))
        path.write_bytes(bytes(data))
        try:
            analyze_file(path)
        except BadInputError as exc:
            assert exc.path == str(path) and exc.message
