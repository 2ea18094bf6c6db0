"""The piano roll's colours: a dark roll (as in most DAWs) whatever the window's theme."""
from __future__ import annotations

from PySide6.QtGui import QColor

ROLL_WHITE_ROW = QColor("#2a2c31")
ROLL_BLACK_ROW = QColor("#222327")
ROLL_SCALE_TINT = QColor(120, 170, 255, 22)      # rows of the key's scale
ROLL_TONIC_TINT = QColor(120, 170, 255, 45)
ROLL_OCTAVE_LINE = QColor("#3b3e45")
GRID_LINE = QColor(255, 255, 255, 14)
BEAT_LINE = QColor(255, 255, 255, 30)
BAR_LINE = QColor(255, 255, 255, 70)
LOOP_SHADE = QColor(90, 160, 255, 26)
LOOP_BAR = QColor("#3d7bd9")
LOOP_BAR_OFF = QColor("#5a6270")
PLAYHEAD = QColor("#ff5f57")
CURSOR = QColor("#f5c542")
MARQUEE_FILL = QColor(120, 170, 255, 40)
MARQUEE_EDGE = QColor(120, 170, 255, 200)
NOTE_EDGE = QColor(0, 0, 0, 150)
SELECTED = QColor("#ffb347")
SELECTED_EDGE = QColor("#fff3d6")
RULER_BG = QColor("#1d1e21")
RULER_TEXT = QColor("#c8ccd2")
LANE_BG = QColor("#1f2023")

TRACK_COLOURS = ("#5fa8ff", "#7bd88f", "#ff8a65", "#c792ea", "#ffd166", "#4dd0e1", "#f48fb1", "#aed581",
                 "#ff6e6e", "#90a4ae", "#b39ddb", "#80cbc4", "#e6ee9c", "#ffab91", "#9fa8da", "#ce93d8")


def track_colour(colour: str | None, position: int) -> QColor:
    """The track's own colour, else one from the palette by its position."""
    return QColor(colour) if colour else QColor(TRACK_COLOURS[position % len(TRACK_COLOURS)])
