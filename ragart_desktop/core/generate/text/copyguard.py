"""The copy guard: the longest span of a generated text found verbatim in a library passage.

Both texts are compared in a normal form: case folded, whitespace collapsed to one space, and
punctuation and spaces between two Han characters dropped (so 床前明月光，疑是 and 床前明月光疑是
are the same characters). ``longest`` counts characters of that form.

A span is flagged as a copy (documented thresholds):
- ``FLAG_HAN`` = 5 or more characters when the span is mostly Han: any whole line of a 五言 or
  七言 poem, the shortest lines of classical verse;
- ``FLAG_OTHER`` = 30 or more characters otherwise (about six English words);
- or, whatever its length, when the text holds a whole line of the source of at least
  ``WHOLE_LINE_HAN`` Han / ``WHOLE_LINE_OTHER`` other characters: a poem's line is the unit a
  reader recognises, so copying one whole line is a copy. Lines are compared by their words alone
  (``bare``: punctuation dropped too), so a line copied without its commas is still a copy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from ragart_desktop.core.generate.text.script import HAN, han_chars, has_han
from ragart_desktop.core.generate.text.suffix_automaton import SuffixAutomaton

FLAG_HAN = 5
FLAG_OTHER = 30
WHOLE_LINE_HAN = 4
WHOLE_LINE_OTHER = 16
_SPACES = re.compile(r"\s+")
_BETWEEN_HAN = re.compile(f"(?<=[{HAN}])[\\W_]+(?=[{HAN}])")
_PUNCTUATION = re.compile(r"[^\w\s]+|_")


def normalise(text: str) -> str:
    """Case folded, whitespace collapsed, no punctuation or space between Han characters."""
    return _BETWEEN_HAN.sub("", _SPACES.sub(" ", text.casefold())).strip()


def bare(text: str) -> str:
    """The words alone: ``normalise`` without any punctuation."""
    return normalise(_PUNCTUATION.sub(" ", text))


def whole_lines(source: str) -> list[str]:
    """The source's lines long enough to count as a copy when reproduced whole (``bare``)."""
    out = []
    for line in source.splitlines():
        words = bare(line)
        han = len(han_chars(words))
        if han >= WHOLE_LINE_HAN or (not han and len(words) >= WHOLE_LINE_OTHER):
            out.append(words)
    return out


@dataclass
class Source:
    """A library text the generated one is compared with."""

    text: str
    item_id: Optional[int]
    path: str


@dataclass
class CopyReport:
    longest: int = 0
    span: str = ""
    source_id: Optional[int] = None
    source_path: Optional[str] = None
    whole_line: bool = False          # the span holds a whole line of the source

    @property
    def flagged(self) -> bool:
        return self.whole_line or self.longest >= threshold(self.span)

    def warning(self) -> Optional[str]:
        if not self.flagged:
            return None
        why = "a whole line" if self.whole_line else f"{self.longest} characters"
        return f"copies {why} verbatim from {self.source_path}: “{self.span}”"

    def to_json(self) -> dict:
        return {"longest": self.longest, "source_id": self.source_id, "source_path": self.source_path,
                "span": self.span, "flagged": self.flagged}


def threshold(span: str) -> int:
    """Characters from which a span is a copy: 5 for mostly-Han spans, 30 otherwise."""
    letters = [c for c in span if not c.isspace()]
    return FLAG_HAN if letters and 2 * len(han_chars(span)) >= len(letters) else FLAG_OTHER


def longest_copy(text: str, sources: Iterable[Source]) -> CopyReport:
    """The longest span of ``text`` found verbatim in any source, with that source (a flagged
    copy, e.g. a whole line, wins over a longer span that is not flagged)."""
    norm, words = normalise(text), f" {bare(text)} "
    automaton = SuffixAutomaton(norm)
    best = CopyReport()
    for source in sources:
        src = normalise(source.text)
        length, end, _ = automaton.longest_common(src)
        span = norm[end - length:end]
        trimmed = span.strip()
        whole = any(f" {line} " in words or (has_han(line) and line in words) for line in whole_lines(source.text))
        report = CopyReport(len(trimmed), trimmed, source.item_id, source.path, whole)
        if (report.flagged, report.longest) > (best.flagged, best.longest):
            best = report
    return best
