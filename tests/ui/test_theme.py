"""The theme's accents are set on their own widgets, never as one application-wide style sheet (every
widget would then go through Qt's style-sheet style: the Music tab took 55 ms to build instead of 20),
and they follow a change of theme."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from ragart_desktop.ui.error_panel import ErrorPanel
from ragart_desktop.ui.theme import ACCENT, accent, apply_theme, secondary


def _rgb(widget, x: int, y: int) -> tuple[int, int, int]:
    colour = widget.grab().toImage().pixelColor(x, y)
    return colour.red(), colour.green(), colour.blue()


def test_accents_are_on_their_widgets_and_follow_the_theme(qtbot):
    app = QApplication.instance()
    style, palette = app.style().name(), app.palette()
    try:
        apply_theme(app, "dark")
        assert app.styleSheet() == ""                       # no application-wide style sheet
        panel = ErrorPanel()
        qtbot.addWidget(panel)
        panel.resize(300, 60)
        dark_alert = _rgb(panel, 3, 2)
        assert dark_alert == (0x4a, 0x2a, 0x2a)             # the alert's dark red, not the window's grey
        button = QPushButton("Generate")
        qtbot.addWidget(button)
        button.resize(120, 30)
        plain = QPushButton("Cancel")
        qtbot.addWidget(plain)
        plain.resize(120, 30)
        accent(button, "primary")
        primary = np.array(_rgb(button, 60, 4))
        assert np.abs(primary - np.array([0x3d, 0x7b, 0xd9])).max() <= 2, ACCENT
        assert np.abs(np.array(_rgb(plain, 60, 4)) - primary).max() > 40   # only the marked button

        apply_theme(app, "light")                           # widgets made before the change follow it
        assert _rgb(panel, 3, 2) == (0xfd, 0xec, 0xea)
    finally:
        app.setStyle(style)
        app.setPalette(palette)


def test_a_secondary_line_is_drawn_in_the_quieter_colour(qtbot):
    label = secondary(QLabel("No jobs yet"))
    qtbot.addWidget(label)
    assert label.foregroundRole() == QPalette.ColorRole.PlaceholderText
    assert label.palette().color(label.foregroundRole()) != label.palette().color(QPalette.ColorRole.WindowText)
