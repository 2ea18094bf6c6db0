"""Recognise a model file or folder by what is inside it, never by its name.

Only small files are read: JSON configs and safetensors headers (see ``safetensors_header``). The
loaders read safetensors only (``use_safetensors=True``), so the weight files checked here are the
ones they will read: the standard names (``diffusion_pytorch_model.safetensors``, ``model.safetensors``,
their fp16 variants) and every shard a ``*.safetensors.index.json`` lists. Weights stored with
pickle (.ckpt .pt .bin .pth) are never opened here: unpickling can run code hidden in the file, so
they are reported as not loadable unless the user trusted them (``core.models.trust``, by content);
an entry names the trusted files it loads (``trusted_files``) and the loader checks them again.
"""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Collection

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.models.files import NOT_REGULAR, MAX_JSON_BYTES, is_special, read_capped, read_json_object
from ragart_desktop.core.models.safetensors_header import SafetensorsHeader, read_safetensors_header
from ragart_desktop.core.models.trust import PICKLE_SUFFIXES, TrustedFiles, trusted_digest

log = logging.getLogger(__name__)

MODEL_SUFFIXES = PICKLE_SUFFIXES | {".safetensors"}

# Cross-attention width of the UNet -> Stable Diffusion family (text-encoder hidden size).
CONTEXT_DIM_FAMILY = {768: "sd1", 1024: "sd2", 2048: "sdxl"}

TASKS = {
    "diffusion": "text-to-image",
    "clip": "image-text-embedding",
    "clip-vision": "image-encoder",
    "ip-adapter": "image-prompt",
    "lora": "style-adapter",
    "soundfont": "audio-rendering",
    "sentence-embedding": "text-embedding",
}


@dataclass(frozen=True)
class ModelEntry:
    """One model the registry found. ``loadable`` is False with a plain-words ``reason`` otherwise."""

    name: str
    family: str          # sd1 | sd2 | sdxl | clip | causal-lm | soundfont | unknown
    task: str            # text-to-image | image-text-embedding | image-prompt | style-adapter | text-generation | ...
    kind: str            # diffusion | clip | clip-vision | ip-adapter | lora | causal-lm | soundfont | unknown
    format: str          # diffusers-folder | single-file | transformers-folder | weights-file
    path: str
    size: int            # bytes on disk
    dtype: str           # float16 | float32 | bfloat16 | "" when unknown
    loadable: bool
    reason: str = ""
    variant: str = ""    # turbo | lcm | v-prediction | base | inpainting | ...
    config: str = ""     # single-file checkpoints: name of the shipped config folder (resources/model_configs)
    image_encoder: str = ""  # IP-Adapter: the CLIP vision folder it needs
    languages: tuple[str, ...] = ()  # sentence embedders: what they read (model card, else vocabulary scripts)
    trusted_files: TrustedFiles = ()  # (path, sha256) of the trusted pickles it loads; checked on load

    def to_dict(self) -> dict:
        return asdict(self)


def pickle_refusal(path: Path) -> str:
    """Why a pickle file is refused and how to get a safe copy."""
    return (
        f"{path.name} is a pickle file ({path.suffix}): loading it can run arbitrary code hidden inside, "
        "so RagArt refuses it. Convert it to .safetensors (for example: python -c \"import torch, "
        "safetensors.torch as s; d = torch.load('IN', weights_only=True); s.save_file(d.get('state_dict', d), "
        "'OUT.safetensors')\") or, if you trust where it came from, allow it with "
        "'ragart models add PATH --trust'."
    )


def inspect_path(path: Path, trusted: Collection[dict] = ()) -> ModelEntry | None:
    """The entry for a model file or folder, or ``None`` when ``path`` is not a model at all.

    Whatever a file holds, this never raises and never blocks: special files (FIFOs, devices) are
    not opened, and any failure while reading one becomes "not loadable: reason" for that path alone.
    """
    try:
        if is_special(path):
            return _not_loadable(path, NOT_REGULAR) if path.suffix.lower() in MODEL_SUFFIXES else None
        return _inspect(path, trusted)
    except Exception as exc:  # noqa: BLE001 - one odd file must never stop the scan of the others
        log.warning("cannot inspect %s", path, exc_info=True)
        return _not_loadable(path, f"not loadable: {type(exc).__name__}: {exc}")


