"""The piano keyboard at the roll's side: one key per pitch row; a click sounds the key.

Keys of the score's key are marked on their edge (the tonic brighter), C keys are labelled, and on
a drum track each row is named by its General MIDI percussion sound instead.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ragart_desktop.core.music.gm import drum_name
from ragart_desktop.core.music.theory import note_name
from ragart_desktop.ui.music import palette
from ragart_desktop.ui.music.geometry import RollGeometry
from ragart_desktop.ui.music.roll import BLACK_KEYS, scale_rows
from ragart_desktop.ui.music.state import RollState

WIDTH = 64
DRUM_WIDTH = 132
WHITE, BLACK, PRESSED = QColor("#e8e8e4"), QColor("#1b1b1e"), QColor("#ffb347")


class PianoKeyboard(QWidget):
    key_pressed = Signal(int)        # pitch: sound it

    def __init__(self, state: RollState, geometry: RollGeometry, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.state, self.g = state, geometry
        self.pressed: Optional[int] = None
        self.setFixedWidth(WIDTH)
        state.changed.connect(self._refresh)
        geometry.changed.connect(self.update)

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
                p.setPen(QPen(QColor("#9a9a96"), 1))
                p.drawLine(0, int(y + g.row), width, int(y + g.row))
            if pc in scale:
                p.fillRect(QRectF(width - 5, y + 1, 4, g.row - 2),
                           palette.LOOP_BAR if pc == tonic else palette.LOOP_BAR.lighter(150))
            label = drum_name(pitch) if drums else (note_name(pitch) if pc == 0 else None)
            if label and g.row >= 7:
                p.setPen(QColor("#303034"))
                p.drawText(QRectF(2, y, width - 9, g.row), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                           label)
        p.setPen(QPen(QColor("#55575c"), 1))
        p.drawLine(width - 1, 0, width - 1, self.height())
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
