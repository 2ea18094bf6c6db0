"""The built-in music engine: variable-order Markov models learned on the fly from the fused
references (and the input phrase), in the spirit of Pachet's Continuator. No weights.

What is learned, per role (see ``core/music/analysis``):
- lines (melody, bass): symbols (interval from the previous note, inter-onset interval in 1/12
  beats); for a variation also an interval-only chain;
- harmony: the sequence of bar chords, relative to the key's tonic;
- bar patterns: the rhythm of chord hits, the shape of arpeggios (which chord tone when), bass
  figures (intervals above the chord root) and drum grooves - each bar one symbol, so a chain over
  bars learns the groove and where the fills come.

Constraints are applied before sampling (``VariableOrderMarkov.choose``'s ``accept``): key lock,
pitch range, onsets on the bar's grid and every note inside the window, so the result has the
exact length asked. Density and temperature bend the probabilities; a copy guard stops it from
replaying one reference for more than ``MAX_COPY`` symbols in a row.
"""
from __future__ import annotations

import functools
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np

from ragart_desktop.core.generate.engine import BUILTIN, Engine
from ragart_desktop.core.generate.music.plan import MusicInputs, Plan, Target
from ragart_desktop.core.generate.music.request import MusicRequest
from ragart_desktop.core.music.analysis import (
    ARPEGGIO, BASS, CHORDS, DRUMS, MELODY, Chord, bar_chords, bar_spans, bass_line, chord_of, chords_of, skyline,
    track_role)
from ragart_desktop.core.music.markov import VariableOrderMarkov, copy_run
from ragart_desktop.core.music.score import EPS, Note, Score, Track
from ragart_desktop.core.music.theory import Key, voice_lead
from ragart_desktop.core.progress import Task

TICKS = 12          # grid: 1/12 beat (sixteenths and triplets)
MAX_ORDER = 4
MAX_COPY = 8        # symbols copied in a row from one source before the guard steps in


@dataclass
class Source:
    """One training line: its notes and where each sits in its bar."""

    notes: list[Note]
    positions: list[float]


class Material:
    """Everything the engine learns from the references and the input, built once per job."""

    def __init__(self, inputs: MusicInputs):
        self.plan = inputs.plan
        self.bar = self.plan.bar_beats
        scores = [(r.score, r.weight) for r in inputs.references]
        own = inputs.plan.theme if inputs.plan.theme is not None else inputs.plan.base
        scores.append((own, 1.0))
        self.scores = scores
        self._built: dict[tuple, Any] = {}   # chains and bar chords, built on first use
        self.lines: dict[str, list[tuple[Source, float]]] = defaultdict(list)
        self.tracks: dict[str, list[tuple[Score, Track, float]]] = defaultdict(list)
        for score, weight in scores:
            for t in score.tracks:
                role = track_role(t)
                self.tracks[role].append((score, t, weight))
                if role in (MELODY, BASS, ARPEGGIO):
                    line = bass_line(t.notes) if role == BASS else skyline(t.notes)
                    bar = score.time_signature.bar_beats
                    self.lines[BASS if role == BASS else MELODY].append(
                        (Source(line, [n.start % bar for n in line]), weight))

    # -- lines ------------------------------------------------------------------------------
    def line_chain(self, role: str, rhythm: bool = True) -> tuple[VariableOrderMarkov, list[Source]]:
        key = ("line", role, rhythm)
        if key not in self._built:
            self._built[key] = self._line_chain(role, rhythm)
        return self._built[key]

    def _line_chain(self, role: str, rhythm: bool) -> tuple[VariableOrderMarkov, list[Source]]:
        sources = self.lines.get(role) or self.lines.get(MELODY) or []
        seqs = [line_symbols(s.notes) if rhythm else [sym[0] for sym in line_symbols(s.notes)] for s, _ in sources]
        return VariableOrderMarkov(seqs, MAX_ORDER, [w for _, w in sources]), [s for s, _ in sources]

    # -- harmony ----------------------------------------------------------------------------
    def chords(self, score: Score) -> list[Optional[Chord]]:
        """The bar chords of one of the learned scores (computed once)."""
        key = ("chords", id(score))
        if key not in self._built:
            self._built[key] = bar_chords(score)
        return self._built[key]

    @functools.cached_property
    def progression(self) -> VariableOrderMarkov:
        tonic = self.plan.key.tonic_pc
        seqs, weights = [], []
        for score, weight in self.scores:
            seq = [c.transposed(-tonic) for c in self.chords(score) if c is not None]
            if seq:
                seqs.append(seq)
                weights.append(weight)
        return VariableOrderMarkov(seqs, 3, weights)

    # -- bar patterns -----------------------------------------------------------------------
    def patterns(self, role: str) -> tuple[VariableOrderMarkov, dict, list[list[int]]]:
        """Chain over bar-pattern symbols of ``role`` (same bar length first), the symbol ->
        example bar, and each source's bar indices (for the phrase position)."""
        if ("patterns", role) not in self._built:
            self._built[("patterns", role)] = self._patterns(role)
        return self._built[("patterns", role)]

    def _patterns(self, role: str) -> tuple[VariableOrderMarkov, dict, list[list[int]]]:
        seqs, weights, examples, indices = [], [], {}, []
        fits = [(s, t, w) for s, t, w in self.tracks.get(role, []) if abs(s.time_signature.bar_beats - self.bar) < EPS]
        for score, track, weight in fits or self.tracks.get(role, []):
            chords = None if track.is_drum else self.chords(score)
            seq, idx = [], []
            for i, (a, b) in enumerate(bar_spans(score)):
                bar_notes = [n.shifted(-a) for n in track.notes if a - EPS <= n.start < b - EPS and n.start - a < self.bar]
                if not bar_notes:
                    continue
                sym = pattern_symbol(role, bar_notes, chords[i] if chords else None)
                examples.setdefault(sym, (bar_notes, chords[i] if chords else None))
                seq.append(sym)
                idx.append(i)
            if seq:
                seqs.append(seq)
                weights.append(weight)
                indices.append(idx)
        return VariableOrderMarkov(seqs, 3, weights), examples, indices


