"""The undoable edits of a score (the command pattern of ``core/undo``).

Notes are values, so almost every edit is a ``NotesCommand``: per track, the notes taken out and
the notes put in (move, resize, velocity, transpose, quantize, split, add, delete, and a whole
generation result at once). Tracks are added and removed as objects the command keeps alive;
properties (a track's mute/solo/name/program/colour, the score's tempo/meter/key) are stored as
before/after values. A ``BatchCommand`` makes several of them one undo step.

Commands call the document's private appliers (``_replace_notes``, ``_insert_track`` ...), which
notify the document's listeners, exactly as the canvas commands do.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from ragart_desktop.core.music.score import Note, Track
from ragart_desktop.core.undo import Command

if TYPE_CHECKING:
    from ragart_desktop.core.music.document import ScoreDocument

_NOTE_BYTES = 80  # rough size of one Note kept by a command


@dataclass(frozen=True)
class NoteChange:
    """On track ``track_id``: ``removed`` notes go, ``added`` notes come."""

    track_id: int
    removed: tuple[Note, ...] = ()
    added: tuple[Note, ...] = ()


class NotesCommand(Command):
    def __init__(self, label: str, changes: Sequence[NoteChange]):
        self.label = label
        self.changes = tuple(c for c in changes if c.removed or c.added)

    @property
    def nbytes(self) -> int:
        return _NOTE_BYTES * sum(len(c.removed) + len(c.added) for c in self.changes)

    def undo(self, doc: "ScoreDocument") -> None:
        for c in reversed(self.changes):
            doc._replace_notes(c.track_id, remove=c.added, add=c.removed)

    def redo(self, doc: "ScoreDocument") -> None:
        for c in self.changes:
            doc._replace_notes(c.track_id, remove=c.removed, add=c.added)


class AddTrackCommand(Command):
    def __init__(self, track: Track, index: int, label: str = "Add track"):
        self.label = label
        self.track = track
        self.index = index

    @property
    def nbytes(self) -> int:
        return _NOTE_BYTES * len(self.track.notes)

    def undo(self, doc: "ScoreDocument") -> None:
        doc._detach_track(self.track.id)

    def redo(self, doc: "ScoreDocument") -> None:
        doc._insert_track(self.track, self.index)


class RemoveTrackCommand(AddTrackCommand):
    def __init__(self, track: Track, index: int, label: str = "Remove track"):
        super().__init__(track, index, label)

    def undo(self, doc: "ScoreDocument") -> None:
        super().redo(doc)

    def redo(self, doc: "ScoreDocument") -> None:
        super().undo(doc)


class TrackPropertiesCommand(Command):
    """Name, program, drum flag, mute, solo or colour of one track. Consecutive changes of the same
    properties of the same track merge, so dragging a control is one undo step."""

    def __init__(self, track_id: int, before: dict[str, Any], after: dict[str, Any]):
        self.track_id = track_id
        self.before = before
        self.after = after
        self.label = "Track " + ", ".join(sorted(after))

    def undo(self, doc: "ScoreDocument") -> None:
        doc._set_track_properties(self.track_id, self.before)

    def redo(self, doc: "ScoreDocument") -> None:
        doc._set_track_properties(self.track_id, self.after)

    def merge(self, later: Command) -> bool:
        if (isinstance(later, TrackPropertiesCommand) and later.track_id == self.track_id
                and later.after.keys() == self.after.keys()):
            self.after = dict(later.after)
            return True
        return False


class ScorePropertiesCommand(Command):
    """Tempo map, time signatures, key, length or title of the score."""

    def __init__(self, before: dict[str, Any], after: dict[str, Any]):
        self.before = before
        self.after = after
        self.label = "Set " + ", ".join(sorted(after))

    def undo(self, doc: "ScoreDocument") -> None:
        doc._set_score_properties(self.before)

    def redo(self, doc: "ScoreDocument") -> None:
        doc._set_score_properties(self.after)


class BatchCommand(Command):
    """Several commands as one undo step (undone in reverse order)."""

    def __init__(self, label: str, commands: Sequence[Command]):
        self.label = label
        self.commands = tuple(commands)

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.commands)

    def undo(self, doc: "ScoreDocument") -> None:
        for c in reversed(self.commands):
            c.undo(doc)

    def redo(self, doc: "ScoreDocument") -> None:
        for c in self.commands:
            c.redo(doc)
