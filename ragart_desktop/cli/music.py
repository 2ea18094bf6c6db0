"""Music commands: `ragart render` (MIDI to WAV) and `ragart generate music` (the music pipeline)."""
from __future__ import annotations

import argparse
import json
import os

from ragart_desktop.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    """``ragart render`` (``generate music`` joins the generate group: ``register_generate``)."""
    p = sub.add_parser("render", help="render a MIDI file to WAV audio (General MIDI SoundFont)")
    p.add_argument("midi", metavar="FILE.mid")
    p.add_argument("--out", required=True, metavar="FILE.wav")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_render)


def cmd_render(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.cli.library import _stderr_progress
    from ragart_desktop.core.models.registry import ModelRegistry
    from ragart_desktop.core.music.audio import render_wav, soundfont_path
    from ragart_desktop.core.music.midi_io import read_score
    from ragart_desktop.core.settings import Settings

    score = read_score(args.midi)
    font = soundfont_path(ModelRegistry(home, Settings.load(home.settings_path)))
    result = render_wav(score, args.out, soundfont=font, task=_stderr_progress())
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(f"{result.path}: {result.seconds:.1f} s of audio in {result.render_seconds:.2f} s "
              f"({result.seconds / max(result.render_seconds, 1e-9):.0f}x real time) with {font.name}")
    return 0


def register_generate(kinds: argparse._SubParsersAction) -> None:
    """``ragart generate music ...`` (added to the ``generate`` group)."""
    p = kinds.add_parser("music", help="compose: continue, infill, accompany or vary a MIDI phrase")
    p.add_argument("--mode", choices=["continue", "infill", "accompany", "vary"], default="continue")
    p.add_argument("--midi", help="the input phrase (continue without it starts a new phrase)")
    p.add_argument("--prompt", default="", help='words for retrieval, e.g. "melancholy waltz"')
    p.add_argument("--bars", type=int, default=4, help="continue: how many new bars (default 4)")
    p.add_argument("--key", help="C, Am, F#m, Bb ... (default: the input's key)")
    p.add_argument("--meter", help="meter of a new phrase, e.g. 3/4")
    p.add_argument("--from-bar", type=int, help="infill: first bar to regenerate (bars count from 1)")
    p.add_argument("--to-bar", type=int, help="infill: last bar to regenerate (inclusive)")
    p.add_argument("--parts", default="chords,bass,drums", help="accompany: chords,bass,arpeggio,drums")
    p.add_argument("--ref", action="append", default=[], metavar="ITEM_OR_PATH[:WEIGHT]")
    p.add_argument("--no-retrieve", action="store_true", help="use only the --ref references")
    p.add_argument("--refs", type=int, default=6, help="how many references in all (default 6)")
    p.add_argument("--engine", default="builtin", help="builtin or a music model from `ragart models list`")
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--density", type=float, default=1.0, help="> 1 busier, < 1 sparser")
    p.add_argument("--no-key-lock", action="store_true", help="let generated notes leave the key")
    p.add_argument("--range", metavar="LOW-HIGH", help="pitch range of new notes, MIDI numbers (e.g. 55-84)")
    p.add_argument("--velocity", type=int, help="mean velocity of the new notes")
    p.add_argument("--humanize", type=float, default=0.0, help="0..1 timing and velocity jitter")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--out", required=True, help="output .mid (or folder)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_generate_music)


def _pitch_range(text: str | None) -> tuple[int | None, int | None]:
    from ragart_desktop.core.errors import UsageError

    if not text:
        return None, None
    try:
        low, high = (int(v) for v in text.split("-"))
    except ValueError:
        raise UsageError(f"--range {text!r}: expected LOW-HIGH in MIDI numbers, e.g. 55-84.") from None
    return low, high


def cmd_generate_music(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.cli.generate import _references, run_generation
    from ragart_desktop.core.generate.music.pipeline import generate
    from ragart_desktop.core.generate.music.request import MusicRequest

    low, high = _pitch_range(args.range)
    req = MusicRequest(
        mode=args.mode, midi=os.path.abspath(args.midi) if args.midi else None, prompt=args.prompt, bars=args.bars,
        key=args.key, meter=args.meter, from_bar=args.from_bar, to_bar=args.to_bar,
        parts=tuple(p.strip() for p in args.parts.split(",") if p.strip()), references=_references(args.ref),
        retrieve=not args.no_retrieve, n_references=args.refs, engine=args.engine, temperature=args.temperature,
        density=args.density, key_lock=not args.no_key_lock, pitch_low=low, pitch_high=high,
        velocity=args.velocity, humanize=args.humanize, seed=args.seed, count=args.count).validate()
    result = run_generation(lambda lib, task: generate(req, lib, task), home, args.out, args.json)
    if not args.json:
        print(f"{result.engine_name}: {len(result.outputs)} piece(s) in {result.seconds:.1f} s")
        for o in result.outputs:
            m = o.evaluation.metrics
            print(f"  {o.path}  seed {o.seed}  in key {m.get('in_key_ratio', 0):.2f}, style match "
                  f"{m.get('style_match', 0):.2f}, longest copied passage {o.evaluation.copied_notes} notes")
            for warning in result.warnings + o.evaluation.warnings:
                print(f"  warning: {warning}")
    return 0
