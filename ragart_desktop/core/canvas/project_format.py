"""What a .ragart file may hold, checked before anything it describes is allocated.

A project file can come from anywhere (a download, a damaged disk), so reading one trusts none of
its sizes:

- the manifest is read with a size cap and parsed into typed entries, every field checked (JSON
  nested too deep for the parser is damage like any other);
- each zip member is read at most once, the compressed sizes of the members read add up to no more
  than the file itself (overlapping members, the zip-bomb shape, cannot), and no member claims to
  inflate more than deflate can (``DEFLATE_MAX_RATIO``);
- a layer PNG's header must give the canvas size and mode, and its pixels must be decodable from
  the bytes present (same ratio), before it is decoded: so a file of a few kilobytes can never
  make the reader allocate hundreds of megabytes;
- history tiles (.npy inside .npz) are checked from their headers (uint8, the exact shape of a tile
  of the canvas grid) and built from their bytes, never allocated from a claimed shape.

PIL's decompression-bomb limit is not applied to the project's own layers: it protects imports of
untrusted images (``core.library.read_image``), while a canvas of any size the app lets a user
create (up to ``MAX_SIDE`` a side) must reopen. The checks above bound what a hostile file can cost.
"""
from __future__ import annotations

import io
import json
import math
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
from numpy.lib import format as npy_format
from PIL import PngImagePlugin

from ragart_desktop.core.canvas.document import MAX_SIDE
from ragart_desktop.core.canvas.tiles import TILE, tile_rect

MAX_MANIFEST_BYTES = 16 * 1024 * 1024
DEFLATE_MAX_RATIO = 1032          # deflate's limit: a 258-byte match coded in about 2 bits
RATIO_SLACK = 64 * 1024           # headers, filter bytes and small members
MAX_NAME_CHARS = 10_000
_TILE_NAME = re.compile(r"(before|after)_(\d{1,7})_(\d{1,7})\.npy")


class Damaged(ValueError):
    """Why a project file cannot be used, in plain words."""


@dataclass(frozen=True)
class LayerEntry:
    id: int
    name: str
    opacity: float
    visible: bool
    blend: str
    provenance: dict
    file: str


@dataclass(frozen=True)
class HistoryEntry:
    meta: dict
    file: Optional[str]


@dataclass(frozen=True)
class Manifest:
    width: int
    height: int
    next_layer_id: int
    active_layer: Optional[int]
    layers: list[LayerEntry]
    history_layers: list[LayerEntry]
    history: list[HistoryEntry]
    selection: Optional[str]
    session_id: Optional[str]


# --------------------------------------------------------------------------------- the manifest

