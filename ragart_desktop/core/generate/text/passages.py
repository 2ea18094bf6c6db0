"""Passages: the user's text items cut at stanza, paragraph and line boundaries, and the ones that
fit a theme, chosen by hybrid scoring and kept diverse.

1. The shared seam picks the items (pinned, then retrieved by hybrid search over text items) and
   hands each to ``load_passages``, which cuts it into passages: stanzas/paragraphs (blank lines),
   long ones cut again at line, then sentence, boundaries.
2. ``choose_passages`` ranks every passage of those items against the theme by BM25 over words
   (Han characters and character pairs for Chinese) and by the words embedder's cosine, fuses the
   two rankings (reciprocal rank fusion), puts the pinned items' passages first, and keeps a
   diverse set by maximal marginal relevance.
"""
from __future__ import annotations

import math
import os
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.generate import references as shared
from ragart_desktop.core.generate.text.script import han_chars, has_han
from ragart_desktop.core.kinds import kind_for_suffix
from ragart_desktop.core.text.words import words
from ragart_desktop.core.retrieval.ranking import mmr, reciprocal_rank_fusion

if TYPE_CHECKING:
    from ragart_desktop.core.embed.base import Embedder

MAX_PASSAGE_LINES = 8
MAX_PASSAGE_CHARS = 600
MAX_CANDIDATES = 400        # passages scored per generation (the first ones of each item)
MMR_LAMBDA = 0.7
PINNED_BOOST = 1.0          # added to a pinned passage's fused score: pinned ones come first
_SENTENCE_END = re.compile(r"(?<=[.!?;。！？；])\s*")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")


@dataclass
class Passage:
    text: str
    path: str
    item_id: Optional[int]
    line: int                  # first line of the passage in its file (1-based)
    weight: float = 0.0        # relevance once chosen (fused, rescaled to 0..1)
    pinned: bool = False

    def to_json(self) -> dict:
        return {"id": self.item_id, "path": self.path, "line": self.line, "weight": round(self.weight, 4),
                "text": self.text}


@dataclass
class TextReference(shared.Reference):
    text: str = ""                                   # the whole note (the copy guard reads it)
    passages: list[Passage] = field(default_factory=list)


def split_passages(text: str) -> list[tuple[int, str]]:
    """(first line number, passage text) of a note: stanzas/paragraphs at blank lines; one longer than
    ``MAX_PASSAGE_LINES`` lines or ``MAX_PASSAGE_CHARS`` characters is cut at lines, then sentences."""
    from ragart_desktop.core.library.read_text import split_front_matter

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _, body = split_front_matter(text)
    offset = text.count("\n") - body.count("\n")
    out: list[tuple[int, str]] = []
    block: list[tuple[int, str]] = []

    def flush() -> None:
        for chunk in _cut(block):
            out.append(chunk)
        block.clear()

    for number, raw in enumerate(body.split("\n"), start=offset + 1):
        line = raw.strip()
        if not line or _HEADING.match(line):
            flush()
            continue
        block.append((number, line))
    flush()
    return out


def _cut(block: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A stanza as it is, or cut into pieces within the limits (lines first, then sentences)."""
    pieces: list[tuple[int, str]] = []
    for number, line in block:
        if len(line) <= MAX_PASSAGE_CHARS:
            pieces.append((number, line))
        else:
            pieces += [(number, s.strip()) for s in _SENTENCE_END.split(line) if s.strip()]
    chunks: list[tuple[int, str]] = []
    current: list[tuple[int, str]] = []
    for number, line in pieces:
        size = sum(len(t) for _, t in current) + len(line)
        if current and (len(current) >= MAX_PASSAGE_LINES or size > MAX_PASSAGE_CHARS):
            chunks.append((current[0][0], "\n".join(t for _, t in current)))
            current = []
        current.append((number, line))
    if current:
        chunks.append((current[0][0], "\n".join(t for _, t in current)))
    return chunks


def load_passages(ref: shared.Reference) -> TextReference:
    """The seam's loader for text: read the note and cut it into passages."""
    from ragart_desktop.core.library.read_text import decode_text

    if kind_for_suffix(os.path.splitext(ref.path)[1]) != "text":
        raise BadInputError("is not a text note (.txt or .md).", path=ref.path)
    try:
        with open(ref.path, "rb") as f:
            text, _ = decode_text(f.read())
    except OSError as exc:
        raise BadInputError(f"cannot be read ({exc.strerror or exc}).", path=ref.path) from exc
    passages = [Passage(t, ref.path, ref.item_id, line, pinned=ref.source == "pinned")
                for line, t in split_passages(text)]
    if not passages:
        raise BadInputError("holds no text.", path=ref.path)
    return TextReference(**vars(ref), text=text, passages=passages)


def terms(text: str) -> list[str]:
    """What BM25 matches: lower-cased words; Han text as characters and character pairs."""
    latin = [t for t in words(text) if not has_han(t)]
    chars = han_chars(text)
    return latin + chars + [a + b for a, b in zip(chars, chars[1:])]


def bm25(query: Sequence[str], docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    """Okapi BM25 of each document (a term list) for the query terms."""
    n = len(docs)
    if not n or not query:
        return np.zeros(n)
    counts = [Counter(d) for d in docs]
    avg = sum(len(d) for d in docs) / n or 1.0
    df = Counter(t for c in counts for t in c)
    scores = np.zeros(n)
    for term in set(query):
        if not df[term]:
            continue
        idf = math.log(1.0 + (n - df[term] + 0.5) / (df[term] + 0.5))
        for i, c in enumerate(counts):
            tf = c[term]
            if tf:
                scores[i] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(docs[i]) / avg))
    return scores


def choose_passages(theme: str, refs: Sequence[TextReference], n: int,
                    embedder: Optional["Embedder"]) -> list[Passage]:
    """The ``n`` passages of ``refs`` that fit ``theme`` best, diverse, pinned ones first; each
    gets its relevance, relative to the strongest, as ``weight``."""
    per_item = max(4, MAX_CANDIDATES // max(len(refs), 1))
    candidates = [p for r in refs for p in r.passages[:per_item]]
    if not candidates:
        return []
    vectors = embedder.embed([p.text for p in candidates]) if embedder is not None else \
        _bag_vectors([terms(p.text) for p in candidates])
    rankings = []
    if theme.strip():
        lexical = bm25(terms(theme), [terms(p.text) for p in candidates])
        rankings.append((list(np.argsort(-lexical, kind="stable")), 1.0))
        if embedder is not None:
            semantic = vectors @ embedder.embed_one(theme)
            rankings.append((list(np.argsort(-semantic, kind="stable")), 1.0))
    fused = reciprocal_rank_fusion(rankings) if rankings else {}
    relevance = np.array([fused.get(i, 0.0) + (PINNED_BOOST if p.pinned else 0.0)
                          for i, p in enumerate(candidates)])
    picked = mmr(list(range(len(candidates))), relevance, vectors, MMR_LAMBDA, n)
    top = relevance[picked].max() if picked else 0.0
    for i in picked:
        candidates[i].weight = float(relevance[i] / top) if top > 0 else 1.0
    return [candidates[i] for i in picked]


def _bag_vectors(docs: Sequence[Sequence[str]]) -> np.ndarray:
    """Unit bag-of-terms vectors (hashed into 256 bins): diversity without an embedder."""
    out = np.zeros((len(docs), 256), dtype=np.float32)
    for i, d in enumerate(docs):
        for t in d:
            out[i, zlib.crc32(t.encode()) % 256] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)
