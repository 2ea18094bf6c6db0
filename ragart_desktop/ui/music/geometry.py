"""Where beats and pitches are on screen: the one mapping the roll, ruler, keyboard and velocity lane share.

x grows with beats from ``left`` (the beat at the left edge), ``ppb`` pixels per beat; y grows
downwards from pitch 127, ``row`` pixels per semitone, scrolled by ``top`` pixels. Zooming keeps the
point under the mouse in place, as musicians expect from ctrl+wheel and pinch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

PITCHES = 128
MIN_PPB, MAX_PPB = 0.5, 800.0      # pixels per beat
MIN_ROW, MAX_ROW = 3.0, 40.0       # pixels per semitone


class RollGeometry(QObject):
    changed = Signal()

    def __init__(self, ppb: float = 48.0, row: float = 12.0, parent: QObject | None = None):
        super().__init__(parent)
        self.ppb = ppb
        self.row = row
        self.left = 0.0          # beat at x = 0
        self.top = 0.0           # pixels scrolled down from pitch 127's row
        self.width = 800         # of the roll's viewport, set by the roll
        self.height = 600
        self.content_beats = 64.0   # how far the horizontal scrollbar reaches (the piece plus room)

    # -- mapping --------------------------------------------------------------------------------
    def x(self, beat: float) -> float:
        return (beat - self.left) * self.ppb

    def beat(self, x: float) -> float:
        return self.left + x / self.ppb

    def y(self, pitch: int) -> float:
        """Top edge of ``pitch``'s row."""
        return (PITCHES - 1 - pitch) * self.row - self.top

    def pitch(self, y: float) -> int:
        return max(0, min(PITCHES - 1, PITCHES - 1 - int(math.floor((y + self.top) / self.row))))

    @property
    def right(self) -> float:
        """Beat at the right edge."""
        return self.beat(self.width)

    def visible_pitches(self) -> tuple[int, int]:
        return self.pitch(self.height), self.pitch(0)

    @property
    def content_height(self) -> float:
        return PITCHES * self.row

    # -- scrolling and zooming ---------------------------------------------------------------------
    def set_view(self, *, left: float | None = None, top: float | None = None, ppb: float | None = None,
                 row: float | None = None) -> None:
        if ppb is not None:
            self.ppb = min(MAX_PPB, max(MIN_PPB, ppb))
        if row is not None:
            self.row = min(MAX_ROW, max(MIN_ROW, row))
        if left is not None:
            self.left = max(0.0, left)
        if top is not None:
            self.top = top
        self.top = max(0.0, min(self.top, self.content_height - self.height))
        self.changed.emit()

    def zoom_x(self, factor: float, anchor_x: float | None = None) -> None:
        anchor_x = self.width / 2 if anchor_x is None else anchor_x
        beat = self.beat(anchor_x)
        ppb = min(MAX_PPB, max(MIN_PPB, self.ppb * factor))
        self.set_view(ppb=ppb, left=beat - anchor_x / ppb)

    def zoom_y(self, factor: float, anchor_y: float | None = None) -> None:
        anchor_y = self.height / 2 if anchor_y is None else anchor_y
        rows_above = (anchor_y + self.top) / self.row
        row = min(MAX_ROW, max(MIN_ROW, self.row * factor))
        self.set_view(row=row, top=rows_above * row - anchor_y)

    def scroll(self, dx_pixels: float = 0.0, dy_pixels: float = 0.0) -> None:
        self.set_view(left=self.left + dx_pixels / self.ppb, top=self.top + dy_pixels)

    def show_pitch(self, pitch: int) -> None:
        """Scroll so ``pitch`` is in the middle (opening a piece centres its notes)."""
        self.set_view(top=(PITCHES - 1 - pitch) * self.row - self.height / 2)

    def ensure_visible(self, beat: float, margin: float = 0.1) -> None:
        """Page along when ``beat`` (the playhead) leaves the view."""
        span = self.right - self.left
        if beat < self.left or beat > self.right - margin * span:
            self.set_view(left=beat - margin * span)


@dataclass(frozen=True)
class Bars:
    """A score's bars from beat 0, as arrays the grid and the ruler slice every frame (a loop over
    the bars in view, asking the score for each one's meter, cost milliseconds zoomed out).

    Bar ``i`` runs from ``starts[i]`` to ``starts[i + 1]``; ``units[i]`` is the length of its beat."""
    starts: np.ndarray
    units: np.ndarray

    @classmethod
    def of(cls, score, until: float) -> "Bars":
        starts = np.asarray(score.bar_starts(until), np.float64)
        units = np.array([4.0 / score.meter_at(a).denominator for a in starts[:-1]], np.float64)
        return cls(starts, units)

    @property
    def end(self) -> float:
        return float(self.starts[-1])

    def in_view(self, b0: float, b1: float) -> np.ndarray:
        """Indices of the bars that overlap ``[b0, b1]``."""
        first = max(0, int(np.searchsorted(self.starts, b0, "right")) - 1)
        last = min(len(self.units), int(np.searchsorted(self.starts, b1, "right")))
        return np.arange(first, last)

    def every(self, ppb: float, min_px: float) -> int:
        """Mark every n-th bar so that marked bars are at least ``min_px`` apart."""
        bar_px = (self.starts[1] - self.starts[0]) * ppb if len(self.starts) > 1 else 4 * ppb
        return max(1, int(np.ceil(min_px / max(bar_px, 1e-6))))

    def inner(self, bars: np.ndarray, step: np.ndarray | float) -> np.ndarray:
        """Beats strictly inside ``bars`` at multiples of ``step`` (one per bar, or one for all)
        from each bar's start: the beat or grid lines of those bars."""
        a, b = self.starts[bars], self.starts[bars + 1]
        step = np.broadcast_to(np.asarray(step, np.float64), a.shape)
        counts = np.maximum(0, np.ceil((b - 1e-6 - a) / step).astype(np.int64) - 1)
        if not counts.sum():
            return np.zeros(0)
        k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + 1
        return np.repeat(a, counts) + np.repeat(step, counts) * k