def _not_loadable(path: Path, reason: str) -> ModelEntry:
    return ModelEntry(name=path.stem if path.suffix else path.name, family="unknown", task="unknown",
                      kind="unknown", format="single-file" if path.suffix else "unknown", path=str(path),
                      size=_size(path), dtype="", loadable=False, reason=reason)


def _inspect(path: Path, trusted: Collection[dict]) -> ModelEntry | None:
    if path.is_dir():
        if (path / "model_index.json").is_file():
            return _inspect_diffusers_folder(path, trusted)
        if (path / "config.json").is_file():
            return _inspect_transformers_folder(path, trusted)
        return None
    suffix = path.suffix.lower()
    if suffix == ".safetensors":
        return _inspect_safetensors_file(path, trusted)
    if suffix in PICKLE_SUFFIXES:
        return _pickle_file_entry(path, trusted)
    if suffix == ".sf2":
        return _soundfont_entry(path)
    return None


def _soundfont_entry(path: Path) -> ModelEntry:
    """A SoundFont 2 file (instrument samples for rendering MIDI to audio): RIFF ... sfbk."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError as exc:
        head, problem = b"", f"cannot be read ({exc.strerror or exc})."
    else:
        problem = "" if head[:4] == b"RIFF" and head[8:12] == b"sfbk" else "not a SoundFont 2 file (no RIFF sfbk header)."
    return ModelEntry(name=path.stem, family="soundfont", task=TASKS["soundfont"], kind="soundfont",
                      format="single-file", path=str(path), size=_size(path), dtype="", loadable=not problem,
                      reason=problem)


# ---------------------------------------------------------------- single files

def _inspect_safetensors_file(path: Path, trusted: Collection[dict]) -> ModelEntry:
    base = dict(name=path.stem, path=str(path), size=_size(path), format="single-file")
    try:
        header = read_safetensors_header(path)
    except ModelError as exc:
        return ModelEntry(**base, family="unknown", task="unknown", kind="unknown", dtype="",
                          loadable=False, reason=exc.message)
    return classify_state_dict_keys(header, trusted, **base)


def classify_state_dict_keys(header: SafetensorsHeader, trusted: Collection[dict] = (), **base) -> ModelEntry:
    """Tell a checkpoint's kind and family from its key layout (and a few tensor shapes)."""
    dtype = header.dtype()
    keys = header.tensors
    path = Path(base["path"])
    if header.has_prefix("image_proj.") or header.has_prefix("ip_adapter."):
        return _ip_adapter_entry(header, trusted, dtype=dtype, **base)
    if any("lora_" in k or ".lora_A." in k or ".lora_B." in k for k in keys):
        family = _lora_family(header)
        return ModelEntry(**base, family=family, task=TASKS["lora"], kind="lora", dtype=dtype, loadable=True,
                          reason="" if family != "unknown" else "LoRA for an unrecognised base model.")
    if not header.has_prefix("model.diffusion_model."):
        return ModelEntry(**base, family="unknown", task="unknown", kind="unknown", dtype=dtype, loadable=False,
                          reason="not a recognised model layout (no Stable Diffusion, LoRA or IP-Adapter keys).")

    entry = dict(base, task=TASKS["diffusion"], kind="diffusion", dtype=dtype)
    in_conv = header.shape("model.diffusion_model.input_blocks.0.0.weight") or [0, 4]
    in_conv = in_conv if len(in_conv) > 1 else [0, 0]
    if header.has_prefix("conditioner.embedders.1.model."):
        family, config, variant = "sdxl", "sdxl", ""
    elif header.has_prefix("conditioner.embedders.0.model."):
        return ModelEntry(**entry, family="sdxl", loadable=False, variant="refiner",
                          reason="SDXL refiner checkpoints are not supported (use an SDXL base model).")
    elif header.has_prefix("cond_stage_model.model."):
        family = "sd2"
        variant = _sd2_prediction(path, header)
        config = "sd2-v" if variant == "v-prediction" else "sd2-base"
    elif header.has_prefix("cond_stage_model.transformer."):
        family, config, variant = "sd1", "sd1", ""
    else:
        return ModelEntry(**entry, family="unknown", loadable=False,
                          reason="UNet weights without a text encoder: not a complete checkpoint.")
    if in_conv[1] != 4:
        return ModelEntry(**entry, family=family, variant="inpainting", loadable=False,
                          reason="single-file inpainting checkpoints are not supported yet; use the diffusers folder "
                                 "of the model, or a regular checkpoint (RagArt inpaints with it).")
    if not header.has_prefix("first_stage_model."):
        return ModelEntry(**entry, family=family, variant=variant, config=config, loadable=False,
                          reason="the checkpoint has no VAE (first_stage_model) weights.")
    return ModelEntry(**entry, family=family, variant=variant, config=config, loadable=True)


