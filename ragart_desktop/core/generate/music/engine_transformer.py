"""The transformer music engine: a causal MIDI language model from the models folders.

The tokenizer is declared by the model, not guessed: a GPT-2-style model with the Anticipatory
Music Transformer's 55,028-token arrival-time vocabulary (``amt_vocab``) is what the registry marks
as ``music-generation``; a model that brings a MidiTok tokenizer is recognised but refused here
with a plain message (no MidiTok support yet), and a text model is refused.

How a request becomes tokens: the fused references (already in the target key) are laid out first
as context, then the input before the window, each note as (time, duration, instrument+pitch) in
10 ms steps at the piece's opening tempo. Then events are sampled with a KV cache, three tokens at
a time, and every constraint is a mask on the logits *before* sampling, never a filter after:
onsets only on the 1/12-beat grid inside the window and not before the last onset, durations that
end inside the window (exact length), only the target tracks' instruments, only pitches in range
and in the key (key lock). Notes the result must keep in the window (the melody an accompaniment
follows) are fed to the model at their time, so it hears them. Sampling stops when the model
chooses the window's end as the next onset. When the context is full, the oldest events are dropped,
times are made relative again and the cache is rebuilt once (as the reference implementation does).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import numpy as np

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.generate.engine import Engine
from ragart_desktop.core.generate.music import amt_vocab as V
from ragart_desktop.core.generate.music.plan import MusicInputs, Target
from ragart_desktop.core.generate.music.request import MusicRequest
from ragart_desktop.core.music.analysis import DRUMS
from ragart_desktop.core.music.score import EPS, Note, Score, Track
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library
    from ragart_desktop.core.models.registry import ModelRegistry

GRID = 12                   # onsets per beat
CONTEXT_SHARE = 0.5         # at most this share of the context for references
MAX_EVENTS_PER_BEAT = 8     # per instrument: a runaway model stops here


@dataclass(frozen=True)
class Event:
    time: int        # ticks (10 ms)
    duration: int
    instrument: int  # GM program, 128 = drums
    pitch: int


def declared_vocabulary(folder: Path) -> str:
    """Which tokenizer a music model declares: "amt" (arrival-time vocabulary) or a ModelError."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    if config.get("vocab_size") == V.VOCAB_SIZE and not (folder / "tokenizer.json").is_file():
        return "amt"
    if (folder / "tokenizer.json").is_file() or (folder / "tokenizer_params.json").is_file():
        raise ModelError("this music model brings a MidiTok tokenizer, which RagArt does not read yet "
                         "(models with the Anticipatory Music Transformer vocabulary work).", path=folder)
    raise ModelError("this is not a music model RagArt can run (no known MIDI vocabulary).", path=folder)


