"""Token-by-token sampling from a causal language model, with or without a KV cache.

With the cache, each step feeds only the newest token and the model reuses the keys and values of
every earlier position; without it, each step runs the whole sequence again (what the cache saves
is measured by bench/bench_text_generation.py). Temperature and nucleus (top-p) sampling draw from
a seeded generator on the CPU, so a seed gives the same tokens on any device. ``on_token`` sees
each new token and says whether to stop; ``task.check()`` runs between tokens, so cancel stops the
loop at once.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Optional

from ragart_desktop.core.progress import Task


def pick_token(logits: Any, temperature: float, top_p: float, generator: Any) -> int:
    """Sample one token id from 1-D logits with temperature and nucleus (top-p) filtering."""
    import torch

    probs = torch.softmax(logits.float().cpu() / temperature, dim=-1)
    if top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        keep = torch.cumsum(sorted_probs, dim=-1) - sorted_probs < top_p   # the nucleus, at least one
        probs = torch.zeros_like(probs).scatter_(0, order[keep], sorted_probs[keep])
    return int(torch.multinomial(probs, 1, generator=generator))


def cache_argument(model: Any) -> str:
    """The name the model's forward takes its KV cache by (``cache`` in transformers 5.x,
    ``past_key_values`` before); its output holds the updated cache under the same name."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def sample(model: Any, prompt_ids: list[int], max_new_tokens: int, *, temperature: float, top_p: float,
           seed: int, task: Task, on_token: Optional[Callable[[int], bool]] = None,
           use_cache: bool = True) -> list[int]:
    """The new token ids after ``prompt_ids`` (at most ``max_new_tokens``; fewer when ``on_token``
    returns True)."""
    import torch

    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    ids = torch.tensor([prompt_ids], dtype=torch.long, device=device)
    new: list[int] = []
    past = None
    cache = cache_argument(model)
    with torch.inference_mode():
        for _ in range(max_new_tokens):
            task.check()
            if use_cache:
                step_ids = ids if past is None else ids[:, -1:]
                out = model(input_ids=step_ids, use_cache=True, **{cache: past})
                past = out[cache]
            else:
                out = model(input_ids=ids, use_cache=False)
            token = pick_token(out.logits[0, -1], temperature, top_p, generator)
            new.append(token)
            ids = torch.cat([ids, torch.tensor([[token]], dtype=torch.long, device=device)], dim=1)
            if on_token is not None and on_token(token):
                break
    return new