def _sd2_prediction(path: Path, header: SafetensorsHeader) -> str:
    """SD 2.x checkpoints look the same for 768 v-prediction and 512 epsilon models.

    Evidence, in order: the original config shipped beside the file (``<name>.yaml``, the convention
    of the original repos and most UIs), then the safetensors ``modelspec`` metadata; otherwise the
    768 v-prediction model is assumed, as diffusers itself does.
    """
    sidecar = path.with_suffix(".yaml")
    if sidecar.is_file():
        try:
            text = read_capped(sidecar, MAX_JSON_BYTES).decode("utf-8", errors="replace")
        except ModelError:
            text = ""
        return "v-prediction" if 'parameterization: "v"' in text or "parameterization: v" in text else "base"
    spec = " ".join(header.metadata.get(k, "") for k in ("modelspec.architecture", "modelspec.prediction_type"))
    if "768-v" in spec or "v_prediction" in spec or "v-prediction" in spec:
        return "v-prediction"
    if "512" in spec or "epsilon" in spec:
        return "base"
    return "v-prediction"


def _lora_family(header: SafetensorsHeader) -> str:
    """The base model a LoRA targets, from the width of its cross-attention key projection."""
    for key, info in header.tensors.items():
        if "attn2" in key and "to_k" in key and ("lora_down" in key or "lora_A" in key):
            return _family_of_width(info["shape"])
    if header.has_prefix("lora_te2_"):
        return "sdxl"
    return "unknown"


def _family_of_width(shape: list[int]) -> str:
    """The family whose text encoder is as wide as a projection's input (its last dimension)."""
    return CONTEXT_DIM_FAMILY.get(shape[-1], "unknown") if shape else "unknown"


def _ip_adapter_entry(header: SafetensorsHeader, trusted: Collection[dict], **base) -> ModelEntry:
    family = "unknown"
    for key, info in header.tensors.items():
        if key.startswith("ip_adapter.") and key.endswith("to_k_ip.weight"):
            family = _family_of_width(info["shape"])
            break
    encoder = _find_image_encoder(Path(base["path"]))
    weights = _component_weights(encoder, trusted) if encoder else Weights(problem=(
        "no image encoder found: put the CLIP vision folder (config.json + model.safetensors) in an "
        "'image_encoder' folder next to the IP-Adapter file."))
    return ModelEntry(**base, family=family, task=TASKS["ip-adapter"], kind="ip-adapter",
                      loadable=not weights.problem, reason=weights.problem, image_encoder=str(encoder or ""),
                      trusted_files=weights.trusted)


def _find_image_encoder(weights: Path) -> Path | None:
    """IP-Adapter releases keep their CLIP vision encoder in ``image_encoder/`` beside or above the file."""
    for folder in (weights.parent / "image_encoder", weights.parent.parent / "image_encoder"):
        config = read_json_object(folder / "config.json")
        if config and "CLIPVisionModelWithProjection" in _strings(config, "architectures"):
            return folder
    return None


def _pickle_file_entry(path: Path, trusted: Collection[dict]) -> ModelEntry:
    digest = trusted_digest(path, trusted)
    return ModelEntry(
        name=path.stem, family="unknown", task="unknown", kind="unknown", format="single-file", path=str(path),
        size=_size(path), dtype="", loadable=digest is not None,
        reason="pickle file you marked as trusted; its content is checked and its kind read when it is loaded."
        if digest else pickle_refusal(path), trusted_files=((str(path), digest),) if digest else ())


