"""The jobs area: every visible job of every worker, queued or running, with progress, step previews
and a cancel button; finished jobs stay listed (with their outcome) until cleared."""
from __future__ import annotations

import time
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea, QToolButton, QVBoxLayout, QWidget,
)

from ragart_desktop.ui.theme import secondary
from ragart_desktop.ui.workers import WorkerHost

PREVIEW_SIZE = 48
MAX_FINISHED_ROWS = 30


class JobRow(QFrame):
    def __init__(self, host: WorkerHost, job_id: int, name: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.host, self.job_id = host, job_id
        self.started_at: Optional[float] = None
        self.done = False
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.hide()
        self.title = QLabel(f"<b>{name}</b>")
        self.status = QLabel("Queued")
        secondary(self.status)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.cancel_button = QToolButton(text="Cancel")
        self.cancel_button.clicked.connect(lambda: host.cancel(job_id))
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.status)
        text = QVBoxLayout()
        text.setSpacing(3)
        text.addLayout(heading)
        text.addWidget(self.bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.preview)
        layout.addLayout(text, 1)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def on_started(self) -> None:
        self.started_at = time.monotonic()
        self.status.setText("Running…")

    def on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        self.status.setText(message or (f"{done:,} / {total:,}" if total else "Running…"))

    def on_preview(self, image: QImage | str) -> None:
        if isinstance(image, str):   # a text being written: its last line says where it is
            lines = [line for line in image.splitlines() if line.strip()]
            self.status.setText(lines[-1][:60] if lines else "Writing…")
            return
        pixmap = QPixmap.fromImage(image).scaled(PREVIEW_SIZE, PREVIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(pixmap)
        self.preview.show()

    def on_end(self, outcome: str) -> None:
        self.done = True
        self.cancel_button.hide()
        self.bar.setRange(0, 1)
        self.bar.setValue(1 if outcome == "Done" else 0)
        if self.started_at is not None and outcome == "Done":
            outcome += f" in {time.monotonic() - self.started_at:.1f} s"
        self.status.setText(outcome)


class JobsView(QWidget):
    activity = Signal(str, int, int)      # latest progress of any visible job: message, done, total
    idle = Signal()                       # no visible job left running

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: dict[tuple[int, int], JobRow] = {}
        self._list = QVBoxLayout()
        self._list.setSpacing(4)
        self._list.addStretch(1)
        inner = QWidget()
        inner.setLayout(self._list)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.empty_label = QLabel("No jobs yet. Imports and generations show up here.")
        secondary(self.empty_label)
        clear = QPushButton("Clear finished")
        clear.clicked.connect(self.clear_finished)
        top = QHBoxLayout()
        top.addWidget(self.empty_label, 1)
        top.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

    def watch(self, host: WorkerHost) -> None:
        key = id(host)
        host.queued.connect(lambda job_id, name, visible: visible and self._add(host, job_id, name))
        host.started.connect(lambda job_id, _: self._row(key, job_id, JobRow.on_started))
        host.progress.connect(lambda job_id, d, t, m: self._progress(key, job_id, d, t, m))
        host.preview.connect(lambda job_id, image: self._row(key, job_id, JobRow.on_preview, image))
        host.finished.connect(lambda job_id, _: self._end(key, job_id, "Done"))
        host.failed.connect(lambda job_id, report: self._end(key, job_id, "Failed: " + report.message))
        host.cancelled.connect(lambda job_id: self._end(key, job_id, "Cancelled"))

    def running(self) -> list[JobRow]:
        return [r for r in self.rows.values() if not r.done]

    def clear_finished(self) -> None:
        for key, row in list(self.rows.items()):
            if row.done:
                row.deleteLater()
                del self.rows[key]
        self.empty_label.setText("No jobs." if not self.rows else "")

    def _add(self, host: WorkerHost, job_id: int, name: str) -> None:
        row = JobRow(host, job_id, name)
        self.rows[(id(host), job_id)] = row
        self._list.insertWidget(0, row)
        self.empty_label.setText("")
        finished = [k for k, r in self.rows.items() if r.done]
        for key in finished[:-MAX_FINISHED_ROWS] if len(finished) > MAX_FINISHED_ROWS else []:
            self.rows.pop(key).deleteLater()

    def _row(self, key: int, job_id: int, method, *args) -> None:
        row = self.rows.get((key, job_id))
        if row is not None:
            method(row, *args)

    def _progress(self, key: int, job_id: int, done: int, total: int, message: str) -> None:
        row = self.rows.get((key, job_id))
        if row is not None:
            row.on_progress(done, total, message)
            self.activity.emit(message, done, total)

    def _end(self, key: int, job_id: int, outcome: str) -> None:
        row = self.rows.get((key, job_id))
        if row is not None:
            row.on_end(outcome)
            if not self.running():
                self.idle.emit()
