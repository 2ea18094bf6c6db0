"""Text embedder for a sentence-transformers folder: a transformer, a pooling layer, unit vectors.

This is what sentence-transformers computes for the common layout ``modules.json`` = Transformer
(the folder itself: config.json, tokenizer, model.safetensors) + Pooling (``1_Pooling/config.json``:
mean, CLS or max over the last hidden states) + optional Normalize, with inputs cut at
``sentence_bert_config.json``'s ``max_seq_length``. The vectors are always L2-normalised (every
index here uses cosine). Other layers (Dense, ...) are refused when the folder is inspected
(core/models/recognise.py), never silently skipped.

The built-in all-MiniLM-L6-v2 (core/embed/text_minilm.py) and a model the user puts in the models
folder (paraphrase-multilingual-MiniLM-L12-v2, bge-small-zh ...) run through this same class.
torch and transformers are imported on the first ``embed``, and the model is loaded once, under a lock.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ragart_desktop.core.embed.base import Embedder
from ragart_desktop.core.errors import ModelError, UsageError

log = logging.getLogger(__name__)

POOLING_MODES = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls",
                 "pooling_mode_max_tokens": "max"}
DEFAULT_MAX_TOKENS = 256
SUPPORTED_MODULES = frozenset({"sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                               "sentence_transformers.models.Normalize"})


@dataclass(frozen=True)
class SentenceLayout:
    """What a sentence-transformers folder says about how to turn token states into one vector."""

    pooling: str          # mean | cls | max
    dim: int
    max_tokens: int

    @classmethod
    def read(cls, folder: Path) -> "SentenceLayout":
        """The layout of ``folder``; ``ModelError`` naming the file when it is one we do not run."""
        modules = _json(folder / "modules.json", default=[])
        unsupported = [m.get("type", "?") for m in modules if m.get("type") not in SUPPORTED_MODULES]
        if unsupported:
            raise ModelError(f"this sentence-transformers model has layers RagArt does not run "
                             f"({', '.join(sorted(set(unsupported)))}).", path=folder / "modules.json",
                             hint="Use a model made of a transformer and a pooling layer only.")
        pooling_dir = next((folder / m["path"] for m in modules
                            if m.get("type") == "sentence_transformers.models.Pooling" and m.get("path")),
                           folder / "1_Pooling")
        pooling_config = _json(pooling_dir / "config.json", default={})
        modes = [mode for key, mode in POOLING_MODES.items() if pooling_config.get(key)]
        other = [k for k, v in pooling_config.items() if k.startswith("pooling_mode_") and v and k not in POOLING_MODES]
        if other or len(modes) > 1:
            raise ModelError(f"unsupported pooling ({', '.join(other + modes)}); mean, CLS or max are.",
                             path=pooling_dir / "config.json")
        config = _json(folder / "config.json", default=None)
        if not isinstance(config, dict):
            raise ModelError("the model's config.json cannot be read.", path=folder / "config.json")
        dim = int(pooling_config.get("word_embedding_dimension") or config.get("hidden_size") or 0)
        if dim <= 0:
            raise ModelError("the model's width (hidden_size) is not stated.", path=folder / "config.json")
        max_tokens = int(_json(folder / "sentence_bert_config.json", default={}).get("max_seq_length")
                         or DEFAULT_MAX_TOKENS)
        return cls(pooling=modes[0] if modes else "mean", dim=dim, max_tokens=max_tokens)


class SentenceEmbedder(Embedder):
    modality = "text"
    version = "1"
    reinstall_hint = "Check that the model folder is complete (config.json, tokenizer files, model.safetensors)."

    def __init__(self, model_dir: str | Path | None, *, id: str, dim: int, languages: Sequence[str] = (),
                 name: str = "", batch_size: int = 32, device: str = "cpu"):
        self._model_dir = Path(model_dir) if model_dir is not None else None
        self.id = id
        self.dim = int(dim)
        self.languages = tuple(languages)
        self.name = name or id
        self.batch_size = max(1, int(batch_size))
        self.device = device
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, SentenceLayout] | None = None

    @classmethod
    def from_folder(cls, folder: str | Path, *, languages: Sequence[str] = (), device: str = "cpu") -> "SentenceEmbedder":
        """The embedder of a user's sentence-transformers folder. Its id is the folder name plus a hash
        of its configs, so two models never share an index (a renamed folder re-embeds, safely)."""
        folder = Path(folder)
        layout = SentenceLayout.read(folder)
        digest = hashlib.sha256()
        for name in ("config.json", "modules.json", "1_Pooling/config.json"):
            try:
                digest.update((folder / name).read_bytes())
            except OSError:
                pass
        return cls(folder, id=f"text-{folder.name}-{digest.hexdigest()[:10]}", dim=layout.dim,
                   languages=languages, name=folder.name, device=device)

    @property
    def model_dir(self) -> Path:
        if self._model_dir is None:
            raise ModelError("no model folder was given for this text embedder.")
        return self._model_dir

    # ------------------------------------------------------------ model

    def _load(self) -> tuple[Any, Any, SentenceLayout]:
        with self._lock:
            if self._loaded is None:
                folder = self.model_dir
                if not (folder / "config.json").is_file() or not (folder / "model.safetensors").is_file():
                    missing = [n for n in ("config.json", "model.safetensors") if not (folder / n).is_file()]
                    raise ModelError(f"The text model folder is incomplete (missing {', '.join(missing)}).",
                                     path=folder, hint=self.reinstall_hint)
                layout = SentenceLayout.read(folder)
                from transformers import AutoModel, AutoTokenizer

                try:
                    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
                    model = AutoModel.from_pretrained(str(folder), local_files_only=True)
                except Exception as exc:  # noqa: BLE001 - corrupt weights, bad JSON, wrong architecture ...
                    raise ModelError(f"The text model could not be loaded ({type(exc).__name__}: {exc}).",
                                     path=folder, hint=self.reinstall_hint) from exc
                hidden = getattr(model.config, "hidden_size", None)
                if hidden != self.dim:
                    raise ModelError(f"The text model has width {hidden}, but this embedder needs {self.dim}.",
                                     path=folder, hint=self.reinstall_hint)
                model.to(self.device).eval()
                log.info("loaded text model %s from %s (%s pooling)", self.id, folder, layout.pooling)
                self._loaded = (tokenizer, model, layout)
            return self._loaded

    # ------------------------------------------------------------ embedding

    def embed(self, contents: Sequence[str]) -> np.ndarray:
        texts = list(contents)
        for text in texts:
            if not isinstance(text, str):
                raise UsageError(f"The text embedder needs str inputs, got {type(text).__name__}.")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        tokenizer, model, layout = self._load()
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
            with torch.inference_mode():
                for start in range(0, len(order), self.batch_size):
                    idx = order[start:start + self.batch_size]
                    batch = tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                      max_length=layout.max_tokens, return_tensors="pt").to(self.device)
                    states = model(**batch).last_hidden_state
                    pooled = pool(states, batch["attention_mask"], layout.pooling)
                    out[idx] = torch.nn.functional.normalize(pooled, p=2, dim=1).float().cpu().numpy()
        finally:
            torch.set_num_threads(threads)
        return out


def pool(states, mask, mode: str):
    """One vector per row of token states (batch, tokens, width), as sentence-transformers pools."""
    if mode == "cls":
        return states[:, 0]
    weights = mask.unsqueeze(-1).to(states.dtype)
    if mode == "max":
        return states.masked_fill(weights == 0, -1e9).max(dim=1).values
    return (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


def _json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as exc:
        raise ModelError(f"this file cannot be read ({exc}).", path=path) from exc