# ---------------------------------------------------------------- folders

def _inspect_diffusers_folder(folder: Path, trusted: Collection[dict]) -> ModelEntry:
    index = read_json_object(folder / "model_index.json") or {}
    base = dict(name=folder.name, path=str(folder), size=_size(folder), format="diffusers-folder",
                task=TASKS["diffusion"], kind="diffusion")
    pipeline = _text(index, "_class_name")
    unet = read_json_object(folder / "unet" / "config.json")
    if not pipeline.startswith(("StableDiffusion", "LatentConsistencyModel")) or unet is None:
        return ModelEntry(**base, family="unknown", dtype="", loadable=False,
                          reason=f"diffusers pipeline {pipeline or '(no _class_name)'} is not supported "
                                 "(Stable Diffusion 1.x, 2.x and XL are).")
    family = _diffusers_family(folder, unet)
    variant = _diffusers_variant(folder, unet)
    components = [name for name, spec in index.items()
                  if isinstance(spec, list) and spec and spec[0] is not None and name not in ("safety_checker",)]
    dtype, problem, trusted_files = "", "", ()
    for name in components:
        weights = _component_weights(folder / name, trusted)
        if weights.problem:
            problem = weights.problem
            break
        trusted_files += weights.trusted
        dtype = dtype or (weights.header.dtype() if name == "unet" and weights.header is not None else "")
    if family == "unknown" and not problem:
        problem = "unrecognised Stable Diffusion variant (neither SD 1.x, 2.x nor XL)."
    return ModelEntry(**base, family=family, dtype=dtype, variant=variant, loadable=not problem, reason=problem,
                      trusted_files=trusted_files)


def _diffusers_family(folder: Path, unet: dict) -> str:
    """SDXL conditions on text+time embeddings; SD 1.x/2.x differ in cross-attention width (768/1024),
    and for non-standard sizes in their text encoder: OpenAI CLIP (quick_gelu) vs OpenCLIP (gelu)."""
    if unet.get("addition_embed_type") == "text_time":
        return "sdxl"
    width = unet.get("cross_attention_dim")
    width = width[:1] if isinstance(width, list) else [width]   # diffusers allows one width per block
    family = _family_of_width(width) if all(type(w) is int for w in width) else "unknown"
    if family != "unknown":
        return family
    act = _text(read_json_object(folder / "text_encoder" / "config.json") or {}, "hidden_act")
    return {"quick_gelu": "sd1", "gelu": "sd2"}.get(act, "unknown")


def _diffusers_variant(folder: Path, unet: dict) -> str:
    """Turbo/LCM/v-prediction/inpainting hints from the UNet and scheduler configs."""
    scheduler = read_json_object(folder / "scheduler" / "scheduler_config.json") or {}
    if unet.get("in_channels") == 9:
        return "inpainting"
    if _text(scheduler, "_class_name") == "LCMScheduler" or unet.get("time_cond_proj_dim"):
        return "lcm"
    # SD-Turbo and SDXL-Turbo ship Euler schedulers with "trailing" spacing (1-4 step sampling).
    if scheduler.get("timestep_spacing") == "trailing" and "Euler" in _text(scheduler, "_class_name"):
        return "turbo"
    if scheduler.get("prediction_type") == "v_prediction":
        return "v-prediction"
    return ""


@dataclass(frozen=True)
class Weights:
    """What the loaders would read from one component folder."""

    header: SafetensorsHeader | None = None   # the first safetensors file's header
    problem: str = ""                         # why it cannot be loaded ("" when it can)
    trusted: TrustedFiles = ()                # the trusted pickles it loads instead of safetensors


SAFETENSORS_NAMES = ("diffusion_pytorch_model.safetensors", "model.safetensors")
VARIANT_NAMES = ("diffusion_pytorch_model.fp16.safetensors", "model.fp16.safetensors")


