"""The piano roll's commands on the selection: each is one core edit (one undo step) on the document.

Keys and menus call these; the roll's mouse gestures end in the same document commands. Copy keeps
the notes relative to the first one, so paste puts them at the playhead (or the cursor when stopped).
"""
from __future__ import annotations

from typing import Optional

from ragart_desktop.core.music.grid import snap_up, step
from ragart_desktop.core.music.score import Note
from ragart_desktop.ui.music.state import RollState


class RollEditing:
    def __init__(self, state: RollState):
        self.state = state
        self.clipboard: list[Note] = []     # relative to the first copied note's start

    @property
    def doc(self):
        return self.state.doc

    def _track(self) -> Optional[int]:
        return self.state.active_track_id if self.state.active_track() is not None else None

    # -- selection ----------------------------------------------------------------------------------
    def select_all(self) -> None:
        track = self.state.active_track()
        self.state.select(track.notes if track is not None else [])

    def select_none(self) -> None:
        self.state.select([])

    # -- edits ------------------------------------------------------------------------------------
    def delete(self) -> None:
        if self.state.selection.notes:
            self.doc.delete_notes(self.state.selected())
            self.state.select([])

    def nudge(self, steps: int = 0, semitones: int = 0) -> None:
        """Arrow keys: move the selection by grid steps and semitones (an octave with shift)."""
        if self.state.selection.notes:
            self.state.follow(lambda selected: self.doc.move_notes(selected, steps * step(self.state.grid), semitones))

    def transpose(self, semitones: int) -> None:
        if self.state.selection.notes:
            self.state.follow(lambda selected: self.doc.transpose(selected, semitones))

    def quantize(self, strength: float = 1.0, ends: bool = False) -> None:
        grid = self.state.grid
        if self.state.selection.notes and grid:
            self.state.follow(lambda selected: self.doc.quantize(selected, grid, strength, ends=ends))

    def set_velocity(self, velocity: Optional[int] = None, delta: int = 0) -> None:
        if self.state.selection.notes:
            self.state.follow(lambda selected: self.doc.set_velocity(selected, velocity, delta=delta))

    def copy(self) -> int:
        notes = sorted(self.state.selection.notes, key=lambda n: (n.start, n.pitch))
        if notes:
            first = notes[0].start
            self.clipboard = [n.shifted(-first) for n in notes]
        return len(notes)

    def cut(self) -> None:
        if self.copy():
            self.doc.delete_notes(self.state.selected())
            self.state.select([])

    def paste(self) -> None:
        """The copied notes at the playhead (the cursor while stopped), selected."""
        track = self._track()
        if track is None or not self.clipboard:
            return
        at = self.state.playhead if self.state.playhead is not None else self.state.cursor
        self.state.select(self.doc.add_notes(track, [n.shifted(at) for n in self.clipboard], "Paste"))

    def duplicate(self) -> None:
        """A copy of the selection right after it (its span rounded up to the grid)."""
        track = self._track()
        if track is None or not self.state.selection.notes:
            return
        start, end = self.state.selection.span()
        shift = snap_up(end - start, self.state.grid)
        self.state.select(self.doc.add_notes(track, [n.shifted(shift) for n in self.state.selection.notes],
                                             "Duplicate"))

    def add_note(self, start: float, pitch: int, length: Optional[float] = None) -> Optional[Note]:
        track = self._track()
        if track is None:
            return None
        note = Note(start, start + (length or self.state.new_note_length), pitch, self.state.new_note_velocity)
        added = self.doc.add_notes(track, [note], "Draw note")
        self.state.select(added)
        return added[0]
