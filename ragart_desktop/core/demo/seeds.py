"""Stable seeds: every demo file draws its randomness from a seed derived from its own name, so
adding or reordering entries never changes the others and builds are byte-identical."""
from __future__ import annotations

import zlib


def stable_seed(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))
