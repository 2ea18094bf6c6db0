"""The one family of errors the product raises on purpose.

Every error a user can meet is a ``RagartError``: it carries a plain-words message, the file it is
about (when there is one) and a hint on what to do. The CLI prints ``user_message()`` on one line;
the UI shows it in its single error area. Anything that is not a ``RagartError`` is a bug: it is
logged with its traceback and shown as "unexpected error".
"""
from __future__ import annotations

from pathlib import Path


class RagartError(Exception):
    """Base of every expected failure. ``kind`` is a short machine-readable tag."""

    kind = "error"

    def __init__(self, message: str, *, path: str | Path | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.hint = hint

    def user_message(self) -> str:
        parts = [f"{self.path}: {self.message}" if self.path else self.message]
        if self.hint:
            parts.append(self.hint)
        return " ".join(parts)

    def __str__(self) -> str:
        return self.user_message()


class UsageError(RagartError):
    """The request itself is wrong (bad argument, unknown item, unusable home folder)."""

    kind = "usage"


class BadInputError(RagartError):
    """A file cannot be used: corrupt, truncated, too large, unreadable, unsupported."""

    kind = "bad-input"


class StorageError(RagartError):
    """The catalog or an index cannot be read or written (disk full, permissions, damage)."""

    kind = "storage"


class ModelError(RagartError):
    """A model cannot be found, trusted, loaded or run."""

    kind = "model"


class OutOfMemoryError(ModelError):
    """A job ran out of (GPU or CPU) memory; the hint says how to make it fit."""

    kind = "out-of-memory"


class Cancelled(RagartError):
    """The user cancelled the job; its partial result is discarded."""

    kind = "cancelled"

    def __init__(self, message: str = "Cancelled.", **kwargs):
        super().__init__(message, **kwargs)
