"""Undo/redo history: a linear list of commands with a memory bound.

Each command knows how to undo and redo itself on a document and how many bytes it keeps. When the
total passes ``max_bytes`` (or the count passes ``max_entries``) the oldest entries are dropped;
the newest entry is always kept, so the last edit can be undone however large it is.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from ragart_desktop.core.canvas.commands import Command
    from ragart_desktop.core.canvas.document import CanvasDocument

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 768 * 1024 * 1024
DEFAULT_MAX_ENTRIES = 500


class History:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, max_entries: int = DEFAULT_MAX_ENTRIES):
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._entries: list["Command"] = []
        self._position = 0  # entries[:position] are done, the rest can be redone
        self.revision = 0   # bumps on every change of state; compared against the saved revision

    # -- queries ----------------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return self._position > 0

    @property
    def can_redo(self) -> bool:
        return self._position < len(self._entries)

    @property
    def undo_label(self) -> Optional[str]:
        return self._entries[self._position - 1].label if self.can_undo else None

    @property
    def redo_label(self) -> Optional[str]:
        return self._entries[self._position].label if self.can_redo else None

    @property
    def done(self) -> list["Command"]:
        """The entries that are applied, oldest first (what a project file keeps)."""
        return self._entries[: self._position]

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    # -- changes ----------------------------------------------------------------------------
    def push(self, command: "Command") -> None:
        """Record a command that has already been applied to the document."""
        del self._entries[self._position:]
        last = self._entries[-1] if self._entries else None
        if last is not None and last.merge(command):
            self.revision += 1
            return
        self._entries.append(command)
        self._position = len(self._entries)
        self.revision += 1
        self._trim()

    def undo(self, doc: "CanvasDocument") -> Optional["Command"]:
        if not self.can_undo:
            return None
        self._position -= 1
        command = self._entries[self._position]
        command.undo(doc)
        self.revision += 1
        return command

    def redo(self, doc: "CanvasDocument") -> Optional["Command"]:
        if not self.can_redo:
            return None
        command = self._entries[self._position]
        command.redo(doc)
        self._position += 1
        self.revision += 1
        return command

    def replace_done(self, commands: list["Command"]) -> None:
        """Install a loaded history (all entries applied), as after opening a project."""
        self._entries = list(commands)
        self._position = len(self._entries)
        self._trim()

    def _trim(self) -> None:
        total = self.nbytes
        dropped = 0
        while len(self._entries) > 1 and (total > self.max_bytes or len(self._entries) > self.max_entries):
            total -= self._entries[0].nbytes
            del self._entries[0]
            self._position -= 1
            dropped += 1
        if dropped:
            log.debug("history: dropped %d oldest entries to stay within %d bytes", dropped, self.max_bytes)
