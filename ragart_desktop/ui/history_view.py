"""The history gallery: every output of every generation job, newest first.

Records come from ``core.history.HistoryStore``; the file and the output thumbnails are read on a
worker. The selected output's references, scores and warnings are shown beside the gallery
(``ResultDetails``); a near-copy is marked on its tile. Per output: re-run (the request goes back
into the generation panel), copy seed, open the output, show it in its folder, copy the request.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QMenu, QScrollArea, QSplitter, QVBoxLayout, QWidget

from ragart_desktop.core.history import HistoryRecord, HistoryStore
from ragart_desktop.core.progress import Task
from ragart_desktop.ui.browser.thumbnails import read_thumbnail
from ragart_desktop.ui.result_details import ResultDetails, explain, unselected_icon
from ragart_desktop.ui.theme import secondary
from ragart_desktop.ui.workers import WorkerHost

HISTORY_LIMIT = 500
ICON_SIZE = 112

Entry = tuple[HistoryRecord, int, Optional[QImage]]   # record, output index, thumbnail


def load_entries(records: list[HistoryRecord], task: Task) -> list[Entry]:
    """Thumbnails of each record's outputs (worker thread)."""
    entries: list[Entry] = []
    for record in records:
        task.check()
        for i, output in enumerate(record.outputs):
            path = output.get("path")
            image = read_thumbnail(path) if record.kind == "image" and path and Path(path).exists() else None
            entries.append((record, i, image))
    return entries


class HistoryView(QWidget):
    rerun_requested = Signal(str, dict)    # the job's kind, its stored request

    def __init__(self, store: HistoryStore, worker: WorkerHost, parent=None):
        super().__init__(parent)
        self.store, self.worker = store, worker
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setUniformItemSizes(True)
        self.list.setWordWrap(True)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.itemDoubleClicked.connect(lambda item: self._open(item))
        self.list.currentItemChanged.connect(lambda *_: self._show_details())
        self.hint = QLabel("Generated images land here with their seed and request; right-click to re-run.")
        secondary(self.hint)
        self.details = ResultDetails()
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setWidget(self.details)
        scroller.setMinimumWidth(260)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(scroller)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        split.setSizes([300, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)

    def reload(self) -> int:
        store = self.store
        return self.worker.submit("Load history", lambda task: load_entries(store.load(HISTORY_LIMIT), task),
                                  visible=False, on_result=self._show)

    def add_record(self, record: HistoryRecord) -> int:
        """Show a record just appended (its thumbnails are read on the worker)."""
        return self.worker.submit("History thumbnails", lambda task: load_entries([record], task),
                                  visible=False, on_result=lambda entries: self._show(entries, prepend=True))

    def entry_count(self) -> int:
        return self.list.count()

    def _show(self, entries: list[Entry], prepend: bool = False) -> None:
        if not prepend:
            self.list.clear()
        for n, (record, index, image) in enumerate(entries):
            output = record.outputs[index]
            prompt = str(record.request.get("prompt", "")) or record.kind
            label = f"{prompt[:24]}\nseed {output.get('seed', '?')}"
            if explain(output, record.kind).near_copy is not None:
                label = "⚠ near-copy\n" + label
            item = QListWidgetItem(label)
            if image is not None:
                item.setIcon(unselected_icon(QPixmap.fromImage(image)))
            item.setToolTip(f"{prompt}\n{record.engine} · {record.time}\n{output.get('path', '')}")
            item.setData(Qt.ItemDataRole.UserRole, (record, index))
            if prepend:
                self.list.insertItem(n, item)
            else:
                self.list.addItem(item)
        self.hint.setVisible(self.list.count() == 0)
        if prepend and entries:
            self.list.setCurrentRow(0)     # the newest result's references, scores and warnings

    def _show_details(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.details.show_record({})
            return
        record, index = item.data(Qt.ItemDataRole.UserRole)
        self.details.show_record(record.outputs[index], record.kind)

    def _context_menu(self, pos) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        record, index = item.data(Qt.ItemDataRole.UserRole)
        output = record.outputs[index]
        menu = QMenu(self)
        again = dict(record.request, seed=output.get("seed"), count=1)   # this output, once more
        menu.addAction("Re-run", lambda: self.rerun_requested.emit(record.kind, again))
        menu.addAction("Copy seed", lambda: QGuiApplication.clipboard().setText(str(output.get("seed", ""))))
        menu.addAction("Open output", lambda: self._open(item))
        if output.get("path"):
            menu.addAction("Show in folder", lambda: QDesktopServices.openUrl(
                QUrl.fromLocalFile(str(Path(output["path"]).parent))))
        menu.addAction("Copy request as JSON",
                       lambda: QGuiApplication.clipboard().setText(json.dumps(record.request, indent=2)))
        menu.popup(self.list.viewport().mapToGlobal(pos))

    @staticmethod
    def _open(item: QListWidgetItem) -> None:
        record, index = item.data(Qt.ItemDataRole.UserRole)
        path = record.outputs[index].get("path")
        if path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))
