"""Learn from my library: train a music model on the library's MIDI pieces, with a live loss plot.

The dialog chooses the pieces (all MIDI, one tag, one folder), the model's name and a time budget,
then runs ``core/train.train_music`` as a job on its own worker (``ui/workers``), so the window
stays responsive and Cancel stops it within a second (the checkpoint lets a later run resume).
The trainer offers its curves as ``task.preview``; a ``_Relay`` task keeps the newest one for the
plot, which the dialog redraws a few times a second. When the model is saved, the window's engine
lists are refreshed so it can be chosen at once.
"""
from __future__ import annotations

import math
import threading
from typing import Any, Callable, Optional

from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QPushButton, QRadioButton, QVBoxLayout, QWidget)

from ragart_desktop.core.progress import Task
from ragart_desktop.ui.error_report import ErrorReport
from ragart_desktop.ui.workers import WorkerHost

REDRAW_MS = 250


class LossPlot(QWidget):
    """Training loss (every step), validation loss (every evaluation) and the Markov baseline."""

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setMinimumSize(420, 200)
        self.progress: Any = None   # core.train.trainer.TrainingProgress

    def set_progress(self, progress: Any) -> None:
        self.progress = progress
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        progress = self.progress
        if progress is None or not progress.train_curve:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "The loss curves appear here once training starts.")
            return
        series = [(progress.train_curve, QColor(90, 140, 210)), (progress.val_curve, QColor(230, 140, 40))]
        values = [v for curve, _ in series for _, v in curve if math.isfinite(v)] + [progress.baseline]
        low, high = min(values), max(values)
        high = high if high > low else low + 1.0
        steps = max(progress.max_steps, progress.train_curve[-1][0], 1)
        left, top, right, bottom = 44, 10, self.width() - 10, self.height() - 24

        def at(step: float, value: float) -> QPointF:
            return QPointF(left + (right - left) * step / steps, bottom - (bottom - top) * (value - low) / (high - low))

        p.setPen(self.palette().text().color())
        p.drawLine(left, bottom, right, bottom)
        p.drawLine(left, top, left, bottom)
        p.drawText(2, top + 10, f"{high:.2f}")
        p.drawText(2, bottom, f"{low:.2f}")
        p.drawText(left, self.height() - 6, f"step {progress.step} of at most {progress.max_steps}")
        baseline = QPen(QColor(120, 120, 120), 1, Qt.PenStyle.DashLine)
        p.setPen(baseline)
        y = at(0, progress.baseline).y()
        p.drawLine(QPointF(left, y), QPointF(right, y))
        p.drawText(QPointF(right - 190, y - 4), f"built-in Markov {progress.baseline:.3f}")
        for curve, colour in series:
            if not curve:
                continue
            path = QPainterPath(at(*curve[0]))
            for step, value in curve[1:]:
                path.lineTo(at(step, value))
            p.setPen(QPen(colour, 2 if curve is progress.val_curve else 1))
            p.drawPath(path)
        p.setPen(QColor(230, 140, 40))
        val = f"validation {progress.val_curve[-1][1]:.3f}" if progress.val_curve else "validation: first check soon"
        p.drawText(QPointF(left + 6, top + 12), f"training {progress.train_curve[-1][1]:.3f}   {val}")
        p.end()


class _Relay(Task):
    """The worker's task, with the trainer's previews kept aside (newest only) for the plot."""

    def __init__(self, outer: Task):
        super().__init__()
        self.outer = outer
        self._lock = threading.Lock()
        self._latest: Any = None

    def progress(self, done: int, total: int, message: str = "") -> None:
        self.outer.progress(done, total, message)

    def preview(self, content: Any) -> None:
        with self._lock:
            self._latest = content

    def take(self) -> Any:
        with self._lock:
            latest, self._latest = self._latest, None
        return latest

    def check(self) -> None:
        self.outer.check()

    @property
    def cancelled(self) -> bool:
        return self.outer.cancelled


