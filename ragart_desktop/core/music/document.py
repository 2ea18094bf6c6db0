"""The score document: a ``Score`` plus undo history and change listeners (no Qt).

Every public edit builds one command (``commands.py``), applies it, records it and notifies the
listeners with a ``ScoreChange``. The piano roll calls these methods and listens; nothing else
mutates ``doc.score``. ``doc.index`` is the score's time index (``note_index``): every note edit
splices it and the track's notes follow it, so an edit costs what it changes, not the whole track.
A *selection* is a mapping of track id -> the notes selected on it; edits that move notes return the
new selection, so the view can keep the moved notes selected.

Edits clamp rather than fail where a DAW would (a move past beat 0 or past the pitch range stops at
the edge, velocities stay in 1-127, a resize keeps a minimal length).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.music.commands import (
    AddTrackCommand,
    BatchCommand,
    NoteChange,
    NotesCommand,
    RemoveTrackCommand,
    ScorePropertiesCommand,
    TrackPropertiesCommand,
)
from ragart_desktop.core.music.note_index import ScoreIndex
from ragart_desktop.core.music.score import EPS, Note, Score, Track
from ragart_desktop.core.undo import Command, History, UndoableDocument

Selection = Mapping[int, Sequence[Note]]  # track id -> selected notes

MIN_DURATION = 1 / 32   # beats: the shortest note a resize or split leaves
TRACK_PROPERTIES = ("name", "program", "is_drum", "mute", "solo", "colour")
SCORE_PROPERTIES = ("tempos", "time_signatures", "key", "length", "title")


@dataclass(frozen=True)
class ScoreChange:
    """What one edit changed: ``tracks`` (ids whose notes changed), ``layout`` (tracks added,
    removed or their properties), ``properties`` (tempo, meter, key, length, title), ``history``."""

    tracks: frozenset[int] = frozenset()
    layout: bool = False
    properties: bool = False
    history: bool = False


Listener = Callable[[ScoreChange], None]


class ScoreDocument(UndoableDocument):
    def __init__(self, score: Optional[Score] = None, *, history: Optional[History] = None):
        self.score = score if score is not None else Score()
        self.index = ScoreIndex(self.score)
        self.history = history if history is not None else History()
        self.path: Optional[Path] = None
        self.mark_saved()
        self._listeners: list[Listener] = []

    # -- observers --------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _notify(self, change: ScoreChange) -> None:
        for listener in list(self._listeners):
            listener(change)

    # -- notes ------------------------------------------------------------------------------
    def add_notes(self, track_id: int, notes: Iterable[Note], label: str = "Add notes") -> list[Note]:
        added = [_valid(n) for n in notes]
        self._require_track(track_id)
        self._do(NotesCommand(label, [NoteChange(track_id, (), tuple(added))]))
        return added

    def delete_notes(self, selection: Selection) -> None:
        self._edit("Delete notes", selection, lambda track, notes: [])

    def move_notes(self, selection: Selection, beats: float = 0.0, semitones: int = 0) -> dict[int, list[Note]]:
        """Shift the selection in time and pitch; clamped so nothing starts before 0 or leaves 0-127."""
        picked = [n for notes in selection.values() for n in notes]
        if not picked:
            return {}
        beats = max(beats, -min(n.start for n in picked))
        semitones = max(min(semitones, 127 - max(n.pitch for n in picked)), -min(n.pitch for n in picked))
        return self._edit("Move notes", selection, lambda track, notes: [n.shifted(beats, semitones) for n in notes])

    def transpose(self, selection: Selection, semitones: int) -> dict[int, list[Note]]:
        """Move pitched notes by ``semitones`` (drum tracks are left alone: their keys are sounds)."""
        def shift(track: Track, notes: list[Note]) -> list[Note]:
            if track.is_drum:
                return notes
            return [n.shifted(semitones=semitones) if 0 <= n.pitch + semitones <= 127 else n for n in notes]
        return self._edit(f"Transpose {semitones:+d}", selection, shift)

    def resize_notes(self, selection: Selection, beats: float, *, from_start: bool = False) -> dict[int, list[Note]]:
        """Lengthen (or shorten) each note by ``beats`` at its end, or at its start."""
        def resize(track: Track, notes: list[Note]) -> list[Note]:
            if from_start:
                return [replace(n, start=min(max(0.0, n.start - beats), n.end - MIN_DURATION)) for n in notes]
            return [replace(n, end=max(n.end + beats, n.start + MIN_DURATION)) for n in notes]
        return self._edit("Resize notes", selection, resize)

    def set_velocity(self, selection: Selection, velocity: int | None = None, *, delta: int = 0) -> dict[int, list[Note]]:
        """Set every selected note's velocity to ``velocity``, or change it by ``delta``."""
        def set_(track: Track, notes: list[Note]) -> list[Note]:
            return [replace(n, velocity=_clamp_velocity((n.velocity if velocity is None else velocity) + delta))
                    for n in notes]
        return self._edit("Velocity", selection, set_)

    def quantize(self, selection: Selection, grid: float, strength: float = 1.0, *,
                 ends: bool = False) -> dict[int, list[Note]]:
        """Pull starts (and ``ends``) towards the nearest multiple of ``grid`` beats by ``strength``
        (1 = onto the grid, 0.5 = half way). Without ``ends`` durations are kept."""
        if grid <= 0 or not 0.0 <= strength <= 1.0:
            raise UsageError(f"quantize needs a grid > 0 and a strength in 0..1 (got {grid}, {strength}).")

        def snap(x: float) -> float:
            return x + strength * (round(x / grid) * grid - x)

        def quantize_(track: Track, notes: list[Note]) -> list[Note]:
            out = []
            for n in notes:
                start = max(0.0, snap(n.start))
                end = max(snap(n.end), start + MIN_DURATION) if ends else start + n.duration
                out.append(replace(n, start=start, end=end))
            return out
        return self._edit("Quantize", selection, quantize_)

    def split(self, selection: Selection, at: float) -> dict[int, list[Note]]:
        """Cut every selected note that sounds across beat ``at`` into two notes."""
        def split_(track: Track, notes: list[Note]) -> list[Note]:
            out = []
            for n in notes:
                if n.start + MIN_DURATION <= at <= n.end - MIN_DURATION:
                    out += [replace(n, end=at), replace(n, start=at)]
                else:
                    out.append(n)
            return out
        return self._edit("Split notes", selection, split_)

    # -- tracks -----------------------------------------------------------------------------
    def add_track(self, name: str = "", program: int = 0, *, is_drum: bool = False,
                  index: Optional[int] = None, notes: Sequence[Note] = ()) -> Track:
        track = Track(name=name or f"Track {len(self.score.tracks) + 1}", program=_clamp_program(program),
                      is_drum=is_drum, notes=[_valid(n) for n in notes])
        track.sort()
        track.id = max((t.id for t in self.score.tracks), default=0) + 1
        self._do(AddTrackCommand(track, len(self.score.tracks) if index is None else index))
        return track

    def remove_track(self, track_id: int) -> None:
        track = self._require_track(track_id)
        self._do(RemoveTrackCommand(track, self.score.tracks.index(track)))

    def set_track(self, track_id: int, **values: Any) -> None:
        """Change track properties: name, program, is_drum, mute, solo, colour."""
        unknown = set(values) - set(TRACK_PROPERTIES)
        if unknown:
            raise UsageError(f"tracks have no property {', '.join(sorted(unknown))}.")
        track = self._require_track(track_id)
        if "program" in values:
            values["program"] = _clamp_program(values["program"])
        before = {k: getattr(track, k) for k in values}
        if before != values:
            self._do(TrackPropertiesCommand(track_id, before, dict(values)))

    def set_score(self, **values: Any) -> None:
        """Change score properties: tempos, time_signatures, key, length, title."""
        unknown = set(values) - set(SCORE_PROPERTIES)
        if unknown:
            raise UsageError(f"scores have no property {', '.join(sorted(unknown))}.")
        for name in ("tempos", "time_signatures"):
            if name in values:
                values[name] = list(values[name])
                if not values[name]:
                    raise UsageError(f"a score needs at least one entry in {name}.")
        before = {k: getattr(self.score, k) for k in values}
        if before != values:
            self._do(ScorePropertiesCommand(before, dict(values)))

    # -- results ----------------------------------------------------------------------------
    def apply_result(self, result: Score, label: str = "Generate") -> None:
        """Make the document's notes and tracks those of ``result`` in ONE undo step.

        Tracks are matched by id: notes the result drops are removed, new ones added (so an infill
        replaces the notes of its bars); tracks only in ``result`` are added (an accompaniment).
        Tracks missing from ``result`` are left alone. The result's length is taken (a continuation
        that ends in a rest keeps its last bar).
        """
        commands: list[Command] = []
        changes = []
        for new in result.tracks:
            try:
                old = self.score.track(new.id)
            except KeyError:
                track = new.copy()
                track.id = max([t.id for t in self.score.tracks] +
                               [c.track.id for c in commands if isinstance(c, AddTrackCommand)], default=0) + 1
                commands.append(AddTrackCommand(track, len(self.score.tracks) + len(commands)))
                continue
            before, after = Counter(old.notes), Counter(new.notes)
            removed, added = before - after, after - before
            changes.append(NoteChange(old.id, tuple(removed.elements()), tuple(added.elements())))
        notes = NotesCommand(label, changes)
        if notes.changes:
            commands.insert(0, notes)
        if result.length != self.score.length:
            commands.append(ScorePropertiesCommand({"length": self.score.length}, {"length": result.length}))
        if commands:
            self._do(BatchCommand(label, commands))

    # -- history ----------------------------------------------------------------------------
    def _after_history_step(self) -> None:
        self._notify(ScoreChange(history=True))

    # -- internals: what the commands call --------------------------------------------------
    def _do(self, command: Command) -> None:
        command.redo(self)
        self.history.push(command)
        self._notify(ScoreChange(history=True))

    def _edit(self, label: str, selection: Selection,
              fn: Callable[[Track, list[Note]], list[Note]]) -> dict[int, list[Note]]:
        """Replace each track's selected notes by ``fn``'s output as one command; the new selection."""
        changes, result = [], {}
        for track_id, notes in selection.items():
            track = self._require_track(track_id)
            old = list(notes)
            new = [_valid(n) for n in fn(track, old)]
            result[track_id] = new
            if new != old:      # every edit maps note by note: an unchanged list is no change
                changes.append(NoteChange(track_id, tuple(old), tuple(new)))
        if changes:
            self._do(NotesCommand(label, changes))
        return result

    def _replace_notes(self, track_id: int, remove: Sequence[Note], add: Sequence[Note]) -> None:
        track = self.score.track(track_id)
        try:
            index = self.index.splice(track_id, remove, add)
        except KeyError as missing:
            raise UsageError(f"{missing.args[0]} of the notes to change are not on track {track.name!r}.") from None
        track.notes = index.notes.tolist()
        self._notify(ScoreChange(tracks=frozenset({track_id})))

    def _insert_track(self, track: Track, index: int) -> None:
        self.score.tracks.insert(min(index, len(self.score.tracks)), track)
        self.index.invalidate({track.id})
        self._notify(ScoreChange(tracks=frozenset({track.id}), layout=True))

    def _detach_track(self, track_id: int) -> None:
        self.score.tracks.remove(self.score.track(track_id))
        self.index.invalidate({track_id})
        self._notify(ScoreChange(tracks=frozenset({track_id}), layout=True))

    def _set_track_properties(self, track_id: int, values: Mapping[str, Any]) -> None:
        track = self.score.track(track_id)
        for k, v in values.items():
            setattr(track, k, v)
        self._notify(ScoreChange(layout=True))

    def _set_score_properties(self, values: Mapping[str, Any]) -> None:
        for k, v in values.items():
            setattr(self.score, k, list(v) if isinstance(v, list) else v)
        self._notify(ScoreChange(properties=True))

    def _require_track(self, track_id: int) -> Track:
        try:
            return self.score.track(track_id)
        except KeyError:
            raise UsageError(f"the score has no track {track_id}.") from None


def _valid(n: Note) -> Note:
    if not (0 <= n.pitch <= 127):
        raise UsageError(f"pitch {n.pitch} is outside the MIDI range 0-127.")
    if n.start < -EPS or n.end <= n.start:
        raise UsageError(f"a note from beat {n.start:g} to {n.end:g} is not possible.")
    return n if 1 <= n.velocity <= 127 else replace(n, velocity=_clamp_velocity(n.velocity))


def _clamp_velocity(v: int) -> int:
    return max(1, min(127, int(v)))


def _clamp_program(p: int) -> int:
    return max(0, min(127, int(p)))
