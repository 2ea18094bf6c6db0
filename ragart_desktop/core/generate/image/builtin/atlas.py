"""Several source images stacked into one array, so one PatchMatch search covers them all.

Parts share one width and have sizes divisible by ``2**(levels-1)``, so halving the atlas halves
every part exactly and coordinates map between pyramid levels by a factor of two. A patch centre
is usable only when its whole patch lies inside one part.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ragart_desktop.core.generate.image.builtin.imaging import resize


def _round_to(value: float, multiple: int) -> int:
    return max(int(round(value / multiple)) * multiple, multiple)


class Atlas:
    def __init__(self, image: np.ndarray, rows: list[tuple[int, int]], weights: np.ndarray):
        self.image = image  # (H, W, C) float32
        self.rows = rows  # (start, stop) row range of each part at full size
        self.weights = weights  # relative weight of each part, max 1

    @classmethod
    def build(
        cls,
        parts: Sequence[np.ndarray],
        weights: Sequence[float],
        width: int,
        levels: int,
        max_pixels: int,
    ) -> "Atlas":
        """Resize ``parts`` to a common ``width``, in order, until ``max_pixels`` is spent.

        A part that would overflow the budget is cropped around its middle rather than shrunk,
        so every part keeps the same texture scale; parts beyond the budget are dropped.
        """
        multiple = 2 ** (levels - 1)
        w = _round_to(width, multiple)
        blocks, rows, kept, y = [], [], [], 0
        for i, part in enumerate(parts):
            h = max(_round_to(w * part.shape[0] / part.shape[1], multiple), 8 * multiple)
            room = (max_pixels // w) // multiple * multiple - y
            if room < 8 * multiple:
                break
            block = resize(part, h, w)
            if h > room:
                top = (h - room) // 2 // multiple * multiple
                block, h = block[top : top + room], room
            blocks.append(block)
            rows.append((y, y + h))
            kept.append(weights[i])
            y += h
        wts = np.asarray(kept, dtype=np.float64)
        return cls(np.concatenate(blocks, axis=0), rows, wts / max(wts.max(), 1e-12))

    def valid(self, k: int, radius: int) -> np.ndarray:
        """Usable patch centres at level ``k`` for patches of ``radius``."""
        h, w = self.image.shape[0] >> k, self.image.shape[1] >> k
        ok = np.zeros((h, w), dtype=bool)
        for y0, y1 in self.rows:
            ok[(y0 >> k) + radius : (y1 >> k) - radius, radius : w - radius] = True
        return ok

    def part_map(self, k: int, per_part: np.ndarray) -> np.ndarray:
        """An (H, W) map holding ``per_part[i]`` over part i at level ``k``."""
        h, w = self.image.shape[0] >> k, self.image.shape[1] >> k
        out = np.zeros((h, w), dtype=np.float32)
        for (y0, y1), value in zip(self.rows, per_part):
            out[y0 >> k : y1 >> k] = value
        return out
