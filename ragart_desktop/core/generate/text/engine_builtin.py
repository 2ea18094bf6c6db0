"""The built-in engine (no weights): new lines recombined from the retrieved passages.

A variable-order Markov model (``markov``) is learned on the fly from the passages' lines, over
words (English) or Han characters (Chinese). Each line is then searched depth-first: continuations
of the longest matching context are tried first, in an order sampled from their counts (sharpened
or flattened by the temperature, tokens of the theme favoured), backing off to shorter contexts
when a constraint rejects them:
- the form: the line's length in syllables or characters, and the rhyme with its partner line (a
  line that a later one must rhyme with ends on a word the passages offer a rhyme for);
- the copy limit: the run of tokens that follows a passage verbatim (tracked exactly by a suffix
  automaton over the passages) stays at most ``MAX_COPY`` tokens, and no whole passage line is
  reproduced, so the result is a recombination and not a quotation.
The search restarts with a fresh order after ``BUDGET`` nodes (a bad first choice does not eat the
whole budget). A line that cannot meet every constraint in ``ATTEMPTS`` restarts is retried without
its rhyme, then without its length; the evaluation then reports what the form lacks.
"""
from __future__ import annotations

import random
from typing import Hashable, Optional, Sequence

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.generate.engine import Engine
from ragart_desktop.core.generate.text import prosody
from ragart_desktop.core.generate.text.copyguard import whole_lines
from ragart_desktop.core.generate.text.forms import LANGUAGE_NAMES, Form
from ragart_desktop.core.generate.text.inputs import TextInputs
from ragart_desktop.core.generate.text.markov import END, VariableOrderMarkov
from ragart_desktop.core.generate.text.request import TextRequest
from ragart_desktop.core.generate.text.script import english_words, han_chars
from ragart_desktop.core.generate.text.suffix_automaton import SuffixAutomaton
from ragart_desktop.core.progress import Task

MAX_COPY = 4              # tokens (words, Han characters) a line may follow one passage verbatim
ORDER = {"en": 2, "zh": 2}
FREE_LINE = {"en": (4, 14), "zh": (4, 10)}   # syllables / characters of a free-verse line
THEME_BIAS = 3.0
BUDGET = 250              # search nodes per attempt
ATTEMPTS = 6              # attempts per line and set of constraints


class _OutOfBudget(Exception):
    pass


def line_tokens(line: str, language: str) -> list[str]:
    return han_chars(line) if language == "zh" else english_words(line)


class _Language:
    """How tokens of one language are measured, rhymed and written."""

    def __init__(self, language: str):
        self.zh = language == "zh"

    def units(self, token: str) -> int:
        return 1 if self.zh else prosody.syllables(token)

    def rhyme(self, token: str) -> str:
        return prosody.char_rhyme(token) if self.zh else prosody.english_rhyme(token)

    def write(self, tokens: Sequence[str], index: int, form: Form) -> str:
        if self.zh:
            mark = ("，" if index % 2 == 0 else "。") if form.rhymes else ""
            return "".join(tokens) + mark
        text = " ".join("I" if t == "i" else t for t in tokens)
        return text[:1].upper() + text[1:]


class RecombinationEngine(Engine):
    def describe(self, request: TextRequest) -> str:
        unit = "Han characters" if request.resolved_language == "zh" else "words"
        return f"Built-in recombination engine (variable-order Markov over {unit} of your passages)"

    def run(self, inputs: TextInputs, seed: int, task: Task) -> str:
        lang = _Language(inputs.language)
        corpus = [tokens for p in inputs.passages for line in p.text.splitlines()
                  if (tokens := line_tokens(line, inputs.language))]
        if not corpus:
            raise UsageError(f"none of the passages is written in {LANGUAGE_NAMES[inputs.language]}; "
                             "the built-in engine recombines their lines.",
                             hint="Pin or import notes in that language, or change the prompt.")
        model = VariableOrderMarkov(corpus, ORDER[inputs.language])
        automaton = _passages_automaton(inputs.passages, inputs.language)
        forbidden = _whole_line_tokens(inputs.passages, inputs.language)
        theme = set(line_tokens(inputs.request.prompt, inputs.language))
        rng = random.Random(seed)
        req, form = inputs.request, inputs.form
        search = _LineSearch(model, lang, automaton, forbidden, rng, req.temperature, theme)
        rhymed = {i for j in range(inputs.lines) if (i := form.rhyme_partner(j)) is not None}
        vocabulary = {t for line in corpus for t in line}
        rhyme_words: dict[str, int] = {}
        for token in vocabulary:
            rhyme_words[lang.rhyme(token)] = rhyme_words.get(lang.rhyme(token), 0) + 1
        rhymable = {t for t in vocabulary if rhyme_words[lang.rhyme(t)] > 1}
        written: list[list[str]] = []
        state, matched = 0, 0
        out: list[str] = []
        for i in range(inputs.lines):
            task.check()
            partner = form.rhyme_partner(i)
            rhyme_with = written[partner][-1] if partner is not None and written[partner] else None
            bounds = form.length(i) or FREE_LINE[inputs.language]
            before = [t for line in written for t in line]
            tokens = None
            ends = rhymable if i in rhymed else None
            for bounds_try, rhyme_try, ends_try in ((bounds, rhyme_with, ends), (bounds, None, None),
                                                    (FREE_LINE[inputs.language], None, None)):
                tokens = search.line(bounds_try, rhyme_try, ends_try, state, matched, before)
                if tokens:
                    break
            tokens = tokens or [rng.choice(corpus)[0]]
            for token in tokens:
                state, matched = automaton.step(state, matched, token)
            written.append(tokens)
            if i and i % form.stanza == 0 and form.stanza > 1:
                out.append("")
            out.append(lang.write(tokens, i, form))
            task.progress(i + 1, inputs.lines, f"line {i + 1}/{inputs.lines}")
            task.preview("\n".join(out))
        return "\n".join(out)


