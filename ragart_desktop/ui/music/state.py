"""What every part of the piano roll shares: the document, its time index, the active track, the
selection, the grid, the tool, the cursor, the playhead and the loop range.

Widgets listen to ``RollState``'s signals and repaint; edits go through the ``ScoreDocument``'s
commands only (one undo step each). The selection holds notes of the active track: notes are
values, so after an edit the document returns the new notes and the selection follows them.
"""
from __future__ import annotations

import enum
from typing import Callable, Iterable, Optional

import numpy as np
from PySide6.QtCore import QObject, Signal

from ragart_desktop.core.music.document import ScoreChange, ScoreDocument
from ragart_desktop.core.music.grid import DEFAULT_GRID, grid_beats
from ragart_desktop.core.music.note_index import ScoreIndex
from ragart_desktop.core.music.score import EPS, Note, Track


class Tool(enum.Enum):
    DRAW = "Draw"
    SELECT = "Select"


class NoteSelection:
    """Selected notes of one track, with arrays of them for drawing."""

    def __init__(self) -> None:
        self.notes: list[Note] = []
        self.version = 0          # bumps on every change (a cache key for its drawing)
        self._members: set[Note] = set()
        self._arrays: Optional[tuple[np.ndarray, ...]] = None

    def __len__(self) -> int:
        return len(self.notes)

    def __contains__(self, note: Note) -> bool:
        return note in self._members

    def replace(self, notes: Iterable[Note]) -> None:
        self.notes = list(notes)
        self.version += 1
        self._members = set(self.notes)
        self._arrays = None

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(starts, ends, pitches, velocities) of the selected notes."""
        if self._arrays is None:
            n = len(self.notes)
            self._arrays = (np.fromiter((x.start for x in self.notes), np.float64, n),
                            np.fromiter((x.end for x in self.notes), np.float64, n),
                            np.fromiter((x.pitch for x in self.notes), np.int16, n),
                            np.fromiter((x.velocity for x in self.notes), np.int16, n))
        return self._arrays

    def span(self) -> tuple[float, float]:
        starts, ends, _, _ = self.arrays()
        return (float(starts.min()), float(ends.max())) if len(starts) else (0.0, 0.0)


class RollState(QObject):
    changed = Signal()                 # anything drawn changed: repaint
    notes_changed = Signal()           # notes (or tracks) of the document changed
    layout_changed = Signal()          # tracks added, removed or renamed ...
    properties_changed = Signal()      # tempo, meter, key, length
    selection_changed = Signal()
    active_track_changed = Signal()
    cursor_changed = Signal(float)
    playhead_changed = Signal()
    loop_changed = Signal()
    history_changed = Signal()

    def __init__(self, doc: ScoreDocument, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.doc = doc
        self.selection = NoteSelection()
        self.active_track_id: Optional[int] = doc.score.tracks[0].id if doc.score.tracks else None
        self.grid_label = DEFAULT_GRID
        self.tool = Tool.DRAW
        self.cursor = 0.0                  # the insert marker: play from cursor, paste
        self.playhead: Optional[float] = None   # while playing
        self.loop_start, self.loop_end = 0.0, 0.0
        self.loop_enabled = False
        self.show_ghosts = True
        self.new_note_length = 1.0         # beats: the length the pencil draws (the last one drawn)
        self.new_note_velocity = 90
        self._following = False            # an edit whose result becomes the selection is running
        doc.subscribe(self._on_document)

    def set_document(self, doc: ScoreDocument) -> None:
        """Show another document (opened, or new): every view follows."""
        self.doc.unsubscribe(self._on_document)
        self.doc = doc
        self.selection.replace([])
        self.active_track_id = doc.score.tracks[0].id if doc.score.tracks else None
        self.cursor, self.playhead = 0.0, None
        self.loop_start = self.loop_end = 0.0
        self.loop_enabled = False
        doc.subscribe(self._on_document)
        for signal in (self.layout_changed, self.properties_changed, self.notes_changed, self.active_track_changed,
                       self.selection_changed, self.loop_changed, self.history_changed, self.changed):
            signal.emit()
        self.cursor_changed.emit(0.0)

    # -- derived ----------------------------------------------------------------------------------
    @property
    def score(self):
        return self.doc.score

    @property
    def index(self) -> ScoreIndex:
        """The score's time index (the document keeps it up to date)."""
        return self.doc.index

    @property
    def grid(self) -> Optional[float]:
        return grid_beats(self.grid_label)

    def active_track(self) -> Optional[Track]:
        if self.active_track_id is None:
            return None
        try:
            return self.score.track(self.active_track_id)
        except KeyError:
            return None

    def selected(self) -> dict[int, list[Note]]:
        """The selection in the document's form (track id -> notes)."""
        if self.active_track_id is None or not self.selection.notes:
            return {}
        return {self.active_track_id: list(self.selection.notes)}

    @property
    def loop(self) -> Optional[tuple[float, float]]:
        if self.loop_enabled and self.loop_end - self.loop_start > EPS:
            return self.loop_start, self.loop_end
        return None

    # -- changes ----------------------------------------------------------------------------------
    def set_active_track(self, track_id: Optional[int]) -> None:
        if track_id != self.active_track_id:
            self.active_track_id = track_id
            self.selection.replace([])
            self.active_track_changed.emit()
            self.selection_changed.emit()
            self.changed.emit()

    def select(self, notes: Iterable[Note]) -> None:
        self.selection.replace(notes)
        self.selection_changed.emit()
        self.changed.emit()

    def follow(self, edit: Callable[[dict[int, list[Note]]], dict[int, list[Note]]]) -> None:
        """Apply ``edit`` (a document command) to the selection and select what it returns (the
        moved, resized ... notes). The old selection is not looked up on the track in between: it
        is replaced (for 500 moved notes that look-up was a twentieth of the drop)."""
        self._following = True
        try:
            edited = edit(self.selected())
        finally:
            self._following = False
        if self.active_track_id is not None:
            self.select(edited.get(self.active_track_id, []))

    def set_cursor(self, beat: float) -> None:
        self.cursor = max(0.0, beat)
        self.cursor_changed.emit(self.cursor)
        self.changed.emit()

    def set_playhead(self, beat: Optional[float]) -> None:
        self.playhead = beat
        self.playhead_changed.emit()
        self.changed.emit()

    def set_loop(self, start: float, end: float, enabled: bool = True) -> None:
        self.loop_start, self.loop_end = sorted((max(0.0, start), max(0.0, end)))
        self.loop_enabled = enabled and self.loop_end - self.loop_start > EPS
        self.loop_changed.emit()
        self.changed.emit()

    def set_loop_enabled(self, enabled: bool) -> None:
        self.set_loop(self.loop_start, self.loop_end, enabled)

    def set_grid(self, label: str) -> None:
        grid_beats(label)   # raises on an unknown label
        self.grid_label = label
        self.changed.emit()

    def set_tool(self, tool: Tool) -> None:
        self.tool = tool
        self.changed.emit()

    def _on_document(self, change: ScoreChange) -> None:
        if change.tracks:
            if self.active_track_id in change.tracks and not self._following:
                self._prune_selection()
            self.notes_changed.emit()
        if change.layout:
            if self.active_track() is None:
                self.set_active_track(self.score.tracks[0].id if self.score.tracks else None)
            self.layout_changed.emit()
        if change.properties:
            self.properties_changed.emit()
        if change.history:
            self.history_changed.emit()
        self.changed.emit()

    def _prune_selection(self) -> None:
        """After an undo (or any edit), keep selected only the notes still on the track (looked up
        among the notes starting where each starts, in the time index: a large track is not scanned)."""
        if self.active_track() is None or not self.selection.notes:
            return
        index = self.index.track(self.active_track_id)
        starts = self.selection.arrays()[0]
        runs = zip(np.searchsorted(index.starts, starts, "left").tolist(),
                   np.searchsorted(index.starts, starts, "right").tolist())
        left = [note for note, (a, b) in zip(self.selection.notes, runs) if note in index.notes[a:b].tolist()]
        if len(left) != len(self.selection):
            self.selection.replace(left)
            self.selection_changed.emit()