def ticks(beats: float) -> int:
    return max(1, int(round(beats * TICKS)))


def line_symbols(notes: Sequence[Note]) -> list[tuple[int, int]]:
    """(interval into the note, ticks to the next onset) for each note of a line."""
    out = []
    for i, n in enumerate(notes):
        interval = n.pitch - notes[i - 1].pitch if i else 0
        ioi = notes[i + 1].start - n.start if i + 1 < len(notes) else n.duration
        out.append((interval, min(ticks(ioi), 8 * TICKS)))
    return out


def pattern_symbol(role: str, notes: Sequence[Note], chord: Optional[Chord]) -> tuple:
    if role == DRUMS:
        return tuple(sorted((ticks(n.start) if n.start > 0 else 0, n.pitch) for n in notes))
    if role == CHORDS:
        hits = sorted({(ticks(n.start) if n.start > 0 else 0, ticks(n.duration)) for n in notes})
        return tuple(hits)
    if role == ARPEGGIO:
        ranks = sorted({n.pitch for n in notes})
        return tuple((ticks(n.start) if n.start > 0 else 0, ticks(n.duration), ranks.index(n.pitch)) for n in notes)
    root = chord.root if chord else notes[0].pitch % 12
    return tuple((ticks(n.start) if n.start > 0 else 0, ticks(n.duration), (n.pitch - root) % 12) for n in notes)


