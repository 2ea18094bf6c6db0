"""Folding the references' words into the prompt: deduplicated, weighted, within the token limit."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from ragart_desktop.core.generate.image.references import Reference
from ragart_desktop.core.library.catalog import tokens

CLIP_TOKEN_LIMIT = 75      # 77 positions minus the start and end tokens
NOISE_WORDS = frozenset({"img", "image", "dsc", "photo", "scan", "final", "copy", "untitled", "new",
                         "png", "jpg", "jpeg", "the", "a", "an", "of", "and", "in", "on", "with"})


@dataclass
class FusedPrompt:
    text: str
    added: list[tuple[str, float]]   # (term, weight) folded in, strongest first


def approx_token_count(text: str) -> int:
    """CLIP BPE averages ~1.3 tokens per English word; commas are tokens too."""
    return int(len(text.split()) * 1.3 + text.count(",") + 0.999)


def fuse_prompt(prompt: str, references: Sequence[Reference], limit: int = CLIP_TOKEN_LIMIT,
                count_tokens: Optional[Callable[[str], int]] = None) -> FusedPrompt:
    count = count_tokens or approx_token_count
    have = set(tokens(prompt))
    scores: dict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    for ref in references:
        for term in ref.terms:
            key = term.lower().strip()
            words = tokens(key)
            if not words or all(w in have or w in NOISE_WORDS or w.isdigit() for w in words):
                continue
            scores[key] += ref.weight
            first_seen.setdefault(key, len(first_seen))
    ranked = sorted(scores, key=lambda t: (-scores[t], first_seen[t]))
    text = prompt.strip()
    added: list[tuple[str, float]] = []
    for term in ranked:
        if set(tokens(term)) <= have:
            continue
        candidate = f"{text}, {term}" if text else term
        if count(candidate) > limit:
            continue
        text = candidate
        have |= set(tokens(term))
        added.append((term, round(scores[term], 4)))
    return FusedPrompt(text, added)
