"""Retrieval-augmented music generation: one MusicRequest in, scored MIDI pieces with provenance out.

1. Understand the request: mode, input phrase (a MIDI file, or a score from the piano roll), key,
   meter, length, bar range.
2. Retrieve references: pinned pieces first, then the library's closest pieces by the music
   descriptor (transposition-aware) and by the words.
3. Fuse: transpose the references into the target key, lower other meters; plan the window, the
   tracks that get new notes and the exact length (``plan.py``).
4. Generate each seed with the chosen engine (built-in Markov, or a MIDI language model), then apply
   velocity and humanize to the new notes only.
5. Evaluate each output: metrics, style match with the references, near-copy guard.
6. Record provenance: the JSON record goes into the MIDI file itself (a text meta event) and into
   history. Nothing is written unless the whole job finishes.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from ragart_desktop.core.generate.engine import Engine, make_engine
from ragart_desktop.core.generate.music.evaluate import MusicEvaluation, evaluate_score
from ragart_desktop.core.generate.music.plan import (
    MusicInputs, Plan, choose_key, fuse, gather, load_input, make_plan, target_meter)
from ragart_desktop.core.generate.music.request import MusicRequest
from ragart_desktop.core.generate.result import GeneratedOutput
from ragart_desktop.core.generate.result import GenerationResult as _Result
from ragart_desktop.core.kinds import kind_named
from ragart_desktop.core.music.midi_io import write_score
from ragart_desktop.core.music.score import EPS, Note, Score
from ragart_desktop.core.progress import Task, ensure_task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

PROVENANCE_PREFIX = "ragart:"   # the text meta event holding the record starts with this


@dataclass
class GeneratedPiece(GeneratedOutput):
    score: Score
    evaluation: MusicEvaluation


@dataclass
class MusicResult(_Result):
    kind = "music"
    suffixes = kind_named("music").suffixes

    plan: Optional[Plan] = None
    warnings: list[str] = field(default_factory=list)

    def record_details(self, out: GeneratedPiece) -> dict[str, Any]:
        return out.evaluation.to_json()

    def output_details(self, out: GeneratedPiece) -> dict[str, Any]:
        ev = out.evaluation
        return {"metrics": ev.metrics, "nearest_library_item": ev.nearest_json(), "near_copy": ev.near_copy,
                "warnings": self.warnings + ev.warnings}

    def write(self, out: GeneratedPiece, path: Path, record: dict[str, Any]) -> Path:
        score = out.score.copy()
        score.texts = [t for t in score.texts if not t.startswith(PROVENANCE_PREFIX)]
        score.texts.append(PROVENANCE_PREFIX + json.dumps(record, default=str, ensure_ascii=False))
        return write_score(score, path)


def read_provenance(score: Score) -> Optional[dict[str, Any]]:
    """The record a RagArt MIDI file carries, or None."""
    for text in score.texts:
        if text.startswith(PROVENANCE_PREFIX):
            try:
                return json.loads(text[len(PROVENANCE_PREFIX):])
            except ValueError:
                return None
    return None


def _builtin() -> Engine:
    from ragart_desktop.core.generate.music.engine_markov import MarkovEngine

    return MarkovEngine()


def _transformer(name: str, library: Optional["Library"], registry) -> Engine:
    from ragart_desktop.core.generate.music.engine_transformer import TransformerEngine

    return TransformerEngine(name, library, registry)


def generate(req: MusicRequest, library: Optional["Library"] = None, task: Optional[Task] = None, *,
             phrase: Optional[Score] = None) -> MusicResult:
    """Run the whole pipeline. ``phrase``: the input as a score (a piano-roll selection) instead of
    ``req.midi``."""
    task = ensure_task(task)
    started = time.perf_counter()
    # 1. Understand the request.
    req.validate(phrase_given=phrase is not None)
    phrase = load_input(req, phrase)
    engine = make_engine(req.engine, library, _builtin, {"causal-lm": _transformer}, "music generation")
    # 2. Retrieve.
    task.progress(0, 1, "Finding references")
    refs = gather(req, library, phrase, task)
    task.check()
    # 3. Fuse.
    key = choose_key(req, phrase, refs)
    numerator, denominator = target_meter(req, phrase, refs)
    refs = fuse(refs, key, numerator * 4 / denominator)
    plan = make_plan(req, phrase, key, refs)
    inputs = MusicInputs(req, plan, refs)
    result = MusicResult(req, engine.engine_id, engine.describe(req), list(refs), plan=plan)
    # 4. Generate.
    pieces = []
    for i in range(req.count):
        seed = req.seed + i
        score = engine.run(inputs, seed, task.part(i, req.count))
        pieces.append((seed, finish(score, plan, req, seed)))
        task.check()
    result.warnings = list(dict.fromkeys(plan.warnings))
    # 5. Evaluate.
    originals = [(r.path, r.score) for r in refs]
    for seed, score in pieces:
        task.progress(1, 1, "Scoring results")
        ev = evaluate_score(score, key=key, references=originals, library=library,
                            exclude=(req.midi, req.source))
        result.outputs.append(GeneratedPiece(seed, score=score, evaluation=ev))
    result.seconds = time.perf_counter() - started
    return result


def finish(score: Score, plan: Plan, req: MusicRequest, seed: int) -> Score:
    """Velocity and humanize on the new notes only (kept inside the window and the key), and the
    exact length."""
    rng = np.random.default_rng(seed + 7919)
    for track in score.tracks:
        try:
            kept = Counter(plan.base.track(track.id).notes)
        except KeyError:
            kept = Counter()
        new = [n for n in track.notes if not _take(kept, n)]
        if not new:
            continue
        mean = float(np.mean([n.velocity for n in new]))
        changed = []
        for n in new:
            velocity = n.velocity * (req.velocity / mean) if req.velocity else n.velocity
            start, end = n.start, n.end
            if req.humanize:
                velocity += rng.normal(0, 8 * req.humanize)
                shift = float(rng.normal(0, 0.03 * req.humanize))
                start = min(max(plan.start, start + shift), plan.end - EPS * 10)
                end = min(max(start + 1 / 48, end + shift), plan.end)
            changed.append(Note(start, end, n.pitch, int(np.clip(round(velocity), 1, 127))))
        remaining = Counter(new)
        track.notes = [n for n in track.notes if not _take(remaining, n)] + changed
        track.sort()
    score.length = plan.length
    return score


def _take(counter: Counter, note: Note) -> bool:
    if counter[note] > 0:
        counter[note] -= 1
        return True
    return False
