"""What the error panel shows: one plain-words report per failure, whatever its origin.

Expected failures are ``RagartError``s (message names the file, hint says what to do). Anything else
is a bug: it is reported as "Unexpected error" with the traceback kept for the expandable details.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Optional

from ragart_desktop.core.errors import RagartError


@dataclass
class ErrorReport:
    message: str                     # plain words, one sentence or two
    context: str = ""                # what was being done ("Import 3 folders", "Uncaught exception")
    path: Optional[str] = None       # the file concerned, when there is one
    hint: Optional[str] = None       # what the user can do about it
    kind: str = "error"              # RagartError.kind, or "unexpected"
    details: str = ""                # traceback, for bug reports
    time: str = field(default_factory=lambda: _dt.datetime.now().strftime("%H:%M:%S"))

    @property
    def unexpected(self) -> bool:
        return self.kind == "unexpected"

    @property
    def headline(self) -> str:
        """One line for the banner: "<context> failed: <file>: <message>"."""
        what = f"{self.path}: {self.message}" if self.path else self.message
        return f"{self.context}: {what}" if self.context else what

    @classmethod
    def from_exception(cls, exc: BaseException, context: str = "") -> "ErrorReport":
        import traceback

        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        if isinstance(exc, RagartError):
            return cls(exc.message, context, exc.path, exc.hint, exc.kind, details)
        if isinstance(exc, MemoryError):
            return cls("the computer ran out of memory.", context, None,
                       "Close other programs or lower the batch size / image size.", "out-of-memory", details)
        if isinstance(exc, OSError) and getattr(exc, "filename", None):
            return cls(f"{exc.strerror or exc}.", context, str(exc.filename), None, "storage", details)
        message = f"unexpected error ({type(exc).__name__}: {exc})"
        return cls(message, context, None, "This is a bug; the log file has the details (Help > Open Log Folder).",
                   "unexpected", details)
