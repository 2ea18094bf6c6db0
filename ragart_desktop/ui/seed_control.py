"""The seed of a generation panel: a box, "New" and "Fixed".

A run takes the shown seed when Fixed is ticked; otherwise it draws a new one and shows it, so a
result the artist likes can be kept and made again. A history re-run restores its seed, fixed.
"""
from __future__ import annotations

import random

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSpinBox, QToolButton, QWidget

MAX_SEED = 2**31 - 1


class SeedControl(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.spin = QSpinBox()
        self.spin.setRange(0, MAX_SEED)
        self.spin.setValue(random.randint(0, 99999))
        self.spin.setMinimumWidth(64)   # ten digits would otherwise widen the Generate dock
        self.fixed = QCheckBox("Fixed")
        self.fixed.setToolTip("Keep this seed; otherwise every run draws a new one")
        dice = QToolButton(text="New")
        dice.setToolTip("Draw a new seed")
        dice.clicked.connect(lambda: self.spin.setValue(random.randint(0, MAX_SEED)))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.spin, 1)
        row.addWidget(dice)
        row.addWidget(self.fixed)

    def value(self) -> int:
        return self.spin.value()

    def setValue(self, seed: int) -> None:   # Qt's spelling, as the spin box it wraps
        self.spin.setValue(seed)

    def for_next_run(self) -> int:
        """The seed a run uses now: the shown one when fixed, else a new one, shown."""
        if not self.fixed.isChecked():
            self.spin.setValue(random.randint(0, MAX_SEED))
        return self.spin.value()

    def restore(self, seed: int) -> None:
        """A stored request's seed, kept for the next runs."""
        self.spin.setValue(seed)
        self.fixed.setChecked(True)
