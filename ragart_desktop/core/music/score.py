"""The score: a small, Qt-free model of a piece of music, measured in beats.

A beat is a quarter note. Notes are immutable values (pitch, start, end, velocity), so an edit is
"these notes out, those notes in" and an undo puts them back. Tracks carry a General MIDI program,
a drum flag (channel 10), mute/solo and an optional colour; they are referred to by ``id``, which
stays put when tracks are reordered. Tempo and time signatures are maps over beats; bars follow
the time signatures. ``length`` (beats), when set, is where the piece ends even if its last bar is
silent: generation sets it so that "exactly N bars" survives a round trip through a MIDI file.

Reading and writing MIDI files lives in ``midi_io``; undoable edits in ``document``/``commands``.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator, Optional

import numpy as np

from ragart_desktop.core.music.theory import Key, estimate_key_from_histogram

DEFAULT_TEMPO = 120.0
EPS = 1e-6  # beats; positions closer than this are the same position


@dataclass(frozen=True)
class Note:
    start: float        # beats
    end: float          # beats, > start
    pitch: int          # 0-127 (for drums: the GM percussion key)
    velocity: int = 80  # 1-127

    @property
    def duration(self) -> float:
        return self.end - self.start

    def shifted(self, beats: float = 0.0, semitones: int = 0) -> "Note":
        return Note(self.start + beats, self.end + beats, self.pitch + semitones, self.velocity)


@dataclass(frozen=True)
class TempoChange:
    beat: float
    bpm: float  # quarter notes per minute


@dataclass(frozen=True)
class TimeSignature:
    beat: float  # where it takes effect (a bar line)
    numerator: int = 4
    denominator: int = 4

    @property
    def bar_beats(self) -> float:
        """Bar length in quarter notes: 4/4 -> 4, 3/4 -> 3, 6/8 -> 3."""
        return self.numerator * 4 / self.denominator

    @property
    def text(self) -> str:
        return f"{self.numerator}/{self.denominator}"


@dataclass
class Track:
    name: str = ""
    program: int = 0          # General MIDI program 0-127 (ignored for drums)
    is_drum: bool = False
    notes: list[Note] = field(default_factory=list)  # sorted (see ``Track.sort``)
    mute: bool = False
    solo: bool = False
    colour: str | None = None  # "#rrggbb", or None for the UI's choice
    id: int = 0               # unique within its score (``Score.add_track`` assigns it)

    def sort(self) -> None:
        self.notes.sort(key=note_order)

    def copy(self) -> "Track":
        return replace(self, notes=list(self.notes))


@dataclass
class Score:
    tracks: list[Track] = field(default_factory=list)
    tempos: list[TempoChange] = field(default_factory=lambda: [TempoChange(0.0, DEFAULT_TEMPO)])
    time_signatures: list[TimeSignature] = field(default_factory=lambda: [TimeSignature(0.0)])
    key: Key | None = None
    length: float | None = None   # beats; None = where the last note ends
    title: str = ""
    texts: list[str] = field(default_factory=list)  # text meta events at the start (provenance, comments)
    ticks_per_beat: int = 480

    # -- tracks -----------------------------------------------------------------------------
    def add_track(self, track: Track, index: int | None = None) -> Track:
        """Insert ``track`` (giving it a fresh id when it has none or a taken one) and return it."""
        taken = {t.id for t in self.tracks}
        if track.id <= 0 or track.id in taken:
            track.id = max(taken, default=0) + 1
        self.tracks.insert(len(self.tracks) if index is None else index, track)
        return track

    def track(self, track_id: int) -> Track:
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise KeyError(f"no track with id {track_id}")

    def index_of(self, track_id: int) -> int:
        return self.tracks.index(self.track(track_id))

    def audible_tracks(self) -> list[Track]:
        """The tracks playback hears: the soloed ones if any, else every unmuted one."""
        soloed = [t for t in self.tracks if t.solo]
        return soloed if soloed else [t for t in self.tracks if not t.mute]

    def pitched_tracks(self) -> list[Track]:
        return [t for t in self.tracks if not t.is_drum]

    def all_notes(self, *, drums: bool = True) -> Iterator[tuple[Track, Note]]:
        for t in self.tracks:
            if drums or not t.is_drum:
                for n in t.notes:
                    yield t, n

    @property
    def note_count(self) -> int:
        return sum(len(t.notes) for t in self.tracks)

    def copy(self) -> "Score":
        """A copy whose tracks and lists can be edited without touching this score."""
        clone = copy.copy(self)
        clone.tracks = [t.copy() for t in self.tracks]
        clone.tempos = list(self.tempos)
        clone.time_signatures = list(self.time_signatures)
        clone.texts = list(self.texts)
        return clone

    # -- time -------------------------------------------------------------------------------
    @property
    def notes_end(self) -> float:
        """Where the last note ends (0 for an empty score)."""
        return max((n.end for t in self.tracks for n in t.notes), default=0.0)

    @property
    def end(self) -> float:
        """The end of the piece in beats: ``length`` when set, else the last note's end."""
        return self.length if self.length is not None else self.notes_end

    @property
    def tempo(self) -> float:
        """The opening tempo."""
        return self.tempos[0].bpm if self.tempos else DEFAULT_TEMPO

    @property
    def time_signature(self) -> TimeSignature:
        """The opening time signature."""
        return self.time_signatures[0] if self.time_signatures else TimeSignature(0.0)

    def bar_lines(self) -> Iterator[float]:
        """Every bar line from beat 0 on, endlessly, following the time signatures (a signature
        that takes effect mid-bar starts a new bar there)."""
        sigs = sorted(self.time_signatures, key=lambda s: s.beat) or [TimeSignature(0.0)]
        beat = 0.0
        while True:
            yield beat
            nxt = beat + self.meter_at(beat).bar_beats
            later = [s.beat for s in sigs if beat + EPS < s.beat < nxt - EPS]
            beat = later[0] if later else nxt

    def bar_starts(self, until: float | None = None) -> list[float]:
        """Bar lines from 0 up to ``until`` (default: the end) plus the first one at or after it,
        so that consecutive pairs are the bars."""
        until = self.end if until is None else until
        starts = []
        for beat in self.bar_lines():
            starts.append(beat)
            if beat >= until - EPS:
                return starts
        raise AssertionError("unreachable")

    def bar_line_before(self, beat: float) -> float:
        """The bar line at or before ``beat``."""
        last = 0.0
        for line in self.bar_lines():
            if line > beat + EPS:
                return last
            last = line
        raise AssertionError("unreachable")

    def bar_line_after(self, beat: float) -> float:
        """The first bar line after ``beat``."""
        for line in self.bar_lines():
            if line > beat + EPS:
                return line
        raise AssertionError("unreachable")

    def bar_line_offset(self, beat: float, bars: int) -> float:
        """The bar line ``bars`` bar lines away from the one at or before ``beat`` (negative: earlier;
        never before beat 0)."""
        lines: list[float] = []
        at: Optional[int] = None
        for line in self.bar_lines():
            if at is None and line > beat + EPS:
                at = max(0, len(lines) - 1)
            lines.append(line)
            if at is not None and len(lines) > at + bars:
                break
        return lines[max(0, at + bars)]

    def bar_number(self, beat: float) -> int:
        """The bar (counted from 1) that holds ``beat``."""
        count = 0
        for line in self.bar_lines():
            if line > beat + EPS:
                return max(1, count)
            count += 1
        raise AssertionError("unreachable")

    def bar_start(self, bar: int) -> float:
        """Beat where bar ``bar`` (counted from 1) starts."""
        if bar < 1:
            raise ValueError("bars are counted from 1")
        for count, beat in enumerate(self.bar_lines(), start=1):
            if count == bar:
                return beat
        raise AssertionError("unreachable")

    def bar_count(self) -> int:
        """Whole bars the piece spans (a partial last bar counts)."""
        return max(0, len(self.bar_starts()) - 1)

    def meter_at(self, beat: float) -> TimeSignature:
        sigs = sorted(self.time_signatures, key=lambda s: s.beat)
        current = sigs[0] if sigs else TimeSignature(0.0)
        for s in sigs:
            if s.beat <= beat + EPS:
                current = s
        return current

    def seconds_at(self, beat: float) -> float:
        """Wall-clock time of ``beat`` under the tempo map."""
        return float(self.seconds_of(np.array([beat], dtype=np.float64))[0])

    def seconds_of(self, beats: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`seconds_at`."""
        tempos = sorted(self.tempos, key=lambda t: t.beat) or [TempoChange(0.0, DEFAULT_TEMPO)]
        marks = np.array([t.beat for t in tempos])
        marks[0] = min(marks[0], 0.0)
        spb = np.array([60.0 / t.bpm for t in tempos])
        offsets = np.concatenate([[0.0], np.cumsum(np.diff(marks) * spb[:-1])])
        idx = np.clip(np.searchsorted(marks, beats, side="right") - 1, 0, len(marks) - 1)
        return offsets[idx] + (beats - marks[idx]) * spb[idx]

    def tempos_from(self, beat: float) -> list[TempoChange]:
        """The tempo map as heard from ``beat`` on, with ``beat`` moved to 0 (for a part of the piece)."""
        tempos = sorted(self.tempos, key=lambda t: t.beat)
        before = [t for t in tempos if t.beat <= beat + EPS]
        bpm = before[-1].bpm if before else self.tempo
        return [TempoChange(0.0, bpm)] + [TempoChange(t.beat - beat, t.bpm) for t in tempos if t.beat > beat + EPS]

    def beat_at(self, seconds: float) -> float:
        """The beat heard at ``seconds`` (the inverse of :meth:`seconds_at`)."""
        tempos = sorted(self.tempos, key=lambda t: t.beat) or [TempoChange(0.0, DEFAULT_TEMPO)]
        marks = [min(tempos[0].beat, 0.0)] + [t.beat for t in tempos[1:]]
        at = self.seconds_of(np.array(marks, dtype=np.float64))
        i = max(0, int(np.searchsorted(at, seconds, side="right")) - 1)
        return marks[i] + (seconds - float(at[i])) * tempos[i].bpm / 60.0

    @property
    def seconds(self) -> float:
        """Duration of the piece in seconds."""
        return self.seconds_at(self.end)

    # -- analysis ---------------------------------------------------------------------------
    def pitch_class_histogram(self) -> np.ndarray:
        """(12,) duration * velocity weighted histogram of the pitched notes (drums left out)."""
        hist = np.zeros(12)
        for _, n in self.all_notes(drums=False):
            hist[n.pitch % 12] += max(n.duration, 0.0) * n.velocity / 127.0
        return hist

    def estimated_key(self) -> Key | None:
        """The Krumhansl-Schmuckler estimate of the key; None when nothing is pitched."""
        best, _ = estimate_key_from_histogram(self.pitch_class_histogram())
        return Key.from_index(best) if best >= 0 else None

    def effective_key(self) -> Key | None:
        """The declared key, else the estimate."""
        return self.key or self.estimated_key()


def note_order(n: Note) -> tuple:
    """The order of a track's notes: by start, then pitch, end and velocity."""
    return (n.start, n.pitch, n.end, n.velocity)


def notes_between(notes: Iterable[Note], start: float, end: float) -> list[Note]:
    """Notes that start in [start, end)."""
    return [n for n in notes if start - EPS <= n.start < end - EPS]
