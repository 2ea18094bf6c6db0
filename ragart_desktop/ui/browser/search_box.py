"""The search field: words as you type, and query by example by dropping a file or a result on it."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QLineEdit

from ragart_desktop.core.kinds import kind_for_suffix
from ragart_desktop.ui.browser.model import ITEM_MIME, items_from_mime


def _example_paths(event_mime) -> list[str]:
    from pathlib import Path

    return [u.toLocalFile() for u in event_mime.urls()
            if u.isLocalFile() and kind_for_suffix(Path(u.toLocalFile()).suffix) is not None]


class SearchBox(QLineEdit):
    example_files_dropped = Signal(list)    # local paths of images / MIDI / text files
    example_items_dropped = Signal(list)    # [{"id", "path", "kind", "title"}] dragged from the grid

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setPlaceholderText("Search your library — or drop an image or MIDI file here")
        self.setClearButtonEnabled(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasFormat(ITEM_MIME) or _example_paths(mime):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        mime = event.mimeData()
        if mime.hasFormat(ITEM_MIME) or _example_paths(mime):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        items = items_from_mime(mime)
        if items:
            self.example_items_dropped.emit(items)
            event.acceptProposedAction()
            return
        paths = _example_paths(mime)
        if paths:
            self.example_files_dropped.emit(paths)
            event.acceptProposedAction()
            return
        super().dropEvent(event)
