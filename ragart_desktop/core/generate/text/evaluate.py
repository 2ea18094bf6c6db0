"""Scoring a text: does it keep to the theme, does it keep its form, does it copy a library passage?

- ``theme``: cosine of the theme and the text in the library's words embedder (its id is given as
  ``theme_method``); no score without a theme.
- ``form``: share of lines of the right length (and of the right number of lines); ``rhyme``: share
  of the form's rhyme pairs that rhyme (``forms.check_form``, counters independent of the engines).
- copy guard (``copyguard``): the longest span found verbatim in the passages' notes or in the
  library's text items that share its words most (BM25 over the full-text index for the text's own
  words: the note a line was copied from holds all of that line's words), with its source; flagged
  by the documented threshold.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Sequence

from ragart_desktop.core.generate.text.copyguard import CopyReport, Source, longest_copy
from ragart_desktop.core.generate.text.forms import Form, FormReport, check_form
from ragart_desktop.core.generate.text.passages import TextReference
from ragart_desktop.core.library.catalog import tokens

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

COPY_SEARCH_ITEMS = 10


@dataclass
class TextEvaluation:
    scores: dict[str, float] = field(default_factory=dict)
    theme_method: str = ""
    form: Optional[FormReport] = None
    copy: CopyReport = field(default_factory=CopyReport)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"scores": self.scores, "theme_method": self.theme_method,
                "form": self.form.to_json() if self.form else None, "copy": self.copy.to_json(),
                "warnings": self.warnings}


def copy_sources(text: str, refs: Sequence[TextReference], library: Optional["Library"]) -> list[Source]:
    """The notes a copy could come from: the references' own, then the library's text items that
    share most of the text's words (BM25)."""
    sources = [Source(r.text, r.item_id, r.path) for r in refs]
    words = sorted(set(tokens(text)))
    if library is None or not words:
        return sources
    match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
    seen = {r.item_id for r in refs}
    hits = library.catalog.fts_search(match, COPY_SEARCH_ITEMS, library.catalog.filter_ids(("text",)))
    for item in library.catalog.items([i for i, _ in hits if i not in seen]):
        sources.append(Source(item.body, item.id, item.path))
    return sources


def evaluate_all(texts: Sequence[str], theme: str, form: Form, language: str, lines: int,
                 refs: Sequence[TextReference], library: Optional["Library"]) -> list[TextEvaluation]:
    """Evaluate several texts of one request (the theme and the texts embedded in one batch)."""
    closeness: list[Optional[float]] = [None] * len(texts)
    if theme.strip() and library is not None and texts:
        vectors = library.words_embedder.embed([theme, *texts])
        closeness = [round(float(vectors[0] @ v), 4) for v in vectors[1:]]
    method = library.words_embedder.id if library is not None else ""
    return [evaluate(t, c, method, form, language, lines, refs, library) for t, c in zip(texts, closeness)]


def evaluate(text: str, theme_closeness: Optional[float], theme_method: str, form: Form, language: str,
             lines: int, refs: Sequence[TextReference], library: Optional["Library"]) -> TextEvaluation:
    ev = TextEvaluation()
    if theme_closeness is not None:
        ev.scores["theme"] = theme_closeness
        ev.theme_method = theme_method
    ev.form = check_form(text, form, language, lines)
    shortfall = min(len(ev.form.lengths), lines) / max(len(ev.form.lengths), lines, 1)
    ev.scores["form"] = round(ev.form.length_score * shortfall, 4)
    if ev.form.rhyme_score is not None:
        ev.scores["rhyme"] = round(ev.form.rhyme_score, 4)
    ev.copy = longest_copy(text, copy_sources(text, refs, library))
    ev.scores["copy_longest"] = float(ev.copy.longest)
    if ev.copy.warning():
        ev.warnings.append(ev.copy.warning())
    if not ev.form.ok:
        ev.warnings.append(f"form ({form.label}): " + "; ".join(ev.form.problems()))
    return ev
