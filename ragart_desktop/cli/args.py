"""Argument forms shared by the command groups."""
from __future__ import annotations

import os
from typing import Optional

from ragart_desktop.core.errors import UsageError


def item_or_file(spec: str, what: str) -> tuple[Optional[int], Optional[str], float]:
    """Parse ``ITEM_OR_PATH[:WEIGHT]`` into (item id, absolute path, weight); one of the first two is set."""
    ref, weight = spec, 1.0
    head, sep, tail = spec.rpartition(":")
    if sep and head and not os.path.exists(spec):
        try:
            ref, weight = head, float(tail)
        except ValueError:
            pass
    if ref.isdigit() and not os.path.exists(ref):
        return int(ref), None, weight
    if os.path.exists(ref):
        return None, os.path.abspath(ref), weight
    raise UsageError(f"{what} not found (give a file or an item id).", path=ref)