class MarkovEngine(Engine):
    engine_id = BUILTIN

    def describe(self, request: MusicRequest) -> str:
        return "Built-in variable-order Markov model (Continuator-style), learned from the references"

    def run(self, inputs: MusicInputs, seed: int, task: Task) -> Score:
        rng = np.random.default_rng(seed)
        if inputs.learned is None:
            inputs.learned = Material(inputs)
        material = inputs.learned
        plan, req = inputs.plan, inputs.request
        out = plan.base.copy()
        harmony = self._harmony(material, plan, out, req, rng)
        for k, target in enumerate(plan.targets):
            task.check()
            task.progress(k, len(plan.targets), f"Composing {target.name or target.role}")
            notes = self._part(material, plan, req, target, out, harmony, rng)
            if target.track_id is None and not notes:
                continue   # a new part with nothing to play is not added (a warning says why)
            track = out.track(target.track_id) if target.track_id is not None else out.add_track(
                Track(target.name, target.program, target.is_drum))
            track.notes.extend(notes)
            track.sort()
        return out

    # -- harmony: one chord per bar of the window -------------------------------------------
    def _harmony(self, m: Material, plan: Plan, out: Score, req: MusicRequest,
                 rng: np.random.Generator) -> dict[float, Chord]:
        tonic = plan.key.tonic_pc
        spans = [(a, b) for a, b in bar_spans(out, plan.start, plan.end) if a < plan.end - EPS]
        given = plan.theme if plan.theme is not None else out
        kept = [n for t in given.pitched_tracks() for n in t.notes]
        before = chords_of(kept, [(a, b) for a, b in bar_spans(out, 0.0, plan.start) if b <= plan.start + EPS])
        history = [c.transposed(-tonic) for c in before if c is not None]
        allowed = plan.key.allowed_pitch_classes()
        plan_chords: dict[float, Chord] = {}
        for a, b in spans:
            if plan.mode == "vary":
                known = chord_of(kept, a, b)
                if known is not None:
                    plan_chords[a] = known
                    history.append(known.transposed(-tonic))
                    continue
            bar_notes = [n for n in kept if a - EPS <= n.start < b - EPS]

            def fit(c: Chord, src) -> float:
                pcs = set(c.transposed(tonic).pitch_classes)
                if not bar_notes:
                    return 1.0
                hit = sum(n.duration for n in bar_notes if n.pitch % 12 in pcs)
                return 0.05 + (hit / sum(n.duration for n in bar_notes)) ** 3

            def legal(c: Chord) -> bool:
                return not req.key_lock or set(c.transposed(tonic).pitch_classes) <= allowed

            choice = m.progression.choose(history, rng, temperature=req.temperature, accept=legal, weight=fit)
            chord = choice.symbol.transposed(tonic) if choice else _tonic_chord(plan.key)
            plan_chords[a] = chord
            history.append(chord.transposed(-tonic))
        return plan_chords

    # -- one part ---------------------------------------------------------------------------
    def _part(self, m: Material, plan: Plan, req: MusicRequest, target: Target, out: Score,
              harmony: dict[float, Chord], rng: np.random.Generator) -> list[Note]:
        if target.role in (MELODY, BASS) or (target.role == ARPEGGIO and not m.tracks.get(ARPEGGIO)):
            return self._line(m, plan, req, target, out, harmony, rng)
        return self._patterned(m, plan, req, target, out, harmony, rng)

    def _line(self, m: Material, plan: Plan, req: MusicRequest, target: Target, out: Score,
              harmony: dict[float, Chord], rng: np.random.Generator) -> list[Note]:
        role = BASS if target.role == BASS else MELODY
        key, lock = plan.key, req.key_lock
        existing = out.track(target.track_id).notes if target.track_id is not None else []
        context = (bass_line if role == BASS else skyline)([n for n in existing if n.start < plan.start - EPS])
        theme = None
        if plan.theme is not None and target.track_id is not None:
            theme = (bass_line if role == BASS else skyline)(plan.theme.track(target.track_id).notes)
        chain, sources = m.line_chain(role, rhythm=theme is None)
        hist = [s[0] for s in line_symbols(context)] if theme is not None else line_symbols(context)[:-1]
        prev = context[-1].pitch if context else _start_pitch(target, key, harmony.get(plan.start))
        notes: list[Note] = []
        run = None
        t = plan.start
        steps = iter(theme) if theme is not None else None
        while t < plan.end - EPS:
            pos = _position(out, t)
            fixed = next(steps, None) if steps is not None else None
            if steps is not None and fixed is None:
                break
            if fixed is not None:
                t = fixed.start
            remaining = plan.end - t
            chord = harmony.get(_bar_of(out, t))
            strong = abs(pos - round(pos)) < EPS and round(pos) % 2 == 0

            def accept(sym) -> bool:
                interval, ioi = (sym, None) if fixed is not None else sym
                p = prev + interval
                if not target.low <= p <= target.high or (lock and not key.contains(p)):
                    return False
                return ioi is None or ioi / TICKS <= remaining + EPS

            def weight(sym, src) -> float:
                interval, ioi = (sym, None) if fixed is not None else sym
                w = 1.0
                if ioi is not None and req.density != 1.0:
                    w *= (TICKS / ioi) ** math.log2(req.density)
                if chord is not None and strong and (prev + interval) % 12 in chord.pitch_classes:
                    w *= 2.0
                if fixed is not None:
                    w *= math.exp(-abs(prev + interval - fixed.pitch) / 4.0) * (0.35 if prev + interval == fixed.pitch else 1.0)
                if src[0] >= 0 and abs(sources[src[0]].positions[src[1]] - pos) < EPS:
                    w *= 3.0   # the same place in the bar: keeps the meter's accents
                return w

            choice = chain.choose(hist, rng, temperature=req.temperature, accept=accept, weight=weight,
                                  copied=run, max_copy=MAX_COPY)
            if fixed is not None:
                pitch = prev + choice.symbol if choice else _nearest_allowed(fixed.pitch, key, lock, target)
                notes.append(Note(fixed.start, fixed.end, pitch, fixed.velocity))
                hist.append(choice.symbol if choice else 0)
                prev = pitch
                run = copy_run(run, choice) if choice else None
                continue
            if choice is None:   # nothing learned fits what is left: hold a note to the end
                pitch = _nearest_allowed(prev, key, lock, target)
                notes.append(Note(t, plan.end, pitch, 70))
                break
            interval, ioi_ticks = choice.symbol
            source = sources[choice.source[0]].notes[choice.source[1]] if choice.source[0] >= 0 else None
            ioi = ioi_ticks / TICKS
            legato = min(1.0, source.duration / max(ioi, EPS)) if source is not None else 0.9
            pitch = prev + interval
            dur = min(max(ioi * legato, 1 / TICKS), remaining)
            notes.append(Note(t, t + dur, pitch, source.velocity if source is not None else 80))
            hist.append(choice.symbol)
            run = copy_run(run, choice)
            prev, t = pitch, t + ioi
        return notes

    def _patterned(self, m: Material, plan: Plan, req: MusicRequest, target: Target, out: Score,
                   harmony: dict[float, Chord], rng: np.random.Generator) -> list[Note]:
        chain, examples, indices = m.patterns(target.role)
        if not examples:
            plan.warnings.append(f"no {target.role} part among the references: the {target.role} track stays empty")
            return []
        key, lock = plan.key, req.key_lock
        notes: list[Note] = []
        hist: list = []
        voicing: Optional[list[int]] = None
        prev_bass = (target.low + target.high) // 2
        for i, (a, b) in enumerate(bar_spans(out, plan.start, plan.end)):
            if a >= plan.end - EPS:
                break
            length = min(b, plan.end) - a
            bar_index = i + int(round(plan.start / max(plan.bar_beats, EPS)))

            def weight(sym, src) -> float:
                w = 3.0 if src[0] >= 0 and indices[src[0]][src[1]] % 4 == bar_index % 4 else 1.0
                if req.density != 1.0:
                    w *= len(sym) ** math.log2(req.density)
                return w

            choice = chain.choose(hist, rng, temperature=req.temperature, weight=weight)
            if choice is None:
                continue
            hist.append(choice.symbol)
            example, _ = examples[choice.symbol]
            chord = harmony.get(a) or _tonic_chord(key)
            if target.role in (CHORDS, ARPEGGIO):
                pcs = [pc for pc in chord.pitch_classes if not lock or key.contains(pc)] or [key.tonic_pc]
                centre = (target.low + target.high) // 2
                voicing = voice_lead(pcs, voicing, centre)
            for n in example:
                if n.start >= length - EPS:
                    continue
                end = min(n.end, length)
                if target.role == DRUMS:
                    pitch = n.pitch
                elif target.role == CHORDS:
                    pitch = None
                elif target.role == ARPEGGIO:
                    ranks = sorted({x.pitch for x in example})
                    spread = voicing + [p + 12 for p in voicing]
                    pitch = spread[ranks.index(n.pitch) % len(spread)]
                else:   # bass: the figure's interval above the new chord's root
                    root = chord.root
                    src_chord = examples[choice.symbol][1]
                    pc = (root + (n.pitch - (src_chord.root if src_chord else n.pitch)) % 12) % 12
                    if lock and not key.contains(pc):
                        pc = root
                    pitch = min((p for p in range(target.low, target.high + 1) if p % 12 == pc),
                                key=lambda p: abs(p - prev_bass), default=_nearest_allowed(prev_bass, key, lock, target))
                    prev_bass = pitch
                played = [pitch] if pitch is not None else voicing
                for p in played:
                    p = p if target.is_drum else _fold(p, target, key, lock)
                    notes.append(Note(a + n.start, a + end, p, n.velocity))
        return _dedupe(notes)


