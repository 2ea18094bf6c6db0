"""Folding the references' words into a prompt: deduplicated, weighted, within a token limit.

The limit and the token counter are the engine's (CLIP's 75 tokens for a diffusion model, a
language model's context for text); the folding is the same for every kind.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Sequence

from ragart_desktop.core.generate.references import Reference
from ragart_desktop.core.text.words import words

NOISE_WORDS = frozenset({"img", "image", "dsc", "photo", "scan", "final", "copy", "untitled", "new",
                         "png", "jpg", "jpeg", "the", "a", "an", "of", "and", "in", "on", "with"})


@dataclass
class FusedPrompt:
    text: str
    added: list[tuple[str, float]]   # (term, weight) folded in, strongest first


def fold_terms(prompt: str, references: Sequence[Reference], limit: int,
               count_tokens: Callable[[str], int]) -> FusedPrompt:
    """The prompt followed by the references' terms, strongest (summed weight) first, each term
    added only when it brings a new word and still fits in ``limit`` tokens."""
    have = set(words(prompt))
    scores: dict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    for ref in references:
        for term in ref.terms:
            key = term.lower().strip()
            key_words = words(key)
            if not key_words or all(w in have or w in NOISE_WORDS or w.isdigit() for w in key_words):
                continue
            scores[key] += ref.weight
            first_seen.setdefault(key, len(first_seen))
    ranked = sorted(scores, key=lambda t: (-scores[t], first_seen[t]))
    text = prompt.strip()
    added: list[tuple[str, float]] = []
    for term in ranked:
        if set(words(term)) <= have:
            continue
        candidate = f"{text}, {term}" if text else term
        if count_tokens(candidate) > limit:
            continue
        text = candidate
        have |= set(words(term))
        added.append((term, round(scores[term], 4)))
    return FusedPrompt(text, added)
