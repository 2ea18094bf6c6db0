"""Image + text embedder from a user-supplied CLIP model (a transformers ``CLIPModel`` folder).

Images and words land in one space, so a text query finds images by their content. ``embed`` takes
PIL images (or image file paths, decoded here) and runs in batches; while the model works on one
batch a worker thread decodes and preprocesses the next (PIL resize/crop/normalise release the GIL
for most of their time, as do torch's kernels), which is where the speed over a one-image loop
comes from. The model is held in the shared model cache (kind ``"clip"``) so ``release()`` frees it.

The embedder id is the folder name plus a hash of its ``config.json``: two different CLIP models
never share an index, and the same model moved to another folder keeps its vectors valid only if
its folder name is kept (renaming it re-embeds, which is safe).
"""
from __future__ import annotations

import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ragart_desktop.core.embed.base import Embedder, l2_normalise
from ragart_desktop.core.errors import BadInputError, ModelError
from ragart_desktop.core.models.files import MAX_JSON_BYTES, parse_json, read_capped

log = logging.getLogger(__name__)


class ClipEmbedder(Embedder):
    modality = "image"
    version = "1"

    def __init__(self, model_dir: str | Path, *, device: str = "auto", batch_size: int = 8,
                 trusted_files: tuple[tuple[str, str], ...] = ()):
        self.model_dir = Path(model_dir)
        self.trusted_files = trusted_files   # pickles the user trusted (registry entry); else safetensors only
        config_path = self.model_dir / "config.json"
        raw = read_capped(config_path, MAX_JSON_BYTES)
        config = parse_json(raw, config_path, "the CLIP model's config.json")
        if not isinstance(config, dict) or "CLIPModel" not in (config.get("architectures") or []):
            raise ModelError("this folder is not a CLIP model (config.json architectures lacks CLIPModel).",
                             path=self.model_dir)
        dim = config.get("projection_dim", 512)
        if type(dim) is not int or dim <= 0:
            raise ModelError(f"the CLIP model's projection_dim {dim!r} is not a positive number.", path=config_path)
        self.id = f"clip-{self.model_dir.name}-{hashlib.sha256(raw).hexdigest()[:10]}"
        self.dim = dim
        self.device_preference = device
        self.batch_size = max(1, int(batch_size))

    @classmethod
    def from_registry(cls, registry, settings=None) -> "ClipEmbedder | None":
        """The embedder for the first loadable CLIP model the registry knows, ``None`` if there is none."""
        entries = registry.of_kind("clip")
        if not entries:
            return None
        device = getattr(settings, "device", "auto") if settings is not None else "auto"
        return cls(entries[0].path, device=device, trusted_files=entries[0].trusted_files)

    # ------------------------------------------------------------ model

    def load(self) -> tuple[str, str]:
        """Load the model now (it otherwise loads on first use); return (device, dtype name)."""
        _, _, _, device, dtype = self._components()
        return device, str(dtype).replace("torch.", "")

    def _components(self) -> tuple[Any, Any, Any, str, Any]:
        """(model, image processor, tokenizer, device, dtype), loaded once into the shared cache."""
        from ragart_desktop.core.models.device import choose_device, dtype_for
        from ragart_desktop.core.models.loaders import model_cache

        device = choose_device(self.device_preference)
        return model_cache.get_or_load("clip", (str(self.model_dir.resolve()), device),
                                       lambda: self._load(device, dtype_for(device)))

    def _load(self, device: str, dtype_name: str):
        import torch
        from transformers import AutoTokenizer, CLIPImageProcessor, CLIPModel

        from ragart_desktop.core.models.failures import loading_errors
        from ragart_desktop.core.models.trust import use_safetensors

        folder = str(self.model_dir)
        dtype = getattr(torch, dtype_name)
        safetensors = use_safetensors(self.trusted_files, folder)
        with loading_errors(self.model_dir):
            model = CLIPModel.from_pretrained(folder, local_files_only=True, dtype=dtype,
                                              use_safetensors=safetensors).to(device).eval()
            processor = CLIPImageProcessor.from_pretrained(folder, local_files_only=True)
            tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        log.info("CLIP model %s loaded on %s (%s)", self.model_dir.name, device, dtype_name)
        return model, processor, tokenizer, device, dtype

    # ------------------------------------------------------------ images

    def embed(self, contents: Sequence[Any]) -> np.ndarray:
        """(n, dim) float32 unit rows for PIL images or image paths, in order."""
        if not contents:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        model, processor, _, device, dtype = self._components()
        batches = [list(contents[i:i + self.batch_size]) for i in range(0, len(contents), self.batch_size)]
        rows = []
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="clip-preprocess") as pool:
            pending = pool.submit(_preprocess, processor, batches[0])
            for i in range(len(batches)):
                pixels = pending.result()
                if i + 1 < len(batches):
                    pending = pool.submit(_preprocess, processor, batches[i + 1])
                with torch.inference_mode():
                    pooled = model.vision_model(pixel_values=pixels.to(device, dtype)).pooler_output
                    rows.append(model.visual_projection(pooled).float().cpu().numpy())
        return l2_normalise(np.concatenate(rows))

    # ------------------------------------------------------------ text

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 unit rows for text queries, in the same space as the images."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        model, _, tokenizer, device, _ = self._components()
        rows = []
        for i in range(0, len(texts), self.batch_size):
            tokens = tokenizer(list(texts[i:i + self.batch_size]), padding=True, truncation=True,
                               max_length=model.config.text_config.max_position_embeddings, return_tensors="pt")
            with torch.inference_mode():
                pooled = model.text_model(input_ids=tokens["input_ids"].to(device),
                                          attention_mask=tokens["attention_mask"].to(device)).pooler_output
                rows.append(model.text_projection(pooled).float().cpu().numpy())
        return l2_normalise(np.concatenate(rows))


def _preprocess(processor, items: list) -> Any:
    """Decode (for paths) and preprocess one batch into a pixel tensor; runs on the worker thread."""
    from PIL import Image, UnidentifiedImageError

    images = []
    for item in items:
        if isinstance(item, (str, Path)):
            try:
                with Image.open(item) as img:
                    images.append(img.convert("RGB"))
            except (OSError, UnidentifiedImageError) as exc:
                raise BadInputError(f"the image cannot be decoded ({exc}).", path=item) from exc
        else:
            images.append(item if item.mode == "RGB" else item.convert("RGB"))
    return processor(images=images, return_tensors="pt")["pixel_values"]
