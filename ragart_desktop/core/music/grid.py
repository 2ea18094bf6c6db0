"""The snap grid of the piano roll: note values from a quarter to a thirty-second, straight or
triplet, or off. Lengths are in beats (a beat is a quarter note)."""
from __future__ import annotations

import math
from typing import Optional

from ragart_desktop.core.music.score import EPS

# (label, beats); None = no snapping
GRIDS: tuple[tuple[str, Optional[float]], ...] = (
    ("1/4", 1.0), ("1/8", 0.5), ("1/16", 0.25), ("1/32", 0.125),
    ("1/4 triplet", 2 / 3), ("1/8 triplet", 1 / 3), ("1/16 triplet", 1 / 6), ("1/32 triplet", 1 / 12),
    ("Off", None),
)
DEFAULT_GRID = "1/16"
FREE_STEP = 1 / 64   # beats: what "one step" means (arrow keys, shortest drawn note) with the grid off


def grid_beats(label: str) -> Optional[float]:
    for name, beats in GRIDS:
        if name == label:
            return beats
    raise KeyError(f"no grid {label!r}")


def step(grid: Optional[float]) -> float:
    """One grid step in beats (a fine step when snapping is off)."""
    return grid if grid else FREE_STEP


def snap(beat: float, grid: Optional[float]) -> float:
    """The nearest grid line (``beat`` itself when snapping is off)."""
    return round(beat / grid) * grid if grid else beat


def snap_down(beat: float, grid: Optional[float]) -> float:
    """The grid line at or before ``beat`` (where a click inside a cell puts a new note)."""
    return math.floor(beat / grid + EPS) * grid if grid else beat


def snap_up(beats: float, grid: Optional[float]) -> float:
    """``beats`` rounded up to whole grid steps (at least one)."""
    if not grid:
        return beats
    return max(1, math.ceil(beats / grid - EPS)) * grid
