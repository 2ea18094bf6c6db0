"""Crash-safe file writing: write beside the target, fsync, then rename over it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Optional

from ragart_desktop.core.errors import StorageError


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None], what: str = "the file") -> Path:
    """Call ``write(file)`` on a temporary file next to ``path`` and move it into place.

    A crash, a full disk or an exception from ``write`` (e.g. ``Cancelled``) leaves the old file
    as it was, never half of a new one; the temporary name is unique, so two writers never share it.
    """
    path = Path(path)
    tmp: Optional[str] = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        raise StorageError(f"{what} could not be written ({exc.strerror or exc}).", path=path,
                           hint="Check that the folder exists, is writable and has free space.") from exc
    return path
