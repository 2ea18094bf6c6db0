"""Read a .safetensors file's header without loading any weights (and without torch).

A safetensors file is: 8 bytes (little-endian u64) = header length N, then N bytes of JSON mapping
each tensor name to its dtype, shape and byte range, then the raw data. Reading the header is enough
to recognise a model by its key layout and to catch a truncated download (a byte range or the
header itself running past the end of the file) before any loader touches the file.
"""
from __future__ import annotations

import json
import math
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ragart_desktop.core.errors import ModelError

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
        size = path.stat().st_size
        with path.open("rb") as fh:
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
    try:
        header = json.loads(raw)
        if not isinstance(header, dict):
            raise ValueError("header is not a JSON object")
    except ValueError as exc:
        raise ModelError(f"safetensors header is not valid JSON ({exc}).", path=path, hint=_REDOWNLOAD) from exc
    metadata = header.pop("__metadata__", None) or {}
    _check_tensors(path, header, data_size=size - 8 - n)
    return SafetensorsHeader(path=path, tensors=header, metadata=metadata)


def _check_tensors(path: Path, tensors: dict, data_size: int) -> None:
    for name, info in tensors.items():
        try:
            dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"safetensors entry {name!r} is malformed.", path=path, hint=_REDOWNLOAD) from exc
        if end > data_size:
            raise ModelError(
                f"tensor {name!r} ends at byte {end} but the file holds only {data_size} bytes of data "
                "(truncated download?).", path=path, hint=_REDOWNLOAD)
        if dtype in DTYPE_BYTES:
            expected = math.prod(shape) * DTYPE_BYTES[dtype]
            if begin < 0 or end - begin != expected:
                raise ModelError(f"tensor {name!r} has {end - begin} bytes but its shape {shape} and dtype "
                                 f"{dtype} need {expected}.", path=path, hint=_REDOWNLOAD)
