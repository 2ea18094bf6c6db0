"""File > New for the canvas: a size preset or a custom width and height."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget

# (label, width, height); the generation models work best at multiples of 8 (all of these are).
SIZE_PRESETS: tuple[tuple[str, int, int], ...] = (
    ("Square 1024 × 1024", 1024, 1024),
    ("Square 512 × 512 (fast drafts)", 512, 512),
    ("Landscape 1536 × 1024 (3:2)", 1536, 1024),
    ("Portrait 1024 × 1536 (2:3)", 1024, 1536),
    ("Wide 1920 × 1080 (16:9)", 1920, 1080),
    ("A4 portrait 2480 × 3504 (300 dpi)", 2480, 3504),
)
CUSTOM = "Custom size"
MIN_SIDE, MAX_SIDE = 16, 8192


class NewCanvasDialog(QDialog):
    def __init__(self, parent: Optional[QWidget] = None, size: tuple[int, int] = (1024, 1024)):
        super().__init__(parent)
        self.setWindowTitle("New canvas")
        self.preset = QComboBox()
        for label, width, height in SIZE_PRESETS:
            self.preset.addItem(label, (width, height))
        self.preset.addItem(CUSTOM, None)
        self.width_box = QSpinBox(minimum=MIN_SIDE, maximum=MAX_SIDE, suffix=" px")
        self.height_box = QSpinBox(minimum=MIN_SIDE, maximum=MAX_SIDE, suffix=" px")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Size", self.preset)
        form.addRow("Width", self.width_box)
        form.addRow("Height", self.height_box)
        form.addRow(buttons)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        for box in (self.width_box, self.height_box):
            box.valueChanged.connect(self._size_edited)
        self.set_size(*size)

    def size_chosen(self) -> tuple[int, int]:
        return self.width_box.value(), self.height_box.value()

    def set_size(self, width: int, height: int) -> None:
        """Show ``width`` x ``height``: its preset when there is one, else "Custom size"."""
        for box, value in ((self.width_box, width), (self.height_box, height)):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self._size_edited()

    def _preset_chosen(self) -> None:
        size = self.preset.currentData()
        if size is not None:
            self.set_size(*size)

    def _size_edited(self) -> None:
        index = self.preset.findData(self.size_chosen())
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(index if index >= 0 else self.preset.count() - 1)
        self.preset.blockSignals(False)
