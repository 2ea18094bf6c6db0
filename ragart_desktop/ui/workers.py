"""The one worker pattern of the UI: queued jobs run by a long-lived QObject on its own QThread.

A ``Job`` is a name plus a core callable ``fn(task) -> result``. The worker builds the ``Task`` with
a cancel event and throttled callbacks, runs the job on its thread and reports through signals
(queued to the UI thread by Qt). Nothing here touches a widget; ``QThread.run`` is not overridden.

``WorkerHost`` is the UI-side owner: it starts the thread, queues jobs, cancels them (a queued job
is dropped at once, the running one stops at its next ``task.check()``) and shuts down cleanly.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from ragart_desktop.core.errors import Cancelled
from ragart_desktop.core.progress import Task
from ragart_desktop.ui.error_report import ErrorReport

log = logging.getLogger(__name__)

_job_ids = itertools.count(1)

PROGRESS_INTERVAL_S = 0.05   # at most ~20 progress signals per second per job
PREVIEW_INTERVAL_S = 0.2     # at most ~5 step previews per second per job


@dataclass
class Job:
    """One unit of background work. ``fn`` runs on the worker thread and must not touch widgets."""

    name: str
    fn: Callable[[Task], Any]
    visible: bool = True                     # shown in the jobs area (quick lookups are not)
    id: int = field(default_factory=lambda: next(_job_ids))
    cancel_event: threading.Event = field(default_factory=threading.Event)


def to_qimage(image: Any) -> Optional[QImage]:
    """A QImage copy of a PIL image or QImage (safe off the UI thread); None when not an image."""
    if isinstance(image, QImage):
        return image.copy()
    if hasattr(image, "mode") and hasattr(image, "tobytes"):
        rgba = image.convert("RGBA")
        data = rgba.tobytes("raw", "RGBA")
        return QImage(data, rgba.width, rgba.height, rgba.width * 4, QImage.Format.Format_RGBA8888).copy()
    return None


class _Throttle:
    def __init__(self, interval: float):
        self.interval = interval
        self._last = 0.0

    def ready(self, force: bool = False) -> bool:
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self._last = now
            return True
        return False


class Worker(QObject):
    """Lives on a QThread; runs queued jobs one at a time. Use it through ``WorkerHost``."""

    started = Signal(int, str)               # job_id, name
    progress = Signal(int, int, int, str)    # job_id, done, total, message
    preview = Signal(int, object)            # job_id, QImage (a step's image) or str (the text so far)
    finished = Signal(int, object)           # job_id, result
    failed = Signal(int, object)             # job_id, ErrorReport
    cancelled = Signal(int)                  # job_id

    def __init__(self, queue: deque, lock: threading.Lock):
        super().__init__()
        self._queue = queue
        self._lock = lock

    @Slot()
    def run_next(self) -> None:
        """Run the oldest queued job, if any (one wake-up per submitted job)."""
        with self._lock:
            job = self._queue.popleft() if self._queue else None
        if job is None:
            return
        if job.cancel_event.is_set():
            self.cancelled.emit(job.id)
            return
        self.started.emit(job.id, job.name)
        task = self._task_for(job)
        try:
            result = job.fn(task)
        except Cancelled:
            log.info("job %s (%s) cancelled", job.id, job.name)
            self.cancelled.emit(job.id)
        except Exception as exc:  # every failure becomes a report; unexpected ones are logged as bugs
            report = ErrorReport.from_exception(exc, context=job.name)
            if report.unexpected:
                log.exception("job %s (%s) failed unexpectedly", job.id, job.name)
            else:
                log.info("job %s (%s) failed: %s", job.id, job.name, report.message)
            self.failed.emit(job.id, report)
        else:
            if job.cancel_event.is_set():
                self.cancelled.emit(job.id)
            else:
                self.finished.emit(job.id, result)

    def _task_for(self, job: Job) -> Task:
        progress_gate = _Throttle(PROGRESS_INTERVAL_S)
        preview_gate = _Throttle(PREVIEW_INTERVAL_S)

        def on_progress(done: int, total: int, message: str) -> None:
            if progress_gate.ready(force=total > 0 and done >= total):
                self.progress.emit(job.id, int(done), int(total), str(message))

        def on_preview(content: Any) -> None:
            if preview_gate.ready():
                payload = content if isinstance(content, str) else to_qimage(content)
                if payload is not None:
                    self.preview.emit(job.id, payload)

        return Task(on_progress=on_progress, on_preview=on_preview, cancel_event=job.cancel_event)


@dataclass
class _Callbacks:
    on_result: Optional[Callable[[Any], None]] = None
    on_error: Optional[Callable[[ErrorReport], None]] = None
    on_cancel: Optional[Callable[[], None]] = None


class WorkerHost(QObject):
    """UI-thread owner of one worker thread. Re-emits the worker's signals for views to follow.

    ``submit`` returns a job id; optional callbacks run on the UI thread. A failure without an
    ``on_error`` callback goes to ``unhandled_error`` (the main window routes it to the error panel).
    """

    queued = Signal(int, str, bool)          # job_id, name, visible
    started = Signal(int, str)
    progress = Signal(int, int, int, str)
    preview = Signal(int, object)
    finished = Signal(int, object)
    failed = Signal(int, object)
    cancelled = Signal(int)
    unhandled_error = Signal(object)         # ErrorReport
    _wake = Signal()

    def __init__(self, name: str, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.name = name
        self._queue: deque[Job] = deque()
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}
        self._callbacks: dict[int, _Callbacks] = {}
        self._current: Optional[int] = None
        self._thread = QThread()
        self._thread.setObjectName(f"ragart-{name}")
        self._worker = Worker(self._queue, self._lock)
        self._worker.moveToThread(self._thread)
        self._wake.connect(self._worker.run_next)
        self._worker.started.connect(self._on_started)
        self._worker.progress.connect(self.progress)
        self._worker.preview.connect(self.preview)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._thread.finished.connect(self._worker.deleteLater)
        self._thread.start()
        self._closed = False

    # -- submitting and cancelling (UI thread) ---------------------------------------------------

    def submit(
        self,
        name: str,
        fn: Callable[[Task], Any],
        *,
        visible: bool = True,
        on_result: Optional[Callable[[Any], None]] = None,
        on_error: Optional[Callable[[ErrorReport], None]] = None,
        on_cancel: Optional[Callable[[], None]] = None,
    ) -> int:
        if self._closed:
            raise RuntimeError(f"worker {self.name} is shut down")
        job = Job(name=name, fn=fn, visible=visible)
        self._jobs[job.id] = job
        self._callbacks[job.id] = _Callbacks(on_result, on_error, on_cancel)
        with self._lock:
            self._queue.append(job)
        self.queued.emit(job.id, name, visible)
        self._wake.emit()
        return job.id

    def cancel(self, job_id: int) -> None:
        """Drop a queued job at once; ask the running one to stop at its next step."""
        job = self._jobs.get(job_id)
        if job is None:
            return
        job.cancel_event.set()
        with self._lock:
            was_queued = job in self._queue
            if was_queued:
                self._queue.remove(job)
        if was_queued:
            self._on_cancelled(job_id)

    def cancel_all(self) -> None:
        for job_id in list(self._jobs):
            self.cancel(job_id)

    def is_busy(self) -> bool:
        return bool(self._jobs)

    def pending_ids(self) -> list[int]:
        return list(self._jobs)

    @property
    def thread(self) -> QThread:
        return self._thread

    @property
    def is_shut_down(self) -> bool:
        return self._closed

    def shutdown(self, timeout_ms: int = 15000) -> bool:
        """Cancel everything, let the current job stop, quit and join the thread. True if joined."""
        if self._closed:
            return self._thread.isFinished()
        self.cancel_all()
        self._closed = True   # from here on, late signals of the worker are ignored
        self._thread.quit()
        joined = self._thread.wait(timeout_ms)
        if not joined:
            log.warning("worker %s did not stop within %d ms", self.name, timeout_ms)
        return joined

    # -- worker signals, on the UI thread ----------------------------------------------------------

    def _on_started(self, job_id: int, name: str) -> None:
        if self._closed:
            return
        self._current = job_id
        self.started.emit(job_id, name)

    def _finish(self, job_id: int) -> _Callbacks:
        self._jobs.pop(job_id, None)
        if self._current == job_id:
            self._current = None
        return self._callbacks.pop(job_id, _Callbacks())

    def _on_finished(self, job_id: int, result: Any) -> None:
        if self._closed:
            return
        callbacks = self._finish(job_id)
        self.finished.emit(job_id, result)
        if callbacks.on_result is not None:
            callbacks.on_result(result)

    def _on_failed(self, job_id: int, report: ErrorReport) -> None:
        if self._closed:
            return
        callbacks = self._finish(job_id)
        self.failed.emit(job_id, report)
        if callbacks.on_error is not None:
            callbacks.on_error(report)
        else:
            self.unhandled_error.emit(report)

    def _on_cancelled(self, job_id: int) -> None:
        if self._closed or job_id not in self._callbacks:
            return  # shut down, or already reported (a queued job cancelled, then skipped by the worker)
        callbacks = self._finish(job_id)
        self.cancelled.emit(job_id)
        if callbacks.on_cancel is not None:
            callbacks.on_cancel()
