"""Undo/redo for every document (the canvas, the score): commands and a bounded history of them.

A document applies an edit, then records one ``Command`` that can undo and redo it on that
document and says how many bytes it keeps. ``History`` is a linear list of them with a memory
bound: when the total passes ``max_bytes`` (or the count passes ``max_entries``) the oldest entries
are dropped; the newest entry is always kept, so the last edit can be undone however large it is.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

log = logging.getLogger(__name__)


class Command:
    """One undoable edit. Subclasses implement ``undo``/``redo`` against their document type."""

    label = "Edit"

    @property
    def nbytes(self) -> int:
        return 0

    def undo(self, doc: Any) -> None:
        raise NotImplementedError

    def redo(self, doc: Any) -> None:
        raise NotImplementedError

    def merge(self, later: "Command") -> bool:
        """Absorb ``later`` (already applied) into this entry; True if it did."""
        return False

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

    def undo(self, doc: Any) -> Optional["Command"]:
        """Undo the last applied entry. The position moves only once the command succeeded, so an
        entry that fails (a damaged history) leaves the history where it was."""
        if not self.can_undo:
            return None
        command = self._entries[self._position - 1]
        command.undo(doc)
        self._position -= 1
        self.revision += 1
        return command

    def redo(self, doc: Any) -> Optional["Command"]:
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


class UndoableDocument:
    """Undo, redo and "modified since saved" for a document that keeps its edits in ``history``.

    A document sets ``history`` and ``path``, calls ``mark_saved()`` when it starts clean, and may
    override ``_before_history_step`` (the canvas ends a brush stroke first) or
    ``_after_history_step`` (the score tells its views).
    """

    history: History
    path: Optional[Path]
    _saved_revision: int = 0

    @property
    def can_undo(self) -> bool:
        return self.history.can_undo

    @property
    def can_redo(self) -> bool:
        return self.history.can_redo

    def undo(self) -> bool:
        self._before_history_step()
        done = self.history.undo(self) is not None
        self._after_history_step()
        return done

    def redo(self) -> bool:
        self._before_history_step()
        done = self.history.redo(self) is not None
        self._after_history_step()
        return done

    @property
    def modified(self) -> bool:
        """True when there are edits since the last save (or since opening)."""
        return self.history.revision != self._saved_revision

    def mark_saved(self, path: Optional[Path] = None) -> None:
        if path is not None:
            self.path = Path(path)
        self._saved_revision = self.history.revision

    def _before_history_step(self) -> None:
        pass

    def _after_history_step(self) -> None:
        pass
