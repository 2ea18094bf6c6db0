"""Sampling a window in a REMI vocabulary (``remi_vocab``).

What the model hears first: each reference as a piece of its own (BOS, its tokens, EOS) within half
the context, then the theme of a variation the same way, then BOS and the input before the window,
all as MidiTok writes them. Sampling then follows REMI's grammar with a state (the bar, counted on
the given piece's own bar lines, and the last position written in it) and a mask at every token:

- a move in time: ``Program`` (one more note at the current onset), ``Position_q`` (later in the
  bar) or ``Bar`` (the next bar), each allowed only when it leads to an onset on the 1/12-beat grid
  inside the window, not past the next given note; the time signature after a bar line and the
  tempo after a new piece's first position are fed, not sampled. The model's probability of a pitched
  note by any instrument goes to the pitched target instruments, of a drum hit to the drums
  (``Stepper.draw``'s ``events``): a model that would rather play a flute than the piece's clarinet
  still plays a note there, it does not skip ahead;
- a note: a target's program, a pitch that target allows (range, key lock), any velocity, a
  duration that ends inside the window.

Given notes inside the window are fed as MidiTok would write them when the time reaches them, so
the model hears the melody it accompanies. Sampling ends when the model moves to the window's end
(a bar line). When the context fills, the sequence is cut at a bar line, half of it is kept and the
cache is rebuilt.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from ragart_desktop.core.generate.music.engine_transformer import CONTEXT_SHARE, GRID, NewNote, Stepper, Window
from ragart_desktop.core.generate.music.plan import Target
from ragart_desktop.core.generate.music.remi_vocab import DRUMS, RemiVocabulary
from ragart_desktop.core.music.score import EPS, Note, Score, TimeSignature
from ragart_desktop.core.progress import Task

ROOM = 24   # tokens kept free for the next move and note (bar, meter, position, tempo, 4 note tokens ...)


@dataclass
class Heard:
    """A given note in the window: its onset on the tokenizer's grid and its four tokens."""

    time: float
    tokens: list[int]


def on_grid(beat: float) -> bool:
    return abs(beat * GRID - round(beat * GRID)) < 1e-6


class Clock:
    """Where a REMI stream stands in time: the bar (counted on ``score``'s own bar lines, up to
    ``end``) and the last position written in it."""

    def __init__(self, vocab: RemiVocabulary, score: Score, end: float):
        self.v, self.score = vocab, score
        self.bars = score.bar_starts(end)
        self.bar = -1                          # -1: before a piece's first bar line
        self.position: Optional[int] = None    # last position written in the current bar

    def meter(self) -> TimeSignature:
        return self.score.meter_at(self.bars[self.bar])

    def now(self) -> Optional[float]:
        """The onset the next note would have (None at a bar line with no position yet)."""
        if self.bar < 0 or self.position is None:
            return None
        return self.bars[self.bar] + self.position * self.v.step(self.meter())

    def advance(self, token: int) -> None:
        kind = self.v.kind(token)
        if kind == "Bar":
            self.bar += 1
            self.position = None
        elif kind == "Position":
            self.position = self.v.value(token)

    def at(self, time: float) -> bool:
        """Whether the next note would start at ``time`` (at a bar line: once its position is written)."""
        now = self.now()
        if now is not None:
            return abs(now - time) < EPS
        return self.bar >= 0 and abs(self.bars[self.bar] - time) < EPS


