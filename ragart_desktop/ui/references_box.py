"""The References box of every generation panel (image and music): what the next job learns from,
and what the last one used.

Pinned references lead: drag items here from the browser (or use its "Pin for next generation"),
Remove (or Delete) and Clear unpin them. "Also retrieve…" lets the job add library items of its own.
After a job, "Used by the last job" lists each reference it used with its weight, marked pinned or
retrieved; Pin keeps a retrieved one for the next jobs, a double-click shows it in the browser.
A panel may add its own tools to the box (``add_tool``: the Music tab's "Find similar").
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QGroupBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QToolButton, QVBoxLayout, QWidget)

from ragart_desktop.ui.browser.model import items_from_mime
from ragart_desktop.ui.theme import secondary

PIN_MARK = "★ "   # marks a reference pinned for the next jobs (📌 needs an emoji font, ★ is in DejaVu Sans)


@dataclass
class PinnedRef:
    item_id: Optional[int]               # None: a file outside the library (pinned in a re-run request)
    path: str
    title: str
    kind: str
    weight: float = 1.0


class PinnedList(QListWidget):
    """Pinned references; items dragged from the browser (or its results) are pinned when dropped.

    Drops land on the list's viewport, which must accept them itself: otherwise Qt hands the drop
    to the window, which would import the dragged files as a new library folder.
    """

    items_dropped = Signal(list)

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setIconSize(QSize(56, 56))
        self.setGridSize(QSize(76, 80))
        self.setMovement(QListWidget.Movement.Static)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setWordWrap(False)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setMinimumHeight(84)
        self.setMaximumHeight(100)

    def dragEnterEvent(self, event) -> None:
        if items_from_mime(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if items_from_mime(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        items = items_from_mime(event.mimeData())
        if items:
            self.items_dropped.emit(items)
            event.acceptProposedAction()


class ReferencesBox(QGroupBox):
    """``kinds``: the item kinds it pins (None: any; an image prompt takes a MIDI piece's words)."""

    pinned_changed = Signal(set)              # item ids
    reveal_requested = Signal(list, object)   # library item ids to show in the browser, the one to select

    def __init__(self, title: str, *, retrieve_text: str, hint: str, kinds: Optional[tuple[str, ...]] = None,
                 parent: Optional[QWidget] = None):
        super().__init__(title, parent)
        self.kinds = kinds
        self.pinned: list[PinnedRef] = []
        self.thumbnail_for: Optional[Callable[[int, str], Optional[QPixmap]]] = None   # set by the window
        self._used: list[PinnedRef] = []
        self._used_sources: list[str] = []     # "pinned" | "retrieved", per used reference

        self.pinned_list = PinnedList()
        self.pinned_list.setToolTip(hint)
        self.pinned_list.items_dropped.connect(self.pin_dicts)
        self.pinned_list.itemDoubleClicked.connect(lambda item: self._reveal(self.pinned, self.pinned_list.row(item)))
        self.pinned_label = QLabel("None pinned")
        secondary(self.pinned_label)
        unpin = QToolButton(text="Remove")
        unpin.clicked.connect(self.unpin_selected)
        clear = QToolButton(text="Clear")
        clear.clicked.connect(self.clear_pinned)
        self.retrieve = QCheckBox(retrieve_text)
        self.retrieve.setChecked(True)

        self.used_label = QLabel("Used by the last job")
        self.used = QListWidget()
        self.used.setMaximumHeight(110)
        self.used.setToolTip("What the last job learned from (weight, pinned or retrieved); "
                             "double-click to show one in the browser")
        self.used.itemDoubleClicked.connect(lambda item: self._reveal(self._used, self.used.row(item)))
        self.pin_used_button = QToolButton(text="Pin")
        self.pin_used_button.setToolTip("Pin the chosen reference for the next jobs")
        self.pin_used_button.clicked.connect(self._pin_used)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pinned_list)
        row = QHBoxLayout()
        row.addWidget(self.pinned_label, 1)
        row.addWidget(unpin)
        row.addWidget(clear)
        layout.addLayout(row)
        layout.addWidget(self.retrieve)
        self._tools = QVBoxLayout()
        layout.addLayout(self._tools)
        used_row = QHBoxLayout()
        used_row.addWidget(self.used_label, 1)
        used_row.addWidget(self.pin_used_button)
        layout.addLayout(used_row)
        layout.addWidget(self.used)
        self._show_used_section()

    def add_tool(self, widget: QWidget) -> None:
        """A panel's own reference tool, under the retrieve box."""
        self._tools.addWidget(widget)

    # -- pinning -------------------------------------------------------------------------------------
    def pin_items(self, items: Iterable) -> None:
        """Pin library items (``core.library.catalog.Item``), as the browser's "Pin" sends them."""
        self.pin_dicts([{"id": it.id, "path": it.path, "title": it.title, "kind": it.kind} for it in items])

    def pin_dicts(self, items: Iterable[dict]) -> None:
        """Pin library items given as ``{"id", "path", "title"?, "kind"?}`` (a drop, a re-run); items
        of a kind this box does not take, and items already pinned, are left out."""
        known = {p.item_id for p in self.pinned}
        for d in items:
            kind = d.get("kind") or (self.kinds[0] if self.kinds else "image")
            if (self.kinds is None or kind in self.kinds) and int(d["id"]) not in known:
                self.pinned.append(PinnedRef(int(d["id"]), d["path"], d.get("title") or Path(d["path"]).name, kind))
                known.add(int(d["id"]))
        self._pinned_changed()

    def restore(self, references: Iterable[dict]) -> None:
        """Exactly the pins of a stored request (``ReferenceSpec`` as JSON: a history re-run), files
        outside the library too."""
        from ragart_desktop.core.kinds import kind_for_suffix

        default = self.kinds[0] if self.kinds else "image"
        self.pinned = [PinnedRef(r.get("item_id"), str(r.get("path") or ""), Path(str(r.get("path") or "")).name,
                                 kind_for_suffix(Path(str(r.get("path") or "")).suffix) or default,
                                 float(r.get("weight", 1.0)))
                       for r in references]
        self._pinned_changed()

    def unpin_selected(self) -> None:
        for r in sorted((self.pinned_list.row(i) for i in self.pinned_list.selectedItems()), reverse=True):
            del self.pinned[r]
        self._pinned_changed()

    def clear_pinned(self) -> None:
        self.pinned.clear()
        self._pinned_changed()

    def pinned_ids(self) -> set[int]:
        return {p.item_id for p in self.pinned if p.item_id is not None}

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Delete and self.pinned_list.hasFocus():
            self.unpin_selected()
        else:
            super().keyPressEvent(event)

    def _pinned_changed(self) -> None:
        self.pinned_list.clear()
        for ref in self.pinned:
            entry = QListWidgetItem(ref.title)
            entry.setToolTip(ref.path)
            self.pinned_list.addItem(entry)
        self.refresh_thumbnails()
        self.pinned_label.setText(f"{len(self.pinned)} pinned" if self.pinned else "None pinned")
        self.pinned_changed.emit(self.pinned_ids())
        self._refresh_used()

    def refresh_thumbnails(self) -> None:
        """The pins' pictures from the browser's thumbnails (once they are loaded)."""
        for i, ref in enumerate(self.pinned):
            pixmap = self.thumbnail_for(ref.item_id, ref.kind) if self.thumbnail_for and ref.item_id is not None else None
            if isinstance(pixmap, QPixmap):
                self.pinned_list.item(i).setIcon(QIcon(pixmap))

    # -- what the last job used ----------------------------------------------------------------------
    def show_used(self, references: list[dict]) -> None:
        """The references of the last job (``Reference.to_json``: ``{"id", "path", "weight", "source"}``)."""
        self._used = [PinnedRef(int(r["id"]) if r.get("id") is not None else None, str(r.get("path") or ""),
                                Path(str(r.get("path") or "")).name, str(r.get("kind") or ""),
                                float(r.get("weight") or 0.0))
                      for r in references]
        self._used_sources = [str(r.get("source") or "") for r in references]
        self._refresh_used()
        self._show_used_section()

    def _show_used_section(self) -> None:
        """The "used" list appears once a job has run (before that it would only be empty)."""
        for widget in (self.used_label, self.used, self.pin_used_button):
            widget.setVisible(bool(self._used))

    def _refresh_used(self) -> None:
        pinned = self.pinned_ids()
        self.used.clear()
        for ref, source in zip(self._used, self._used_sources):
            mark = PIN_MARK if ref.item_id in pinned else ""
            item = QListWidgetItem(f"{mark}{ref.title}  ({ref.weight:.2f}{', ' + source if source else ''})")
            item.setToolTip(f"{ref.path}\nweight {ref.weight:.2f}" + (f", {source}" if source else "")
                            + ("\n★ pinned for the next jobs" if mark else ""))
            self.used.addItem(item)

    def _pin_used(self) -> None:
        row = self.used.currentRow()
        if 0 <= row < len(self._used) and self._used[row].item_id is not None:
            ref = self._used[row]
            self.pin_dicts([{"id": ref.item_id, "path": ref.path, "title": ref.title, "kind": ref.kind or None}])

    def _reveal(self, refs: list[PinnedRef], row: int) -> None:
        if 0 <= row < len(refs) and refs[row].item_id is not None:
            self.reveal_requested.emit([r.item_id for r in refs if r.item_id is not None], refs[row].item_id)
