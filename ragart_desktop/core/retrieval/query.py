"""What a user asks the library: words, examples (with weights), negatives and filters."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from ragart_desktop.core.library.catalog import Item


@dataclass(frozen=True)
class Example:
    """One query example: a file path, a library item, or in-memory content (e.g. the canvas)."""

    path: Optional[str] = None
    item_id: Optional[int] = None
    weight: float = 1.0
    content: Any = None        # PIL image | pretty_midi.PrettyMIDI | str
    kind: Optional[str] = None  # required with ``content``

    def label(self) -> str:
        if self.path:
            return self.path.replace("\\", "/").rsplit("/", 1)[-1]
        if self.item_id is not None:
            return f"item {self.item_id}"
        return f"the current {self.kind or 'example'}"


@dataclass(frozen=True)
class Query:
    text: str = ""
    like: tuple[Example, ...] = ()
    unlike: tuple[Example, ...] = ()
    kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    folder: Optional[str] = None
    k: int = 20
    fusion_weight: Optional[float] = None   # None = Settings.fusion_weight
    mmr_lambda: Optional[float] = None      # None = Settings.mmr_lambda
    use_pagerank: Optional[bool] = None     # None = Settings.use_pagerank


@dataclass
class SearchResult:
    item: Item
    score: float
    why: str
    group: Optional[int] = None   # near-duplicate group id, shared by the members of a group

    def to_json(self) -> dict[str, Any]:
        return {"id": self.item.id, "path": self.item.path, "kind": self.item.kind,
                "score": round(self.score, 6), "why": self.why, "group": self.group}


class SearchResults(list):
    """The ranked ``SearchResult``s, plus ``notices``: what the user should know about how they were
    found (an index that lacks vectors and is being repaired, a model that could not load)."""

    def __init__(self, results: Any = (), notices: Any = ()):
        super().__init__(results)
        self.notices: list[str] = list(notices)

    def to_json(self) -> dict[str, Any]:
        return {"results": [r.to_json() for r in self], "notices": self.notices}


@dataclass(frozen=True)
class ParsedText:
    positive: tuple[str, ...] = field(default_factory=tuple)
    negative: tuple[str, ...] = field(default_factory=tuple)

    @property
    def positive_text(self) -> str:
        return " ".join(self.positive)


_WORD = re.compile(r'-?"[^"]+"|\S+')


def parse_text(text: str) -> ParsedText:
    """Split a query into wanted words and ``-word`` negatives (quotes keep a phrase together)."""
    pos: list[str] = []
    neg: list[str] = []
    for raw in _WORD.findall(text or ""):
        target = neg if raw.startswith("-") and len(raw) > 1 else pos
        word = raw[1:] if target is neg else raw
        word = word.strip('"').strip()
        if word:
            target.append(word)
    return ParsedText(tuple(pos), tuple(neg))
