"""The UI's access to generation, for every kind: jobs run on the model worker and land in history.

``GenerationService`` sits beside ``LibraryService``; the window (and an editor that runs its own
kind's generation, like the Text tab's Write) only calls it. A job is a kind ("image", "music",
"text"), a step that builds the kind's frozen request on the worker (it may write the canvas to a
PNG first), and the editor that asked. The service runs the kind's pipeline (``PIPELINES``: each
module has ``generate(request, library, task) -> GenerationResult``), saves the outputs with their
provenance, appends the history record, then hands the editor what it made (``take_results``),
the job's previews as they come (``show_preview``) and the end of a job that failed or was
cancelled (``generation_ended``; the failure itself goes to ``failed``, for the error panel). One
model worker runs every kind, so one model is in memory at a time and jobs queue in order.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from PySide6.QtCore import QObject, Signal

from ragart_desktop.core.history import HistoryRecord, HistoryStore
from ragart_desktop.core.home import Home
from ragart_desktop.core.progress import Task
from ragart_desktop.ui.workers import WorkerHost

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pipeline:
    module: str     # has generate(request, library=, task=) -> GenerationResult
    folder: str     # where its outputs go, under the outputs folder ("" = the outputs folder)


PIPELINES: dict[str, Pipeline] = {
    "image": Pipeline("ragart_desktop.core.generate.image.pipeline", ""),
    "music": Pipeline("ragart_desktop.core.generate.music.pipeline", "music"),
    "text": Pipeline("ragart_desktop.core.generate.text.pipeline", "text"),
}

RequestStep = Callable[[Path], Any]   # work folder -> the kind's validated request (runs on the worker)


@dataclass(frozen=True)
class Generated:
    """A finished job: what history stored, and the kind's whole result (outputs in memory, each
    output's provenance record, the passages or references it used)."""

    record: HistoryRecord
    result: Any


class GenerationService(QObject):
    generated = Signal(object)     # HistoryRecord of every finished job (history, status line)
    failed = Signal(object)        # ErrorReport of a failed job

    def __init__(self, home: Home, library: Callable[[], "Library"], parent: Optional[QObject] = None):
        super().__init__(parent)
        self.home = home
        self.library = library
        self.worker = WorkerHost("model", self)
        self.history = HistoryStore.in_home(home.root)
        self._targets: dict[int, Any] = {}       # job id -> the editor that asked
        self.worker.preview.connect(self._preview)

    def generate(self, kind: str, request: RequestStep, name: str, target: Any = None) -> int:
        """Queue one job of ``kind`` for ``target`` (an ``Editor``, or None); returns its job id."""
        if kind not in PIPELINES:
            raise ValueError(f"no generation pipeline for kind {kind!r}")
        home, history, library, pipeline = self.home, self.history, self.library, PIPELINES[kind]

        def run(task: Task) -> Generated:
            # 1. The request (its canvas and mask are written to the work folder first).
            work_dir = home.outputs_dir / "work"
            work_dir.mkdir(parents=True, exist_ok=True)
            req = request(work_dir)
            # 2. The kind's pipeline (it keeps one model in memory, reused by the next job here).
            result = importlib.import_module(pipeline.module).generate(req, library=library(), task=task)
            # 3. Outputs with their provenance, then the history record.
            result.save(home.outputs_dir / pipeline.folder)
            record = result.history_record()
            history.append(record)
            return Generated(record, result)

        job_id = self.worker.submit(name, run, on_result=lambda done: self._finished(job_id, done),
                                    on_error=lambda report: self._ended(job_id, report),
                                    on_cancel=lambda: self._ended(job_id))
        self._targets[job_id] = target
        return job_id

    def cancel(self, job_id: int) -> None:
        self.worker.cancel(job_id)

    def shutdown(self) -> None:
        self.worker.shutdown()

    def _finished(self, job_id: int, done: Generated) -> None:
        target = self._targets.pop(job_id, None)
        if target is not None:
            target.take_results(done)
        self.generated.emit(done.record)

    def _ended(self, job_id: int, report: Any = None) -> None:
        target = self._targets.pop(job_id, None)
        if target is not None:
            target.generation_ended()
        if report is not None:
            self.failed.emit(report)

    def _preview(self, job_id: int, payload: Any) -> None:
        target = self._targets.get(job_id)
        if target is not None:
            target.show_preview(payload)
