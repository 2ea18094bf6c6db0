"""The velocity lane under the roll: one stem per note of the active track, as tall as it is loud.

Drag a stem up or down: a selected note takes the whole selection with it (each note keeps its
difference to the others), an unselected one changes alone. The document gets one command when the
mouse is released. Zoomed out over a dense track, each pixel column shows its loudest note.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter
from PySide6.QtWidgets import QWidget

from ragart_desktop.core.music.score import Note
from ragart_desktop.ui.music import palette
from ragart_desktop.ui.music.geometry import RollGeometry
from ragart_desktop.ui.music.lines import hline, vlines
from ragart_desktop.ui.music.note_layer import VECTOR_LIMIT, premultiplied
from ragart_desktop.ui.music.state import RollState

HEIGHT = 84
PAD = 4
GRAB_PX = 5
GUIDE = QColor(255, 255, 255, 18)      # lines at velocities 32, 64, 96
STEM = QColor("#7f8fa6")


@dataclass
class VelocityDrag:
    note: Note
    together: bool          # the whole selection follows
    press_y: float
    delta: int = 0          # relative change (together), or the note's new velocity minus its old


class VelocityLane(QWidget):
    def __init__(self, state: RollState, geometry: RollGeometry, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)   # it fills itself: nothing under it is painted
        self.state, self.g = state, geometry
        self.setFixedHeight(HEIGHT)
        self.setMouseTracking(True)
        self.setToolTip("Velocity: drag a stem (a selected one moves the whole selection)")
        self.drag: Optional[VelocityDrag] = None
        state.changed.connect(self.update)
        geometry.changed.connect(self.update)

    def _y(self, velocity: np.ndarray | float):
        return PAD + (HEIGHT - 2 * PAD) * (1 - np.asarray(velocity, dtype=np.float64) / 127.0)

    def _velocity(self, y: float) -> int:
        return int(round(max(1.0, min(127.0, (1 - (y - PAD) / (HEIGHT - 2 * PAD)) * 127.0))))

    def _visible(self):
        track = self.state.active_track()
        if track is None:
            return None, np.zeros(0, np.int64)
        index = self.state.index.track(track.id)
        return index, index.sounding(self.g.left, self.g.right)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), palette.LANE_BG)
        for v in (32, 64, 96):
            hline(p, float(self._y(v)), 0, self.width(), GUIDE)
        index, visible = self._visible()
        if index is not None and len(visible):
            xs = (index.starts[visible] - self.g.left) * self.g.ppb
            velocities = index.velocities[visible].astype(np.int64)
            notes = index.take(visible) if len(visible) <= VECTOR_LIMIT else None
            if notes is not None:
                velocities = self._dragged(notes, velocities)
                selection = self.state.selection
                selected = np.fromiter((n in selection for n in notes), bool, len(notes)) if len(selection) \
                    else np.zeros(len(notes), bool)
                self._stems(p, xs[~selected], velocities[~selected], STEM)
                self._stems(p, xs[selected], velocities[selected], palette.SELECTED)
            else:
                self._columns(p, xs, velocities)
        p.end()

    def _dragged(self, notes: list[Note], velocities: np.ndarray) -> np.ndarray:
        """Velocities as they will be once the drag is released."""
        drag = self.drag
        if drag is None or not drag.delta:
            return velocities
        moving = self.state.selection if drag.together else {drag.note}
        change = np.fromiter((n in moving for n in notes), bool, len(notes))
        return np.where(change, np.clip(velocities + drag.delta, 1, 127), velocities)

    def _stems(self, p: QPainter, xs: np.ndarray, velocities: np.ndarray, colour: QColor) -> None:
        if not len(xs):
            return
        ys = self._y(velocities)
        bottom = HEIGHT - PAD
        vlines(p, xs, ys, bottom, colour, width=2)
        p.setBrush(colour)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRects([QRectF(x - 2.5, y - 2.5, 5, 5) for x, y in zip(xs.tolist(), ys.tolist())])

    def _columns(self, p: QPainter, xs: np.ndarray, velocities: np.ndarray) -> None:
        """One stem per pixel column, as tall as its loudest note, drawn as one image (a rectangle
        per column cost more than the rest of the lane). ``xs`` ascend: the notes are in start order."""
        width = max(1, self.width())
        column = np.clip(xs.astype(np.int64), 0, width - 1)
        first = np.flatnonzero(np.diff(column, prepend=-1))       # where each column's notes begin
        loudest = np.zeros(width, np.int64)
        loudest[column[first]] = np.maximum.reduceat(velocities, first)
        top = np.where(loudest > 0, np.floor(self._y(loudest) + 0.5), HEIGHT).astype(np.int32)
        pixels = np.zeros((HEIGHT, width), np.uint32)
        foot = HEIGHT - PAD
        pixels[:foot][np.arange(foot, dtype=np.int32)[:, None] >= top] = premultiplied(STEM)
        p.drawImage(0, 0, QImage(pixels.data, width, HEIGHT, width * 4, QImage.Format.Format_ARGB32_Premultiplied))

    # -- mouse --------------------------------------------------------------------------------------------
    def stem_at(self, x: float, y: float) -> Optional[Note]:
        index, visible = self._visible()
        if index is None or not len(visible):
            return None
        xs = (index.starts[visible] - self.g.left) * self.g.ppb
        near = np.nonzero(np.abs(xs - x) <= GRAB_PX)[0]
        if not len(near):
            return None
        ys = self._y(index.velocities[visible[near]])
        return index.notes[int(visible[near[int(np.argmin(np.abs(ys - y)))]])]

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        note = self.stem_at(pos.x(), pos.y())
        if note is None:
            return
        together = note in self.state.selection and len(self.state.selection) > 1
        self.drag = VelocityDrag(note, together, pos.y())
        if not together:
            self.drag.delta = self._velocity(pos.y()) - note.velocity
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        drag = self.drag
        if drag is None:
            near = self.stem_at(event.position().x(), event.position().y())
            self.setCursor(Qt.CursorShape.SizeVerCursor if near is not None else Qt.CursorShape.ArrowCursor)
            return
        y = event.position().y()
        if drag.together:
            drag.delta = int(round((drag.press_y - y) / (HEIGHT - 2 * PAD) * 127))
        else:
            drag.delta = self._velocity(y) - drag.note.velocity
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self.drag = self.drag, None
        if drag is None or not drag.delta:
            self.update()
            return
        state = self.state
        if drag.together:
            state.follow(lambda selected: state.doc.set_velocity(selected, delta=drag.delta))
        else:
            edited = state.doc.set_velocity({state.active_track_id: [drag.note]}, drag.note.velocity + drag.delta)
            if drag.note in state.selection:
                state.select([edited[state.active_track_id][0] if n == drag.note else n for n in state.selection.notes])
