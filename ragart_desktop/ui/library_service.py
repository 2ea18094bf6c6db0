"""The UI's access to the library: every call runs as a job on a worker thread, never on the UI thread.

Two workers share one ``Library`` (opened lazily, once, by whichever job needs it first):
``reader`` runs quick lookups (search, browse, thumbnails, tags) and ``indexer`` runs the long
writes (import, rescan, the demo library). Keeping them apart is what keeps search-as-you-type
answering while an 8,000-file import is running (the catalog is SQLite in WAL mode, one connection
per thread). The core library module is imported inside the jobs, so start-up does not pay for it.

The library's words model runs in a child process (``core.embed.process``): loading torch and
transformers holds the GIL for up to a second at a time, which would freeze the window; in the
child it costs this process nothing.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from PySide6.QtCore import QObject, Signal

from ragart_desktop.core.home import Home
from ragart_desktop.core.progress import Task
from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.error_report import ErrorReport
from ragart_desktop.ui.workers import WorkerHost

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import ImportReport, Item, Library
    from ragart_desktop.core.retrieval.query import Query, SearchResult

log = logging.getLogger(__name__)


class LibraryService(QObject):
    changed = Signal()                  # the catalog changed (import, rescan, tags): refresh views
    status_ready = Signal(dict)         # Library.status() after open and after each change
    imported = Signal(object)           # ImportReport
    warmed = Signal()                   # the words model is loaded: searches answer at once

    def __init__(self, home: Home, settings: Settings, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.home = home
        self.settings = settings
        self.reader = WorkerHost("library", self)
        self.indexer = WorkerHost("indexer", self)
        self._library: Optional["Library"] = None
        self._model_processes: dict[str, Any] = {}     # embedder id -> its ProcessEmbedder
        self._open_lock = threading.Lock()
        self._search_job: Optional[int] = None
        self._search_seq = 0

    # -- the shared Library (worker threads only) ------------------------------------------------

    def library(self, task: Optional[Task] = None) -> "Library":
        """Open the library once; safe to call from any worker thread. A catalog of an older
        version is brought up to date on the way, with progress on ``task``."""
        with self._open_lock:
            if self._library is None:
                self._library = self._open(task)
            return self._library

    def open_library(self) -> int:
        """Open the library as a job the user sees, first on the reader (the lookups queue behind it):
        updating an older catalog's search index can take a while on a large library. When a model
        put in the models folders since the last run has an index to fill, a rescan fills it."""
        def fn(task: Task) -> bool:
            return self.library(task).indexes_incomplete()

        def fill(incomplete: bool) -> None:
            if incomplete:
                self.rescan()

        return self.reader.submit("Open the library", fn, on_result=fill)

    def _open(self, task: Optional[Task] = None) -> "Library":
        """The library, with its words model in a child process."""
        from ragart_desktop.core.embed.process import ProcessEmbedder
        from ragart_desktop.core.embed.registry import library_embedders
        from ragart_desktop.core.library.library import Library

        def out_of_process(e):   # one child per words model, kept when the library is reopened
            if e.id not in self._model_processes:
                self._model_processes[e.id] = ProcessEmbedder(e, self.home, self.settings)
            return self._model_processes[e.id]

        embedders = [out_of_process(e) if e.modality == "text" else e
                     for e in library_embedders(self.home, self.settings)]
        return Library.open(self.home, self.settings, embedders, task=task)

    def close(self) -> None:
        for process in self._model_processes.values():   # a job waiting on a model stops at once
            process.close()
        self.reader.shutdown()
        self.indexer.shutdown()
        with self._open_lock:
            if self._library is not None:
                self._library.close()
                self._library = None

    # -- reads --------------------------------------------------------------------------------------

    def refresh_status(self) -> int:
        return self.reader.submit("Library status", lambda task: self.library().status(),
                                  visible=False, on_result=self.status_ready.emit)

    def warm_up(self) -> int:
        """Open the library and load its words model now (in its child process), rather than on the
        first search or import, so the first search answers at once."""
        def fn(task: Task) -> None:
            self.library().words_embedder.embed(["warm up"])

        return self.reader.submit("Load the search model", fn, visible=False,
                                  on_result=lambda _: self.warmed.emit())

    def search(self, query: "Query", on_result: Callable[[list["SearchResult"]], None],
               on_error: Optional[Callable[[ErrorReport], None]] = None) -> int:
        """Run a search; a newer search cancels this one and its late results are dropped."""
        if self._search_job is not None:
            self.reader.cancel(self._search_job)
        self._search_seq += 1
        seq = self._search_seq

        def deliver(results: list["SearchResult"]) -> None:
            if seq == self._search_seq:
                on_result(results)

        self._search_job = self.reader.submit(
            "Search", lambda task: self.library().search(query, task), visible=False,
            on_result=deliver, on_error=on_error)
        return self._search_job

    def browse(self, kind: Optional[str], offset: int, limit: int,
               on_result: Callable[[tuple[int, list["Item"]]], None]) -> int:
        """Page ``offset:offset+limit`` of the whole library (newest first) plus the total count."""
        def fn(task: Task) -> tuple[int, list["Item"]]:
            lib = self.library()
            return lib.count(kind), lib.browse(kind=kind, offset=offset, limit=limit)

        return self.reader.submit("Browse library", fn, visible=False, on_result=on_result)

    def call(self, name: str, fn: Callable[["Library"], Any], on_result: Optional[Callable[[Any], None]] = None,
             *, changes: bool = False) -> int:
        """Run a small library call on the reader worker; ``changes`` refreshes views afterwards."""
        def done(result: Any) -> None:
            if on_result is not None:
                on_result(result)
            if changes:
                self.changed.emit()

        return self.reader.submit(name, lambda task: fn(self.library()), visible=False, on_result=done)

    # -- writes -------------------------------------------------------------------------------------

    def import_paths(self, paths: Sequence[str | Path]) -> int:
        paths = [str(p) for p in paths]
        name = f"Import {Path(paths[0]).name}" if len(paths) == 1 else f"Import {len(paths)} items"
        return self.indexer.submit(name, lambda task: self.library(task).import_paths(paths, task),
                                   on_result=self._after_import)

    def rescan(self) -> int:
        return self.indexer.submit("Rescan library", lambda task: self.library(task).rescan(task),
                                   on_result=self._after_import)

    def remove_roots(self, paths: Sequence[str]) -> int:
        """Take folders out of the library (their files stay on disk)."""
        def fn(task: Task) -> int:
            return sum(self.library().remove_root(p) for p in paths)

        return self.indexer.submit("Remove library folders", fn, on_result=lambda _: self._changed_now())

    def _changed_now(self) -> None:
        self.changed.emit()
        self.refresh_status()

    def reload_embedders(self) -> int:
        """After the models folders change: reopen the library with the embedders now available
        (e.g. a CLIP model) and re-embed in the background (the rescan fills any new index)."""

        def fn(task: Task) -> "ImportReport":
            fresh = self._open(task)
            with self._open_lock:
                self._library = fresh   # the old one saved every write already; a search may still use it
            return fresh.rescan(task)

        return self.indexer.submit("Re-embed the library for new models", fn, on_result=self._after_import)

    def backup_catalog(self, on_result: Optional[Callable[[Any], None]] = None) -> int:
        """Copy the catalog to the backups folder now (imports and edits also do it on their own)."""
        return self.indexer.submit("Back up the catalog", lambda task: self.library().backup(),
                                   on_result=on_result)

    def restore_catalog(self, backup: Optional[Path], on_result: Optional[Callable[[Any], None]] = None,
                        on_error: Optional[Callable[[ErrorReport], None]] = None) -> int:
        """Close the library, put a catalog backup (default: the newest) in place; the library reopens
        on its next use. Works when the library cannot open because its catalog was lost."""
        def fn(task: Task) -> dict:
            from ragart_desktop.core.library.backup import restore_catalog

            with self._open_lock:
                old, self._library = self._library, None
            if old is not None:
                old.close()
            return restore_catalog(self.home, backup, task)

        def done(result: dict) -> None:
            if on_result is not None:
                on_result(result)
            self._changed_now()

        return self.indexer.submit("Restore the catalog", fn, on_result=done, on_error=on_error)

    def import_demo(self) -> int:
        """Write the bundled demo library into the home folder and import it."""
        dest = self.home.demo_dir

        def fn(task: Task) -> "ImportReport":
            from ragart_desktop.core.demo import build_demo_library

            task.progress(0, 0, "Preparing the demo library")
            build_demo_library(dest, task)
            return self.library(task).import_paths([dest], task)

        return self.indexer.submit("Demo library", fn, on_result=self._after_import)

    def _after_import(self, report: "ImportReport") -> None:
        log.info("import finished: %s", report.to_json() if hasattr(report, "to_json") else report)
        self.imported.emit(report)
        self.changed.emit()
        self.refresh_status()
