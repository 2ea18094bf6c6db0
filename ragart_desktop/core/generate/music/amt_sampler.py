"""Sampling a window in the Anticipatory Music Transformer's arrival-time vocabulary (``amt_vocab``).

How a window becomes tokens: the references are laid out first as context, then the theme of a
variation or the input before the window, each note as (time, duration, instrument+pitch) in 10 ms
steps at the piece's opening tempo. Events are then sampled three tokens at a time: onsets only on
the 1/12-beat grid inside the window and not before the last onset, durations that end inside the
window, only the targets' instruments and allowed pitches. Given notes in the window are fed at
their time, so the model hears them. Sampling stops when the model chooses the window's end as the
next onset. When the context is full, the oldest events are dropped, times are made relative
again and the cache is rebuilt once (as the reference implementation does).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ragart_desktop.core.generate.music import amt_vocab as V
from ragart_desktop.core.generate.music.engine_transformer import (
    CONTEXT_SHARE, GRID, NewNote, Stepper, Window)
from ragart_desktop.core.generate.music.plan import Target
from ragart_desktop.core.music.score import EPS, Note, Score
from ragart_desktop.core.progress import Task


@dataclass(frozen=True)
class Event:
    time: int        # ticks (10 ms)
    duration: int
    instrument: int  # GM program, 128 = drums
    pitch: int


def instrument_of(target: Target) -> int:
    return V.DRUMS if target.is_drum else target.program


def sample_window(stepper: Stepper, window: Window, task: Task) -> list[NewNote]:
    layout = Layout(window.given.tempo)
    instruments = {instrument_of(t): t for t in window.targets}
    prompt, origin = layout.prompt(window, stepper.context)
    start, end = layout.tick(window.start, origin), layout.tick(window.end, origin)
    forced = [e for e in layout.events(window.given, origin) if e.time >= start]
    grid = sorted({layout.tick(window.start + k / GRID, origin) for k in range(int(round((window.end - window.start) * GRID)))})
    masks = Masks(stepper, {i: window.pitches(t) for i, t in instruments.items()})
    events = AmtSampler(stepper).sample(prompt, forced, start, end, grid, masks, window.limit, task)
    return [NewNote(instruments[e.instrument], Note(layout.beat(e.time, origin), layout.beat(e.time + e.duration, origin),
                                                    e.pitch, 80))
            for e in events if e.instrument in instruments]


class Layout:
    """Beats <-> 10 ms ticks at one tempo; references first, then the input."""

    def __init__(self, bpm: float):
        self.ticks_per_beat = 60.0 / bpm * V.TIME_RESOLUTION

    def tick(self, beat: float, origin: int) -> int:
        return origin + int(round(beat * self.ticks_per_beat))

    def beat(self, tick: int, origin: int) -> float:
        return (tick - origin) / self.ticks_per_beat

    def events(self, score: Score, origin: int, until: float = math.inf) -> list[Event]:
        out = []
        for t in score.tracks:
            instrument = V.DRUMS if t.is_drum else t.program
            for n in t.notes:
                if n.start < until - EPS:
                    time = self.tick(n.start, origin)
                    out.append(Event(time, int(np.clip(self.tick(n.end, origin) - time, 1, V.MAX_DUR - 1)),
                                     instrument, n.pitch))
        return sorted(out, key=lambda e: (e.time, e.instrument, e.pitch))

    def prompt(self, window: Window, context: int) -> tuple[list[Event], int]:
        """Context events (references, then the theme or the input before the window) and the
        input's tick 0."""
        budget = int(context * CONTEXT_SHARE) // 3
        refs: list[Event] = []
        cursor = 0
        for score in window.references:
            take = self.events(score, cursor)[: max(0, budget - len(refs))]
            if not take:
                continue
            refs += take
            cursor = max(e.time + e.duration for e in take) + V.TIME_RESOLUTION
        if window.theme is not None:   # vary: the theme is heard first, the new take follows it
            theme = self.events(window.theme, cursor)
            return refs + theme, self.tick(window.end, cursor) + V.TIME_RESOLUTION
        return refs + self.events(window.given, cursor, until=window.start), cursor


class Masks:
    """Which tokens are legal at each of an event's three positions."""

    def __init__(self, stepper: Stepper, pitches: dict[int, list[int]]):
        self.stepper = stepper
        self.note = stepper.mask(V.note_token(instrument, p) for instrument, ps in pitches.items() for p in ps)

    def time(self, grid: list[int], earliest: int, latest: int, offset: int):
        ticks = [t - offset for t in grid if earliest <= t < latest] + [latest - offset]
        return self.stepper.mask(V.TIME_OFFSET + t for t in ticks if 0 <= t < V.MAX_TIME)

    def duration(self, longest: int):
        return self.stepper.mask(range(V.DUR_OFFSET + 1, V.DUR_OFFSET + max(2, min(V.MAX_DUR, longest + 1))))


class AmtSampler:
    """Masked sampling of (time, duration, note) events."""

    def __init__(self, stepper: Stepper):
        self.stepper = stepper
        self.offset = 0

    def sample(self, prompt: list[Event], forced: list[Event], start: int, end: int, grid: list[int],
               masks: Masks, limit: int, task: Task) -> list[Event]:
        history = list(prompt)
        pending = sorted(forced, key=lambda e: e.time)
        out: list[Event] = []
        self._reset(history)
        current = start
        while len(out) < limit:
            task.check()
            if len(out) % 8 == 0:
                task.progress(min(current - start, end - start), max(1, end - start), "Sampling notes")
            latest = min(end, pending[0].time) if pending else end
            if latest - self.offset >= V.MAX_TIME - 1:   # times must stay under 100 s: slide the window
                self._reset(history, horizon=latest)
            elif self.stepper.room < 6:                 # the next event must fit in the context
                self._reset(history)
            time = self.stepper.draw(masks.time(grid, current, latest, self.offset)) + self.offset - V.TIME_OFFSET
            if pending and time >= pending[0].time:
                while pending and pending[0].time <= time:
                    self._feed([pending.pop(0)], history)
                current = max(current, time)
                continue
            if time >= end:
                break
            duration = self.stepper.draw(masks.duration(end - time)) - V.DUR_OFFSET
            note = self.stepper.draw(masks.note)
            instrument, pitch = divmod(note - V.NOTE_OFFSET, V.MAX_PITCH)
            event = Event(time, duration, instrument, pitch)
            out.append(event)
            history.append(event)
            current = time
        return out

    def _reset(self, history: list[Event], horizon: int = 0) -> None:
        """(Re)build the context from the newest events that fit (and lie within half the time
        range before ``horizon``), times relative to the oldest."""
        keep = max(1, (self.stepper.context - 4) // 3 - 1)
        window = [e for e in history[-keep:] if e.time >= horizon - V.MAX_TIME // 2]
        self.offset = min((e.time for e in window), default=max(0, horizon - V.MAX_TIME // 2))
        self.stepper.reset([V.AUTOREGRESS] + self._tokens(window))

    def _feed(self, events: list[Event], history: list[Event]) -> None:
        history.extend(events)
        if self.stepper.room < 3 * len(events) + 3 or any(e.time - self.offset >= V.MAX_TIME for e in events):
            self._reset(history)
            return
        self.stepper.feed(self._tokens(events))

    def _tokens(self, events: list[Event]) -> list[int]:
        return [tok for e in events for tok in V.event_tokens(e.time - self.offset, e.duration, e.instrument, e.pitch)]
