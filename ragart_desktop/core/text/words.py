"""Words of a text in any script: for prompts, references, the search index and its queries.

Latin (and every space-separated script) splits at non-word characters and is lower-cased, as
SQLite FTS5's unicode61 tokenizer sees it. A CJK run (Han, kana, Hangul) has no spaces:

- ``words`` splits it into dictionary words (core/text/cjk.segment), so 故乡的雪 is 故乡, 的, 雪;
- ``index_text`` is what the full-text index stores for it: every character, every pair of
  neighbouring characters and every dictionary word of three or more characters, in simplified
  form. Any one- or two-character query is then one exact index term, and a longer one is the
  pairs that cover it (all present in any text that contains it), so nothing is missed because
  the dictionary cut a text differently than the reader would;
- ``query_words`` turns a query into ``QueryWord``s: the terms an item must hold to contain each.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ragart_desktop.core.text.cjk import CJK_RUN, dictionary_words, has_cjk, segment, to_simplified

_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: as the user wrote it, as the index holds it, and the index terms that
    all occur in any text containing it (itself for Latin words and CJK words of 1-2 characters,
    its character pairs for longer CJK words)."""

    shown: str
    text: str
    terms: tuple[str, ...]

    @property
    def latin(self) -> bool:
        return not has_cjk(self.text)


def words(text: str) -> list[str]:
    """The words of ``text`` in order, lower-cased; CJK runs cut into dictionary words."""
    if not has_cjk(text):
        return [t.lower() for t in _WORD_RE.findall(text)]
    out: list[str] = []
    for part, cjk in _parts(text):
        out.extend(segment(part) if cjk else [t.lower() for t in _WORD_RE.findall(part)])
    return out


def index_text(text: str) -> str:
    """The form of ``text`` the full-text index stores: unchanged when it has no CJK, else each CJK
    run replaced by its index terms (characters, pairs, longer dictionary words), space-separated."""
    if not has_cjk(text):
        return text
    simple = to_simplified(text)
    terms = CJK_RUN.sub(lambda m: f" {' '.join(list(m.group()) + _pairs(m.group()))} ", simple)
    longer = [w for w in dictionary_words(simple) if len(w) > 2]
    return f"{terms} {' '.join(longer)}" if longer else terms


def latin_words(text: str) -> set[str]:
    """The distinct lower-case words of the parts of ``text`` that are not CJK."""
    return {t.lower() for t in _WORD_RE.findall(CJK_RUN.sub(" ", text))}


def query_words(text: str) -> list[QueryWord]:
    """The words of a query, each with the index terms that find it.

    A CJK run of three or more characters is a word itself (the phrase the user typed) and its
    dictionary words too, so items holding the whole run rank first and items holding some of
    its words follow.
    """
    out: list[QueryWord] = []
    for part, cjk in _parts(text):
        if not cjk:
            out.extend(QueryWord(w, w, (w,)) for w in (t.lower() for t in _WORD_RE.findall(part)))
            continue
        simple = to_simplified(part)
        shown = part if len(part) == len(simple) else simple
        out.append(_cjk_word(shown, simple))
        if len(simple) > 2:
            pos = 0
            for piece in segment(simple):
                if piece != simple:
                    out.append(_cjk_word(shown[pos:pos + len(piece)], piece))
                pos += len(piece)
    unique: dict[str, QueryWord] = {}
    for w in out:
        unique.setdefault(w.text, w)
    return list(unique.values())


def _cjk_word(shown: str, simple: str) -> QueryWord:
    return QueryWord(shown, simple, (simple,) if len(simple) <= 2 else tuple(_pairs(simple)))


def _parts(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (part, is a CJK run) pieces, in order."""
    parts: list[tuple[str, bool]] = []
    pos = 0
    for m in CJK_RUN.finditer(text):
        if m.start() > pos:
            parts.append((text[pos:m.start()], False))
        parts.append((m.group(), True))
        pos = m.end()
    if pos < len(text):
        parts.append((text[pos:], False))
    return parts


def _pairs(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]

