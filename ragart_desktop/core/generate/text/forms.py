"""Verse forms: how many lines, how long each line is, which lines rhyme; and checking a text against one.

A line's length is counted in syllables (English: CMUdict) or in Han characters (Chinese verse,
where one character is one syllable). Rhymes are English rhyming parts or Chinese rhyme groups of
the pinyin finals (``prosody``). Forms repeat by stanza: a 12-line quatrain poem is three ABAB
stanzas; a jueju (绝句) is exactly four lines.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.generate.text import prosody
from ragart_desktop.core.generate.text.script import english_words, han_chars

LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}


@dataclass(frozen=True)
class Form:
    name: str
    label: str
    languages: tuple[str, ...]
    stanza: int                                   # lines per stanza (the rhyme scheme repeats)
    default_lines: int
    lengths: tuple[tuple[int, int], ...] = ()     # (min, max) units per line of a stanza; () = free
    rhymes: tuple[tuple[int, int], ...] = ()      # line pairs (within a stanza) that must rhyme
    fixed_lines: bool = False                     # exactly ``default_lines``, not a multiple of them

    def check_line_count(self, lines: int) -> None:
        if self.fixed_lines and lines != self.default_lines:
            raise UsageError(f"a {self.label} has exactly {self.default_lines} lines, not {lines}.")
        if not 1 <= lines <= 64:
            raise UsageError(f"lines {lines} must be between 1 and 64.")
        if lines % self.stanza:
            raise UsageError(f"a {self.label} comes in stanzas of {self.stanza} lines; {lines} is not a multiple.")

    def length(self, index: int) -> Optional[tuple[int, int]]:
        """(min, max) length of line ``index`` of the poem, None for free lines."""
        return self.lengths[index % self.stanza] if self.lengths else None

    def rhyme_partner(self, index: int) -> Optional[int]:
        """The earlier line that line ``index`` must rhyme with, if any."""
        base, pos = divmod(index, self.stanza)
        for a, b in self.rhymes:
            if b == pos:
                return base * self.stanza + a
        return None

    def rhyme_pairs(self, lines: int) -> list[tuple[int, int]]:
        return [(i, j) for j in range(lines) for i in [self.rhyme_partner(j)] if i is not None and i < lines]


FORMS: dict[str, Form] = {f.name: f for f in (
    Form("free", "free verse", ("en", "zh"), 1, 8),
    Form("quatrain", "quatrain", ("en",), 4, 4, lengths=((6, 10),) * 4, rhymes=((0, 2), (1, 3))),
    Form("haiku", "haiku", ("en",), 3, 3, lengths=((5, 5), (7, 7), (5, 5))),
    Form("wujue", "五言绝句 (wujue)", ("zh",), 4, 4, lengths=((5, 5),) * 4, rhymes=((1, 3),), fixed_lines=True),
    Form("qijue", "七言绝句 (qijue)", ("zh",), 4, 4, lengths=((7, 7),) * 4, rhymes=((1, 3),), fixed_lines=True),
)}


def form_for(name: str, language: str) -> Form:
    """The form called ``name`` if it can be written in ``language``; a UsageError otherwise."""
    form = FORMS.get(name)
    if form is None:
        raise UsageError(f"unknown form {name!r}; use one of {', '.join(FORMS)}.")
    if language not in form.languages:
        can = " or ".join(LANGUAGE_NAMES[lang] for lang in form.languages)
        raise UsageError(f"a {form.label} is written in {can}, not {LANGUAGE_NAMES.get(language, language)}.",
                         hint="Change the form, or the language of the prompt (--language).")
    return form


def line_length(line: str, language: str) -> int:
    """Syllables of an English line, Han characters of a Chinese one."""
    if language == "zh":
        return len(han_chars(line))
    return sum(prosody.syllables(w) for w in english_words(line))


def rhyme_key(line: str, language: str) -> tuple[str, str]:
    """(rhyme, last word or character) of a line; two lines rhyme when the rhymes are equal and
    the words differ (repeating a word is not a rhyme)."""
    if language == "zh":
        chars = han_chars(line)
        return (prosody.han_rhyme(line), chars[-1]) if chars else ("", "")
    words = english_words(line)
    return (prosody.english_rhyme(words[-1]), words[-1]) if words else ("", "")


def rhymes(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return bool(a[0]) and a[0] == b[0] and a[1] != b[1]


def poem_lines(text: str) -> list[str]:
    """The non-empty lines of a poem (blank lines only separate stanzas)."""
    return [line.strip() for line in text.split("\n") if line.strip()]


@dataclass
class FormReport:
    """How a text keeps its form: each line's length against its target, each rhyme pair."""

    form: str
    lines_wanted: int
    unit: str                                                    # syllables | characters
    lengths: list[int] = field(default_factory=list)
    bounds: list[Optional[tuple[int, int]]] = field(default_factory=list)
    length_ok: list[bool] = field(default_factory=list)
    rhyme_pairs: list[tuple[int, int, bool]] = field(default_factory=list)

    @property
    def length_score(self) -> float:
        return sum(self.length_ok) / max(len(self.length_ok), 1)

    @property
    def rhyme_score(self) -> Optional[float]:
        return sum(ok for *_, ok in self.rhyme_pairs) / len(self.rhyme_pairs) if self.rhyme_pairs else None

    @property
    def lines_ok(self) -> bool:
        return len(self.lengths) == self.lines_wanted

    @property
    def ok(self) -> bool:
        return self.lines_ok and all(self.length_ok) and all(ok for *_, ok in self.rhyme_pairs)

    def problems(self) -> list[str]:
        out = []
        if not self.lines_ok:
            out.append(f"{len(self.lengths)} lines instead of {self.lines_wanted}")
        for i, (n, ok, bounds) in enumerate(zip(self.lengths, self.length_ok, self.bounds)):
            if not ok:
                wants = f"{bounds[0]}" if bounds[0] == bounds[1] else f"{bounds[0]}-{bounds[1]}"
                out.append(f"line {i + 1} has {n} {self.unit}, not {wants}")
        out += [f"lines {i + 1} and {j + 1} do not rhyme" for i, j, ok in self.rhyme_pairs if not ok]
        return out

    def to_json(self) -> dict:
        return {"form": self.form, "lines": len(self.lengths), "lines_wanted": self.lines_wanted,
                "lengths": self.lengths, "length_ok": self.length_ok,
                "rhymes": [[i + 1, j + 1, ok] for i, j, ok in self.rhyme_pairs]}


def check_form(text: str, form: Form, language: str, lines_wanted: Optional[int] = None) -> FormReport:
    """Count each line's length and test each rhyme pair, with counters independent of the engines."""
    lines = poem_lines(text)
    report = FormReport(form.name, lines_wanted or form.default_lines,
                        "characters" if language == "zh" else "syllables")
    for i, line in enumerate(lines):
        n = line_length(line, language)
        bounds = form.length(i)
        report.lengths.append(n)
        report.bounds.append(bounds)
        report.length_ok.append(bounds is None or bounds[0] <= n <= bounds[1])
    keys = [rhyme_key(line, language) for line in lines]
    report.rhyme_pairs = [(i, j, rhymes(keys[i], keys[j])) for i, j in form.rhyme_pairs(len(lines))]
    return report
