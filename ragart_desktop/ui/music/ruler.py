"""The bar/beat ruler over the roll, with the loop range on its lower strip.

Click sets the cursor (where "play from cursor" and paste start); drag sets a loop range (snapped
to the grid) and turns looping on; drag the loop's edges or its middle to change or move it;
double-click the loop strip to turn looping on or off; right-click for "loop this bar".
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPolygonF
from PySide6.QtWidgets import QMenu, QWidget

from ragart_desktop.core.music.grid import snap
from ragart_desktop.ui.music import palette
from ragart_desktop.ui.music.lines import vline, vlines
from ragart_desktop.ui.music.geometry import RollGeometry
from ragart_desktop.ui.music.state import RollState

HEIGHT = 34
STRIP = 11          # the loop strip at the bottom
EDGE_PX = 5


class Ruler(QWidget):
    def __init__(self, state: RollState, geometry: RollGeometry, bar_lines, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)   # it fills itself: nothing under it is painted
        self.state, self.g = state, geometry
        self._bar_lines = bar_lines      # callable(until) -> Bars (the roll's cache)
        self.setFixedHeight(HEIGHT)
        self.setMouseTracking(True)
        self._drag: Optional[tuple[str, float, float, float]] = None   # (what, press beat, loop start, end)
        self._moved = False
        for signal in (state.properties_changed, state.loop_changed, state.cursor_changed, state.playhead_changed,
                       geometry.changed):      # what it draws (not notes: a drop repaints no ruler)
            signal.connect(self.update)

    def _beat(self, x: float) -> float:
        return max(0.0, snap(self.g.beat(x), self.state.grid or 1.0))

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        g, state = self.g, self.state
        p.fillRect(self.rect(), palette.RULER_BG)
        bars = self._bar_lines(g.right)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        p.setFont(font)
        p.setPen(palette.RULER_TEXT)
        strip_top = HEIGHT - STRIP
        shown = bars.in_view(g.left, g.right)
        numbered = shown[shown % bars.every(g.ppb, 34) == 0]
        xs = g.x(bars.starts[numbered])
        for i, x in zip(numbered.tolist(), xs.tolist()):
            p.drawText(QPointF(x + 3, 13), str(i + 1))
        beats = shown[bars.units[shown] * g.ppb >= 8]
        ticks = g.x(bars.inner(beats, bars.units[beats]))
        vlines(p, np.concatenate([xs, ticks]), [2] * len(xs) + [strip_top - 6] * len(ticks), strip_top,
               palette.RULER_TEXT.darker(160))
        if state.loop_end > state.loop_start:
            x0, x1 = g.x(state.loop_start), g.x(state.loop_end)
            p.fillRect(QRectF(x0, strip_top + 2, x1 - x0, STRIP - 3),
                       palette.LOOP_BAR if state.loop_enabled else palette.LOOP_BAR_OFF)
        self._marker(p, state.cursor, palette.CURSOR)
        if state.playhead is not None:
            vline(p, g.x(state.playhead), 0, HEIGHT, palette.PLAYHEAD)
        p.end()

    def _marker(self, p: QPainter, beat: float, colour) -> None:
        x = self.g.x(beat)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawPolygon(QPolygonF([QPointF(x - 5, HEIGHT - STRIP - 8), QPointF(x + 5, HEIGHT - STRIP - 8),
                                 QPointF(x, HEIGHT - STRIP - 1)]))

    # -- mouse -------------------------------------------------------------------------------------------
    def _loop_part(self, x: float, y: float) -> Optional[str]:
        state, g = self.state, self.g
        if y < HEIGHT - STRIP or state.loop_end <= state.loop_start:
            return None
        x0, x1 = g.x(state.loop_start), g.x(state.loop_end)
        if abs(x - x0) <= EDGE_PX:
            return "start"
        if abs(x - x1) <= EDGE_PX:
            return "end"
        return "move" if x0 < x < x1 else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if event.button() == Qt.MouseButton.RightButton:
            self._menu(event)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        part = self._loop_part(pos.x(), pos.y()) or "new"
        self._drag = (part, self._beat(pos.x()), self.state.loop_start, self.state.loop_end)
        self._moved = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._drag is None:
            part = self._loop_part(pos.x(), pos.y())
            self.setCursor(Qt.CursorShape.SizeHorCursor if part in ("start", "end") else
                           Qt.CursorShape.OpenHandCursor if part == "move" else Qt.CursorShape.ArrowCursor)
            return
        part, press, start, end = self._drag
        beat = self._beat(pos.x())
        if beat == press and not self._moved:
            return
        self._moved = True
        state = self.state
        if part == "new":
            state.set_loop(press, beat)
        elif part == "start":
            state.set_loop(beat, end, state.loop_enabled)
        elif part == "end":
            state.set_loop(start, beat, state.loop_enabled)
        else:
            shift = max(beat - press, -start)
            state.set_loop(start + shift, end + shift, state.loop_enabled)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is not None and not self._moved and drag[0] == "new":
            self.state.set_cursor(self._beat(event.position().x()))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._loop_part(event.position().x(), event.position().y()) is not None:
            self.state.set_loop_enabled(not self.state.loop_enabled)

    def _menu(self, event: QMouseEvent) -> None:
        state = self.state
        beat = self.g.beat(event.position().x())
        start = state.score.bar_line_before(beat)
        menu = QMenu(self)
        menu.addAction("Loop this bar", lambda: state.set_loop(start, state.score.bar_line_after(start)))
        if state.selection.notes:
            menu.addAction("Loop the selection", lambda: state.set_loop(*self._selection_bars()))
        toggle = menu.addAction("Loop on", lambda: state.set_loop_enabled(not state.loop_enabled))
        toggle.setCheckable(True)
        toggle.setChecked(state.loop_enabled)
        toggle.setEnabled(state.loop_end > state.loop_start)
        menu.addAction("Set cursor here", lambda: state.set_cursor(self._beat(event.position().x())))
        menu.popup(event.globalPosition().toPoint())

    def _selection_bars(self) -> tuple[float, float]:
        start, end = self.state.selection.span()
        first = self.state.score.bar_line_before(start)
        last = self.state.score.bar_line_before(end - 1e-6)
        return first, self.state.score.bar_line_after(last)
