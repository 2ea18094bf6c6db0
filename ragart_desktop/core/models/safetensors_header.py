"""Read a .safetensors file's header without loading any weights (and without torch).

A safetensors file is: 8 bytes (little-endian u64) = header length N, then N bytes of JSON mapping
each tensor name to its dtype, shape and byte range, then the raw data. Reading the header is enough
to recognise a model by its key layout and to catch a truncated download (a byte range or the
header itself running past the end of the file) before any loader touches the file.
"""
from __future__ import annotations

import math
import os
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.models.files import open_regular, parse_json

MAX_HEADER_BYTES = 100 * 1024 * 1024  # the safetensors library refuses larger headers too

DTYPE_BYTES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1,
    "U16": 2, "U32": 4, "U64": 8, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
}
DTYPE_NAMES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16",
               "F8_E4M3": "float8_e4m3", "F8_E5M2": "float8_e5m2"}

_REDOWNLOAD = "The file is damaged or incomplete: download it again."


@dataclass(frozen=True)
class SafetensorsHeader:
    path: Path
    tensors: dict[str, dict]   # name -> {"dtype": "F16", "shape": [...], "data_offsets": [begin, end]}
    metadata: dict[str, str]

    def shape(self, key: str) -> list[int] | None:
        info = self.tensors.get(key)
        return list(info["shape"]) if info else None

    def has_prefix(self, prefix: str) -> bool:
        return any(k.startswith(prefix) for k in self.tensors)

    def dtype(self) -> str:
        """The floating-point dtype holding most bytes ("float16", "bfloat16", ...), "" if none."""
        weight = Counter()
        for info in self.tensors.values():
            if info["dtype"] in DTYPE_NAMES:
                begin, end = info["data_offsets"]
                weight[info["dtype"]] += end - begin
        return DTYPE_NAMES[weight.most_common(1)[0][0]] if weight else ""


def read_safetensors_header(path: str | Path) -> SafetensorsHeader:
    """Parse and check the header; raise ``ModelError`` naming the file when it is damaged."""
    path = Path(path)
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            prefix = fh.read(8)
            if len(prefix) < 8:
                raise ModelError(f"safetensors file is only {size} bytes, too short for a header.",
                                 path=path, hint=_REDOWNLOAD)
            (n,) = struct.unpack("<Q", prefix)
            if n > size - 8:
                raise ModelError(f"safetensors header length ({n} bytes) runs beyond the file size ({size} bytes).",
                                 path=path, hint=_REDOWNLOAD)
            if n > MAX_HEADER_BYTES:
                raise ModelError(f"safetensors header is implausibly large ({n} bytes).", path=path, hint=_REDOWNLOAD)
            raw = fh.read(n)
    except OSError as exc:
        raise ModelError(f"cannot read the file ({exc.strerror or exc}).", path=path) from exc
    header = parse_json(raw, path, "safetensors header", _REDOWNLOAD)
    if not isinstance(header, dict):
        raise ModelError("safetensors header is not a JSON object.", path=path, hint=_REDOWNLOAD)
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in metadata.items()):
        raise ModelError("safetensors metadata is malformed (it must map text to text).", path=path,
                         hint=_REDOWNLOAD)
    _check_tensors(path, header, data_size=size - 8 - n)
    return SafetensorsHeader(path=path, tensors=header, metadata=metadata)


def _ints(value: object, length: int | None = None) -> bool:
    """A JSON list of non-negative integers (of ``length`` items when given)."""
    return (isinstance(value, list) and (length is None or len(value) == length)
            and all(type(v) is int and v >= 0 for v in value))


def _check_tensors(path: Path, tensors: dict, data_size: int) -> None:
    for name, info in tensors.items():
        if not (isinstance(info, dict) and isinstance(info.get("dtype"), str) and _ints(info.get("shape"))
                and _ints(info.get("data_offsets"), 2) and info["data_offsets"][0] <= info["data_offsets"][1]):
            raise ModelError(f"safetensors entry {name!r} is malformed (dtype, shape or data_offsets).", path=path,
                             hint=_REDOWNLOAD)
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if end > data_size:
            raise ModelError(
                f"tensor {name!r} ends at byte {end} but the file holds only {data_size} bytes of data "
                "(truncated download?).", path=path, hint=_REDOWNLOAD)
        if dtype in DTYPE_BYTES:
            expected = math.prod(shape) * DTYPE_BYTES[dtype]
            if end - begin != expected:
                raise ModelError(f"tensor {name!r} has {end - begin} bytes but its shape {shape} and dtype "
                                 f"{dtype} need {expected}.", path=path, hint=_REDOWNLOAD)
