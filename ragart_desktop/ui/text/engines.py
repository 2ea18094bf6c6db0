"""The engines the Text tab offers: the built-in one, then the text language models in the models folders."""
from __future__ import annotations

from typing import Any

from ragart_desktop.core.home import Home


def text_engines(home: Home, settings: Any) -> list[tuple[str, str]]:
    """(label, engine id): the built-in engine, then the text language models in the models folders."""
    from ragart_desktop.core.models.registry import ModelRegistry

    engines = [("Built-in recombination (no model needed)", "builtin")]
    for entry in ModelRegistry(home, settings).of_kind("causal-lm"):
        if entry.loadable and entry.task == "text-generation":
            engines.append((f"{entry.name} ({entry.variant or 'language model'})", entry.name))
    return engines
