"""Autosave to the home folder and recovery after a crash.

While a document has unsaved edits, ``Autosaver.tick()`` (called by a UI timer) writes it every
``interval_s`` seconds to ``<home>/autosave/<key>.ragart``: the key is a hash of the project path,
or the document's session id while it is untitled. The document is copied on the calling thread
(fast memory copies) and encoded on a background thread, so painting never waits for PNG encoding.
Writes are atomic. A clean save or close deletes the autosave, so an autosave that is newer than
its project file means the app did not close cleanly: ``find_recovery`` reports it when the project
is opened, and ``untitled_autosaves`` lists the ones of documents that were never saved.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path
from typing import Callable, Optional, Union

from ragart_desktop.core.canvas.document import CanvasDocument
from ragart_desktop.core.canvas.project import SUFFIX, open_project, read_manifest, take_snapshot, write_snapshot
from ragart_desktop.core.errors import RagartError
from ragart_desktop.core.home import Home

log = logging.getLogger(__name__)

AUTOSAVE_FOLDER = "autosave"
AUTOSAVE_COMPRESS_LEVEL = 1  # speed over size: autosaves are rewritten often and deleted on save


def autosave_dir(home: Home) -> Path:
    return home.root / AUTOSAVE_FOLDER


def autosave_path(folder: Path, doc: CanvasDocument) -> Path:
    if doc.path is not None:
        return _project_autosave(folder, Path(doc.path))
    return Path(folder) / f"untitled-{doc.session_id}{SUFFIX}"


def _project_autosave(folder: Path, project_path: Path) -> Path:
    key = hashlib.sha1(str(project_path.resolve()).encode("utf-8")).hexdigest()[:16]
    return Path(folder) / f"p-{key}{SUFFIX}"


class Autosaver:
    def __init__(self, doc: CanvasDocument, folder: Path, interval_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        self.doc = doc
        self.folder = Path(folder)
        self.interval_s = interval_s
        self._clock = clock
        self._last_time = clock()
        self._last_revision = doc.history.revision
        self._thread: Optional[threading.Thread] = None
        self._written: set[Path] = set()
        self.last_error: Optional[RagartError] = None

    @property
    def due(self) -> bool:
        return (self.doc.modified and self.doc.history.revision != self._last_revision
                and self._clock() - self._last_time >= self.interval_s)

    @property
    def writing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def tick(self) -> bool:
        """Start a background autosave when one is due; True when it started."""
        if self.writing or self.doc.stroking or not self.due:
            return False
        target, snapshot = self._prepare()
        self._thread = threading.Thread(target=self._write, args=(snapshot, target),
                                        name="canvas-autosave", daemon=True)
        self._thread.start()
        return True

    def save_now(self) -> Path:
        """Autosave synchronously (tests, and before risky operations)."""
        self.wait()
        target, snapshot = self._prepare()
        self._write(snapshot, target)
        if self.last_error is not None:
            raise self.last_error
        return target

    def wait(self, timeout: Optional[float] = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def discard(self) -> None:
        """Delete this document's autosaves: call after a successful save or a clean close."""
        self.wait()
        for path in self._written | {autosave_path(self.folder, self.doc)}:
            path.unlink(missing_ok=True)
        self._written.clear()
        self._last_revision = self.doc.history.revision

    def _prepare(self):
        target = autosave_path(self.folder, self.doc)
        snapshot = take_snapshot(self.doc, copy_pixels=True)
        self._last_time = self._clock()
        self._last_revision = self.doc.history.revision
        self._written.add(target)
        return target, snapshot

    def _write(self, snapshot, target: Path) -> None:
        try:
            write_snapshot(snapshot, target, compress_level=AUTOSAVE_COMPRESS_LEVEL)
            self.last_error = None
            log.info("autosaved canvas to %s", target)
        except RagartError as exc:
            self.last_error = exc
            log.warning("autosave failed: %s", exc.user_message())


def find_recovery(folder: Path, project_path: Union[str, Path]) -> Optional[Path]:
    """The autosave of ``project_path`` when it is newer than the file itself (a crash happened)."""
    project_path = Path(project_path)
    candidate = _project_autosave(folder, project_path)
    if not candidate.exists():
        return None
    if project_path.exists() and candidate.stat().st_mtime <= project_path.stat().st_mtime:
        return None
    return candidate


def untitled_autosaves(folder: Path) -> list[Path]:
    """Autosaves of documents that were never saved, newest first (offer them at start-up)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"untitled-*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)


def recover(autosave_file: Union[str, Path]) -> CanvasDocument:
    """Open an autosave as the document it protects: same path and session, marked unsaved."""
    manifest = read_manifest(autosave_file)
    doc = open_project(autosave_file)
    source = manifest.get("source_path")
    doc.path = Path(source) if source else None
    doc.mark_unsaved()
    return doc
