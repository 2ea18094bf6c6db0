"""Integer pixel rectangles: the unit of dirty regions, undo patches and composite updates."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional


@dataclass(frozen=True)
class Rect:
    """A half-open pixel rectangle ``[x0, x1) x [y0, y1)``; empty when x1 <= x0 or y1 <= y0."""

    x0: int
    y0: int
    x1: int
    y1: int

    @classmethod
    def around(cls, xs: Iterable[float], ys: Iterable[float], margin: float) -> "Rect":
        """The smallest rectangle holding every point widened by ``margin`` pixels."""
        xs, ys = list(xs), list(ys)
        return cls(
            int(min(xs) - margin) - 1,
            int(min(ys) - margin) - 1,
            int(max(xs) + margin) + 2,
            int(max(ys) + margin) + 2,
        )

    @property
    def width(self) -> int:
        return max(0, self.x1 - self.x0)

    @property
    def height(self) -> int:
        return max(0, self.y1 - self.y0)

    @property
    def empty(self) -> bool:
        return self.x1 <= self.x0 or self.y1 <= self.y0

    @property
    def area(self) -> int:
        return self.width * self.height

    @property
    def slices(self) -> tuple[slice, slice]:
        """Numpy index ``(rows, columns)`` for an array laid out as ``[y, x, ...]``."""
        return slice(self.y0, self.y1), slice(self.x0, self.x1)

    def intersect(self, other: "Rect") -> "Rect":
        return Rect(max(self.x0, other.x0), max(self.y0, other.y0),
                    min(self.x1, other.x1), min(self.y1, other.y1))

    def union(self, other: Optional["Rect"]) -> "Rect":
        if other is None or other.empty:
            return self
        if self.empty:
            return other
        return Rect(min(self.x0, other.x0), min(self.y0, other.y0),
                    max(self.x1, other.x1), max(self.y1, other.y1))

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x < self.x1 and self.y0 <= y < self.y1


def union_all(rects: Iterable[Optional[Rect]]) -> Optional[Rect]:
    out: Optional[Rect] = None
    for r in rects:
        if r is None or r.empty:
            continue
        out = r if out is None else out.union(r)
    return out
