"""Preferences → Library: the catalog's automatic backups, "Back up now" and "Restore…"."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton, \
    QVBoxLayout, QWidget

from ragart_desktop.core.home import Home
from ragart_desktop.core.library.backup import list_backups
from ragart_desktop.ui.library_service import LibraryService
from ragart_desktop.ui.theme import secondary


class BackupPanel(QWidget):
    def __init__(self, home: Home, service: LibraryService, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.home = home
        self.service = service
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.backup_button = QPushButton("Back up now")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("Restore…")
        self.restore_button.clicked.connect(self._restore_clicked)
        self.state = QLabel("Tags, notes and library folders are backed up after every import or edit.")
        self.state.setWordWrap(True)
        secondary(self.state)
        buttons = QVBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.state)
        self.reload()

    def reload(self) -> None:
        """List the backups, newest first (a directory listing: cheap enough for the UI thread)."""
        self.list.clear()
        for b in list_backups(self.home):
            when = datetime.fromtimestamp(b.created).strftime("%Y-%m-%d %H:%M:%S")
            item = QListWidgetItem(f"{when}  ·  {b.size / 1e6:.1f} MB")
            item.setData(Qt.ItemDataRole.UserRole, str(b.path))
            item.setToolTip(str(b.path))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.restore_button.setEnabled(self.list.count() > 0)

    def selected(self) -> Optional[Path]:
        item = self.list.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def backup_now(self) -> None:
        self.state.setText("Backing up…")
        self.service.backup_catalog(on_result=lambda made: self._done(f"Backed up to {made.path.name}."))

    def restore(self, backup: Path) -> None:
        self.state.setText("Restoring…")
        self.service.restore_catalog(
            backup, on_result=lambda r: self._done(
                f"Restored {r['items']:,} item{'s' if r['items'] != 1 else ''} from {Path(r['restored']).name}"
                + (f"; the catalog it replaced is kept as {Path(r['kept_aside']).name}." if r["kept_aside"] else ".")),
            on_error=lambda report: self._done(f"Not restored: {report.message}"))

    def _restore_clicked(self) -> None:
        backup = self.selected()
        if backup is None:
            return
        answer = QMessageBox.question(
            self, "Restore the catalog",
            f"Put the catalog back as it was in {backup.name}?\n\nTags, notes and folders come back as they "
            "were then; the current catalog is kept beside it.")
        if answer == QMessageBox.StandardButton.Yes:
            self.restore(backup)

    def _done(self, message: str) -> None:
        self.state.setText(message)
        self.reload()
