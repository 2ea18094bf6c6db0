"""Library commands: import, rescan, search, status, tag, demo."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ragart_desktop.core.home import Home
from ragart_desktop.core.kinds import KIND_NAMES
from ragart_desktop.core.progress import Task


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import files and folders into the library")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("rescan", help="find added, changed, moved and removed files")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_rescan)

    p = sub.add_parser("search", help="search the library by words and/or examples")
    p.add_argument("text", nargs="?", default="", metavar="TEXT", help='words; "-word" excludes')
    p.add_argument("--like", action="append", default=[], metavar="FILE[:WEIGHT]",
                   help="an example file or item id (repeatable, optional :weight)")
    p.add_argument("--unlike", action="append", default=[], metavar="FILE[:WEIGHT]")
    p.add_argument("--kind", action="append", choices=KIND_NAMES, default=[])
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--folder")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--pagerank", action="store_true", help="re-rank with personalised PageRank")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("status", help="counts per kind and per embedder index")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("tag", help="add user tags to an item (by id or path)")
    p.add_argument("item", metavar="ITEM_OR_PATH")
    p.add_argument("tags", nargs="+", metavar="TAG")
    p.set_defaults(handler=cmd_tag)

    p = sub.add_parser("note", help="set the note of an item (by id or path)")
    p.add_argument("item", metavar="ITEM_OR_PATH")
    p.add_argument("note")
    p.set_defaults(handler=cmd_note)

    p = sub.add_parser("demo", help="build the demo library and import it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_demo)


def _open(home: Home):
    """The library; an older catalog's update shows its progress on the terminal."""
    from ragart_desktop.core.library.library import Library

    return Library.open(home, task=_stderr_progress())


def _stderr_progress() -> Task:
    """A Task that draws a one-line progress on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return Task()

    def show(done: int, total: int, message: str) -> None:
        sys.stderr.write(f"\r{message[:100]:<100}")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return Task(on_progress=show)


def _print_report(report, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_json()))
        return
    print(report.summary())
    for s in report.skipped:
        print(f"  skipped {s.path}: {s.reason}")


def cmd_import(args: argparse.Namespace, home: Home) -> int:
    lib = _open(home)
    try:
        _print_report(lib.import_paths(args.paths, _stderr_progress()), args.json)
    finally:
        lib.close()
    return 0


def cmd_rescan(args: argparse.Namespace, home: Home) -> int:
    lib = _open(home)
    try:
        _print_report(lib.rescan(_stderr_progress()), args.json)
    finally:
        lib.close()
    return 0


def _examples(lib, specs: list[str]) -> tuple[Any, ...]:
    from ragart_desktop.cli.args import item_or_file
    from ragart_desktop.core.retrieval.query import Example

    out = []
    for spec in specs:
        item_id, path, weight = item_or_file(spec, "example")
        out.append(Example(item_id=lib.get_item(item_id).id if item_id is not None else None, path=path,
                           weight=weight))
    return tuple(out)


def cmd_search(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.core.retrieval.query import Query

    lib = _open(home)
    try:
        q = Query(text=args.text, like=_examples(lib, args.like), unlike=_examples(lib, args.unlike),
                  kinds=tuple(args.kind), tags=tuple(args.tag), folder=args.folder, k=args.k,
                  use_pagerank=True if args.pagerank else None)
        results = lib.search(q)
    finally:
        lib.close()
    if args.json:
        print(json.dumps(results.to_json()))
    else:
        for notice in results.notices:
            print(f"note: {notice}")
        for rank, r in enumerate(results, 1):
            group = f" [near-duplicates #{r.group}]" if r.group is not None else ""
            print(f"{rank:3d}. {r.score:.3f} {r.item.kind:5s} {r.item.path}{group}\n       {r.why}")
    return 0


def cmd_status(args: argparse.Namespace, home: Home) -> int:
    lib = _open(home)
    try:
        status = lib.status()
    finally:
        lib.close()
    if args.json:
        print(json.dumps(status))
    else:
        items = status["items"]
        print(f"{status['total']} items: {items['image']} images, {items['music']} music, {items['text']} text")
        for eid, info in status["indexes"].items():
            lacking = f" of {info['expected']} expected" if info["count"] != info["expected"] else ""
            print(f"  index {eid}: {info['count']} vectors{lacking}, dim {info['dim']} ({info['modality']})")
            if info["damaged"]:
                print(f"    damaged, rebuilt by the next import or rescan: {info['damaged']}")
            if info["unavailable"]:
                print(f"    unavailable: {info['unavailable']}")
        for root in status["roots"]:
            print(f"  root {root['path']}{'' if root['present'] else '  (not found)'}")
    return 0


def cmd_tag(args: argparse.Namespace, home: Home) -> int:
    lib = _open(home)
    try:
        item = lib.resolve(args.item)
        lib.add_tags(item.id, args.tags)
        print(f"{item.id}: {', '.join(lib.get_item(item.id).tags)}")
    finally:
        lib.close()
    return 0


def cmd_note(args: argparse.Namespace, home: Home) -> int:
    lib = _open(home)
    try:
        item = lib.resolve(args.item)
        lib.set_note(item.id, args.note)
    finally:
        lib.close()
    return 0


def cmd_demo(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.core.demo import build_demo_library

    task = _stderr_progress()
    build_demo_library(home.demo_dir, task)
    lib = _open(home)
    try:
        _print_report(lib.import_paths([home.demo_dir], task), args.json)
    finally:
        lib.close()
    return 0
