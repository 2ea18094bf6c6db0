"""Playback without Qt: which bar to render next, and the mix an audio device reads.

Playback renders ahead, one bar at a time, so it starts at once and never renders the whole piece.
A *slot* is one bar of the score (or the part of a bar where playback starts or a loop ends)
scheduled at a *play frame*: frames counted from the moment playback started. Looping schedules
the loop's bars again and again. A slot's audio holds the notes that start in it, rendered with
their release tails (which run on into the next slots and are mixed there).

What has been handed to the device cannot be taken back, so after an edit ``replan`` drops every
slot that has not begun to be handed over and plans them again from the edited score: the change
is heard from the next bar on. Rendering itself (``render_slot``) runs wherever the caller likes (the
UI runs it on a worker); ``slot_score`` copies what a slot needs, so the render never reads the
live score.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from ragart_desktop.core.music.gm import HI_WOOD_BLOCK, LOW_WOOD_BLOCK
from ragart_desktop.core.music.note_index import ScoreIndex
from ragart_desktop.core.music.score import EPS, Note, Score, Track
from ragart_desktop.core.music.soundfont import SoundFont
from ragart_desktop.core.music.synth import SAMPLE_RATE, render

LOOKAHEAD_S = 1.5        # render this far ahead of what the device has been given
KEEP_BEHIND_S = 5.0      # slots that ended this long before the fed position are forgotten
CLICK_BEATS = 0.1


@dataclass(eq=False)
class Slot:
    start: float                 # beats
    end: float
    play_frame: int              # where it starts, in frames since playback started
    frames: int                  # its own length (notes ringing on make its audio longer)
    audio: Optional[np.ndarray] = field(default=None, repr=False)   # (2, n) float32 once rendered

    @property
    def audio_end(self) -> int:
        return self.play_frame + max(self.frames, self.audio.shape[1] if self.audio is not None else 0)


def slot_score(score: Score, start: float, end: float, *, metronome: bool = False,
               index: Optional[ScoreIndex] = None) -> Score:
    """The notes of the audible tracks that start in ``[start, end)``, moved so that ``start`` is
    beat 0, under the tempo map from there on; with ``metronome``, a click on every beat (accented
    on bar lines). A copy: safe to render on another thread while the score is edited."""
    out = Score(tempos=score.tempos_from(start))
    for track in score.audible_tracks():
        if index is not None:
            notes = index.track(track.id).take(index.track(track.id).starting(start, end))
        else:
            notes = [n for n in track.notes if start - EPS <= n.start < end - EPS]
        if notes:
            out.add_track(Track(track.name, track.program, track.is_drum,
                                [n.shifted(-start) for n in notes]))
    if metronome:
        out.add_track(Track("Metronome", is_drum=True, notes=_clicks(score, start, end)))
    return out


def _clicks(score: Score, start: float, end: float) -> list[Note]:
    """A click on every beat of the meter (the denominator's note value) in ``[start, end)``."""
    clicks = []
    lines = score.bar_lines()
    line = next(lines)
    for nxt in lines:
        if line >= end - EPS:
            break
        unit = 4.0 / score.meter_at(line).denominator
        beat = line
        while nxt > start + EPS and beat < nxt - EPS:
            if start - EPS <= beat < end - EPS:
                accent = beat == line
                clicks.append(Note(beat - start, beat - start + CLICK_BEATS,
                                   HI_WOOD_BLOCK if accent else LOW_WOOD_BLOCK, 110 if accent else 80))
            beat += unit
        line = nxt
    return clicks


def render_slot(score: Score, soundfont: SoundFont, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A slot's audio: its notes with their tails, at absolute levels (no per-bar limiting)."""
    return render(score, soundfont, sample_rate=sample_rate, limit=False)


class PlaybackSchedule:
    """The slots of one playback, from ``start`` (beats) on, looping over ``loop`` when given.

    The score is read through ``score_of`` each time slots are planned, so edits are followed.
    Call it from one thread (the UI's); only ``render_slot`` of a ``slot_score`` may run elsewhere.
    """

    def __init__(self, score_of: Callable[[], Score], start: float, *, loop: Optional[tuple[float, float]] = None,
                 sample_rate: int = SAMPLE_RATE, lookahead_s: float = LOOKAHEAD_S):
        self.score_of = score_of
        self.loop = loop if loop is not None and loop[1] - loop[0] > EPS else None
        self.rate = sample_rate
        self.lookahead = int(lookahead_s * sample_rate)
        self.slots: list[Slot] = []
        self.fed = 0                 # frames handed to the device
        self.complete = False        # every slot up to the end of the piece is planned
        self._next_start = max(0.0, start)
        self._next_frame = 0

    # -- planning ---------------------------------------------------------------------------------
    def _plan_until(self, frame: int) -> None:
        while not self.complete and self._next_frame <= frame:
            score = self.score_of()
            start = self._next_start
            end = score.bar_line_after(start)
            looping = self.loop is not None and start < self.loop[1] - EPS
            if looping:
                end = min(end, self.loop[1])
            elif start >= score.end - EPS:
                self.complete = True
                break
            else:
                end = min(end, score.end)
            first = int(round(score.seconds_at(start) * self.rate))
            frames = max(1, int(round(score.seconds_at(end) * self.rate)) - first)
            self.slots.append(Slot(start, end, self._next_frame, frames))
            self._next_frame += frames
            wraps = looping and abs(end - self.loop[1]) < EPS
            self._next_start = self.loop[0] if wraps else end
            if not looping and end >= score.end - EPS:
                self.complete = True

    def replan(self) -> None:
        """The score changed: plan again every slot not yet handed (even partly) to the device."""
        kept = [s for s in self.slots if s.play_frame < self.fed]
        dropped = self.slots[len(kept):]
        self.slots = kept
        self.complete = False
        if dropped:
            self._next_start, self._next_frame = dropped[0].start, dropped[0].play_frame
        elif kept:
            last = kept[-1]
            wraps = self.loop is not None and abs(last.end - self.loop[1]) < EPS
            self._next_start, self._next_frame = (self.loop[0] if wraps else last.end), last.play_frame + last.frames

    # -- rendering ----------------------------------------------------------------------------------
    def to_render(self) -> Optional[Slot]:
        """The next slot that needs audio within the lookahead, or None."""
        self._plan_until(self.fed + self.lookahead)
        for slot in self.slots:
            if slot.audio is None:
                return slot if slot.play_frame <= self.fed + self.lookahead else None
        return None

    def rendered(self, slot: Slot, audio: np.ndarray) -> bool:
        """Store a slot's audio; False when the slot was dropped meanwhile (an edit replanned it)."""
        if not any(s is slot for s in self.slots):
            return False
        slot.audio = audio
        return True

    # -- the device's side ---------------------------------------------------------------------------
    def read(self, frames: int) -> np.ndarray:
        """Up to ``frames`` frames of the mix from the fed position on, shape (2, m): only as far as
        every slot that sounds there is rendered (an empty array while the next bar renders)."""
        self._plan_until(self.fed + frames)
        stop = self.fed + frames
        for slot in self.slots:
            if slot.audio is None:
                stop = min(stop, slot.play_frame)
                break
        if self.complete:
            stop = min(stop, self.end_frame)
        count = max(0, stop - self.fed)
        out = np.zeros((2, count), np.float32)
        for slot in self.slots:
            if slot.audio is None or slot.play_frame >= stop:
                continue
            a, b = max(self.fed, slot.play_frame), min(stop, slot.play_frame + slot.audio.shape[1])
            if b > a:
                out[:, a - self.fed:b - self.fed] += slot.audio[:, a - slot.play_frame:b - slot.play_frame]
        self.fed += count
        self._forget_old()
        return np.clip(out, -1.0, 1.0, out=out)

    def _forget_old(self) -> None:
        horizon = self.fed - int(KEEP_BEHIND_S * self.rate)
        while len(self.slots) > 1 and self.slots[0].audio_end < horizon:
            self.slots.pop(0)

    @property
    def end_frame(self) -> int:
        """Where the sound ends, tails included (meaningful once ``complete``)."""
        return max((s.audio_end for s in self.slots), default=self._next_frame)

    def finished(self, frame: int) -> bool:
        return self.complete and self.loop is None and frame >= self.end_frame

    def beat_at(self, frame: int) -> float:
        """The beat heard at play frame ``frame``."""
        self._plan_until(frame)
        score = self.score_of()
        for slot in reversed(self.slots):
            if slot.play_frame <= frame:
                if frame >= slot.play_frame + slot.frames:
                    return slot.end
                seconds = score.seconds_at(slot.start) + (frame - slot.play_frame) / self.rate
                return min(max(score.beat_at(seconds), slot.start), slot.end)
        return self._next_start