def _passages_automaton(passages, language: str) -> SuffixAutomaton:
    """Every passage's tokens in order (lines joined, as the copy guard reads them), a separator
    between passages so that no run crosses from one to the next."""
    automaton = SuffixAutomaton()
    for n, p in enumerate(passages):
        for token in line_tokens(p.text, language):
            automaton.extend(token)
        automaton.extend(("passage", n))
    return automaton


def _whole_line_tokens(passages, language: str) -> dict[str, list[tuple[str, ...]]]:
    """The passages' lines that must not be reproduced whole (``copyguard.whole_lines``), as token
    tuples indexed by their last token."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for p in passages:
        for line in whole_lines(p.text):
            tokens = tuple(line_tokens(line, language))
            if tokens:
                out.setdefault(tokens[-1], []).append(tokens)
    return out


class _LineSearch:
    """Depth-first search for one line under the form, rhyme and copy constraints."""

    def __init__(self, model: VariableOrderMarkov, lang: _Language, automaton: SuffixAutomaton,
                 forbidden: dict[str, list[tuple[str, ...]]], rng: random.Random, temperature: float,
                 theme: set[str]):
        self.model, self.lang, self.automaton, self.forbidden, self.rng = model, lang, automaton, forbidden, rng
        self.inverse_t = 1.0 / temperature
        self.theme = theme

    def line(self, bounds: tuple[int, int], rhyme_with: Optional[str], ends: Optional[set[str]], state: int,
             matched: int, before: list[str]) -> Optional[list[str]]:
        """A line within ``bounds`` rhyming with ``rhyme_with`` and ending on one of ``ends`` (None:
        any); ``before`` are the poem's earlier tokens (a copied whole line may start in them)."""
        self.low, self.high = bounds
        self.ends = ends
        self.rhyme_with = rhyme_with
        self.rhyme = self.lang.rhyme(rhyme_with) if rhyme_with else None
        self.before = before
        for _ in range(ATTEMPTS):
            self.budget = BUDGET
            try:
                return self._extend([], 0, state, matched)
            except _OutOfBudget:
                continue
        return None

    def _can_end(self, tokens: list[str], units: int) -> bool:
        if not tokens or not self.low <= units <= self.high:
            return False
        if self.ends is not None and tokens[-1] not in self.ends:
            return False
        return self.rhyme is None or (tokens[-1] != self.rhyme_with and self.lang.rhyme(tokens[-1]) == self.rhyme)

    def _ends_whole_line(self, tokens: list[str]) -> bool:
        for line in self.forbidden.get(tokens[-1], ()):
            tail = (self.before + tokens)[-len(line):]
            if tuple(tail) == line:
                return True
        return False

    def _order(self, counts) -> list[Hashable]:
        """Tokens in a sampled order: weighted sampling without replacement (Efraimidis-Spirakis)."""
        keyed = []
        for token, count in counts.items():
            weight = count ** self.inverse_t * (THEME_BIAS if token in self.theme else 1.0)
            keyed.append((self.rng.random() ** (1.0 / weight), token))
        keyed.sort(key=lambda kt: kt[0], reverse=True)
        return [t for _, t in keyed]

    def _extend(self, tokens: list[str], units: int, state: int, matched: int) -> Optional[list[str]]:
        self.budget -= 1
        if self.budget < 0:
            raise _OutOfBudget
        tried: set = set()
        for _, counts in self.model.continuations(tokens[-self.model.order:]):
            for token in self._order(counts):
                if token in tried:
                    continue
                tried.add(token)
                if token == END:
                    if self._can_end(tokens, units):
                        return tokens
                    continue
                total = units + self.lang.units(token)
                if total > self.high:
                    continue
                next_state, next_matched = self.automaton.step(state, matched, token)
                if next_matched > MAX_COPY:
                    continue
                longer = tokens + [token]
                if self._ends_whole_line(longer):
                    continue
                if total == self.high:
                    if self._can_end(longer, total):
                        return longer
                    continue
                found = self._extend(longer, total, next_state, next_matched)
                if found:
                    return found
        return None
