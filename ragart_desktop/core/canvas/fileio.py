"""Crash-safe file writing: write beside the target, fsync, then rename over it."""
from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Callable

from ragart_desktop.core.errors import StorageError


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(file)`` on a temporary file next to ``path`` and move it into place.

    A crash, a full disk or an exception from ``write`` (e.g. ``Cancelled``) leaves the old file
    as it was, never half of a new one.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        raise StorageError(f"the file could not be written ({exc.strerror or exc}).", path=path,
                           hint="Check that the folder exists, is writable and has free space.") from exc
    return path
