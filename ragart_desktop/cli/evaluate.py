"""`ragart evaluate FILE`: is this work too close to something in the library? One evaluator per kind.

Works on any file, in the library or not (a file that is in the library is not compared with
itself). Prints ``{"kind", "metrics" or "scores", "nearest_library_item", "near_copy", "warnings"}``.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any, Callable

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="score an image, MIDI or text file and check it against the library")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_evaluate)


def _music(path: Path, library) -> dict[str, Any]:
    from ragart_desktop.core.generate.music.evaluate import evaluate_score
    from ragart_desktop.core.music.midi_io import read_score

    ev = evaluate_score(read_score(path), library=library, exclude=[str(path)])
    return {"kind": "music", "metrics": ev.metrics, "nearest_library_item": ev.nearest_json(),
            "near_copy": ev.near_copy, "warnings": ev.warnings}


def _image(path: Path, library) -> dict[str, Any]:
    from ragart_desktop.core.generate.image.evaluate import evaluate_file

    return evaluate_file(str(path), library).to_json()


def _text(path: Path, library) -> dict[str, Any]:
    from ragart_desktop.core.generate.text.evaluate import evaluate_file

    ev, share = evaluate_file(path, library)
    copy = ev.copy
    return {"kind": "text", "scores": ev.scores, "form": ev.form.to_json() if ev.form else None,
            "copy": {"longest": copy.longest, "source_id": copy.source_id, "source_path": copy.source_path},
            "nearest_library_item": {"id": copy.source_id, "path": copy.source_path, "similarity": share},
            "near_copy": copy.flagged, "warnings": ev.warnings}


EVALUATORS: dict[str, Callable[[Path, Any], dict[str, Any]]] = {"image": _image, "music": _music, "text": _text}


def cmd_evaluate(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.core.kinds import kind_for_suffix
    from ragart_desktop.core.library.library import Library

    path = Path(os.path.abspath(args.file))
    if not path.is_file():
        raise UsageError("file not found.", path=path)
    kind = kind_for_suffix(path.suffix)
    if kind not in EVALUATORS:
        raise UsageError(f"cannot evaluate {kind or 'this kind of'} files yet "
                         f"(evaluate works on {', '.join(EVALUATORS)}).", path=path)
    lib = Library.open(home)
    try:
        report = EVALUATORS[kind](path, lib)
    finally:
        lib.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        nearest = report["nearest_library_item"]
        print(f"{path.name} ({report['kind']})")
        for name, value in (report.get("metrics") or report.get("scores") or {}).items():
            print(f"  {name}: {value}")
        if nearest["id"] is not None:
            print(f"  nearest library item: {nearest['path']} (similarity {nearest['similarity']:.2f})")
        print(f"  near copy: {'YES' if report['near_copy'] else 'no'}")
        for warning in report["warnings"]:
            print(f"  warning: {warning}")
    return 0
