"""Load registry entries into memory, offline, and keep one model of each kind for reuse.

Diffusers folders load with ``DiffusionPipeline.from_pretrained(folder, local_files_only=True)``.
Every loader reads safetensors only (``use_safetensors=True``) unless the entry names trusted pickle
files, which are hashed again (``trust.require_trusted``) just before they are unpickled.
Single-file checkpoints load with ``from_single_file(file, config=<shipped config folder>,
local_files_only=True)`` and tokenizers built from the shipped CLIP vocabulary, so nothing is ever
looked up on a hub. Image-to-image and inpainting pipelines are derived with ``from_pipe`` and share
the text-to-image pipeline's weights.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from ragart_desktop.core.errors import ModelError, UsageError
from ragart_desktop.core.assets import resources_dir
from ragart_desktop.core.models.device import DevicePlan, apply_memory_mode, plan_device
from ragart_desktop.core.models.failures import free_cached_memory, loading_errors
from ragart_desktop.core.models.recognise import ModelEntry, classify_state_dict_keys
from ragart_desktop.core.models.safetensors_header import SafetensorsHeader, read_safetensors_header
from ragart_desktop.core.models.trust import require_trusted, use_safetensors
from ragart_desktop.core.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
PIPELINE_MODES = ("text2img", "img2img", "inpaint")


def model_configs_dir() -> Path:
    return resources_dir() / "model_configs"


# ---------------------------------------------------------------- cache

class ModelCache:
    """Holds at most one loaded model per kind ("diffusion", "clip", "causal-lm"), reused across jobs.

    Asking for a different model of a kind releases the one held first, so two large pipelines never
    sit in memory together.
    """

    def __init__(self) -> None:
        self._held: dict[str, tuple[Any, Any]] = {}
        self._lock = threading.RLock()

    def get_or_load(self, kind: str, key: Any, load: Callable[[], T]) -> T:
        with self._lock:
            held = self._held.get(kind)
            if held is not None and held[0] == key:
                return held[1]
            if held is not None:
                self.release(kind)
            obj = load()
            self._held[kind] = (key, obj)
            return obj

    def held(self, kind: str) -> Any | None:
        with self._lock:
            held = self._held.get(kind)
            return held[1] if held else None

    def release(self, kind: str | None = None) -> None:
        """Drop the model of ``kind`` (all kinds when ``None``) and return its memory."""
        with self._lock:
            for k in [kind] if kind else list(self._held):
                self._held.pop(k, None)
            free_cached_memory()


model_cache = ModelCache()


def release(kind: str | None = None) -> None:
    model_cache.release(kind)


# ---------------------------------------------------------------- diffusion

@dataclass
class DiffusionModel:
    """A loaded Stable Diffusion model: the text-to-image pipeline plus derived pipelines on demand."""

    entry: ModelEntry
    plan: DevicePlan
    text2img: Any
    memory_options: list[str]
    load_seconds: float
    _derived: dict[str, Any] = field(default_factory=dict)

    def pipeline(self, mode: str = "text2img") -> Any:
        """``text2img``, ``img2img`` or ``inpaint``; the latter two share the loaded weights."""
        if mode == "text2img":
            return self.text2img
        if mode not in PIPELINE_MODES:
            raise UsageError(f"unknown pipeline mode {mode!r}.", hint=f"Use one of {', '.join(PIPELINE_MODES)}.")
        if mode not in self._derived:
            from diffusers import AutoPipelineForImage2Image, AutoPipelineForInpainting

            auto = AutoPipelineForImage2Image if mode == "img2img" else AutoPipelineForInpainting
            self._derived[mode] = auto.from_pipe(self.text2img)
        return self._derived[mode]

    def set_memory_mode(self, mode: str) -> list[str]:
        """Switch between fast / balanced / low without reloading."""
        self.plan = DevicePlan(self.plan.device, self.plan.dtype, mode, self.plan.free_bytes)
        self.memory_options = apply_memory_mode(self.text2img, self.plan)
        self._derived.clear()
        return self.memory_options


def load_diffusion(entry: ModelEntry, plan: DevicePlan, *, config_dir: Path | None = None) -> DiffusionModel:
    """Load a diffusion entry onto ``plan``'s device. ``config_dir`` replaces the shipped config folder
    of a single-file checkpoint (for checkpoints of non-standard sizes)."""
    _require_loadable(entry, "diffusion")
    start = time.perf_counter()
    path = Path(entry.path)
    with loading_errors(path):
        if entry.format == "diffusers-folder":
            pipe = _load_diffusers_folder(entry, plan)
        else:
            pipe = _load_single_file(path, entry, plan, config_dir)
        pipe.set_progress_bar_config(disable=True)
        options = apply_memory_mode(pipe, plan)
    seconds = time.perf_counter() - start
    log.info("loaded %s on %s/%s in %.1fs (%s)", entry.name, plan.device, plan.dtype, seconds, options or "fast")
    return DiffusionModel(entry, plan, pipe, options, seconds)


def _load_diffusers_folder(entry: ModelEntry, plan: DevicePlan):
    from diffusers import DiffusionPipeline

    folder = Path(entry.path)
    index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    kwargs: dict[str, Any] = dict(local_files_only=True, torch_dtype=plan.torch_dtype())
    if "safety_checker" in index:  # never load (or download) the NSFW classifier: it is not ours to run
        kwargs.update(safety_checker=None, requires_safety_checker=False)
    unet = folder / "unet"
    has_plain = any(".fp16." not in p.name for p in unet.glob("*.safetensors"))
    if not has_plain and any(unet.glob("*.fp16.safetensors")):
        kwargs["variant"] = "fp16"
    kwargs["use_safetensors"] = use_safetensors(entry.trusted_files, entry.path)
    return DiffusionPipeline.from_pretrained(str(folder), **kwargs)


def _load_single_file(path: Path, entry: ModelEntry, plan: DevicePlan, config_dir: Path | None):
    from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

    if entry.family == "unknown":  # a trusted pickle: its layout is only known once unpickled
        require_trusted(entry.trusted_files, entry.path)
        entry = _classify_trusted_pickle(path)
        _require_loadable(entry, "diffusion")
    else:
        read_safetensors_header(path)  # re-check: the file may have changed since the scan
    config = Path(config_dir) if config_dir else model_configs_dir() / entry.config
    if not (config / "model_index.json").is_file():
        raise ModelError(f"the config folder for {entry.family} is missing ({config}).",
                         hint="Reinstall RagArt: resources/model_configs is part of the app.")
    cls = StableDiffusionXLPipeline if entry.family == "sdxl" else StableDiffusionPipeline
    tokenizers = {name: clip_tokenizer(config / name) for name in ("tokenizer", "tokenizer_2")
                  if (config / name).is_dir()}
    return cls.from_single_file(str(path), config=str(config), local_files_only=True,
                                torch_dtype=plan.torch_dtype(), **tokenizers)


def _classify_trusted_pickle(path: Path) -> ModelEntry:
    import torch

    state = torch.load(str(path), map_location="cpu", weights_only=False, mmap=True)  # the user trusted it
    state = state.get("state_dict", state) if isinstance(state, dict) else state
    tensors = {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                   "data_offsets": [0, v.numel() * v.element_size()]}
               for k, v in state.items() if hasattr(v, "shape")}
    header = SafetensorsHeader(path=path, tensors=tensors, metadata={})
    return classify_state_dict_keys(header, name=path.stem, path=str(path), size=path.stat().st_size,
                                    format="single-file")


def clip_tokenizer(folder: Path):
    """A CLIPTokenizer from a shipped ``tokenizer_config.json`` and the shared CLIP BPE vocabulary."""
    from transformers import CLIPTokenizer

    settings = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    bpe = model_configs_dir() / "clip-bpe"
    return CLIPTokenizer(vocab=str(bpe / "vocab.json"), merges=str(bpe / "merges.txt"),
                         pad_token=settings.get("pad_token", "<|endoftext|>"),
                         model_max_length=settings.get("model_max_length", 77))


def generation_defaults(entry: ModelEntry, native_size: int | None = None) -> dict:
    """Steps, guidance and size that suit the model: its own size (``native_size``: the UNet's sample
    size times the VAE's scale, known once it is loaded), else its family's; Turbo models sample in
    a few steps without guidance, LCM models in four with little."""
    family_size = {"sdxl": 512 if entry.variant == "turbo" else 1024,
                   "sd2": 768 if entry.variant == "v-prediction" else 512}.get(entry.family, 512)
    size = native_size or family_size
    if entry.variant == "turbo":
        return {"steps": 2, "guidance": 0.0, "width": size, "height": size}
    if entry.variant == "lcm":
        return {"steps": 4, "guidance": 1.0, "width": size, "height": size}
    return {"steps": 25, "guidance": 7.0, "width": size, "height": size}


# ---------------------------------------------------------------- causal language models

@dataclass
class LanguageModel:
    entry: ModelEntry
    plan: DevicePlan
    model: Any
    tokenizer: Any | None   # None for models that bring their own event tokenisation (MIDI)
    load_seconds: float


def load_causal_lm(entry: ModelEntry, plan: DevicePlan) -> LanguageModel:
    _require_loadable(entry, "causal-lm")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    start = time.perf_counter()
    folder = Path(entry.path)
    with loading_errors(folder):
        model = AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True, dtype=plan.torch_dtype(),
                                                     use_safetensors=use_safetensors(entry.trusted_files, entry.path))
        model.to(plan.device).eval()
        # MIDI models tokenise events themselves (a MidiTok tokenizer.json is not a text tokenizer).
        has_tokenizer = entry.task != "music-generation" and any(
            (folder / f).is_file() for f in ("tokenizer.json", "vocab.json", "tokenizer.model"))
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True) if has_tokenizer else None
    return LanguageModel(entry, plan, model, tokenizer, time.perf_counter() - start)


# ---------------------------------------------------------------- IP-Adapter image encoders

def load_image_encoder(entry: ModelEntry, device: Any, dtype: Any):
    """The CLIP vision encoder an IP-Adapter entry needs, loaded under the same policy as every model
    (diffusers' ``load_ip_adapter`` would read a pickled encoder without asking)."""
    from transformers import CLIPVisionModelWithProjection

    _require_loadable(entry, "ip-adapter")
    folder = Path(entry.image_encoder)
    safetensors = use_safetensors(entry.trusted_files, entry.path)
    with loading_errors(folder):
        return CLIPVisionModelWithProjection.from_pretrained(
            str(folder), local_files_only=True, use_safetensors=safetensors, dtype=dtype).to(device)


# ---------------------------------------------------------------- cached access used by jobs

def plan_for(entry: ModelEntry, settings: Settings | None = None, *, device: str | None = None,
             memory_mode: str | None = None) -> DevicePlan:
    settings = settings or Settings()
    return plan_device(device or settings.device, memory_mode or settings.memory_mode, entry.size, entry.dtype)


def diffusion_model(entry: ModelEntry, settings: Settings | None = None, *, device: str | None = None,
                    memory_mode: str | None = None, config_dir: Path | None = None,
                    cache: ModelCache = model_cache) -> DiffusionModel:
    """The cached diffusion model for ``entry`` (loaded on first use), in the requested memory mode."""
    plan = plan_for(entry, settings, device=device, memory_mode=memory_mode)
    key = (entry.path, plan.device, plan.dtype, str(config_dir or ""))
    model = cache.get_or_load("diffusion", key, lambda: load_diffusion(entry, plan, config_dir=config_dir))
    if model.plan.memory_mode != plan.memory_mode:
        model.set_memory_mode(plan.memory_mode)
    return model


def language_model(entry: ModelEntry, settings: Settings | None = None, *, device: str | None = None,
                   cache: ModelCache = model_cache) -> LanguageModel:
    plan = plan_for(entry, settings, device=device)
    return cache.get_or_load("causal-lm", (entry.path, plan.device, plan.dtype),
                             lambda: load_causal_lm(entry, plan))


def _require_loadable(entry: ModelEntry, kind: str) -> None:
    if not entry.loadable:
        raise ModelError(entry.reason or "this model cannot be loaded.", path=entry.path)
    if entry.kind != kind and entry.kind != "unknown":  # "unknown" + loadable = a trusted pickle, read on load
        raise ModelError(f"{entry.name} is not a {kind} model (it is: {entry.kind}).", path=entry.path)
