"""The desktop application: QApplication, logging, exception routing, the main window.

Start-up imports only Qt and the light parts of core; the library, the embedders and every model
library (torch, transformers, diffusers) load on worker threads after the window is on screen.

``RAGART_STARTUP_PROBE=1`` prints ``RAGART_WINDOW_SHOWN`` on the window's first paint and
``RAGART_WINDOW_READY`` once its panels are built (each with the heavy model libraries already
loaded, which must be none); ``=exit`` then quits. bench/bench_startup.py uses it.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Optional, Sequence

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ragart_desktop.core.assets import resources_dir
from ragart_desktop.core.errors import RagartError
from ragart_desktop.core.home import resolve_home
from ragart_desktop.core.logs import setup_logging
from ragart_desktop.core.settings import Settings

log = logging.getLogger(__name__)

PROBE_ENV = "RAGART_STARTUP_PROBE"
PROBE_LINE = "RAGART_WINDOW_SHOWN"
READY_LINE = "RAGART_WINDOW_READY"
HEAVY_MODULES = ("torch", "transformers", "diffusers")
# How often Python makes a thread that holds the GIL hand it over (the default is 5 ms). The UI
# thread takes the GIL for every Python slot and every Python override it runs (a timer, an event of
# a Python widget): while a worker runs Python code (imports, opening the library), each could wait
# a whole interval, and one turn of the event loop that runs twenty of them froze the window for
# ~100 ms. At 1 ms the waits are short (bench/bench_ui_stall.py, panels phase).
UI_SWITCH_INTERVAL_S = 0.001


class StartupProbe(QObject):
    """Prints a line on the window's first paint and one when its panels are ready (benchmark)."""

    def __init__(self, window, quit_after: bool):
        super().__init__(window)
        self.window, self.quit_after = window, quit_after
        window.first_painted.connect(lambda: self._say(PROBE_LINE))
        window.ready.connect(self._ready)

    def _ready(self) -> None:
        self._say(READY_LINE)
        if self.quit_after:
            QTimer.singleShot(0, self.window.close)

    @staticmethod
    def _say(line: str) -> None:
        heavy = [m for m in HEAVY_MODULES if m in sys.modules]
        print(line, "heavy-modules-loaded=" + (",".join(heavy) or "none"), flush=True)


def _parse(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ragart-desktop", description="RagArt Desktop")
    parser.add_argument("--home", help="data folder (default: RAGART_HOME or the user data folder)")
    parser.add_argument("--self-test", action="store_true",
                        help="check, headless and offline, that everything the app ships works; then exit")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="open these: a MIDI file in the Music tab, an image or a .ragart canvas in the Canvas")
    args, _qt_args = parser.parse_known_args(argv)
    return args


def prepare_ui(app: QApplication, settings: Settings) -> None:
    """What the app sets up before its window is made: the theme, and short turns on the GIL."""
    from ragart_desktop.ui.theme import apply_theme

    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)
    apply_theme(app, settings.theme)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        from ragart_desktop.selftest import run

        return run()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("RagArt Desktop")
    app.setOrganizationName("RagArt")
    app.setDesktopFileName("ragart-desktop")   # matches packaging/linux/ragart-desktop.desktop
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "ragart.svg")))
    try:
        home = resolve_home(args.home).ensure()
    except RagartError as exc:
        from PySide6.QtWidgets import QMessageBox

        print(f"ragart-desktop: {exc.user_message()}", file=sys.stderr)
        QMessageBox.critical(None, "RagArt Desktop", exc.user_message())
        return 2
    log_path = setup_logging(home.logs_dir)
    log.info("starting; home %s, log %s", home.root, log_path)
    settings = Settings.load(home.settings_path)

    from ragart_desktop.ui.error_center import ErrorCenter, install_exception_hooks
    from ragart_desktop.ui.main_window import MainWindow

    prepare_ui(app, settings)
    center = ErrorCenter()
    uninstall_hooks = install_exception_hooks(center)
    window = MainWindow(home, settings, center)
    if args.files:
        files = [os.path.abspath(f) for f in args.files]
        window.ready.connect(lambda: window.open_paths(files))
    probe = os.environ.get(PROBE_ENV)
    if probe:
        StartupProbe(window, quit_after=(probe == "exit"))
    window.show()
    try:
        return app.exec()
    finally:
        uninstall_hooks()
        log.info("stopped")