class TransformerEngine(Engine):
    def __init__(self, name: str, library: Optional["Library"], registry: "ModelRegistry"):
        self.entry = registry.get(name)
        if self.entry.task != "music-generation":
            raise ModelError(f"{name} is a {self.entry.task} model, not a music model.", path=self.entry.path)
        self.vocabulary = declared_vocabulary(Path(self.entry.path))
        self.settings = registry.settings
        self.engine_id = name

    def describe(self, request: MusicRequest) -> str:
        return f"MIDI language model '{self.entry.name}' (Anticipatory Music Transformer vocabulary)"

    def run(self, inputs: MusicInputs, seed: int, task: Task) -> Score:
        from ragart_desktop.core.models.loaders import language_model

        lm = language_model(self.entry, self.settings)
        plan, req = inputs.plan, inputs.request
        layout = Layout(plan.base.tempo)
        instruments = {_instrument(t): t for t in plan.targets}
        context = int(getattr(lm.model.config, "n_positions", 1024))
        prompt, input_tick = layout.prompt(inputs, context)
        forced = [e for e in layout.events(plan.base, input_tick) if e.time >= layout.tick(plan.start, input_tick)]
        sampler = Sampler(lm.model, context, seed, req.temperature)
        start, end = layout.tick(plan.start, input_tick), layout.tick(plan.end, input_tick)
        grid = sorted({layout.tick(plan.start + k / GRID, input_tick)
                       for k in range(int(round((plan.end - plan.start) * GRID)))})
        masks = Masks(plan.key, req.key_lock, instruments)
        limit = int(MAX_EVENTS_PER_BEAT * max(1.0, plan.end - plan.start)) * max(1, len(instruments))
        events = sampler.sample(prompt, forced, start, end, grid, masks, limit, task)
        return self._score(inputs, layout, input_tick, events, instruments)

    def _score(self, inputs: MusicInputs, layout: "Layout", input_tick: int, events: list[Event],
               instruments: dict[int, Target]) -> Score:
        plan = inputs.plan
        out = plan.base.copy()
        tracks: dict[int, Track] = {}
        for instrument, target in instruments.items():
            if target.track_id is not None:
                tracks[instrument] = out.track(target.track_id)
        for e in events:
            target = instruments.get(e.instrument)
            if target is None:
                continue
            start = max(plan.start, round(layout.beat(e.time, input_tick) * GRID) / GRID)
            end = min(plan.end, max(start + 1 / (2 * GRID), layout.beat(e.time + e.duration, input_tick)))
            if start >= plan.end - EPS:
                continue
            track = tracks.get(e.instrument)
            if track is None:
                track = tracks[e.instrument] = out.add_track(Track(target.name, target.program, target.is_drum))
            track.notes.append(Note(start, end, e.pitch, 80))
        for track in tracks.values():
            track.sort()
        return out


def _instrument(target: Target) -> int:
    return V.DRUMS if target.role == DRUMS or target.is_drum else target.program


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

    def prompt(self, inputs: MusicInputs, context: int) -> tuple[list[Event], int]:
        """Context events (references, then the input before the window) and the input's tick 0."""
        plan = inputs.plan
        budget = int(context * CONTEXT_SHARE) // 3
        given = plan.theme if plan.theme is not None else plan.base
        refs: list[Event] = []
        cursor = 0
        for r in sorted(inputs.references, key=lambda r: -r.weight):
            take = self.events(r.score, cursor)[: max(0, budget - len(refs))]
            if not take:
                continue
            refs += take
            cursor = max(e.time + e.duration for e in take) + V.TIME_RESOLUTION
        if plan.theme is not None:   # vary: the theme is heard first, the new take follows it
            theme = self.events(plan.theme, cursor)
            return refs + theme, self.tick(plan.end, cursor) + V.TIME_RESOLUTION
        return refs + self.events(given, cursor, until=plan.start), cursor


class Masks:
    """Which tokens are legal at each of an event's three positions."""

    def __init__(self, key, key_lock: bool, instruments: dict[int, Target]):
        import torch

        self.note = torch.zeros(V.VOCAB_SIZE, dtype=torch.bool)
        for instrument, target in instruments.items():
            for pitch in range(target.low, target.high + 1):
                if instrument == V.DRUMS or not key_lock or key.contains(pitch):
                    self.note[V.note_token(instrument, pitch)] = True

    def time(self, grid: list[int], earliest: int, latest: int, offset: int):
        import torch

        mask = torch.zeros(V.VOCAB_SIZE, dtype=torch.bool)
        ticks = [t - offset for t in grid if earliest <= t < latest] + [latest - offset]
        mask[[V.TIME_OFFSET + t for t in ticks if 0 <= t < V.MAX_TIME]] = True
        return mask

    def duration(self, longest: int):
        import torch

        mask = torch.zeros(V.VOCAB_SIZE, dtype=torch.bool)
        mask[V.DUR_OFFSET + 1: V.DUR_OFFSET + max(2, min(V.MAX_DUR, longest + 1))] = True
        return mask


