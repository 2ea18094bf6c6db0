"""The one place errors are shown: a banner above the editors with the latest problem in plain
words, the earlier ones and the technical details one click away (in a window of their own, so
opening them never squeezes the canvas). Reports reach it through ``ui.error_center.ErrorCenter``."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QStyle, QToolButton, QVBoxLayout, QWidget,
)

from ragart_desktop.ui.error_report import ErrorReport
from ragart_desktop.ui.theme import accent


class ErrorPanel(QFrame):
    """Banner with the latest error; "Details" expands every report of the session, newest first."""

    MAX_KEPT = 200

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        accent(self, "alert")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.reports: list[ErrorReport] = []
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(20, 20))
        self.message = QLabel()
        self.message.setObjectName("ErrorMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count = QLabel()
        self.details_button = QToolButton(text="Details")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._toggle_details)
        dismiss = QPushButton("Dismiss")
        dismiss.clicked.connect(self.dismiss)
        row = QHBoxLayout()
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(icon)
        row.addWidget(self.message, 1)
        row.addWidget(self.count)
        row.addWidget(self.details_button)
        row.addWidget(dismiss)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details_window = QDialog(self)
        self.details_window.setWindowTitle("Problems in this session")
        self.details_window.resize(720, 360)
        QVBoxLayout(self.details_window).addWidget(self.details)
        self.details_window.finished.connect(lambda _: self.details_button.setChecked(False))
        self.setLayout(row)
        self.hide()

    def show_report(self, report: ErrorReport) -> None:
        self.reports.insert(0, report)
        del self.reports[self.MAX_KEPT:]
        text = report.headline
        if report.hint:
            text += f" — {report.hint}"
        self.message.setText(text)
        self.count.setText(f"{len(self.reports)} problems" if len(self.reports) > 1 else "")
        self._fill_details()
        self.show()

    def dismiss(self) -> None:
        self.details_button.setChecked(False)
        self.hide()

    def _toggle_details(self, on: bool) -> None:
        self.details_window.setVisible(on)
        if on:
            self._fill_details()

    def _fill_details(self) -> None:
        if not self.details.isVisible():
            return
        blocks = []
        for r in self.reports:
            block = [f"[{r.time}] {r.headline}"]
            if r.hint:
                block.append(f"What to do: {r.hint}")
            if r.details and (r.unexpected or r.kind == "storage"):
                block.append(r.details.rstrip())
            blocks.append("\n".join(block))
        self.details.setPlainText("\n\n".join(blocks))