class TrainingDialog(QDialog):
    trained = Signal(str)   # the model's name, once saved

    def __init__(self, library: Callable[[], Any], parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.setWindowTitle("Learn from my library")
        self.library = library
        self.worker = WorkerHost("training", self)
        self.job: Optional[int] = None
        self.relay: Optional[_Relay] = None

        self.all_pieces = QRadioButton("All MIDI pieces")
        self.by_tag = QRadioButton("Pieces tagged")
        self.by_folder = QRadioButton("Pieces in the folder")
        self.all_pieces.setChecked(True)
        group = QButtonGroup(self)
        for b in (self.all_pieces, self.by_tag, self.by_folder):
            group.addButton(b)
        self.tag = QLineEdit()
        self.tag.setPlaceholderText("a tag, e.g. folk")
        self.folder = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.name = QLineEdit("my-style")
        self.minutes = QDoubleSpinBox()
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setValue(10)
        self.minutes.setSuffix(" min")
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        self.minutes.valueChanged.connect(self._update_estimate)
        self._update_estimate()

        form = QFormLayout()
        form.addRow(self.all_pieces)
        form.addRow(self.by_tag, self.tag)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        form.addRow(self.by_folder, folder_row)
        form.addRow("Model name", self.name)
        form.addRow("Time budget", self.minutes)

        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.plot = LossPlot()
        self.start = QPushButton("Start")
        self.cancel = QPushButton("Cancel training")
        self.cancel.setEnabled(False)
        close = QPushButton("Close")
        self.start.clicked.connect(self.start_training)
        self.cancel.clicked.connect(self.cancel_training)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.start, self.cancel, close):
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.estimate)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.worker.progress.connect(lambda _id, done, total, message: self.status.setText(message))
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self._redraw)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Learn from the pieces in")
        if folder:
            self.folder.setText(folder)
            self.by_folder.setChecked(True)

    def _update_estimate(self) -> None:
        self.estimate.setText(
            f"Training takes at most {self.minutes.value():g} minutes on this computer (all cores but one) and "
            "stops sooner when the model stops improving on the pieces it holds back. Cancel keeps what it "
            "learned: starting again with the same name continues.")

    def request(self):
        from ragart_desktop.core.train.trainer import TrainingRequest

        tag = self.tag.text().strip() if self.by_tag.isChecked() else None
        folder = self.folder.text().strip() if self.by_folder.isChecked() else None
        return TrainingRequest(name=self.name.text().strip(), tag=tag or None, folder=folder or None,
                               minutes=float(self.minutes.value()))

    def start_training(self) -> None:
        from ragart_desktop.core.errors import RagartError

        try:
            req = self.request().validate()
        except RagartError as exc:
            self.status.setText(exc.user_message())
            return
        library = self.library

        def run(task: Task):
            from ragart_desktop.core.train.trainer import train_music

            self.relay = _Relay(task)
            return train_music(req, library(), self.relay)

        self.job = self.worker.submit(f"Learning {req.name}", run, on_result=self._done, on_error=self._failed,
                                      on_cancel=self._cancelled)
        self.start.setEnabled(False)
        self.cancel.setEnabled(True)
        self.status.setText("Reading the pieces…")
        self.timer.start()

    def cancel_training(self) -> None:
        if self.job is not None:
            self.worker.cancel(self.job)
            self.status.setText("Stopping (saving a checkpoint)…")

    def _redraw(self) -> None:
        latest = self.relay.take() if self.relay is not None else None
        if latest is not None:
            self.plot.set_progress(latest)

    def _finish(self, message: str) -> None:
        self.timer.stop()
        self._redraw()
        self.job = None
        self.start.setEnabled(True)
        self.cancel.setEnabled(False)
        self.status.setText(message)

    def _done(self, result) -> None:
        verdict = ("better than" if result.beats_baseline else "NOT better than")
        self._finish(f"Saved '{result.name}' ({result.parameters:,} parameters, {result.pieces} pieces, "
                     f"{result.seconds / 60:.1f} min, stopped by {result.stopped}). Validation loss "
                     f"{result.val_loss:.3f}: {verdict} the built-in engine's {result.baseline_val_loss:.3f}. "
                     "It is now in the engine lists.")
        self.trained.emit(result.name)

    def _failed(self, report: ErrorReport) -> None:
        self._finish(f"Training stopped: {report.message}")

    def _cancelled(self) -> None:
        self._finish("Cancelled. What it learned is kept: start again with the same name to continue.")

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.worker.shutdown()
        super().closeEvent(event)


def open_training_dialog(window: Any) -> TrainingDialog:
    """Open the dialog over the main window; a saved model refreshes every engine list it has."""
    dialog = TrainingDialog(window.service.library, window)

    def refresh(_name: str) -> None:
        for owner in [window] + [window.tabs.widget(i) for i in range(window.tabs.count())]:
            if hasattr(owner, "refresh_engines"):
                owner.refresh_engines()

    dialog.trained.connect(refresh)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
