"""The image prompt: the references' words folded in within CLIP's token limit."""
from __future__ import annotations

from typing import Callable, Optional, Sequence

from ragart_desktop.core.generate.prompt import FusedPrompt, fold_terms
from ragart_desktop.core.generate.references import Reference

CLIP_TOKEN_LIMIT = 75      # 77 positions minus the start and end tokens

__all__ = ["CLIP_TOKEN_LIMIT", "FusedPrompt", "approx_token_count", "fuse_prompt"]


def approx_token_count(text: str) -> int:
    """CLIP BPE averages ~1.3 tokens per English word; commas are tokens too."""
    return int(len(text.split()) * 1.3 + text.count(",") + 0.999)


def fuse_prompt(prompt: str, references: Sequence[Reference], limit: int = CLIP_TOKEN_LIMIT,
                count_tokens: Optional[Callable[[str], int]] = None) -> FusedPrompt:
    """``count_tokens``: the model's tokenizer when there is one, else the CLIP estimate."""
    return fold_terms(prompt, references, limit, count_tokens or approx_token_count)
