"""The ``ragart`` command: the same core as the app, headless.

Each command group lives in its own module exposing ``register(subparsers)``; a registered parser
sets ``handler=fn`` where ``fn(args, home) -> int`` does the work. Expected failures are
``RagartError``s: printed as one line on stderr, never a traceback; the exit code is 2 when the
request or an input file is at fault (usage, bad input), 1 for other failures.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

from ragart_desktop.core.errors import BadInputError, RagartError, UsageError
from ragart_desktop.core.home import resolve_home
from ragart_desktop.core.logs import setup_logging

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: one line, exit code 2
        self.exit(2, f"ragart: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from ragart_desktop.cli import backup, evaluate, generate, library, models, music, train

    parser = _Parser(prog="ragart", description="RagArt Desktop, headless.")
    parser.add_argument("--home", help="data folder (default: RAGART_HOME or the user data folder)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for group in (library, backup, models, generate, music, evaluate, train):
        group.register(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):   # file names that are not valid UTF-8 print escaped
        sys.stdout.reconfigure(errors="backslashreplace")
    home = None
    try:
        home = resolve_home(args.home).ensure()
        setup_logging(home.logs_dir)
        return int(args.handler(args, home) or 0)
    except RagartError as exc:
        log.info("command failed: %s", exc.user_message())
        print(f"ragart: {exc.user_message()}", file=sys.stderr)
        return 2 if isinstance(exc, (UsageError, BadInputError)) else 1  # 2: the caller's request or file
    except KeyboardInterrupt:
        print("ragart: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: the traceback goes to the log file, not to the terminal
        log.exception("unexpected error in `ragart %s`", args.command)
        where = f"; details in {home.logs_dir}" if home is not None else ""
        print(f"ragart: unexpected error ({type(exc).__name__}: {exc}){where}", file=sys.stderr)
        return 1