def read_manifest_json(zf: zipfile.ZipFile) -> dict:
    """The manifest as a dict (``KeyError`` when there is none; ``Damaged`` when it is unusable)."""
    raw = read_member(zf, "manifest.json", MAX_MANIFEST_BYTES)
    try:
        data = json.loads(raw)
    except RecursionError:
        raise Damaged("the manifest is nested too deeply to read") from None
    except ValueError as exc:
        raise Damaged(f"the manifest is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise Damaged(f"the manifest is a JSON {type(data).__name__}, not an object")
    return data


def check_manifest(data: dict, members: set[str]) -> Manifest:
    """Every field of the manifest, typed and checked against the zip's members."""
    width, height = _int(data, "width", 1, MAX_SIDE), _int(data, "height", 1, MAX_SIDE)
    layers = [_layer(e) for e in _list(data, "layers")]
    history_layers = [_layer(e) for e in _list(data, "history_layers", required=False)]
    ids = [layer.id for layer in layers + history_layers]
    if len(set(ids)) != len(ids):
        raise Damaged("two layers share one id")
    history = [_history_entry(e) for e in _list(data, "history", required=False)]
    selection = _optional_str(data, "selection")
    files = [layer.file for layer in layers + history_layers] + [h.file for h in history if h.file] + \
        ([selection] if selection else [])
    if len(set(files)) != len(files):
        raise Damaged("one file inside the project is used twice")
    missing = [f for f in files if f not in members]
    if missing:
        raise Damaged(f"{missing[0]} is missing from the project")
    next_id = _int(data, "next_layer_id", 1, 2**53)
    if ids and next_id <= max(ids):
        raise Damaged("the next layer id is not above the ids in use")
    active = data.get("active_layer")
    return Manifest(width, height, next_id, active if type(active) is int else None, layers, history_layers,
                    history, selection, _optional_str(data, "session_id"))


def _layer(entry: Any) -> LayerEntry:
    if not isinstance(entry, dict):
        raise Damaged("a layer entry is not an object")
    opacity = entry.get("opacity")
    if type(opacity) not in (int, float) or not (0.0 <= opacity <= 1.0):
        raise Damaged(f"a layer's opacity {opacity!r} is not a number between 0 and 1")
    visible = entry.get("visible")
    if type(visible) is not bool:
        raise Damaged("a layer's visibility is not true or false")
    provenance = entry.get("provenance") or {}
    if not isinstance(provenance, dict):
        raise Damaged("a layer's provenance is not an object")
    return LayerEntry(_int(entry, "id", 1, 2**53), _str(entry, "name"), float(opacity), visible,
                      _optional_str(entry, "blend") or "normal", provenance, _str(entry, "file"))


def _history_entry(entry: Any) -> HistoryEntry:
    if not isinstance(entry, dict) or not isinstance(entry.get("meta"), dict):
        raise Damaged("a history entry is not an object with a 'meta' object")
    return HistoryEntry(entry["meta"], _optional_str(entry, "file"))


def _int(d: dict, key: str, lo: int, hi: int) -> int:
    value = d.get(key)
    if type(value) is not int or not lo <= value <= hi:
        raise Damaged(f"'{key}' is {value!r}, not a whole number from {lo} to {hi}")
    return value


def _str(d: dict, key: str) -> str:
    value = d.get(key)
    if not isinstance(value, str) or len(value) > MAX_NAME_CHARS:
        raise Damaged(f"'{key}' is not text")
    return value


def _optional_str(d: dict, key: str) -> Optional[str]:
    return None if d.get(key) is None else _str(d, key)


def _list(d: dict, key: str, required: bool = True) -> list:
    value = d.get(key, None if required else [])
    if not isinstance(value, list):
        raise Damaged(f"'{key}' is not a list")
    return value


# ----------------------------------------------------------------------------------- members

class MemberBudget:
    """Members are read once each, and what is read never adds up to more than the file holds."""

    def __init__(self, zf: zipfile.ZipFile, file_size: int):
        self.zf = zf
        self.left = file_size
        self.read: set[str] = set()

    def take(self, name: str, limit: int) -> bytes:
        if name in self.read:
            raise Damaged(f"{name} is used twice")
        info = self.zf.getinfo(name)
        self.left -= info.compress_size
        if self.left < 0:
            raise Damaged("its entries overlap (they claim more bytes than the file holds)")
        self.read.add(name)
        return read_member(self.zf, name, limit)


def read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, refused before reading when it is larger than ``limit`` or claims to inflate
    more than deflate can; never more than ``limit`` bytes are read, whatever its header says."""
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise Damaged(f"{name} is larger ({info.file_size:,} bytes) than it may be ({limit:,})")
    if info.file_size > DEFLATE_MAX_RATIO * info.compress_size + RATIO_SLACK:
        raise Damaged(f"{name} claims to inflate {info.file_size:,} bytes from {info.compress_size:,}")
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise Damaged(f"{name} is larger than it may be")
    return data


def read_png(budget: MemberBudget, name: str, mode: str, width: int, height: int) -> np.ndarray:
    """A layer ("RGBA") or the selection ("L") of a ``width`` x ``height`` canvas, checked first."""
    channels = 4 if mode == "RGBA" else 1
    raw_size = height * (1 + width * channels)          # what the PNG's zlib stream inflates to
    data = budget.take(name, raw_size + RATIO_SLACK * 16)
    try:
        image = PngImagePlugin.PngImageFile(io.BytesIO(data))   # header only; no decompression-bomb limit
    except (SyntaxError, OSError, ValueError) as exc:
        raise Damaged(f"{name} is not a readable PNG ({exc})") from None
    if image.size != (width, height) or image.mode != mode:
        raise Damaged(f"{name} is {image.size[0]} x {image.size[1]} {image.mode}, "
                      f"expected {width} x {height} {mode}")
    if raw_size > DEFLATE_MAX_RATIO * len(data) + RATIO_SLACK:
        raise Damaged(f"{name} cannot hold {width} x {height} pixels in {len(data):,} bytes")
    try:
        image.load()
        pixels = np.asarray(image, dtype=np.uint8)
    except (OSError, ValueError, SyntaxError) as exc:
        raise Damaged(f"{name} cannot be decoded ({exc})") from None
    finally:
        image.close()
    expected = (height, width, 4) if channels == 4 else (height, width)
    if pixels.shape != expected:
        raise Damaged(f"{name} decodes to {pixels.shape}, expected {expected}")
    return np.array(pixels)   # writable, owned


def read_tiles(budget: MemberBudget, name: str, channels: Optional[int], width: int,
               height: int) -> dict[str, np.ndarray]:
    """The tiles of one pixel history entry: ``{"before_TY_TX": tile, "after_TY_TX": tile}``.

    ``channels`` is 4 for a layer's tiles and None for the selection's (2-D). Every tile must lie on
    the canvas's grid with exactly that grid cell's shape, and both sides must name the same tiles.
    """
    tile_bytes = TILE * TILE * (channels or 1)
    cells = math.ceil(width / TILE) * math.ceil(height / TILE)
    data = budget.take(name, 2 * cells * (tile_bytes + 256) + RATIO_SLACK)
    tiles: dict[str, np.ndarray] = {}
    try:
        npz = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise Damaged(f"{name} is not a readable archive ({exc})") from None
    with npz:
        inner = MemberBudget(npz, len(data))
        for info in npz.infolist():
            match = _TILE_NAME.fullmatch(info.filename)
            if match is None:
                raise Damaged(f"{name} holds an unexpected entry {info.filename[:80]!r}")
            side, ty, tx = match[1], int(match[2]), int(match[3])
            if ty * TILE >= height or tx * TILE >= width:
                raise Damaged(f"{name} holds a tile ({ty}, {tx}) outside the canvas")
            rect = tile_rect((ty, tx), height, width)
            shape = (rect.height, rect.width) + ((channels,) if channels else ())
            tiles[f"{side}_{ty}_{tx}"] = _npy(inner.take(info.filename, tile_bytes + 256), shape, name)
    sides = {side: {k.split("_", 1)[1] for k in tiles if k.startswith(side + "_")} for side in ("before", "after")}
    if sides["before"] != sides["after"]:
        raise Damaged(f"{name} does not hold a before and an after for every tile")
    return tiles


def _npy(raw: bytes, shape: tuple[int, ...], name: str) -> np.ndarray:
    """A uint8 array of exactly ``shape`` from .npy bytes, checked from the header first."""
    fp = io.BytesIO(raw)
    try:
        version = npy_format.read_magic(fp)
        read_header = npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
        found, fortran, dtype = read_header(fp)
    except (ValueError, SyntaxError, TypeError) as exc:
        raise Damaged(f"{name} holds a damaged tile ({exc})") from None
    if dtype != np.uint8 or fortran or tuple(found) != shape:
        raise Damaged(f"{name} holds a tile of {found} {dtype}, expected {shape} uint8")
    body = raw[fp.tell():]
    if len(body) != math.prod(shape):
        raise Damaged(f"{name} holds a tile of {len(body)} bytes, expected {math.prod(shape)}")
    return np.frombuffer(body, dtype=np.uint8).reshape(shape).copy()