def _dedupe(notes: list[Note]) -> list[Note]:
    seen, out = set(), []
    for n in sorted(notes, key=lambda n: (n.start, n.pitch)):
        k = (round(n.start * TICKS), n.pitch)
        if k not in seen:
            seen.add(k)
            out.append(n)
    return out


def _position(score: Score, beat: float) -> float:
    bar = _bar_of(score, beat)
    return beat - bar


def _bar_of(score: Score, beat: float) -> float:
    start = 0.0
    for line in score.bar_lines():
        if line > beat + EPS:
            return start
        start = line
    return start


def _tonic_chord(key: Key) -> Chord:
    return Chord(key.tonic_pc, "min" if key.is_minor or key.mode == "dorian" else "maj")


def _start_pitch(target: Target, key: Key, chord: Optional[Chord]) -> int:
    centre = (target.low + target.high) // 2
    pcs = chord.pitch_classes if chord else (key.tonic_pc,)
    return min((p for p in range(target.low, target.high + 1) if p % 12 in pcs), key=lambda p: abs(p - centre),
               default=centre)


def _fold(pitch: int, target: Target, key: Key, lock: bool) -> int:
    """Move a pitch by octaves into the target's range (nearest allowed pitch if no octave fits)."""
    while pitch > target.high and pitch - 12 >= target.low:
        pitch -= 12
    while pitch < target.low and pitch + 12 <= target.high:
        pitch += 12
    return pitch if target.low <= pitch <= target.high else _nearest_allowed(pitch, key, lock, target)


def _nearest_allowed(pitch: int, key: Key, lock: bool, target: Target) -> int:
    candidates = [p for p in range(target.low, target.high + 1) if not lock or key.contains(p)]
    return min(candidates, key=lambda p: abs(p - pitch), default=pitch)

