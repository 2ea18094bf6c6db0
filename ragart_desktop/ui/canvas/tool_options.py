"""The tool options bar: brush size, opacity, hardness, colour, fill tolerance."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QLabel,
    QSlider,
    QSpinBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from ragart_desktop.ui.canvas.tools import Tool, ToolSettings


class ToolOptionsBar(QToolBar):
    """Edits a ``ToolSettings`` in place and emits ``changed`` after each edit. A tool bar, so a
    narrow window folds the last options into its "»" menu instead of growing wider."""

    changed = Signal()

    def __init__(self, settings: ToolSettings, parent: Optional[QWidget] = None):
        super().__init__("Tool options", parent)
        self.settings = settings
        row = self

        self.colour_button = QToolButton(toolTip="Colour (click to choose)")
        self.colour_button.setFixedSize(34, 26)
        self.colour_button.clicked.connect(self._choose_colour)
        row.addWidget(self.colour_button)

        self.size = QSpinBox(minimum=1, maximum=1000, suffix=" px", toolTip="Brush size (diameter)")
        self.size.setValue(int(settings.size))
        self.size.valueChanged.connect(lambda v: self._set("size", float(v)))
        row.addWidget(QLabel("Size"))
        row.addWidget(self.size)

        self.opacity = self._slider(row, "Opacity", settings.opacity, "opacity")
        self.hardness = self._slider(row, "Hardness", settings.hardness, "hardness")

        self.tolerance = QSpinBox(minimum=0, maximum=255, toolTip="Fill: how different a colour may be and still fill")
        self.tolerance.setValue(settings.tolerance)
        self.tolerance.valueChanged.connect(lambda v: self._set("tolerance", int(v)))
        self.tolerance_label = QLabel("Tolerance")
        row.addWidget(self.tolerance_label)
        row.addWidget(self.tolerance)
        self.sample_all = QCheckBox("Sample all layers", toolTip="Fill: find the region on the whole image, not only on the active layer")
        self.sample_all.setChecked(settings.sample_all_layers)
        self.sample_all.toggled.connect(lambda v: self._set("sample_all_layers", bool(v)))
        row.addWidget(self.sample_all)
        self._show_colour()

    def _slider(self, row: QToolBar, label: str, value: float, attr: str) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, toolTip=label)
        slider.setFixedWidth(110)
        slider.setValue(round(value * 100))
        readout = QLabel(f"{round(value * 100)}%")
        readout.setMinimumWidth(34)

        def on_change(v: int) -> None:
            readout.setText(f"{v}%")
            self._set(attr, v / 100.0)

        slider.valueChanged.connect(on_change)
        row.addWidget(QLabel(label))
        row.addWidget(slider)
        row.addWidget(readout)
        return slider

    def _set(self, attr: str, value) -> None:
        setattr(self.settings, attr, value)
        self.changed.emit()

    def set_colour(self, rgb: tuple[int, int, int]) -> None:
        self.settings.colour = tuple(int(c) for c in rgb)
        self._show_colour()
        self.changed.emit()

    def _choose_colour(self) -> None:
        colour = QColorDialog.getColor(QColor(*self.settings.colour), self, "Brush colour")
        if colour.isValid():
            self.set_colour((colour.red(), colour.green(), colour.blue()))

    def _show_colour(self) -> None:
        swatch = QPixmap(24, 16)
        swatch.fill(QColor(*self.settings.colour))
        self.colour_button.setIcon(QIcon(swatch))
        self.colour_button.setIconSize(swatch.size())

    def show_for(self, tool: Tool) -> None:
        """Enable the options that matter for ``tool``."""
        brushes = tool.paints
        self.size.setEnabled(brushes)
        self.hardness.setEnabled(brushes)
        self.opacity.setEnabled(tool in (Tool.BRUSH, Tool.ERASER, Tool.MASK_BRUSH, Tool.FILL))
        self.colour_button.setEnabled(tool in (Tool.BRUSH, Tool.FILL, Tool.PICKER))
        for w in (self.tolerance, self.tolerance_label):
            w.setEnabled(tool is Tool.FILL)
        self.sample_all.setEnabled(tool is Tool.FILL)
