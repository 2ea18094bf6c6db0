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

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Sequence

from ragart_desktop.core.generate.text.copyguard import CopyReport, Source, longest_copy, normalise
from ragart_desktop.core.generate.text.forms import FORMS, Form, FormReport, check_form, line_length, poem_lines
from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.generate.references import Reference
from ragart_desktop.core.generate.text.passages import TextReference, load_passages, terms
from ragart_desktop.core.generate.text.provenance import read_text_file
from ragart_desktop.core.generate.text.script import detect_language
from ragart_desktop.core.text.words import words

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


def copy_sources(text: str, refs: Sequence[TextReference], library: Optional["Library"],
                 exclude: Optional[int] = None) -> list[Source]:
    """The notes a copy could come from: the references' own, then the library's text items that
    share most of the text's words (BM25); ``exclude``: the text's own item, if it is in the library."""
    sources = [Source(r.text, r.item_id, r.path) for r in refs]
    wanted = sorted(set(words(text)) | set(terms(text)))   # index words; Han characters and pairs
    if library is None or not wanted:
        return sources
    match = " OR ".join('"' + w.replace('"', '""') + '"' for w in wanted)
    seen = {r.item_id for r in refs} | {exclude}
    hits = library.catalog.fts_search(match, COPY_SEARCH_ITEMS, library.catalog.filter_ids(("text",)))
    for item in library.catalog.items([i for i, _ in hits if i not in seen]):
        sources.append(Source(item.body, item.id, item.path))
    return sources


def evaluate_all(texts: Sequence[str], theme: str, form: Form, language: str, lines: int,
                 refs: Sequence[TextReference], library: Optional["Library"],
                 exclude: Optional[int] = None) -> list[TextEvaluation]:
    """Evaluate several texts of one request (the theme and the texts embedded in one batch)."""
    closeness: list[Optional[float]] = [None] * len(texts)
    if theme.strip() and library is not None and texts:
        vectors = library.words_embedder.embed([theme, *texts])
        closeness = [round(float(vectors[0] @ v), 4) for v in vectors[1:]]
    method = library.words_embedder.id if library is not None else ""
    return [evaluate(t, c, method, form, language, lines, refs, library, exclude) for t, c in zip(texts, closeness)]


def evaluate(text: str, theme_closeness: Optional[float], theme_method: str, form: Form, language: str,
             lines: int, refs: Sequence[TextReference], library: Optional["Library"],
             exclude: Optional[int] = None) -> TextEvaluation:
    ev = TextEvaluation()
    if theme_closeness is not None:
        ev.scores["theme"] = theme_closeness
        ev.theme_method = theme_method
    ev.form = check_form(text, form, language, lines)
    shortfall = min(len(ev.form.lengths), lines) / max(len(ev.form.lengths), lines, 1)
    ev.scores["form"] = round(ev.form.length_score * shortfall, 4)
    if ev.form.rhyme_score is not None:
        ev.scores["rhyme"] = round(ev.form.rhyme_score, 4)
    ev.copy = longest_copy(text, copy_sources(text, refs, library, exclude))
    ev.scores["copy_longest"] = float(ev.copy.longest)
    if ev.copy.warning():
        ev.warnings.append(ev.copy.warning())
    if not ev.form.ok:
        ev.warnings.append(f"form ({form.label}): " + "; ".join(ev.form.problems()))
    return ev


def guess_form(text: str, language: str) -> Form:
    """The form a text without a record has the shape of: a jueju (four lines of five or seven Han
    characters), a haiku (three lines of 5-7-5 syllables), else free verse."""
    lengths = [line_length(line, language) for line in poem_lines(text)]
    shapes = {("zh", (5, 5, 5, 5)): "wujue", ("zh", (7, 7, 7, 7)): "qijue", ("en", (5, 7, 5)): "haiku"}
    return FORMS[shapes.get((language, tuple(lengths)), "free")]


def evaluate_file(path: str | os.PathLike, library: Optional["Library"]) -> tuple[TextEvaluation, float]:
    """Evaluate a .txt/.md file against its own record (theme, form, the notes it was written from)
    when it has one, else against the form it has the shape of; also returns the share of its
    characters the longest copy covers."""
    text, record = read_text_file(path)
    refs = []
    for ref in (record or {}).get("references") or []:
        try:
            refs.append(load_passages(Reference(path=str(ref.get("path")), weight=float(ref.get("weight") or 0),
                                                item_id=ref.get("id"))))
        except (BadInputError, TypeError, ValueError):
            continue   # a note that has gone since: the library search below still looks
    request = (record or {}).get("request") or {}
    language = (record or {}).get("language") or detect_language(text)
    form = FORMS.get(request.get("form", ""), None) or guess_form(text, language)
    lines = len(poem_lines(text)) if form.name == "free" else form.default_lines
    exclude = None
    if library is not None:
        found = library.catalog.path_record(os.path.abspath(path))
        exclude = found.item_id if found else None
    ev = evaluate_all([text], str(request.get("prompt", "")), form, language, lines, refs, library, exclude)[0]
    return ev, round(ev.copy.longest / max(len(normalise(text)), 1), 4)