def _component_weights(component: Path, trusted: Collection[dict]) -> Weights:
    """Check every weight file a loader will read from a component (or transformers) folder.

    Weight-less components (tokenizers, schedulers) have no config.json and pass. Safetensors under
    the names the loaders read are all checked; without them, pickle weights pass only when the user
    trusted each of them; anything else is a reason.
    """
    if not component.is_dir():
        return Weights(problem=f"component folder '{component.name}' listed in model_index.json is missing.")
    if read_json_object(component / "config.json") is None:
        return Weights()
    files = _safetensors_to_load(component)
    if isinstance(files, str):
        return Weights(problem=files)
    if files:
        try:
            headers = [read_safetensors_header(p) for p in files]
        except ModelError as exc:
            return Weights(problem=f"{exc.path}: {exc.message}")
        return Weights(header=headers[0])
    pickles = sorted(p for p in component.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES and p.is_file())
    if pickles:
        digests = [trusted_digest(p, trusted) for p in pickles]
        refused = [p for p, d in zip(pickles, digests) if d is None]
        if refused:
            return Weights(problem=pickle_refusal(refused[0]))
        return Weights(trusted=tuple((str(p), d) for p, d in zip(pickles, digests)))
    others = sorted(p.name for p in component.glob("*.safetensors"))
    if others:
        return Weights(problem=f"'{component.name}' holds {others[0]}, but models load from "
                               f"{' or '.join(SAFETENSORS_NAMES)}: rename the file.")
    return Weights(problem=f"no weights found in '{component.name}' (expected a .safetensors file).")


def _safetensors_to_load(component: Path) -> list[Path] | str:
    """The safetensors files a loader reads from ``component``: a standard name, every shard its
    index lists, or the fp16 variant when that is all there is; a reason when an index is broken."""
    for name in SAFETENSORS_NAMES:
        if (component / name).is_file():
            return [component / name]
    for name in SAFETENSORS_NAMES:
        index_path = component / f"{name}.index.json"
        if not index_path.exists():
            continue
        weight_map = (read_json_object(index_path) or {}).get("weight_map")
        shards = sorted({v for v in weight_map.values() if isinstance(v, str)}) if isinstance(weight_map, dict) else []
        if not shards or any(Path(s).name != s for s in shards):
            return f"{index_path}: the shard index is damaged (no usable weight_map)."
        missing = [s for s in shards if not (component / s).is_file()]
        if missing:
            return f"{index_path}: shard {missing[0]} is missing (incomplete download?)."
        return [component / s for s in shards]
    return [component / name for name in VARIANT_NAMES if (component / name).is_file()][:1]


def _inspect_transformers_folder(folder: Path, trusted: Collection[dict]) -> ModelEntry | None:
    config = read_json_object(folder / "config.json") or {}
    architectures = _strings(config, "architectures")
    if (folder / "modules.json").is_file() or (folder / "sentence_bert_config.json").is_file():
        return _sentence_embedder_entry(folder, config, trusted)
    if "CLIPModel" in architectures:
        kind, family, task = "clip", "clip", TASKS["clip"]
    elif "CLIPVisionModelWithProjection" in architectures:
        kind, family, task = "clip-vision", "clip", TASKS["clip-vision"]
    elif any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in architectures):
        kind, family, task = "causal-lm", "causal-lm", _language_model_task(folder, config)
    else:
        return None
    base = dict(name=folder.name, path=str(folder), size=_size(folder), format="transformers-folder",
                kind=kind, family=family, task=task, variant=_text(config, "model_type"))
    weights = _component_weights(folder, trusted)
    if weights.problem:
        return ModelEntry(**base, dtype="", loadable=False, reason=weights.problem)
    dtype = weights.header.dtype() if weights.header is not None else \
        str(config.get("torch_dtype") or config.get("dtype") or "")
    return ModelEntry(**base, dtype=dtype, loadable=True, trusted_files=weights.trusted)


def _sentence_embedder_entry(folder: Path, config: dict, trusted: Collection[dict]) -> ModelEntry:
    """A sentence-transformers folder: it can become the library's words embedder."""
    from ragart_desktop.core.embed.sentence import SentenceLayout

    base = dict(name=folder.name, path=str(folder), size=_size(folder), format="transformers-folder",
                kind="sentence-embedding", family="sentence-transformers", task=TASKS["sentence-embedding"],
                variant=_text(config, "model_type"), languages=model_languages(folder))
    try:
        SentenceLayout.read(folder)
    except ModelError as exc:
        return ModelEntry(**base, dtype="", loadable=False, reason=exc.message)
    weights = _component_weights(folder, trusted)
    if weights.header is None:   # the loader reads model.safetensors only
        return ModelEntry(**base, dtype="", loadable=False,
                          reason=weights.problem or "no model.safetensors in the folder.")
    return ModelEntry(**base, dtype=weights.header.dtype(), loadable=True)