class RemiSampler:
    def __init__(self, stepper: Stepper, vocab: RemiVocabulary, window: Window):
        self.s, self.v, self.w = stepper, vocab, window
        self.clock = Clock(vocab, window.given, window.end)
        self.tempo_due = False            # a new piece's first position is followed by its tempo
        self.targets: dict[int, list[Target]] = {}
        for t in window.targets:
            self.targets.setdefault(DRUMS if t.is_drum else t.program, []).append(t)
        self.program_tokens = [vocab.programs[p] for p in self.targets if p in vocab.programs]
        # "a pitched note here" (any pitched instrument's program) and "a drum hit here"
        self.note_events = [stepper.mask([t for p, t in vocab.programs.items() if (p == DRUMS) == drums])
                            for drums in (False, True)]
        self.pitch_masks = {p: stepper.mask(self._pitch_tokens(p, ts)) for p, ts in self.targets.items()}
        self.velocity_mask = stepper.mask(vocab.velocities.values())

    def _pitch_tokens(self, program: int, targets: list[Target]) -> list[int]:
        table = self.v.drum_pitches if program == DRUMS else self.v.pitches
        return sorted({table[p] for t in targets for p in self.w.pitches(t) if p in table})

    def moves(self, latest: float) -> list[int]:
        """Tokens that move to an onset in the window, up to ``latest`` (the end or the next given note)."""
        c = self.clock
        options: list[int] = []
        now = c.now()
        if now is not None and self.w.start - EPS <= now < latest - EPS:
            options += self.program_tokens
        if c.bar >= 0:
            meter = c.meter()
            bar_start, bar_end = c.bars[c.bar], c.bars[c.bar + 1]
            q = c.position + 1 if c.position is not None else 0
            while q in self.v.positions:
                t = bar_start + q * self.v.step(meter)
                if t >= bar_end - EPS or t > latest + EPS:
                    break
                if t >= self.w.start - EPS and (abs(t - latest) < EPS or on_grid(t)):
                    options.append(self.v.positions[q])
                q += 1
        if c.bar + 1 < len(c.bars) and c.bars[c.bar + 1] <= latest + EPS:
            options.append(self.v.bar)
        return options

    # -- the context ------------------------------------------------------------------------------
    def opening(self) -> list[int]:
        """References, the theme, then the input before the window; the state follows the input."""
        tokens: list[int] = []
        budget = int(self.s.context * CONTEXT_SHARE)
        for score in self.w.references:
            piece = [self.v.bos] + self.v.encode(score) + [self.v.eos]
            if len(tokens) + len(piece) > budget:
                piece = piece[:_last_bar(piece, budget - len(tokens), self.v.bar)]
            if len(piece) > 1:
                tokens += piece
        if self.w.theme is not None:
            tokens += [self.v.bos] + self.v.encode(self.w.theme) + [self.v.eos]
        prefix = self.v.encode(self.w.opening())
        for token in prefix:
            self.clock.advance(token)
        self.tempo_due = not prefix
        return tokens + [self.v.bos] + prefix

    def tail(self, tokens: list[int], keep: int) -> list[int]:
        """The newest tokens, at most ``keep``, starting at a bar line (else at a note)."""
        if len(tokens) <= keep:
            return tokens
        cut = len(tokens) - keep
        for kinds in (("Bar",), ("Program",)):
            starts = [i for i in range(cut, len(tokens)) if self.v.kind(tokens[i]) in kinds]
            if starts:
                return tokens[starts[0]:]
        return tokens[cut:]

    def make_room(self, needed: int) -> None:
        if self.s.room < needed:
            self.s.reset(self.tail(self.s.sequence, self.s.context // 2))

    # -- sampling ---------------------------------------------------------------------------------
    def sample(self, task: Task) -> list[NewNote]:
        c = self.clock
        for bar_line in c.bars[:-1]:   # every meter in the window must be one the model knows
            self.v.time_signature(self.w.given.meter_at(bar_line))
        self.s.reset(self.tail(self.opening(), self.s.context - ROOM))
        heard = self.heard()
        out: list[NewNote] = []
        span = max(1, int(round((self.w.end - self.w.start) * GRID)))
        while len(out) < self.w.limit:
            task.check()
            self.make_room(ROOM)
            now = c.now()
            if now is not None:
                task.progress(min(span, max(0, int((now - self.w.start) * GRID))), span, "Sampling notes")
            due = heard[0].time if heard else math.inf
            if c.at(due):
                self.feed_heard(heard)
                continue
            options = self.moves(min(self.w.end, due))
            if not options:
                break
            token = self.s.draw(self.s.mask(options), self.note_events)
            kind = self.v.kind(token)
            if kind == "Program":
                out.append(self.note(token))
                continue
            c.advance(token)
            if kind == "Bar":
                if c.bars[c.bar] >= self.w.end - EPS:
                    break
                self.s.feed([self.v.time_signature(c.meter())])
            elif self.tempo_due:
                self.feed_tempo()
        return out

    def feed_tempo(self) -> None:
        self.tempo_due = False
        self.s.feed([self.v.tempo(self.w.given.tempo)])

    def note(self, program_token: int) -> NewNote:
        """The rest of a note after its program: pitch, velocity and a duration inside the window."""
        program = self.v.program_of[program_token]
        start, meter = self.clock.now(), self.clock.meter()
        pitch = self.v.value(self.s.draw(self.pitch_masks[program]))
        velocity = self.v.value(self.s.draw(self.velocity_mask))
        fits = [d for d in self.v.durations if self.v.duration_beats(d, meter) <= self.w.end - start + EPS]
        duration = self.s.draw(self.s.mask(fits or [min(self.v.durations, key=self.v.durations.get)]))
        targets = self.targets[program]
        target = next((t for t in targets if t.low <= pitch <= t.high), targets[0])
        return NewNote(target, Note(start, start + self.v.duration_beats(duration, meter), pitch, velocity))

    def heard(self) -> list[Heard]:
        """The given notes inside the window, onsets moved to the tokenizer's grid."""
        out, bars = [], self.clock.bars
        for track, n in self.w.heard():
            bar = max(i for i, b in enumerate(bars) if b <= n.start + EPS)
            if bar >= len(bars) - 1:
                continue
            meter = self.w.given.meter_at(bars[bar])
            step = self.v.step(meter)
            time = min(bars[bar] + round((n.start - bars[bar]) / step) * step, bars[bar + 1])
            tokens = self.v.note_tokens(DRUMS if track.is_drum else track.program, n.pitch, n.velocity, n.duration, meter)
            if tokens and time < self.w.end - EPS:
                out.append(Heard(time, tokens))
        return sorted(out, key=lambda h: h.time)

    def feed_heard(self, heard: list[Heard]) -> None:
        """Feed every given note at the current onset (writing the position first at a bar line)."""
        time = heard[0].time
        tokens: list[int] = []
        while heard and abs(heard[0].time - time) < EPS:
            tokens += heard.pop(0).tokens
        if self.clock.position is None:
            self.clock.position = 0
            self.s.feed([self.v.positions[0]])
            if self.tempo_due:
                self.feed_tempo()
        self.make_room(len(tokens) + ROOM)
        self.s.feed(tokens)


def _last_bar(tokens: list[int], limit: int, bar: int) -> int:
    """How many of ``tokens`` to keep within ``limit``: up to the last bar line that fits (0 if none)."""
    if len(tokens) <= limit:
        return len(tokens)
    return max((i for i in range(1, limit + 1) if tokens[i] == bar), default=0)
