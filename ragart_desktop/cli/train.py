"""`ragart train music`: learn a small music transformer from the library's own MIDI pieces."""
from __future__ import annotations

import argparse
import json
import sys

from ragart_desktop.core.home import Home
from ragart_desktop.core.progress import Task


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model on your own library")
    kinds = p.add_subparsers(dest="kind", required=True, parser_class=type(p))
    m = kinds.add_parser("music", help="learn a music model from the library's MIDI pieces (Learn my style)")
    m.add_argument("--tag", help="only pieces with this tag")
    m.add_argument("--folder", help="only pieces under this folder")
    m.add_argument("--minutes", type=float, default=10.0, help="time budget of this run (default 10)")
    m.add_argument("--name", default="my-style", help="the model's name in the models folder (default my-style)")
    m.add_argument("--fresh", action="store_true", help="ignore the checkpoint of an interrupted run")
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--json", action="store_true")
    m.set_defaults(handler=cmd_train_music)


def _progress_lines() -> Task:
    """Progress on stderr: one rewritten line on a terminal; otherwise a line per training step and
    per stage (not one per piece read or tokenised, so a log stays readable)."""
    last = [""]

    def show(done: int, total: int, message: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{message[:110]:<110}")
        elif message.split(":")[0] != last[0].split(":")[0] and not message.startswith(("Reading", "Tokenising")):
            sys.stderr.write(message + "\n")
        last[0] = message
        sys.stderr.flush()

    return Task(on_progress=show)


def cmd_train_music(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.cli.library import _open
    from ragart_desktop.core.train.trainer import TrainingRequest, train_music

    req = TrainingRequest(name=args.name, tag=args.tag, folder=args.folder, minutes=args.minutes,
                          fresh=args.fresh, seed=args.seed).validate()
    library = _open(home)
    try:
        result = train_music(req, library, _progress_lines())
    finally:
        library.close()
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    if args.json:
        print(json.dumps(result.to_json()))
        return 0
    verdict = "beats" if result.beats_baseline else "does NOT beat"
    print(f"{result.name}: {result.parameters:,} parameters learned from {result.pieces} pieces "
          f"({result.tokens:,} tokens) in {result.seconds / 60:.1f} min, {result.steps} steps, stopped by {result.stopped}")
    print(f"  validation loss {result.val_loss:.3f} nats/token; the built-in Markov model's {result.baseline_val_loss:.3f} "
          f"(order {result.baseline_order}): the model {verdict} it")
    for s in result.skipped:
        print(f"  skipped {s['path']}: {s['reason']}")
    print(f"  saved to {result.path}; use it with: ragart generate music --engine {result.name} ...")
    return 0