class Sampler:
    """Masked sampling of (time, duration, note) events from a causal LM, with or without a KV cache."""

    def __init__(self, model, context: int, seed: int, temperature: float, use_cache: bool = True):
        import torch

        self.model = model
        self.context = context
        self.temperature = max(temperature, 1e-3)
        self.use_cache = use_cache
        self.generator = torch.Generator().manual_seed(int(seed))
        self.device = next(model.parameters()).device
        self.tokens_sampled = 0

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
            time = self._next(masks.time(grid, current, latest, self.offset)) + self.offset - V.TIME_OFFSET
            if pending and time >= pending[0].time:
                while pending and pending[0].time <= time:
                    self._feed([pending.pop(0)], history)
                current = max(current, time)
                continue
            if time >= end:
                break
            duration = self._next(masks.duration(end - time)) - V.DUR_OFFSET
            note = self._next(masks.note)
            instrument, pitch = divmod(note - V.NOTE_OFFSET, V.MAX_PITCH)
            event = Event(time, duration, instrument, pitch)
            out.append(event)
            history.append(event)
            current = time
        return out

    # -- the model, with or without its cache -----------------------------------------------
    def _reset(self, history: list[Event], horizon: int = 0) -> None:
        """(Re)build the context from the newest events that fit (and lie within half the time
        range before ``horizon``), times relative to the oldest."""
        keep = max(1, (self.context - 4) // 3 - 1)
        window = [e for e in history[-keep:] if e.time >= horizon - V.MAX_TIME // 2]
        self.offset = min((e.time for e in window), default=max(0, horizon - V.MAX_TIME // 2))
        self.sequence = [V.AUTOREGRESS] + [tok for e in window for tok in
                                           V.event_tokens(e.time - self.offset, e.duration, e.instrument, e.pitch)]
        self.partial: list[int] = []
        self.past = None
        self.logits = self._forward(self.sequence)

    def _feed(self, events: list[Event], history: list[Event]) -> None:
        history.extend(events)
        tokens = [tok for e in events for tok in V.event_tokens(e.time - self.offset, e.duration, e.instrument, e.pitch)]
        if len(self.sequence) + len(tokens) + 3 > self.context or any(e.time - self.offset >= V.MAX_TIME for e in events):
            self._reset(history)
            return
        self.sequence += tokens
        self.logits = self._forward(tokens)

    def _next(self, mask) -> int:
        """Sample one token under ``mask`` and feed it; a full event triggers the context check."""
        import torch

        logits = self.logits.float() / self.temperature
        logits = logits.masked_fill(~mask.to(logits.device), float("-inf"))
        token = int(torch.multinomial(torch.softmax(logits, dim=-1).cpu(), 1, generator=self.generator))
        self.tokens_sampled += 1
        self.partial.append(token)
        if len(self.partial) == 3 and len(self.sequence) + 6 > self.context:
            self.sequence += self.partial
            self.partial = []
            # rebuild from the tokens we hold (event triplets after the start token)
            events = [Event(*V.decode_event(self.sequence[i:i + 3])) for i in range(1, len(self.sequence) - 2, 3)]
            events = [Event(e.time + self.offset, e.duration, e.instrument, e.pitch) for e in events]
            self._reset(events)
            return token
        self.logits = self._forward([token])
        if len(self.partial) == 3:
            self.sequence += self.partial
            self.partial = []
        return token

    def _forward(self, tokens: list[int]):
        import torch

        with torch.inference_mode():
            if self.use_cache:
                ids = torch.tensor([tokens], device=self.device)
                result = self.model(ids, self.past, use_cache=True, logits_to_keep=1)  # cache: 2nd argument
                self.past = getattr(result, "cache", None) or getattr(result, "past_key_values", None)
            else:   # the baseline loop: the whole sequence again for every token (last logits only)
                ids = torch.tensor([self.sequence + self.partial], device=self.device)
                result = self.model(ids, use_cache=False, logits_to_keep=1)
        return result.logits[0, -1]
