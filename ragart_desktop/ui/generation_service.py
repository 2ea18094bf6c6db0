"""The UI's access to generation, for every kind: jobs run on the model worker and land in history.

``GenerationService`` sits beside ``LibraryService``; the window only calls it. A job is a kind
("image", "music", "text"), a step that builds the kind's frozen request on the worker (it may
write the canvas to a PNG first), and the editor that asked. The service runs the kind's pipeline
(``PIPELINES``: each module has ``generate(request, library, task) -> GenerationResult``), saves the
outputs with their provenance, appends the history record and hands the record back with
``generated``. One model worker runs every kind, so one model is in memory at a time and jobs
queue in the order they were asked for.
"""
from __future__ import annotations

import importlib
import logging
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

# The pipeline module of each kind; music (core/generate/music) and text (core/generate/text) add a line.
PIPELINES: dict[str, str] = {
    "image": "ragart_desktop.core.generate.image.pipeline",
}

RequestStep = Callable[[Path], Any]   # work folder -> the kind's validated request (runs on the worker)


class GenerationService(QObject):
    generated = Signal(object, object)     # HistoryRecord, the editor that asked (or None)

    def __init__(self, home: Home, library: Callable[[], "Library"], parent: Optional[QObject] = None):
        super().__init__(parent)
        self.home = home
        self.library = library
        self.worker = WorkerHost("model", self)
        self.history = HistoryStore.in_home(home.root)

    def generate(self, kind: str, request: RequestStep, name: str, target: Any = None) -> int:
        """Queue one job of ``kind``; its record arrives with ``generated`` (failures with the
        worker's ``unhandled_error``). Returns the job id (cancel it through ``worker``)."""
        if kind not in PIPELINES:
            raise ValueError(f"no generation pipeline for kind {kind!r}")
        home, history, library = self.home, self.history, self.library

        def run(task: Task) -> HistoryRecord:
            # 1. The request (its canvas and mask are written to the work folder first).
            work_dir = home.outputs_dir / "work"
            work_dir.mkdir(parents=True, exist_ok=True)
            req = request(work_dir)
            # 2. The kind's pipeline (it keeps one model in memory, reused by the next job here).
            pipeline = importlib.import_module(PIPELINES[kind])
            result = pipeline.generate(req, library=library(), task=task)
            # 3. Outputs with their provenance, then the history record.
            result.save(home.outputs_dir)
            record = result.history_record()
            history.append(record)
            return record

        return self.worker.submit(name, run, on_result=lambda record: self.generated.emit(record, target))

    def shutdown(self) -> None:
        self.worker.shutdown()
