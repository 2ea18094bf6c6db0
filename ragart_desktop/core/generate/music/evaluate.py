"""Scoring a piece of music: its metrics, its style match with the references, and the near-copy
guard against the library.

The guard looks at the ``CANDIDATES`` library pieces closest to the piece by the built-in music
descriptor (transposition- and tempo-invariant, so a disguised copy is among them) plus the
references, and measures the longest passage shared with each (``core/music/copyguard``). The
nearest library item is the one with the highest descriptor cosine similarity.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Collection, Optional, Sequence

import numpy as np

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.generate.references import own_items
from ragart_desktop.core.music import copyguard
from ragart_desktop.core.music.metrics import metrics, style_match
from ragart_desktop.core.music.midi_io import read_score, to_pretty_midi
from ragart_desktop.core.music.score import Score
from ragart_desktop.core.music.theory import Key

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

log = logging.getLogger(__name__)
CANDIDATES = 20


@dataclass
class MusicEvaluation:
    metrics: dict[str, float] = field(default_factory=dict)
    nearest_item: Optional[int] = None
    nearest_path: Optional[str] = None
    nearest_similarity: Optional[float] = None
    copied_notes: int = 0
    copied_from: Optional[str] = None      # path of the piece the longest passage comes from
    copied_at: float = 0.0                 # where it starts in this piece, beats
    warnings: list[str] = field(default_factory=list)

    @property
    def near_copy(self) -> bool:
        return self.copied_notes >= copyguard.NEAR_COPY_NOTES

    def nearest_json(self) -> dict:
        return {"id": self.nearest_item, "path": self.nearest_path, "similarity": self.nearest_similarity}

    def to_json(self) -> dict:
        return {"metrics": self.metrics, "nearest_library_item": self.nearest_json(), "near_copy": self.near_copy,
                "longest_copy": {"notes": self.copied_notes, "from": self.copied_from, "at_beat": self.copied_at,
                                 "threshold": copyguard.NEAR_COPY_NOTES},
                "warnings": self.warnings}


def evaluate_score(score: Score, *, key: Optional[Key] = None, references: Sequence[tuple[str, Score]] = (),
                   library: Optional["Library"] = None, exclude: Collection[Optional[str]] = ()) -> MusicEvaluation:
    """Metrics, style match against ``references`` (path, score) and the near-copy guard.

    ``exclude``: files of the piece itself (the file evaluated, the input it continues, the document
    it was cut from). The piece is not compared with them nor with the library items that hold them
    (by path or content), even when pinned as a reference: a continuation holds its input.
    """
    ev = MusicEvaluation(metrics=metrics(score, key))
    if references:
        ev.metrics["style_match"] = style_match(score, [s for _, s in references])
    own = own_items(library, exclude)
    skip = {os.path.realpath(p) for p in exclude if p}
    if library is not None:
        skip |= {os.path.realpath(p) for i in own for p in library.get_item(i).paths}
    others = [(path, other) for path, other in references if os.path.realpath(path) not in skip]
    if library is not None:
        others += _library_candidates(score, library, ev, own)
    lines = copyguard.melodic_lines(score)
    if lines:
        for path, other in others:
            found = copyguard.longest_copy(score, other)
            if found.notes > ev.copied_notes:
                ev.copied_notes, ev.copied_from, ev.copied_at = found.notes, path, found.start
    ev.metrics["longest_copy_notes"] = ev.copied_notes
    if ev.near_copy:
        ev.warnings.append(f"near copy: a passage of {ev.copied_notes} notes (from beat {ev.copied_at:g}) "
                           f"matches {os.path.basename(ev.copied_from or '')} up to key and tempo")
    return ev


def _library_candidates(score: Score, library: "Library", ev: MusicEvaluation,
                        own: set[int]) -> list[tuple[str, Score]]:
    from ragart_desktop.core.retrieval.query import Example, Query

    embedders = library.content_embedders_for("music")
    if not embedders or library.count("music") == 0:
        return []
    pm = to_pretty_midi(score)
    results = library.search(Query(like=(Example(content=pm, kind="music"),), kinds=("music",),
                                   k=CANDIDATES + len(own)))
    embedder = embedders[0]
    mine = embedder.embed_one(pm)
    results = [r for r in results if r.item.id not in own][:CANDIDATES]
    if results:
        vectors = library.indexes[embedder.id].get_vectors([r.item.id for r in results])
        sims = vectors @ mine
        best = int(np.argmax(sims))
        ev.nearest_item, ev.nearest_path = results[best].item.id, results[best].item.path
        ev.nearest_similarity = round(float(sims[best]), 4)
    out = []
    for r in results:
        try:
            out.append((r.item.path, read_score(r.item.path)))
        except BadInputError as exc:
            log.info("near-copy guard skips %s", exc)
    return out
