"""Where every error goes: ``ErrorCenter``, and the hooks that route uncaught exceptions to it.

``ErrorCenter`` is a QObject living on the UI thread; ``report`` may be called from any thread (the
signal is queued to the UI thread by Qt). ``install_exception_hooks`` sends ``sys.excepthook`` and
``threading.excepthook`` (exceptions in slots, worker threads, plain Python threads) to the log and
to the center; the main window shows what the center reports in its ``ErrorPanel``.
"""
from __future__ import annotations

import logging
import sys
import threading
from typing import Callable

from PySide6.QtCore import QObject, Signal

from ragart_desktop.ui.error_report import ErrorReport

log = logging.getLogger(__name__)


class ErrorCenter(QObject):
    reported = Signal(object)   # ErrorReport, delivered on the UI thread

    def report(self, report: ErrorReport) -> None:
        self.reported.emit(report)

    def report_exception(self, exc: BaseException, context: str = "") -> None:
        self.report(ErrorReport.from_exception(exc, context))


def install_exception_hooks(center: ErrorCenter) -> Callable[[], None]:
    """Route uncaught exceptions of every thread to the log and ``center``; returns an uninstaller."""
    previous_sys, previous_threading = sys.excepthook, threading.excepthook

    def sys_hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            previous_sys(exc_type, exc, tb)
            return
        log.error("uncaught exception", exc_info=(exc_type, exc, tb))
        center.report(ErrorReport.from_exception(exc.with_traceback(tb), "Uncaught error"))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        log.error("uncaught exception in thread %s", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        if args.exc_value is not None:
            center.report(ErrorReport.from_exception(args.exc_value, f"Uncaught error in thread {name}"))

    sys.excepthook = sys_hook
    threading.excepthook = thread_hook

    def uninstall() -> None:
        if sys.excepthook is sys_hook:
            sys.excepthook = previous_sys
        if threading.excepthook is thread_hook:
            threading.excepthook = previous_threading

    return uninstall
