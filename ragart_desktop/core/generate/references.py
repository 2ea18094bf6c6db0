"""Choosing the references that shape a generation, for every kind: the pinned ones, then retrieved ones.

Which library items to use is shared; what is loaded from each (an image, a score, a passage) is
the kind's business: ``gather_references`` hands each chosen reference to the kind's ``load``. An
item of another kind may still lend its words (a MIDI pin's title and tags to an image prompt):
the loader marks it ``words_only``, or refuses it with a reason.

Pinned references lead: they keep their exact weights, and the retrieved ones that fill in are
scaled down so that each weighs at most half the lightest pin and all of them together at most
``RETRIEVED_SHARE`` of the total (the pins whose content the kind uses, not words-only ones).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Collection, Iterable, Optional, Sequence, TypeVar

from ragart_desktop.core.errors import BadInputError, UsageError
from ragart_desktop.core.kinds import kind_for_suffix
from ragart_desktop.core.progress import Task
from ragart_desktop.core.text.words import words

if TYPE_CHECKING:
    from ragart_desktop.core.library.catalog import Item
    from ragart_desktop.core.library.library import Library
    from ragart_desktop.core.retrieval.query import Query

log = logging.getLogger(__name__)

# Metadata fields whose text describes the work (earlier prompts, captions, titles).
DESCRIPTIVE_KEYS = ("parameters", "prompt", "description", "Description", "caption", "title",
                    "image_description", "xmp_description", "comment", "Comment")
MIN_RETRIEVED_WEIGHT = 0.05
RETRIEVED_SHARE = 1 / 3     # with pins, the retrieved references' share of the total weight at most


@dataclass(frozen=True)
class ReferenceSpec:
    """A pinned reference: a library item (by id) or any file, with a weight."""

    item_id: Optional[int] = None
    path: Optional[str] = None
    weight: float = 1.0


@dataclass
class Reference:
    """A library item (or file) chosen to shape a generation; each kind adds the content it loads."""

    path: str
    weight: float
    item_id: Optional[int] = None
    source: str = "pinned"            # "pinned" | "retrieved"
    why: str = ""
    terms: list[str] = field(default_factory=list)   # words it contributes to the prompt
    kind: Optional[str] = None        # "image" | "music" | "text" (by the item, else the file's suffix)
    words_only: bool = False          # the kind uses only its words (set by the kind's loader)

    def to_json(self) -> dict:
        return {"id": self.item_id, "path": self.path, "weight": round(self.weight, 4),
                "source": self.source, "why": self.why, "kind": self.kind,
                "uses": "words" if self.words_only else "content"}


R = TypeVar("R", bound=Reference)


def reference_terms(item: "Item") -> list[str]:
    """Words a library item contributes: its tags, then title and descriptive metadata words."""
    out: list[str] = []
    for tag in item.tags:
        out.append(tag.replace("-", " ").replace("_", " ").strip())
    texts = [item.title] + [str(v) for k, v in item.metadata.items() if k in DESCRIPTIVE_KEYS and v]
    for text in texts:
        head = str(text).split("Negative prompt:")[0]
        out.extend(p.strip() for p in head.replace("\n", ",").split(",") if p.strip())
    return [t for t in out if any(ch.isalpha() for ch in t)]


def file_terms(path: str) -> list[str]:
    """Words of a file's name (without its extension), for a reference outside the library."""
    return words(os.path.splitext(os.path.basename(path))[0])


def _pinned_item(spec: ReferenceSpec, library: Optional["Library"]) -> Optional["Item"]:
    if library is None:
        return None
    if spec.item_id is not None:
        return library.get_item(spec.item_id)
    if spec.path:
        try:
            return library.resolve(spec.path)
        except UsageError:   # a file outside the library is a fine reference too
            return None
    return None


def own_items(library: Optional["Library"], paths: Iterable[Optional[str]]) -> set[int]:
    """The library items holding the work in ``paths`` (the piece being continued, the document it
    was opened from): by path, else by content, so a copy of a library file elsewhere counts too.
    A work is never retrieved as its own reference, nor called a copy of itself."""
    from ragart_desktop.core.library.importer import hash_file

    found: set[int] = set()
    if library is None:
        return found
    for path in filter(None, paths):
        records = [library.catalog.path_record(p) for p in {os.path.abspath(path), os.path.realpath(path)}]
        by_path = [r.item_id for r in records if r is not None]
        if by_path:
            found.update(by_path)
            continue
        try:
            item_id = library.catalog.item_id_for_hash(hash_file(path))
        except OSError:
            continue
        if item_id is not None:
            found.add(item_id)
    return found


def gather_references(specs: Sequence[ReferenceSpec], library: Optional["Library"], query: Optional["Query"],
                      n: int, load: Callable[[Reference], R], task: Task, *,
                      exclude: Collection[int] = ()) -> list[R]:
    """1. pinned references (exact weights; one that cannot be loaded is an error), 2. retrieved ones
    by ``query`` (None: no retrieval), diverse, up to ``n`` in all; unreadable ones are skipped.

    ``load`` turns a chosen reference into the kind's reference (raising ``BadInputError`` when the
    file cannot serve this kind). ``exclude``: library items never retrieved (the work itself,
    ``own_items``); the user may still pin them.
    """
    refs: list[R] = []
    pinned_ids: set[int] = set()
    for spec in specs:
        item = _pinned_item(spec, library)
        path = item.path if item else spec.path
        if not path:
            raise BadInputError(f"reference {spec.item_id} has no readable file.")
        refs.append(load(Reference(path=path, weight=spec.weight, item_id=item.id if item else None,
                                   source="pinned", why="pinned by you",
                                   terms=reference_terms(item) if item else file_terms(path),
                                   kind=item.kind if item else kind_for_suffix(os.path.splitext(path)[1]))))
        if item:
            pinned_ids.add(item.id)
    task.check()
    wanted = n - len(refs)
    if query is None or library is None or wanted <= 0:
        return refs
    skip = pinned_ids | set(exclude)
    for r in library.search(replace(query, k=wanted + len(skip))):
        if r.item.id in skip or len(refs) >= n:
            continue
        try:
            refs.append(load(Reference(path=r.item.path, weight=max(MIN_RETRIEVED_WEIGHT, r.score),
                                       item_id=r.item.id, source="retrieved", why=r.why,
                                       terms=reference_terms(r.item), kind=r.item.kind)))
        except BadInputError as exc:
            log.info("reference skipped: %s", exc)
    _pins_lead(refs)
    return refs


def _pins_lead(refs: Sequence[Reference]) -> None:
    """Scale the retrieved references' weights below the pins' (see the module's docstring)."""
    pins = [r.weight for r in refs if r.source == "pinned" and not r.words_only and r.weight > 0]
    retrieved = [r for r in refs if r.source == "retrieved"]
    if not pins or not retrieved:
        return
    total = sum(r.weight for r in retrieved)
    scale = min(1.0, 0.5 * min(pins) / max(r.weight for r in retrieved),
                sum(pins) * RETRIEVED_SHARE / (1.0 - RETRIEVED_SHARE) / total)
    for r in retrieved:
        r.weight *= scale
