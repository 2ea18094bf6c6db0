"""From the Music tab to a music generation job: the context the piano roll hands over, the request.

``MusicContext`` is the piano roll's part of a generation: the phrase (``core/music/phrase``), the
mode, the bars an infill regenerates, the words that say what it works on, and the document's file
(a piece opened from the library is not retrieved as its own reference). ``music_request``
returns the step the generation service runs first on the worker: write the phrase as a MIDI file
in the work folder (history keeps the request, and with it the file) and build the ``MusicRequest``.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.music.midi_io import write_score
from ragart_desktop.core.music.phrase import Phrase
from ragart_desktop.ui.music.generation_panel import BUILTIN, MusicForm

if TYPE_CHECKING:
    from ragart_desktop.core.generate.music.request import MusicRequest


@dataclass(frozen=True)
class MusicContext:
    mode: str
    phrase: Phrase
    scope: str                          # in words: "the 12 selected notes", "bars 5-8"
    from_bar: Optional[int] = None      # infill, in the phrase's bars (from 1)
    to_bar: Optional[int] = None
    tempo: Optional[float] = None       # a new phrase (empty document): the document's tempo and meter
    meter: Optional[str] = None
    source: Optional[str] = None        # the document's file: not a reference, not a piece it "copies"


def work_file(work_dir: Path, prefix: str = "phrase") -> Path:
    """A new MIDI file name in the work folder (the phrase a job reads, a query example)."""
    return work_dir / f"{prefix}-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S-%f')}.mid"


def music_request(form: MusicForm, context: MusicContext, path: Optional[Path]) -> Callable[[Path], "MusicRequest"]:
    """The worker's first step for a music job: save the phrase at ``path`` (None: an empty
    document, continue makes a new phrase) and build the validated request around it."""
    if context.phrase.empty and form.mode != "continue":
        raise UsageError(f"{dict(vary='a variation', infill='an infill', accompany='an accompaniment').get(form.mode)} "
                         "needs notes to work on: select some, or draw a phrase first.")
    if form.mode == "accompany" and not form.parts:
        raise UsageError("choose at least one part to accompany with (chords, bass, arpeggio, drums).")

    def build(work_dir: Path) -> "MusicRequest":
        from ragart_desktop.core.generate.music.request import MusicRequest
        from ragart_desktop.core.generate.references import ReferenceSpec

        midi = None
        if path is not None and not context.phrase.empty:
            path.parent.mkdir(parents=True, exist_ok=True)
            midi = str(write_score(context.phrase.score, path))
        key = context.phrase.score.key
        return MusicRequest(
            mode=form.mode, midi=midi, source=context.source, prompt=form.prompt, bars=form.bars,
            key=key.short if key is not None else None,
            meter=context.meter if midi is None else None, tempo=context.tempo if midi is None else None,
            from_bar=context.from_bar, to_bar=context.to_bar,
            parts=tuple(form.parts) or ("chords", "bass", "drums"),
            references=tuple(ReferenceSpec(item_id=r.item_id, path=r.path, weight=r.weight) for r in form.references),
            retrieve=form.retrieve, engine=form.engine, temperature=form.temperature, density=form.density,
            key_lock=form.key_lock, seed=form.seed, count=form.count,
        ).validate()

    return build


def music_engines(home: Any, settings: Any) -> list[tuple[str, str]]:
    """(label, engine id): the built-in engine, then the music models in the models folders."""
    from ragart_desktop.core.models.registry import ModelRegistry

    engines = [BUILTIN]
    for entry in ModelRegistry(home, settings).of_kind("causal-lm"):
        if entry.loadable and entry.task == "music-generation":
            engines.append((f"{entry.name} (MIDI language model)", entry.name))
    return engines
