"""A small dialog to edit an item's tags and note."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Item


def parse_tags(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for raw in text.split(","):
        tag = raw.strip()
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


class ItemDialog(QDialog):
    def __init__(self, item: "Item", parent=None):
        super().__init__(parent)
        self.item = item
        self.setWindowTitle(f"Tags and note — {item.title or Path(item.path).name}")
        self.tags = QLineEdit(", ".join(item.tags))
        self.tags.setPlaceholderText("e.g. sketch, blue, portrait")
        self.note = QPlainTextEdit(item.note)
        self.note.setPlaceholderText("A note of your own; it is searchable.")
        path = QLabel(item.path)
        path.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("File", path)
        form.addRow("Tags", self.tags)
        form.addRow("Note", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(460, 300)

    def changes(self) -> tuple[list[str], list[str], Optional[str]]:
        """(tags to add, tags to remove, new note or None when unchanged)."""
        wanted = parse_tags(self.tags.text())
        added = [t for t in wanted if t not in self.item.tags]
        removed = [t for t in self.item.tags if t not in wanted]
        note = self.note.toPlainText()
        return added, removed, (note if note != self.item.note else None)
