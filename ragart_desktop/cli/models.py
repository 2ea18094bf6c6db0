"""Model commands: ``ragart models list | add | check``."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ragart_desktop.core.errors import ModelError, UsageError
from ragart_desktop.core.home import Home
from ragart_desktop.core.settings import Settings

LIST_FIELDS = ("name", "family", "task", "path", "loadable", "reason")


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("models", help="list, register and check the models you brought")
    models = group.add_subparsers(dest="models_command", required=True, parser_class=type(group))

    p = models.add_parser("list", help="every model found in the model folders")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = models.add_parser("add", help="register a model file or folder outside the default model folders")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--trust", action="store_true",
                   help="allow this pickle checkpoint (.ckpt/.pt/.bin/.pth): only for files from a source you trust")
    p.set_defaults(handler=cmd_add)

    p = models.add_parser("check", help="load a model, run one tiny step, report device, dtype and time")
    p.add_argument("name", metavar="NAME", help="a name from 'ragart models list', or a path")
    p.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], help="override the device setting")
    p.add_argument("--config", metavar="DIR",
                   help="config folder for a single-file checkpoint of non-standard size (default: the shipped one)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_check)


def _registry(home: Home):
    from ragart_desktop.core.models.registry import ModelRegistry

    return ModelRegistry(home, Settings.load(home.settings_path))


def cmd_list(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.core.embed.registry import words_embedder

    registry = _registry(home)
    entries = registry.entries()
    words = words_embedder(registry)
    if args.json:
        print(json.dumps({"models": [{k: getattr(e, k) for k in LIST_FIELDS} for e in entries],
                          "words": {"embedder": words.id, "model": words.name, "languages": list(words.languages)}},
                         indent=2, ensure_ascii=False))
        return 0
    print(f"Words are read by {words.name} (languages: {', '.join(words.languages) or 'not stated'}).")
    if not entries:
        roots = ", ".join(str(r) for r in registry.roots())
        print(f"No models found. Put models in one of: {roots} (see models/README.md).")
        return 0
    for e in entries:
        state = "ok" if e.loadable else "NOT LOADABLE"
        variant = f" ({e.variant})" if e.variant else ""
        print(f"{e.name:<32} {e.family}{variant:<16} {e.task:<22} {_size(e.size):>9}  {state}  {e.path}")
        if e.reason:
            print(f"{'':<32} {e.reason}")
    return 0


def cmd_add(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.core.models.registry import scan
    from ragart_desktop.core.models.trust import trust_records

    path = Path(args.path).expanduser().resolve()
    if not path.exists():
        raise UsageError("no such file or folder.", path=path)
    settings = Settings.load(home.settings_path)
    records = trust_records(path) if args.trust else []
    if args.trust and not records:
        raise UsageError("there is no pickle file (.ckpt/.pt/.bin/.pth) here to trust; safetensors need no trust.",
                         path=path)
    renewed = {r["path"] for r in records}
    trusted = [r for r in settings.trusted_models if r.get("path") not in renewed] + records
    found = scan([path], trusted)
    if not found:
        raise UsageError("no model found here (RagArt recognises diffusers and transformers folders, .safetensors "
                         "checkpoints, LoRAs and IP-Adapters).", path=path)
    if str(path) not in settings.model_paths:
        settings.model_paths.append(str(path))
    settings.trusted_models = trusted
    settings.save(home.settings_path)
    for r in records:
        print(f"trusted {r['path']} (sha256 {r['sha256'][:16]}…): it loads only while its content is unchanged")
    for e in found:
        print(f"added {e.name} ({e.family}, {e.task}){'' if e.loadable else ' - not loadable: ' + e.reason}")
    return 0


def cmd_check(args: argparse.Namespace, home: Home) -> int:
    registry = _registry(home)
    entry = registry.get(args.name)
    if not entry.loadable:
        raise ModelError(entry.reason or "this model cannot be loaded.", path=entry.path)
    kind = "diffusion" if entry.kind == "unknown" else entry.kind  # a trusted pickle: the loader reads its layout
    report = _CHECKS.get(kind, _check_header_only)(entry, registry.settings, args)
    report = {"name": entry.name, "family": entry.family, "task": entry.task, **report}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        timing = f", load {report['load_seconds']:.2f}s, one step {report['step_seconds']:.2f}s" \
            if "load_seconds" in report else ""
        print(f"{entry.name}: ok on {report['device']} ({report['dtype']}){timing}. {report.get('note', '')}".rstrip())
    return 0


def _check_diffusion(entry, settings: Settings, args) -> dict:
    from ragart_desktop.core.models.loaders import load_diffusion, plan_for
    from ragart_desktop.core.models.run import run_diffusion

    plan = plan_for(entry, settings, device=args.device)
    model = load_diffusion(entry, plan, config_dir=Path(args.config) if args.config else None)
    start = time.perf_counter()
    run_diffusion(model.text2img, {"prompt": "a test", "num_inference_steps": 1, "height": 64, "width": 64,
                                   "guidance_scale": 0.0, "output_type": "np"})
    return {"device": plan.device, "dtype": plan.dtype, "memory_mode": plan.memory_mode,
            "load_seconds": model.load_seconds, "step_seconds": time.perf_counter() - start}


def _check_clip(entry, settings: Settings, args) -> dict:
    from PIL import Image

    from ragart_desktop.core.embed.clip import ClipEmbedder

    embedder = ClipEmbedder(entry.path, device=args.device or settings.device, trusted_files=entry.trusted_files)
    start = time.perf_counter()
    device, dtype = embedder.load()
    loaded = time.perf_counter()
    embedder.embed([Image.new("RGB", (64, 64), (128, 96, 64))])
    embedder.embed_text(["a test"])
    return {"device": device, "dtype": dtype, "load_seconds": loaded - start,
            "step_seconds": time.perf_counter() - loaded, "dim": embedder.dim}


def _check_causal_lm(entry, settings: Settings, args) -> dict:
    import torch

    from ragart_desktop.core.models.loaders import load_causal_lm, plan_for

    plan = plan_for(entry, settings, device=args.device)
    lm = load_causal_lm(entry, plan)
    start_id = lm.model.config.bos_token_id if lm.model.config.bos_token_id is not None else 0
    ids = lm.tokenizer("Once", return_tensors="pt")["input_ids"] if lm.tokenizer is not None \
        else torch.tensor([[start_id]])
    start = time.perf_counter()
    with torch.inference_mode():
        lm.model(input_ids=ids.to(plan.device))
    return {"device": plan.device, "dtype": plan.dtype, "load_seconds": lm.load_seconds,
            "step_seconds": time.perf_counter() - start}


def _check_sentence_embedding(entry, settings: Settings, args) -> dict:
    from ragart_desktop.core.embed.sentence import SentenceEmbedder

    embedder = SentenceEmbedder.from_folder(entry.path, languages=entry.languages)
    start = time.perf_counter()
    embedder.embed(["warm up"])
    loaded = time.perf_counter()
    embedder.embed(["a test", "一个测试"])
    return {"device": embedder.device, "dtype": entry.dtype, "load_seconds": loaded - start,
            "step_seconds": time.perf_counter() - loaded, "dim": embedder.dim}


def _check_header_only(entry, settings: Settings, args) -> dict:
    return {"device": "-", "dtype": entry.dtype or "-",
            "note": f"Header checked; a {entry.kind} runs together with a {entry.family} diffusion model."}


def _check_soundfont(entry, settings: Settings, args) -> dict:
    from ragart_desktop.core.music.audio import load_soundfont

    font = load_soundfont(Path(entry.path))
    return {"device": "cpu", "dtype": "int16",
            "note": f"{font.preset_count} presets; renders MIDI to audio (the largest SoundFont is used)."}


_CHECKS = {"diffusion": _check_diffusion, "clip": _check_clip, "causal-lm": _check_causal_lm,
           "soundfont": _check_soundfont, "sentence-embedding": _check_sentence_embedding}


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
