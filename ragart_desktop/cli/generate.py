"""`ragart generate image|text|music`: the generation pipelines, headless (music: cli/music.py)."""
from __future__ import annotations

import argparse
import json
import os
from typing import Any, Callable, Optional

from ragart_desktop.cli import music
from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    gen = sub.add_parser("generate", help="create new work from the library's references")
    kinds = gen.add_subparsers(dest="what", required=True)
    p = kinds.add_parser("image", help="paint: text-to-image, refine, fill (restore) or restyle")
    p.add_argument("--prompt", default="")
    p.add_argument("--negative", default="", help="negative prompt (diffusion models)")
    p.add_argument("--mode", choices=["txt2img", "refine", "fill", "restyle"], default="txt2img")
    p.add_argument("--canvas", help="PNG/JPEG of the canvas (refine, fill, restyle)")
    p.add_argument("--mask", help="PNG mask: white = the region to fill")
    p.add_argument("--ref", action="append", default=[], metavar="ITEM_OR_PATH[:WEIGHT]")
    p.add_argument("--no-retrieve", action="store_true", help="use only the --ref references")
    p.add_argument("--refs", type=int, default=4, help="how many references in all (default 4)")
    p.add_argument("--engine", default="builtin", help="builtin or a model name from `ragart models list`")
    p.add_argument("--lora", action="append", default=[], metavar="NAME[:SCALE]",
                   help="a LoRA from `ragart models list` (repeatable; scale 0.8 by default)")
    p.add_argument("--strength", type=float, default=0.6)
    p.add_argument("--ref-strength", type=float, default=0.6)
    p.add_argument("--seed", type=int, default=0)
    # Not given (None): the canvas's size, and the model's own steps, guidance and size.
    p.add_argument("--steps", type=int, help="denoising steps (default: the model's own)")
    p.add_argument("--guidance", type=float, help="guidance scale (default: the model's own)")
    p.add_argument("--size", metavar="WxH", help="output size (default: the canvas's, else the model's own)")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--out", required=True, help="output PNG (or folder)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_generate_image)
    _register_text(kinds)
    music.register_generate(kinds)


def _register_text(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser("text", help="write: poems and lyrics from your own passages")
    p.add_argument("--prompt", required=True, help="a theme or a first line")
    p.add_argument("--form", default="free", help="free, quatrain, haiku, wujue (五言绝句) or qijue (七言绝句)")
    p.add_argument("--lines", type=int, help="how many lines (default: the form's own; free verse 8)")
    p.add_argument("--language", default="auto", help="auto (from the prompt), en or zh")
    p.add_argument("--ref", action="append", default=[], metavar="ITEM_OR_PATH[:WEIGHT]")
    p.add_argument("--no-retrieve", action="store_true", help="use only the --ref notes")
    p.add_argument("--passages", type=int, default=12, help="how many passages to write from (default 12)")
    p.add_argument("--engine", default="builtin", help="builtin or a language model from `ragart models list`")
    p.add_argument("--temperature", type=float, default=0.9)
    p.add_argument("--top-p", type=float, default=0.95)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--out", required=True, help="output .txt or .md (or folder)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_generate_text)


def _size(text: Optional[str]) -> tuple[Optional[int], Optional[int]]:
    if text is None:
        return None, None
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text!r}: expected WxH, e.g. 512x512.") from None
    return w, h


def _references(specs: list[str]):
    from ragart_desktop.cli.args import item_or_file
    from ragart_desktop.core.generate.image.request import ReferenceSpec

    return tuple(ReferenceSpec(*item_or_file(spec, "reference")) for spec in specs)


def _loras(specs: list[str]):
    from ragart_desktop.core.generate.image.request import LoraSpec

    out = []
    for spec in specs:
        name, sep, scale = spec.rpartition(":")
        try:
            out.append(LoraSpec(name, float(scale)) if sep and name else LoraSpec(spec))
        except ValueError:
            out.append(LoraSpec(spec))
    return tuple(out)


def run_generation(run: Callable[[Any, Any], Any], home: Home, out: str, as_json: bool) -> Any:
    """Open the library, ``run(library, task)`` a pipeline, save its outputs to ``out``, append it
    to history and print the --json form; the result, for the plain-text summary."""
    from ragart_desktop.cli.library import _stderr_progress
    from ragart_desktop.core.history import HistoryStore
    from ragart_desktop.core.library.library import Library

    lib = Library.open(home)
    try:
        result = run(lib, _stderr_progress())
        result.save(out)
    finally:
        lib.close()
    HistoryStore.in_home(home.root).append(result.history_record())
    if as_json:
        print(json.dumps({"outputs": [result.output_json(o) for o in result.outputs]}))
    return result


def cmd_generate_image(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.core.generate.image.pipeline import generate
    from ragart_desktop.core.generate.image.request import GenerationRequest

    w, h = _size(args.size)
    req = GenerationRequest(
        prompt=args.prompt, negative_prompt=args.negative, mode=args.mode,
        canvas=os.path.abspath(args.canvas) if args.canvas else None,
        mask=os.path.abspath(args.mask) if args.mask else None,
        references=_references(args.ref), retrieve=not args.no_retrieve, n_references=args.refs,
        engine=args.engine, loras=_loras(args.lora), strength=args.strength, reference_strength=args.ref_strength, seed=args.seed,
        steps=args.steps, guidance=args.guidance, width=w, height=h, count=args.count).validate()
    result = run_generation(lambda lib, task: generate(req, lib, task), home, args.out, args.json)
    if not args.json:
        print(f"{result.engine_name}: {len(result.outputs)} image(s) in {result.seconds:.1f} s")
        for o in result.outputs:
            scores = ", ".join(f"{k} {v:.2f}" for k, v in o.evaluation.scores.items())
            print(f"  {o.path}  seed {o.seed}  {scores}")
            for warning in o.evaluation.warnings:
                print(f"  warning: {warning}")
    return 0



def cmd_generate_text(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.cli.library import _stderr_progress
    from ragart_desktop.core.generate.text.pipeline import generate
    from ragart_desktop.core.generate.text.request import TextRequest
    from ragart_desktop.core.history import HistoryStore
    from ragart_desktop.core.library.library import Library

    req = TextRequest(prompt=args.prompt, form=args.form, lines=args.lines, language=args.language,
                      references=_references(args.ref), retrieve=not args.no_retrieve, n_passages=args.passages,
                      engine=args.engine, temperature=args.temperature, top_p=args.top_p, seed=args.seed,
                      count=args.count).validate()
    lib = Library.open(home)
    try:
        result = generate(req, lib, _stderr_progress())
        result.save(args.out)
    finally:
        lib.close()
    HistoryStore.in_home(home.root).append(result.history_record())
    if args.json:
        print(json.dumps({"outputs": [result.output_json(o) for o in result.outputs]}, ensure_ascii=False))
        return 0
    print(f"{result.engine_name}: {len(result.outputs)} text(s) from {len(result.passages)} passages "
          f"in {result.seconds:.1f} s")
    for o in result.outputs:
        scores = ", ".join(f"{k} {v:.2f}" for k, v in o.evaluation.scores.items())
        print(f"\n{o.path}  seed {o.seed}  {scores}")
        print("  " + o.text.replace("\n", "\n  "))
        for warning in o.evaluation.warnings:
            print(f"  warning: {warning}")
    return 0
