"""Tile patches: the changed part of a pixel array, kept by undo commands.

An edit records the tiles (``TILE`` x ``TILE`` blocks on a fixed grid) that its rectangle touches,
before and after, and keeps only the tiles whose pixels really changed. Undo and redo write those
tiles back, so an undo entry costs memory in proportion to the area the edit changed, never to the
canvas size.
"""
from __future__ import annotations

from typing import Iterator, Optional

import numpy as np

from ragart_desktop.core.canvas.geometry import Rect

TILE = 64

TileKey = tuple[int, int]  # (tile row, tile column)
TilePatch = dict[TileKey, np.ndarray]


def tile_rect(key: TileKey, height: int, width: int) -> Rect:
    ty, tx = key
    return Rect(tx * TILE, ty * TILE, min(width, (tx + 1) * TILE), min(height, (ty + 1) * TILE))


def tiles_in(rect: Rect, height: int, width: int) -> Iterator[TileKey]:
    """Keys of the tiles that ``rect`` (clipped to the array) touches."""
    r = rect.intersect(Rect(0, 0, width, height))
    if r.empty:
        return
    for ty in range(r.y0 // TILE, (r.y1 - 1) // TILE + 1):
        for tx in range(r.x0 // TILE, (r.x1 - 1) // TILE + 1):
            yield (ty, tx)


def capture(array: np.ndarray, keys: Iterator[TileKey]) -> TilePatch:
    """Copies of the given tiles of ``array`` (rows, columns, ...)."""
    h, w = array.shape[:2]
    return {k: array[tile_rect(k, h, w).slices].copy() for k in keys}


def restore(array: np.ndarray, patch: TilePatch) -> Optional[Rect]:
    """Write ``patch`` back into ``array``; returns the rectangle it covered."""
    h, w = array.shape[:2]
    covered: Optional[Rect] = None
    for key, pixels in patch.items():
        r = tile_rect(key, h, w)
        array[r.slices] = pixels
        covered = r.union(covered)
    return covered


def changed_only(before: TilePatch, array: np.ndarray) -> tuple[TilePatch, TilePatch]:
    """Split ``before`` into the tiles that differ from ``array`` now: (before, after) pairs."""
    h, w = array.shape[:2]
    kept_before: TilePatch = {}
    kept_after: TilePatch = {}
    for key, old in before.items():
        now = array[tile_rect(key, h, w).slices]
        if not np.array_equal(old, now):
            kept_before[key] = old
            kept_after[key] = now.copy()
    return kept_before, kept_after


def patch_nbytes(patch: TilePatch) -> int:
    return sum(a.nbytes for a in patch.values())


def tile_runs(rects: list[Rect], height: int, width: int) -> list[Rect]:
    """Cover many (possibly overlapping) rectangles with few: the touched tiles, merged into
    horizontal runs per tile row. Bounded by the tiles touched, unlike the rectangles' union."""
    grid = np.zeros(((height + TILE - 1) // TILE, (width + TILE - 1) // TILE), bool)
    for rect in rects:
        r = rect.intersect(Rect(0, 0, width, height))
        if not r.empty:
            grid[r.y0 // TILE:(r.y1 - 1) // TILE + 1, r.x0 // TILE:(r.x1 - 1) // TILE + 1] = True
    runs = []
    for ty in np.flatnonzero(grid.any(axis=1)):
        row = np.concatenate(([False], grid[ty], [False]))
        edges = np.flatnonzero(row[1:] != row[:-1])
        for tx0, tx1 in zip(edges[::2], edges[1::2]):
            runs.append(Rect(int(tx0) * TILE, int(ty) * TILE,
                             min(width, int(tx1) * TILE), min(height, (int(ty) + 1) * TILE)))
    return runs