# Unicode blocks that tell which scripts a tokenizer's vocabulary reads, and how many of its
# entries must use one for it to count (or a tenth of them, for small vocabularies): an English
# BERT vocabulary holds ~500 stray Han characters (1.6%), a Chinese one ~14,000.
_SCRIPTS = (("Han", "\u4e00-\u9fff", 2000), ("Kana", "\u3041-\u30ff", 150), ("Hangul", "\uac00-\ud7a3", 1000),
            ("Cyrillic", "\u0400-\u04ff", 300), ("Arabic", "\u0600-\u06ff", 300), ("Latin", "a-zA-Z", 1000))


def model_languages(folder: Path) -> tuple[str, ...]:
    """The languages a text model reads: its model card's ``language:`` list (README.md front
    matter, as Hugging Face folders ship it), else the scripts its vocabulary covers."""
    card = _card_languages(folder / "README.md")
    if card:
        return card
    vocab = _vocabulary(folder)
    if not vocab:
        return ()
    text = "\n".join(vocab)
    return tuple(f"{name} script" for name, chars, least in _SCRIPTS
                 if len(re.findall(f"^.*[{chars}].*$", text, re.MULTILINE)) >= min(least, len(vocab) / 10))


def _card_languages(readme: Path) -> tuple[str, ...]:
    try:
        text = read_capped(readme, MAX_JSON_BYTES).decode("utf-8", errors="replace")
    except ModelError:
        return ()
    match = re.match(r"---\s*\n(.*?)\n---", text, re.DOTALL)
    if not match:
        return ()
    found: list[str] = []
    in_list = False
    for line in match.group(1).splitlines():
        if re.match(r"languages?:", line):
            value = line.split(":", 1)[1].strip()
            found += [v.strip(" '\"") for v in value.strip("[]").split(",") if v.strip(" '\"")]
            in_list = not value
        elif in_list and line.lstrip().startswith("- "):
            found.append(line.lstrip()[2:].strip(" '\""))
        elif in_list and line.strip():
            in_list = False
    return tuple(found)


def _vocabulary(folder: Path) -> list[str]:
    """The tokenizer's vocabulary entries (vocab.txt, or tokenizer.json's model vocab)."""
    try:
        return read_capped(folder / "vocab.txt", MAX_JSON_BYTES).decode("utf-8", errors="replace").splitlines()
    except ModelError:
        pass
    model = (read_json_object(folder / "tokenizer.json") or {}).get("model")
    vocab = (model.get("vocab") if isinstance(model, dict) else None) or []
    return [v[0] if isinstance(v, list) else str(v) for v in vocab]


def _language_model_task(folder: Path, config: dict) -> str:
    """Music models: a MidiTok tokenizer beside the weights, or the Anticipatory Music Transformer's
    vocabulary (55,028 event tokens, no text tokenizer). Everything else generates text."""
    tokenizer = read_json_object(folder / "tokenizer.json") or {}
    if "tokenization" in tokenizer or "miditok_version" in tokenizer or \
            (folder / "tokenizer_params.json").is_file():
        return "music-generation"
    if config.get("vocab_size") == 55028 and not tokenizer:
        return "music-generation"
    return "text-generation"


# ---------------------------------------------------------------- helpers


def _text(config: dict, key: str) -> str:
    """A config value that should be text ("" when it is missing or something else)."""
    value = config.get(key)
    return value if isinstance(value, str) else ""


def _strings(config: dict, key: str) -> list[str]:
    """A config value that should be a list of text (the text items of it)."""
    value = config.get(key)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _size(path: Path) -> int:
    try:
        if path.is_file():
            return path.stat().st_size
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    except OSError as exc:
        log.warning("cannot size %s: %s", path, exc)
        return 0
