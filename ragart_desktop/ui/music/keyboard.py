"""The piano keyboard at the roll's side: one key per pitch row; a click sounds the key.

Keys of the score's key are marked on their edge (the tonic brighter), C keys are labelled, and on
a drum track each row is named by its General MIDI percussion sound instead.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter
from PySide6.QtWidgets import QWidget

from ragart_desktop.core.music.gm import drum_name
from ragart_desktop.core.music.theory import note_name
from ragart_desktop.ui.music import palette
from ragart_desktop.ui.music.geometry import RollGeometry
from ragart_desktop.ui.music.lines import hline, vline
from ragart_desktop.ui.music.roll import BLACK_KEYS, scale_rows
from ragart_desktop.ui.music.state import RollState

WIDTH = 64
DRUM_WIDTH = 132
WHITE, BLACK, PRESSED = QColor("#e8e8e4"), QColor("#1b1b1e"), QColor("#ffb347")
OCTAVE_LINE, EDGE = QColor("#9a9a96"), QColor("#55575c")


class PianoKeyboard(QWidget):
    key_pressed = Signal(int)        # pitch: sound it

    def __init__(self, state: RollState, geometry: RollGeometry, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.state, self.g = state, geometry
        self.pressed: Optional[int] = None
        self.setFixedWidth(WIDTH)
        for signal in (state.active_track_changed, state.layout_changed, state.properties_changed):
            signal.connect(self._refresh)      # drums or not, the key (not notes: a drop repaints no keyboard)
        self._pitch_view: tuple[float, float, int] = (0.0, 0.0, 0)
        geometry.changed.connect(self._view_changed)

    def _view_changed(self) -> None:
        """Repaint when the pitch axis moved (not when the view only scrolled in time)."""
        view = (self.g.top, self.g.row, self.g.height)
        if view != self._pitch_view:
            self._pitch_view = view
            self.update()

    def _drums(self) -> bool:
        track = self.state.active_track()
        return track is not None and track.is_drum

    def _refresh(self) -> None:
        self.setFixedWidth(DRUM_WIDTH if self._drums() else WIDTH)
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        g = self.g
        width = self.width()
        drums = self._drums()
        low, high = g.visible_pitches()
        scale, tonic = scale_rows(self.state.score)
        font = QFont(self.font())
        font.setPointSizeF(max(6.5, min(9.0, g.row * 0.7)))
        p.setFont(font)
        p.fillRect(self.rect(), WHITE)
        for pitch in range(low, high + 1):
            y = g.y(pitch)
            pc = pitch % 12
            black = pc in BLACK_KEYS
            row = QRectF(0, y, width, g.row)
            if black and not drums:
                p.fillRect(QRectF(0, y, width * 0.62, g.row), PRESSED if pitch == self.pressed else BLACK)
            elif pitch == self.pressed:
                p.fillRect(row, PRESSED)
            elif drums and black:
                p.fillRect(row, QColor("#d4d4cf"))
            if pc in (0, 5) and not drums:
                hline(p, int(y + g.row), 0, width, OCTAVE_LINE)
            if pc in scale:
                p.fillRect(QRectF(width - 5, y + 1, 4, g.row - 2),
                           palette.LOOP_BAR if pc == tonic else palette.LOOP_BAR.lighter(150))
            label = drum_name(pitch) if drums else (note_name(pitch) if pc == 0 else None)
            if label and g.row >= 7:
                p.setPen(QColor("#303034"))
                p.drawText(QRectF(2, y, width - 9, g.row), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                           label)
        vline(p, width - 0.5, 0, self.height(), EDGE)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press(self.g.pitch(event.position().y()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            pitch = self.g.pitch(event.position().y())
            if pitch != self.pressed:
                self._press(pitch)     # a glissando sounds each key it crosses

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.pressed = None
        self.update()

    def _press(self, pitch: int) -> None:
        self.pressed = pitch
        self.key_pressed.emit(pitch)
        self.update()

    def wheelEvent(self, event) -> None:
        self.g.scroll(dy_pixels=-event.angleDelta().y() / 2)
