"""An inter-process lock so two processes never import into one home folder at the same time.

The second importer waits for the first (its own files are then mostly "unchanged"), instead of
both writing the vector index files and one silently losing the other's vectors.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

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
    def __init__(self, path: Path, task: Task, timeout_s: float = 3600.0):
        self.path = path
        self.task = task
        self.timeout_s = timeout_s
        self._fd: int | None = None

    def __enter__(self) -> "ImportLock":
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StorageError(f"cannot create the import lock ({exc.strerror or exc}).", path=self.path) from exc
        deadline = time.monotonic() + self.timeout_s
        announced = False
        while not _try_lock(fd):
            if not announced:
                self.task.progress(0, 0, "Waiting for another import of this library to finish…")
                announced = True
            if time.monotonic() > deadline:
                os.close(fd)
                raise StorageError("another RagArt process is importing into this library.", path=self.path,
                                   hint="Wait for it to finish, then run the import again.")
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
