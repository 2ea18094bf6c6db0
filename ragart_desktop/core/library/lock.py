"""The lock every write to a home folder's shared state (catalog edits, vector indexes) holds.

Between processes it is a file lock: a second importer, or a `ragart tag` run during an import,
waits for the first instead of both writing the vector index files and one silently losing the
other's vectors. Within one process it is shared (``HomeLock``): while an import thread holds it,
an edit from another thread joins the hold at once (both work on the same in-memory indexes), and
the file lock is released when the last holder leaves. A second training of the same model does
not wait for the first (``ImportLock`` with ``timeout_s=0``): it is refused.
"""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ragart_desktop.core.errors import StorageError
from ragart_desktop.core.progress import Task

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class ImportLock:
    def __init__(self, path: Path, task: Task, timeout_s: float = 3600.0,
                 activity: str = "importing into this library"):
        self.path = path
        self.task = task
        self.timeout_s = timeout_s
        self.activity = activity
        self._fd: int | None = None

    def __enter__(self) -> "ImportLock":
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StorageError(f"cannot create the import lock ({exc.strerror or exc}).", path=self.path) from exc
        deadline = time.monotonic() + self.timeout_s
        announced = False
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                raise StorageError(f"another RagArt process is {self.activity}.", path=self.path,
                                   hint="Wait for it to finish, then try again.")
            if not announced:
                self.task.progress(0, 0, f"Waiting for another RagArt process {self.activity} to finish…")
                announced = True
            try:
                self.task.check()
            except BaseException:
                os.close(fd)
                raise
            time.sleep(0.2)
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None


class HomeLock:
    """The file lock of one home folder, held on behalf of every thread of this process."""

    _by_path: dict[str, "HomeLock"] = {}
    _by_path_guard = threading.Lock()

    def __init__(self, path: Path):
        self.path = path
        self._cond = threading.Condition()
        self._holders = 0
        self._acquiring = False
        self._file_lock: ImportLock | None = None

    @classmethod
    def of(cls, path: Path) -> "HomeLock":
        """The one shared lock of ``path`` in this process."""
        key = os.path.abspath(path)
        with cls._by_path_guard:
            lock = cls._by_path.get(key)
            if lock is None:
                lock = cls._by_path[key] = cls(Path(key))
            return lock

    @contextmanager
    def hold(self, task: Task) -> Iterator[None]:
        self._acquire(task)
        try:
            yield
        finally:
            self._release()

    def _acquire(self, task: Task) -> None:
        with self._cond:
            while self._acquiring:       # another thread of ours is waiting for the file lock
                self._cond.wait(0.2)
                task.check()
            if self._holders:
                self._holders += 1
                return
            self._acquiring = True
        try:
            file_lock = ImportLock(self.path, task).__enter__()
        except BaseException:
            with self._cond:
                self._acquiring = False
                self._cond.notify_all()
            raise
        with self._cond:
            self._file_lock, self._holders, self._acquiring = file_lock, 1, False
            self._cond.notify_all()

    def _release(self) -> None:
        with self._cond:
            self._holders -= 1
            if self._holders == 0 and self._file_lock is not None:
                self._file_lock.__exit__(None, None, None)
                self._file_lock = None
