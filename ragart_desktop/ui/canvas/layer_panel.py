"""The layer panel: the stack (top first) with visibility, name, thumbnail, opacity and buttons."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ragart_desktop.core.canvas import CanvasDocument, Change
from ragart_desktop.core.errors import RagartError
from ragart_desktop.ui.canvas.qimage import checker_brush, pixels_thumbnail

_THUMB = 40
_ID_ROLE = Qt.ItemDataRole.UserRole


class LayerPanel(QWidget):
    error = Signal(object)

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.doc: Optional[CanvasDocument] = None
        self._syncing = False
        self.list = QListWidget()
        self.list.setIconSize(QSize(_THUMB, _THUMB))
        self.list.setEditTriggers(QListWidget.EditTrigger.DoubleClicked | QListWidget.EditTrigger.EditKeyPressed)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemChanged.connect(self._item_changed)

        self.opacity = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, toolTip="Layer opacity")
        self.opacity.valueChanged.connect(self._opacity_changed)
        self.opacity_readout = QLabel("100%")
        opacity_row = QHBoxLayout()
        opacity_row.addWidget(QLabel("Opacity"))
        opacity_row.addWidget(self.opacity, 1)
        opacity_row.addWidget(self.opacity_readout)

        buttons = QHBoxLayout()
        self.add_button = self._button(buttons, "+", "Add an empty layer", self._add)
        self.duplicate_button = self._button(buttons, "Copy", "Duplicate the layer", self._duplicate)
        self.remove_button = self._button(buttons, "−", "Remove the layer", self._remove)
        self.up_button = self._button(buttons, "▲", "Move the layer up", lambda: self._move(+1))
        self.down_button = self._button(buttons, "▼", "Move the layer down", lambda: self._move(-1))
        buttons.addStretch(1)

        title = QLabel("Layers")
        title.setStyleSheet("font-weight: bold;")
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(title)
        box.addWidget(self.list, 1)
        box.addLayout(opacity_row)
        box.addLayout(buttons)

        self._thumb_timer = QTimer(self, singleShot=True, interval=400)
        self._thumb_timer.timeout.connect(self._refresh_thumbnails)

    def _button(self, row: QHBoxLayout, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton(text=text, toolTip=tip)
        button.setMinimumSize(28, 26)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # -- document binding --------------------------------------------------------------------
    def set_document(self, doc: CanvasDocument) -> None:
        if self.doc is not None:
            self.doc.unsubscribe(self._on_change)
        self.doc = doc
        doc.subscribe(self._on_change)
        self.sync()

    def _on_change(self, change: Change) -> None:
        if change.layers:
            self.sync()
        elif change.rect is not None:
            self._thumb_timer.start()  # pixels changed: refresh thumbnails once painting pauses

    def sync(self) -> None:
        """Show the document's layers (top first): items are updated in place when the stack's
        order is unchanged, rebuilt otherwise (never deleted from inside their own signals)."""
        doc = self.doc
        stack = list(reversed(doc.layers))
        self._syncing = True
        try:
            shown = [self.list.item(row).data(_ID_ROLE) for row in range(self.list.count())]
            if shown != [layer.id for layer in stack]:
                self.list.clear()
                for layer in stack:
                    item = QListWidgetItem()
                    item.setData(_ID_ROLE, layer.id)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable)
                    self.list.addItem(item)
            for row, layer in enumerate(stack):
                item = self.list.item(row)
                item.setText(layer.name)
                item.setCheckState(Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
                item.setIcon(self._thumbnail(layer.pixels))
                tip = f"{layer.name} — opacity {round(layer.opacity * 100)}%"
                if layer.provenance.get("engine"):
                    tip += f"\nmade by {layer.provenance['engine']}"
                item.setToolTip(tip)
                if layer.id == doc.active_layer_id:
                    self.list.setCurrentItem(item)
            self._sync_controls()
        finally:
            self._syncing = False

    def _sync_controls(self) -> None:
        doc = self.doc
        active = doc.active_layer
        self.opacity.setValue(round(active.opacity * 100) if active else 100)
        self.opacity_readout.setText(f"{self.opacity.value()}%")
        count = len(doc.layers)
        index = doc.index_of(active.id) if active else -1
        self.remove_button.setEnabled(active is not None)
        self.duplicate_button.setEnabled(active is not None)
        self.up_button.setEnabled(active is not None and index < count - 1)
        self.down_button.setEnabled(active is not None and index > 0)
        self.opacity.setEnabled(active is not None)

    def _refresh_thumbnails(self) -> None:
        if self.doc is None:
            return
        for row in range(self.list.count()):
            item = self.list.item(row)
            layer = next((l for l in self.doc.layers if l.id == item.data(_ID_ROLE)), None)
            if layer is not None:
                self._syncing = True
                item.setIcon(self._thumbnail(layer.pixels))
                self._syncing = False

    @staticmethod
    def _thumbnail(pixels) -> QIcon:
        """The layer scaled into a framed square over a checkerboard (transparency shows)."""
        image = pixels_thumbnail(pixels, _THUMB - 2)
        canvas = QPixmap(_THUMB, _THUMB)
        canvas.fill(QColor(0, 0, 0, 0))
        p = QPainter(canvas)
        x, y = (_THUMB - image.width()) // 2, (_THUMB - image.height()) // 2
        frame = QRect(x, y, image.width(), image.height())
        p.fillRect(frame, checker_brush(4))
        p.drawImage(frame.topLeft(), image)
        p.setPen(QColor(120, 120, 120))
        p.drawRect(frame.adjusted(-1, -1, 0, 0))
        p.end()
        return QIcon(canvas)

    # -- user actions --------------------------------------------------------------------------
    def _current_changed(self, current: Optional[QListWidgetItem], _previous) -> None:
        if self._syncing or current is None:
            return
        self._act(self.doc.set_active_layer, current.data(_ID_ROLE))

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._syncing:
            return
        layer_id = item.data(_ID_ROLE)
        visible = item.checkState() == Qt.CheckState.Checked
        self._act(lambda: self.doc.set_layer_properties(layer_id, name=item.text().strip() or None, visible=visible))

    def _opacity_changed(self, value: int) -> None:
        self.opacity_readout.setText(f"{value}%")
        if self._syncing or self.doc is None or self.doc.active_layer is None:
            return
        self._act(self.doc.set_layer_properties, self.doc.active_layer_id, opacity=value / 100.0)

    def _add(self) -> None:
        self._act(self.doc.add_layer)

    def _duplicate(self) -> None:
        self._act(self.doc.duplicate_layer, self.doc.active_layer_id)

    def _remove(self) -> None:
        if self.doc.active_layer is not None:
            self._act(self.doc.remove_layer, self.doc.active_layer_id)

    def _move(self, delta: int) -> None:
        active = self.doc.active_layer
        if active is not None:
            self._act(self.doc.move_layer, active.id, self.doc.index_of(active.id) + delta)

    def _act(self, fn, *args, **kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except RagartError as exc:
            self.error.emit(exc)
