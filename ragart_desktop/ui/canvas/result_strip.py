"""The result strip: generated candidates side by side, previewed over the canvas, accepted as layers.

The selected candidate's references, scores and warnings are shown beside it (``ResultDetails``).
Accepting one adds it as a layer and stops previewing: the canvas then shows what was accepted.
"""
from __future__ import annotations

from typing import Any, Optional

from PIL import Image
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ragart_desktop.ui.canvas.qimage import pil_to_qimage
from ragart_desktop.ui.result_details import ResultDetails, explain, unselected_icon

_THUMB = 96
STRIP_HEIGHT = 196   # a near-copy warning, four scores and a row of references without scrolling
_INDEX_ROLE = Qt.ItemDataRole.UserRole


def describe(provenance: dict[str, Any]) -> str:
    """One line naming what made a result: engine (in words when the record has them), model, seed."""
    parts = [str(provenance.get("engine_name") or provenance.get("engine") or "unknown engine")]
    if provenance.get("model"):
        parts.append(str(provenance["model"]))
    if provenance.get("seed") is not None:
        parts.append(f"seed {provenance['seed']}")
    return " · ".join(parts)


class ResultStrip(QWidget):
    accepted = Signal(object, dict)     # (PIL image, provenance)
    preview_changed = Signal(object)    # QImage to show over the canvas, or None

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self._results: dict[int, tuple[Image.Image, dict[str, Any]]] = {}
        self._next = 1
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setFlow(QListWidget.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setIconSize(QSize(_THUMB, _THUMB))
        self.list.setFixedHeight(STRIP_HEIGHT)
        self.list.setMinimumWidth(2 * _THUMB + 40)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.currentItemChanged.connect(lambda *_: self._selection_changed())

        self.info = QLabel("No results yet.")
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.details = ResultDetails()
        self.preview_box = QCheckBox("Preview on canvas", checked=True)
        self.preview_box.toggled.connect(lambda *_: self._selection_changed())
        self.accept_button = QPushButton("Accept as layer")
        self.accept_button.clicked.connect(self.accept_current)
        self.discard_button = QPushButton("Discard")
        self.discard_button.clicked.connect(self.discard_current)
        self.clear_button = QPushButton("Clear all")
        self.clear_button.clicked.connect(self.clear)

        # One line of controls over [candidates | what the selected one is made of]. The details
        # scroll inside the strip's height: the strip never squeezes the canvas, nor widens the window.
        header = QHBoxLayout()
        title = QLabel("Results")
        title.setStyleSheet("font-weight: bold;")
        header.addWidget(title)
        header.addWidget(self.info, 1)
        for widget in (self.preview_box, self.accept_button, self.discard_button, self.clear_button):
            header.addWidget(widget)
        details = QScrollArea()
        details.setWidget(self.details)
        details.setWidgetResizable(True)
        details.setFrameShape(QFrame.Shape.NoFrame)
        details.setFixedHeight(STRIP_HEIGHT)
        details.setMinimumWidth(240)
        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        body.addWidget(details, 3)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 2)
        box.setSpacing(2)
        box.addLayout(header)
        box.addLayout(body)
        self._selection_changed()

    def __len__(self) -> int:
        return len(self._results)

    def add_result(self, image: Image.Image, provenance: dict[str, Any]) -> None:
        key = self._next
        self._next += 1
        self._results[key] = (image, dict(provenance))
        thumb = image.copy()
        thumb.thumbnail((_THUMB, _THUMB))
        warned = explain(provenance).near_copy is not None
        item = QListWidgetItem(unselected_icon(QPixmap.fromImage(pil_to_qimage(thumb))),
                               f"#{key} ⚠ near-copy" if warned else f"#{key}")
        item.setData(_INDEX_ROLE, key)
        item.setToolTip(describe(provenance))
        self.list.addItem(item)
        self.list.setCurrentItem(item)

    def current(self) -> Optional[tuple[Image.Image, dict[str, Any]]]:
        item = self.list.currentItem()
        return self._results.get(item.data(_INDEX_ROLE)) if item is not None else None

    def accept_current(self) -> None:
        """Add the selected result as a layer; the canvas then shows it, not the next candidate."""
        chosen = self.current()
        if chosen is not None:
            self._remove(self.list.currentItem())
            self.list.setCurrentRow(-1)
            self.accepted.emit(chosen[0], chosen[1])

    def discard_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._remove(item)

    def _remove(self, item: QListWidgetItem) -> None:
        self._results.pop(item.data(_INDEX_ROLE), None)
        self.list.takeItem(self.list.row(item))
        self._selection_changed()

    def clear(self) -> None:
        self._results.clear()
        self.list.clear()
        self._selection_changed()

    def _selection_changed(self) -> None:
        chosen = self.current()
        for b in (self.accept_button, self.discard_button):
            b.setEnabled(chosen is not None)
        self.clear_button.setEnabled(bool(self._results))
        if chosen is None:
            self.info.setText("No results yet." if not self._results else "Select a result to compare.")
            self.details.show_record({})
            self.preview_changed.emit(None)
            return
        self.info.setText(f"{chosen[0].width} x {chosen[0].height} — {describe(chosen[1])}")
        self.details.show_record(chosen[1])
        self.preview_changed.emit(pil_to_qimage(chosen[0]) if self.preview_box.isChecked() else None)
