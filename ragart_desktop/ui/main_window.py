"""The main window: browser dock, editor tabs, generation panel, jobs and history, one error panel.

The window only wires views to services: library work runs on the library workers (see
``library_service``), generation through ``generation_service``; editors plug in through the
``Editor`` interface (``editors``); every failure lands in the ``ErrorPanel``.

It is built in two stages so that it is on screen as fast as a bare window: the frame (menus,
tabs, status bar) before the first paint, then, right after it, the panels, the workers and the
editor on screen (``ready`` is emitted when they are in place); the other tabs' editors are built
when first shown or needed (``editor``). Stage two runs in steps with a turn of the
event loop between them, so the window paints and answers while it is built (all at once it froze
the window for 0.2-0.5 s). The library and every model library load later still, on worker threads.
"""
from __future__ import annotations

import gc
import importlib
import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Generator, Iterator, Optional

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QSettings, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QLabel, QMainWindow, QMessageBox, QProgressBar, QStackedWidget,
                               QTabWidget, QVBoxLayout, QWidget)

from ragart_desktop.core.errors import BadInputError, RagartError
from ragart_desktop.core.home import Home
from ragart_desktop.core.kinds import KIND_NAMES, KINDS, kind_for_suffix, kind_named, library_filter
from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.editors import (EDITOR_SPECS, REPLACING_COMMANDS, Editor, EditorPlaceholder, editor_classes,
                                      editor_in_steps, run_to_end)
from ragart_desktop.ui.error_center import ErrorCenter
from ragart_desktop.ui.error_report import ErrorReport
from ragart_desktop.ui.mime import ITEM_MIME
from ragart_desktop.ui.theme import accent, secondary

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget

    from ragart_desktop.core.history import HistoryRecord
    from ragart_desktop.ui.generation_service import GenerationService
    from ragart_desktop.ui.library_service import LibraryService
    from ragart_desktop.ui.references_box import ReferencesBox

log = logging.getLogger(__name__)

# Qt's ``Qt`` namespace is reached as ``QtCore.Qt`` and only in code that runs after the first paint:
# PySide6 builds its ~100 enums on first touch, a cost the window does not pay before it is shown.

BUILTIN_ENGINES = [("Built-in (no model needed)", "builtin")]
APP_TITLE = "RagArt Desktop"


# What stage two imports: loaded on a thread while the window is on screen (Python runs the two in
# turns, 1 ms at a time: app.UI_SWITCH_INTERVAL_S), so building the panels is construction only, not
# a 300 ms block of imports.
PANEL_MODULES = ("ragart_desktop.ui.browser", "ragart_desktop.ui.error_panel", "ragart_desktop.ui.file_dialogs",
                 "ragart_desktop.ui.generation_panel", "ragart_desktop.ui.generation_service",
                 "ragart_desktop.ui.history_view", "ragart_desktop.ui.jobs_view", "ragart_desktop.ui.library_service",
                 "ragart_desktop.ui.generation")
PRELOAD_POLL_MS = 10
# PySide6 makes a class (and its enums) on first use, 0.1-4 ms each, and the first ``viewport()`` of
# a scroll area made ~50 of them at once (22-125 ms). The window makes every class of QtCore, QtGui
# and QtWidgets first, a few ms of them per turn of the event loop, and only then starts the preload
# thread. Never on two threads at once: PySide6 builds a class's enums in Python, so the GIL can pass
# to the other thread halfway, and making classes on the preload thread while the window painted
# crashed the app (a segmentation fault in about one start in ten). Made there, they also held the
# GIL in long stretches: the window's Python code, down to the style drawing a frame, waited 50-100 ms.
CLASS_BATCH_S = 0.004
# Between two steps of stage two: a real timer, not a zero one. Qt runs zero timers (posted calls)
# before the timers that are due and before painting, so steps chained by them ran back to back.
STEP_PAUSE_MS = 1
STAGE_TWO_DONE = object()


def _preload(modules: tuple[str, ...]) -> None:
    """Import ``modules`` (no widget is made here, and the Qt classes exist already: see
    CLASS_BATCH_S); a failure is left for the real import to report."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # reported where the UI imports it again, with its context
            log.debug("preloading %s failed: %s", name, exc)


def dropped_paths(mime) -> list[str]:
    """Local files the library can import, and folders, from a drag's mime data (none when the
    drag carries library items: they are in the library already)."""
    if mime.hasFormat(ITEM_MIME):
        return []
    paths = []
    for url in mime.urls() if mime.hasUrls() else []:
        if not url.isLocalFile():
            continue
        p = url.toLocalFile()
        if os.path.isdir(p) or kind_for_suffix(Path(p).suffix) is not None:
            paths.append(p)
    return paths


class MainWindow(QMainWindow):
    first_painted = Signal()
    ready = Signal()            # panels, workers and editors are in place; the library is opening

    def __init__(self, home: Home, settings: Settings, error_center: Optional[ErrorCenter] = None,
                 load_editor_tabs: bool = True):
        super().__init__()
        self.home = home
        self.settings = settings
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.is_ready = False
        self._closed = False
        self._load_editor_tabs = load_editor_tabs
        self._stage_two: Optional[Iterator[None]] = None
        self._preload: Optional[threading.Thread] = None    # imports stage two's modules (after the Qt classes)
        self.service: Optional["LibraryService"] = None       # stage two's parts (closing may come first)
        self.generation: Optional["GenerationService"] = None
        self.editors: list[Editor] = []   # built so far (a tab never shown holds an EditorPlaceholder)
        # Editors being built a part at a time for their tab's first show: class -> (its placeholder, steps).
        self._unfinished: dict[type[Editor], tuple[EditorPlaceholder, Generator[None, None, Optional[Editor]]]] = {}
        self._early_reports: list[ErrorReport] = []
        self._library_status: dict = {}
        self.errors = error_center or ErrorCenter(self)
        self.errors.reported.connect(self.report_error)

        # -- stage 1: the frame
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        accent(self.tabs.tabBar(), "tabs")
        self.tabs.currentChanged.connect(lambda _: self._editor_shown())
        central = QWidget()
        self._central_layout = QVBoxLayout(central)
        self._central_layout.setContentsMargins(0, 0, 0, 0)
        self._central_layout.setSpacing(0)
        self._central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.activity_label = QLabel("Starting…")
        self.activity_bar = QProgressBar()
        self.activity_bar.setMaximumWidth(220)
        self.activity_bar.setMaximumHeight(14)
        self.activity_bar.setTextVisible(False)
        self.activity_bar.hide()
        self.count_label = QLabel("")
        self.statusBar().addWidget(self.activity_label, 1)
        self.statusBar().addPermanentWidget(self.activity_bar)
        self.statusBar().addPermanentWidget(self.count_label)
        self._build_menus()
        if not self._restore_geometry():
            available = self.screen().availableGeometry()   # a first start never overflows a small screen
            self.resize(min(1500, available.width()), min(920, available.height()))
        self.installEventFilter(self)      # until the first paint (``eventFilter``)

    # -- stage 2: panels, workers, editors ---------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:
        """The window's first paint (the filter is removed then): stage two starts. A filter, not an
        ``event`` override, which would make every event of the window call into Python for good,
        each waiting for the GIL while a worker runs Python."""
        if watched is self and event.type() == QEvent.Type.Paint:
            self.removeEventFilter(self)
            from PySide6 import QtGui, QtWidgets

            self._unmade_classes = (getattr(module, name) for module in (QtCore, QtGui, QtWidgets)
                                    for name in dir(module))
            QTimer.singleShot(0, self._build_panels)
            self.first_painted.emit()
        return False

    def _build_panels(self) -> None:
        if self._closed or self._stage_two is not None:
            return
        if not self._make_classes(CLASS_BATCH_S):
            QTimer.singleShot(STEP_PAUSE_MS, self._build_panels)
            return
        if self._preload is None:
            modules = PANEL_MODULES + (tuple(spec.module for spec in EDITOR_SPECS) if self._load_editor_tabs else ())
            self._preload = threading.Thread(target=_preload, args=(modules,), name="ragart-preload", daemon=True)
            self._preload.start()
        if self._preload.is_alive():   # the panels' modules are still being imported: the window paints
            QTimer.singleShot(PRELOAD_POLL_MS, self._build_panels)
            return
        # What is loaded now stays for the app's life: out of the garbage collector's sight, a full
        # collection while the panels are built (one took 46-48 ms) has none of it to go through.
        gc.freeze()
        self._stage_two = self._stage_two_steps()
        self._build_step()

    def _make_classes(self, seconds: float) -> bool:
        """Make Qt classes for up to ``seconds``; True once all are made (see CLASS_BATCH_S)."""
        started = time.perf_counter()
        for _ in self._unmade_classes:
            if time.perf_counter() - started > seconds:
                return False
        return True

    def _build_step(self) -> None:
        """One step of stage two, then a turn of the event loop (paints, input, timers) before the next."""
        if self._closed or self._stage_two is None:
            return
        if next(self._stage_two, STAGE_TWO_DONE) is not STAGE_TWO_DONE:
            QTimer.singleShot(STEP_PAUSE_MS, self._build_step)

    def _stage_two_steps(self) -> Iterator[None]:
        """Stage two; each ``yield`` lets the event loop run (a step takes at most a few tens of ms)."""
        from ragart_desktop.ui.browser import ReferenceBrowser
        from ragart_desktop.ui.error_panel import ErrorPanel
        from ragart_desktop.ui.file_dialogs import FileDialogs
        from ragart_desktop.ui.generation_panel import GenerationPanel
        from ragart_desktop.ui.generation_service import GenerationService
        from ragart_desktop.ui.history_view import HistoryView
        from ragart_desktop.ui.jobs_view import JobsView
        from ragart_desktop.ui.library_service import LibraryService

        # Services.
        self.dialogs = FileDialogs(self.settings, self.home.settings_path)
        self.service = LibraryService(self.home, self.settings, self)
        self.generation = GenerationService(self.home, self.service.library, self)
        self.model_worker = self.generation.worker
        self.history_store = self.generation.history
        for host in (self.service.reader, self.service.indexer, self.model_worker):
            host.unhandled_error.connect(self.report_error)
        self.generation.failed.connect(self.report_error)

        yield
        # Views.
        self.error_panel = ErrorPanel()
        self._central_layout.insertWidget(0, self.error_panel)
        self.browser = ReferenceBrowser(self.service)
        yield
        self.generation_panel = GenerationPanel()
        self.generation_panel.set_engines(BUILTIN_ENGINES)
        self._watch_references(self.generation_panel.references)
        self.jobs_view = JobsView()
        for host in (self.service.indexer, self.model_worker):
            self.jobs_view.watch(host)
        self.history_view = HistoryView(self.history_store, self.service.reader)
        yield
        area = QtCore.Qt.DockWidgetArea
        self.browser_dock = self._dock("References", self.browser, area.LeftDockWidgetArea)
        self.generation_stack = QStackedWidget()      # the image panel, or the current editor's own
        self.generation_stack.addWidget(self.generation_panel)
        self.generation_dock = self._dock("Generate", self.generation_stack, area.RightDockWidgetArea)
        self.jobs_dock = self._dock("Jobs", self.jobs_view, area.BottomDockWidgetArea)
        self.history_dock = self._dock("History", self.history_view, area.BottomDockWidgetArea)
        self.tabifyDockWidget(self.jobs_dock, self.history_dock)
        self.jobs_dock.raise_()
        self.resizeDocks([self.browser_dock, self.generation_dock], [460, 320], QtCore.Qt.Orientation.Horizontal)
        self.resizeDocks([self.jobs_dock], [190], QtCore.Qt.Orientation.Vertical)
        for dock in (self.browser_dock, self.generation_dock, self.jobs_dock, self.history_dock):
            self.view_menu.insertAction(self._dock_actions_end, dock.toggleViewAction())
        yield

        # Wiring.
        self.browser.pin_requested.connect(lambda items: self._references_box().pin_items(items))
        self.browser.demo_requested.connect(self.import_demo)
        self.browser.add_folder_requested.connect(self.add_folder)
        self.generation_panel.generate_requested.connect(self.generate)
        self.generation.generated.connect(self._generation_done)
        self.history_view.rerun_requested.connect(self._rerun)
        self.history_view.details.reveal_requested.connect(self.reveal_in_browser)
        self.history_view.details.set_thumbnails(self.browser.thumbnails)
        self.jobs_view.activity.connect(self._show_activity)
        self.jobs_view.idle.connect(self._activity_idle)
        self.service.status_ready.connect(self._show_library_status)
        self.service.imported.connect(self._import_done)
        self.service.changed.connect(self._library_changed)

        # Editors: the first tab's built a part per step, added (and painted) in the next; the other
        # tabs get placeholders, their editors are built when first shown or needed (``editor``).
        classes = editor_classes(self.errors.report_exception) if self._load_editor_tabs else []
        if classes:
            yield
            first = yield from editor_in_steps(classes[0], self.home, self.dialogs, self.errors.report_exception)
            yield
            if first is not None:
                self.add_editor(first)
            for cls in classes[1:]:      # the first of them is built at once when the first tab failed
                self.tabs.addTab(EditorPlaceholder(cls), cls.title)
        if not self.tabs.count():
            self.tabs.addTab(self._no_editor_page(), "Start")
        for editor in self.editors:
            self.offer_recovery(editor)
        self._update_editor_actions()
        self._restore_state()
        yield

        self.is_ready = True
        for report in self._early_reports:
            self.report_error(report)
        self._early_reports.clear()
        self._activity_idle()
        gc.freeze()                    # the panels and editor, too (see _build_panels)
        self.ready.emit()
        self._start_services()

    def _start_services(self) -> None:
        """Open the library and fill the views (all on workers)."""
        self.service.open_library()
        self.service.refresh_status()
        self.activity_label.setText("Loading the search model…")
        self.service.warmed.connect(lambda: self.jobs_view.running() or self._activity_idle())
        self.service.warm_up()
        self.browser.run_search()
        self.history_view.reload()
        self.refresh_engines()

    def refresh_engines(self) -> int:
        """Built-in engines plus the diffusion models found in the model folders (scanned, and its
        module imported, on a worker: an import on this thread can wait on the workers' imports)."""
        home, settings = self.home, self.settings

        def find(task) -> tuple[list[tuple[str, str]], list[str]]:
            from ragart_desktop.ui.generation import available_engines, available_loras

            return available_engines(home, settings), available_loras(home, settings)

        def show(found: tuple[list[tuple[str, str]], list[str]]) -> None:
            self.generation_panel.set_engines(found[0])
            self.generation_panel.set_loras(found[1])

        return self.service.reader.submit("Find models", find, visible=False, on_result=show)

    # -- construction helpers ----------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: QtCore.Qt.DockWidgetArea) -> "QDockWidget":
        from PySide6.QtWidgets import QDockWidget

        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _no_editor_page(self) -> QWidget:
        page = QLabel("<h2>RagArt Desktop</h2><p>Search your library on the left, pin references, "
                      "and generate on the right.</p><p>Drop folders anywhere on this window to add them "
                      "to your library.</p>")
        page.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        secondary(page)
        return page

    def offer_recovery(self, editor: Editor) -> Optional[QMessageBox]:
        """After a crash: offer the newest autosave of a document that was never saved (not modal)."""
        autosaves = editor.recoverable_autosaves()
        if not autosaves:
            return None
        newest = autosaves[0]
        when = time.strftime("%d %b %H:%M", time.localtime(newest.stat().st_mtime))
        what = editor.title.lower()
        box = QMessageBox(QMessageBox.Icon.Question, f"Recover your {what}",
                          f"RagArt closed before a {what} was saved. Recover the version autosaved on {when}?",
                          parent=self)
        recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard it", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)

        def answered(button) -> None:
            try:
                if button is recover:
                    editor.recover_autosave(newest)
                elif button is discard:
                    newest.unlink(missing_ok=True)
            except RagartError as exc:
                self.report_error(ErrorReport.from_exception(exc, f"Recovering the {what}"))

        box.buttonClicked.connect(answered)
        box.open()
        self._recovery_box = box
        return box

    def add_editor(self, editor: Editor) -> None:
        """Add an editor tab (``ui.editors.Editor`` is all the window knows of it)."""
        self.tabs.addTab(editor, editor.title)
        self._connect_editor(editor)

    def editor(self, kind: str) -> Optional[Editor]:
        """The editor of ``kind`` (built now if its tab was never shown); None when there is none."""
        return self._editor_where(lambda cls: cls.kind == kind)

    def _editor_where(self, wanted: Callable[[type[Editor]], bool]) -> Optional[Editor]:
        """The first editor whose class is ``wanted``, built now if its tab was never shown."""
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, Editor) and wanted(type(widget)):
                return widget
            if isinstance(widget, EditorPlaceholder) and wanted(widget.editor_class):
                return self._build_placeholder(widget)
        return None

    def _build_placeholder(self, placeholder: EditorPlaceholder) -> Optional[Editor]:
        """Build the editor of a tab never shown until now, at once (finishing the parts its first
        show started), and put it in its placeholder's place."""
        _, steps = self._unfinished.pop(placeholder.editor_class, (placeholder, None))
        if steps is None:
            steps = editor_in_steps(placeholder.editor_class, self.home, self.dialogs, self.errors.report_exception)
        return self._put_in_place(placeholder, run_to_end(steps))

    def _build_when_shown(self, placeholder: EditorPlaceholder) -> None:
        """A placeholder's tab is on screen: build its editor a part per turn of the event loop (the
        window paints and answers meanwhile), then put it in the tab."""
        cls = placeholder.editor_class
        if cls not in self._unfinished:
            self._unfinished[cls] = (placeholder, editor_in_steps(cls, self.home, self.dialogs,
                                                                  self.errors.report_exception))
            self._build_next_part(cls)

    def _build_next_part(self, cls: type[Editor]) -> None:
        if self._closed or cls not in self._unfinished:    # closing, or built at once meanwhile (``editor``)
            return
        placeholder, steps = self._unfinished[cls]
        try:
            next(steps)
        except StopIteration as done:
            del self._unfinished[cls]
            self._put_in_place(placeholder, done.value)
            return
        QTimer.singleShot(STEP_PAUSE_MS, lambda: self._build_next_part(cls))

    def _put_in_place(self, placeholder: EditorPlaceholder, editor: Optional[Editor]) -> Optional[Editor]:
        """The built editor in its placeholder's tab (one that failed to build was reported: its tab
        goes, as at start-up)."""
        index = self.tabs.indexOf(placeholder)
        was_current = self.tabs.currentIndex() == index
        self.tabs.blockSignals(True)    # the same tab, with its editor in it: not a change of tab
        self.tabs.removeTab(index)
        if editor is not None:
            self.tabs.insertTab(index, editor, editor.title)
            if was_current:
                self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        placeholder.deleteLater()
        if editor is not None:
            self._connect_editor(editor)
            self.offer_recovery(editor)
        elif not self.tabs.count():
            self.tabs.addTab(self._no_editor_page(), "Start")
        if was_current:
            self._editor_shown()
        return editor

    def _connect_editor(self, editor: Editor) -> None:
        """Wire a built editor, already in its tab, to the window's panels and services."""
        self.editors.append(editor)
        if editor.kind == "image" and self.browser.canvas_image is None:
            self.browser.set_canvas_provider(lambda: self._editor_image(editor))
        editor.pin_reference_requested.connect(
            lambda item_id, path: self.generation_panel.references.pin_dicts([{"id": item_id, "path": path}]))
        editor.error_occurred.connect(lambda exc: self.report_error(ErrorReport.from_exception(exc, editor.title)))
        editor.status_message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        editor.document_changed.connect(self._update_editor_actions)
        editor.reveal_requested.connect(self.reveal_in_browser)
        editor.search_like_requested.connect(self.search_like)
        panel = editor.generation_panel()
        if panel is not None:
            self.generation_stack.addWidget(panel)
            from ragart_desktop.ui.references_box import ReferencesBox

            box = panel.findChild(ReferencesBox)
            if box is not None:
                self._watch_references(box)
        editor.set_thumbnail_source(self.browser.thumbnails)
        editor.attach(self.generation, self.settings)
        self._update_editor_actions()

    def _watch_references(self, box: "ReferencesBox") -> None:
        """A generation panel's References box: pins show their thumbnails, a double-click shows a
        reference in the browser, and the browser marks the pins of the panel on show."""
        box.thumbnail_for = self.browser.thumbnails.get
        box.reveal_requested.connect(self.reveal_in_browser)
        self.browser.thumbnails.loaded.connect(lambda _: box.refresh_thumbnails())
        box.pinned_changed.connect(lambda _: self.browser.set_pinned(self._references_box().pinned_ids()))

    def _references_box(self) -> "ReferencesBox":
        """Where the browser's "Pin" goes: the References box of the generation controls on show."""
        from ragart_desktop.ui.references_box import ReferencesBox

        box = self.generation_stack.currentWidget().findChild(ReferencesBox)
        return box if box is not None else self.generation_panel.references

    @staticmethod
    def _editor_image(editor: Editor) -> Any:
        """The picture an image editor would hand to generation ("search with canvas")."""
        context = editor.generation_context()
        return context.image if context is not None else None

    def reveal_in_browser(self, item_ids: list[int], focus: Optional[int] = None) -> None:
        """Show library items (a result's references, the item it nearly copies) in the browser."""
        self.browser_dock.show()
        self.browser_dock.raise_()
        self.browser.show_items(item_ids, focus)

    def search_like(self, paths: list[str], label: str = "") -> None:
        """Show the library items most like these files (``label``: what they are) in the browser."""
        self.browser_dock.show()
        self.browser_dock.raise_()
        self.browser.find_similar_files(paths, label)

    def open_paths(self, paths: list[str]) -> None:
        """Open each file in the editor that takes its kind ("RagArt song.mid" opens the Music tab)."""
        for path in paths:
            try:
                if not Path(path).is_file():
                    raise BadInputError("does not exist or is not a file.", path=path)
                editor = self._editor_where(lambda cls: Path(path).suffix.lower() in cls.opens)
                if editor is None:
                    raise BadInputError("is not a file RagArt opens (an image, a MIDI file or a .ragart canvas).",
                                        path=path)
                self.tabs.setCurrentWidget(editor)
                editor.open_path(Path(path))
            except RagartError as exc:
                self.report_error(ErrorReport.from_exception(exc, "Open"))

    def current_editor(self) -> Optional[Editor]:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, Editor) else None

    def _action(self, menu, text: str, slot: Callable[[], Any], shortcut=None, tip: str = "") -> QAction:
        """A menu command; until the panels are built (a fraction of a second) it does nothing."""
        action = QAction(text, self)
        if shortcut is not None:
            # setShortcuts (a list) rather than setShortcut: the latter's overload check builds the
            # whole Qt enum namespace, ~12 ms before the first paint.
            keys = shortcut if isinstance(shortcut, (list, tuple)) else [shortcut]
            action.setShortcuts([QKeySequence(k) for k in keys])
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda: slot() if self.is_ready else None)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        keys = QKeySequence.StandardKey
        self.editor_actions: dict[str, QAction] = {}

        def routed(menu, text, name, shortcut):
            self.editor_actions[name] = self._action(menu, text, lambda: self._route(name), shortcut)

        file_menu = bar.addMenu("&File")
        self._action(file_menu, "Add Folder to Library…", self.add_folder, "Ctrl+Shift+O")
        self._action(file_menu, "Import Files…", self.import_files, "Ctrl+I")
        self._action(file_menu, "Try the Demo Library", self.import_demo)
        self._action(file_menu, "Learn from My Library…", self.learn_from_library)
        self._action(file_menu, "Rescan Library", self.rescan, "F5",
                     "Find added, changed, moved and removed files in your library folders")
        file_menu.addSeparator()
        routed(file_menu, "New…", "new_document", keys.New)
        routed(file_menu, "Open…", "open_file", keys.Open)
        routed(file_menu, "Save", "save", keys.Save)
        routed(file_menu, "Save As…", "save_as", keys.SaveAs)
        routed(file_menu, "Export…", "export", "Ctrl+E")
        file_menu.addSeparator()
        quit_action = QAction("Quit", self)
        quit_action.setShortcuts([QKeySequence(keys.Quit)])
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = bar.addMenu("&Edit")
        routed(edit_menu, "Undo", "undo", keys.Undo)
        routed(edit_menu, "Redo", "redo", [QKeySequence(keys.Redo).toString(), "Ctrl+Y"])
        edit_menu.addSeparator()
        self._action(edit_menu, "Find in Library", self._focus_search, keys.Find)

        self.view_menu = view_menu = bar.addMenu("&View")
        self._action(view_menu, "Zoom In", lambda: self._zoom(+1), ["Ctrl++", "Ctrl+="])
        self._action(view_menu, "Zoom Out", lambda: self._zoom(-1), "Ctrl+-")
        self._action(view_menu, "Actual Size", lambda: self._zoom(0), "Ctrl+0")
        view_menu.addSeparator()
        self._dock_actions_end = view_menu.addSeparator()    # dock toggles go above this
        self._action(view_menu, "Full Screen", self._toggle_full_screen, "F11")

        settings_menu = bar.addMenu("&Settings")
        prefs = self._action(settings_menu, "Preferences…", self.open_preferences, ["Ctrl+,"])
        prefs.setMenuRole(QAction.MenuRole.PreferencesRole)

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "Open Log Folder", lambda: self._open_folder(self.home.logs_dir))
        self._action(help_menu, "Open Data Folder", lambda: self._open_folder(self.home.root))
        about = self._action(help_menu, "About RagArt Desktop", self._about)
        about.setMenuRole(QAction.MenuRole.AboutRole)

    # -- library -----------------------------------------------------------------------------------

    def learn_from_library(self) -> None:
        from ragart_desktop.ui.music.training_dialog import open_training_dialog

        open_training_dialog(self)

    def add_folder(self) -> None:
        folder = self.dialogs.folder(self, "Add a folder to your library")
        if folder:
            self.import_paths([folder])

    def import_files(self) -> None:
        files = self.dialogs.open_files(self, "Import files", library_filter())
        if files:
            self.import_paths(files)

    def import_paths(self, paths: list[str]) -> int:
        self._show_activity(f"Importing {len(paths)} item(s)…", 0, 0)
        return self.service.import_paths(paths)

    def import_demo(self) -> int:
        return self.service.import_demo()

    def rescan(self) -> int:
        return self.service.rescan()

    def dragEnterEvent(self, event) -> None:
        if self.is_ready and dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self.is_ready and dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        paths = dropped_paths(event.mimeData()) if self.is_ready else []
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def _import_done(self, report) -> None:
        parts = [f"{getattr(report, name)} {label}" for name, label in
                 (("added", "added"), ("updated", "updated"), ("moved", "moved"), ("removed", "removed"))
                 if getattr(report, name, 0)]
        skipped = list(getattr(report, "skipped", []))
        summary = "Library up to date" if not parts else "Import finished: " + ", ".join(parts)
        if skipped:
            summary += f", {len(skipped)} skipped"
        self.statusBar().showMessage(summary, 8000)
        if skipped:
            listing = "\n".join(f"{s.path}: {s.reason}" for s in skipped[:500])
            self.report_error(ErrorReport(
                message=f"{len(skipped)} file(s) could not be imported (first: {Path(skipped[0].path).name}: "
                        f"{skipped[0].reason}).", context="Import", path=None,
                hint="Details lists every file and the reason.", kind="bad-input", details=listing))
        missing = list(getattr(report, "missing_roots", []))
        if missing:
            self.report_error(ErrorReport(
                message="a library folder is not reachable; its items are kept until it is back.",
                context="Rescan", path=missing[0], hint="Reconnect the drive, then use File > Rescan Library.",
                kind="storage"))
        for eid, why in getattr(report, "unavailable", {}).items():
            self.report_error(ErrorReport(
                message=f"{eid} is unavailable, the other search channels work: {why}", context="Import",
                path=None, hint="Fix or remove the model, then rescan to fill its index.", kind="model"))

    def _library_changed(self) -> None:
        self.browser.thumbnails.forget_missing()
        self.browser.run_search()

    def _show_library_status(self, status: dict) -> None:
        self._library_status = status
        items = status.get("items", {})
        total = status.get("total", sum(items.values()))
        parts = [f"{items[k.name]:,} {k.plural.lower()}" for k in KINDS if items.get(k.name)]
        self.count_label.setText(f"{total:,} items" + (f" ({', '.join(parts)})" if parts else ""))
        self.browser.show_library_empty(total == 0)

    # -- generation --------------------------------------------------------------------------------

    def generate(self) -> Optional[int]:
        """Queue the generation the panel describes, on what the current editor hands to it."""
        from ragart_desktop.ui.generation import image_request

        form = self.generation_panel.form()
        editor = self.current_editor()
        if editor is None or editor.kind != "image":   # results still land on a canvas when there is one
            editor = self.editor("image")
        try:
            request = image_request(form, editor.generation_context() if editor is not None else None)
        except RagartError as exc:
            self.report_error(ErrorReport.from_exception(exc, "Generate"))
            return None
        name = f"Generate: {form.prompt[:40]}" if form.prompt else "Generate"
        return self.generation.generate("image", request, name, target=editor)

    def _generation_done(self, record: "HistoryRecord") -> None:
        self.history_view.add_record(record)
        editor = next((e for e in self.editors if e.kind == record.kind), None)
        if record.outputs and (editor is None or editor.generation_panel() is None):
            # The shared panel ran it: its References box lists what the job used (an editor with
            # its own panel, the Music tab, shows them there itself).
            self.generation_panel.references.show_used(record.outputs[0].get("references") or [])
        self.history_dock.raise_()
        what = kind_named(record.kind).label if record.kind in KIND_NAMES else "result"
        self.statusBar().showMessage(f"Generated {len(record.outputs)} {what}(s)", 6000)

    def _rerun(self, kind: str, request: dict) -> None:
        """History > Re-run: the request back in the controls of its kind (image: the generation
        panel; another kind: the editor of that kind)."""
        if kind == "image":
            self.generation_panel.load_request(request)
            self.generation_dock.raise_()
            self.generation_dock.show()
            return
        editor = self.editor(kind)
        if editor is not None:
            self.tabs.setCurrentWidget(editor)
            editor.load_request(request)
            if editor.generation_panel() is not None:      # its controls are in the Generate dock
                self.generation_dock.raise_()
                self.generation_dock.show()

    # -- errors and status -------------------------------------------------------------------------

    def report_error(self, report: ErrorReport) -> None:
        """The one place errors are shown."""
        if not self.is_ready:
            self._early_reports.append(report)
            return
        self.error_panel.show_report(report)
        self.statusBar().showMessage(report.headline, 10000)

    def _show_activity(self, message: str, done: int, total: int) -> None:
        self.activity_label.setText(message or "Working…")
        self.activity_bar.setRange(0, total if total > 0 else 0)
        if total > 0:
            self.activity_bar.setValue(min(done, total))
        self.activity_bar.show()

    def _activity_idle(self) -> None:
        self.activity_label.setText("Ready")
        self.activity_bar.hide()

    # -- routed editor commands --------------------------------------------------------------------

    def _command(self, name: str) -> Optional[Callable[[], Any]]:
        """The current editor's command ``name`` (undo/redo from its undo stack), or None."""
        editor = self.current_editor()
        if editor is None:
            return None
        if name in ("undo", "redo"):
            stack = editor.undo_stack()
            return None if stack is None else getattr(stack, name)
        return editor.commands().get(name)

    def _route(self, name: str) -> None:
        command = self._command(name)
        if command is None:
            return
        try:
            if name in REPLACING_COMMANDS and not self.may_close([self.current_editor()]):
                return
            command()
        except RagartError as exc:
            self.report_error(ErrorReport.from_exception(exc, name.replace("_", " ").capitalize()))

    def _editor_shown(self) -> None:
        """The current tab changed: its editor (built on its first showing), its commands, and its
        generation controls in the Generate dock."""
        if isinstance(self.tabs.currentWidget(), EditorPlaceholder):
            self._build_when_shown(self.tabs.currentWidget())
        self._update_editor_actions()
        if self.is_ready:
            editor = self.current_editor()
            panel = editor.generation_panel() if editor is not None else None
            self.generation_stack.setCurrentWidget(panel if panel is not None else self.generation_panel)
            self.browser.set_pinned(self._references_box().pinned_ids())
            self.generation_dock.setWindowTitle(f"Generate {editor.title.lower()}" if panel is not None else "Generate")

    def _update_editor_actions(self) -> None:
        for name, action in self.editor_actions.items():
            action.setEnabled(self._command(name) is not None)
        for editor in self.editors:
            index = self.tabs.indexOf(editor)
            self.tabs.setTabText(index, f"{editor.title}: {self._document_label(editor)}")
        editor = self.current_editor()
        self.setWindowTitle(APP_TITLE if editor is None else f"RagArt — {self._document_label(editor)}")

    @staticmethod
    def _document_label(editor: Editor) -> str:
        """The document's name with a modified marker ("harbour.ragart*")."""
        return editor.document_name() + ("*" if editor.is_modified() else "")

    # -- closing documents -------------------------------------------------------------------------

    def may_close(self, editors: list[Editor]) -> bool:
        """Ask "save changes?" for each modified document; False when the user cancels (or a save
        fails or is cancelled): then nothing is closed."""
        for editor in editors:
            if not editor.is_modified():
                continue
            self.tabs.setCurrentWidget(editor)
            answer = self.ask_save_changes(editor)
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save:
                try:
                    if not editor.save():
                        return False
                except RagartError as exc:
                    self.report_error(ErrorReport.from_exception(exc, "Save"))
                    return False
        return True

    def ask_save_changes(self, editor: Editor) -> QMessageBox.StandardButton:
        buttons = QMessageBox.StandardButton
        box = QMessageBox(QMessageBox.Icon.Warning, "Save changes?",
                          f"Save the changes to {editor.document_name()} before closing it?",
                          buttons.Save | buttons.Discard | buttons.Cancel, self)
        box.setInformativeText("If you don't save, your changes since the last save are lost.")
        box.setDefaultButton(buttons.Save)
        box.setEscapeButton(buttons.Cancel)
        return buttons(box.exec())

    def _zoom(self, direction: int) -> None:
        in_browser = self.browser.isAncestorOf(QApplication.focusWidget()) if QApplication.focusWidget() else False
        name = {1: "zoom_in", -1: "zoom_out", 0: "zoom_reset"}[direction]
        command = None if in_browser else self._command(name)
        if command is not None:
            command()
        elif direction == 0:
            self.browser.set_thumbnail_size(140)
        else:
            self.browser.zoom(direction)

    def _focus_search(self) -> None:
        self.browser_dock.show()
        self.browser_dock.raise_()
        self.browser.search_box.setFocus()
        self.browser.search_box.selectAll()

    def _toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # -- settings, help ----------------------------------------------------------------------------

    def open_preferences(self) -> None:
        from ragart_desktop.ui.backup_panel import BackupPanel
        from ragart_desktop.ui.settings_dialog import apply_settings, edit_settings
        from ragart_desktop.ui.theme import apply_theme

        library_roots = [r["path"] for r in self._library_status.get("roots", [])]
        new = edit_settings(self.settings, self, library_roots, BackupPanel(self.home, self.service))
        if new is None:
            return
        added_roots = [r for r in new.library_roots if r not in self.settings.library_roots + library_roots]
        removed_roots = [r for r in library_roots if r not in new.library_roots]
        changed = apply_settings(self.settings, new)
        try:
            self.settings.save(self.home.settings_path)
        except RagartError as exc:
            self.report_error(ErrorReport.from_exception(exc, "Saving preferences"))
        if "theme" in changed:
            apply_theme(QApplication.instance(), self.settings.theme)
        if added_roots:
            self.import_paths(added_roots)
        if removed_roots:
            self.service.remove_roots(removed_roots)
        if "model_paths" in changed or "device" in changed:
            self.service.reload_embedders()
        if {"model_paths", "trusted_models"} & set(changed):
            self.refresh_engines()
        if {"fusion_weight", "mmr_lambda", "use_pagerank"} & set(changed):
            self.browser.run_search()

    def _open_folder(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _about(self) -> None:
        import ragart_desktop

        QMessageBox.about(self, "About RagArt Desktop",
                          f"<h3>RagArt Desktop {ragart_desktop.__version__}</h3>"
                          "<p>Paint, compose and write with references from your own library. "
                          "Everything runs on this computer; nothing is uploaded.</p>"
                          f"<p>Data folder: {self.home.root}</p>")

    # -- layout persistence and shutdown -----------------------------------------------------------

    def _layout_settings(self) -> QSettings:
        return QSettings(str(self.home.root / "window.ini"), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> bool:
        """Window size and place of the last session; False when there is none."""
        geometry = self._layout_settings().value("geometry")
        return bool(geometry) and self.restoreGeometry(geometry)

    def _restore_state(self) -> None:
        """Dock layout of the last session (once the docks exist)."""
        state = self._layout_settings().value("state")
        if state:
            self.restoreState(state)

    def closeEvent(self, event) -> None:
        if not self._closed:
            asking = self.is_ready and self.isVisible() and not QApplication.closingDown()
            if asking and not self.may_close(self.editors):
                event.ignore()
                return
            self._closed = True
            if self.is_ready:
                for editor in self.editors:
                    editor.close_document()   # a clean exit: their autosaves go (a crash keeps them)
            store = self._layout_settings()
            store.setValue("geometry", self.saveGeometry())
            if self.is_ready:
                store.setValue("state", self.saveState())
            self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Cancel every job, let the running ones stop at their next step, join the threads (of the
        parts built so far, when the window closes while stage two is under way)."""
        if self._preload is not None:
            self._preload.join()
        gc.unfreeze()    # what the window kept out of the collector's sight (``_build_panels``) can go now
        for _, steps in self._unfinished.values():    # an editor half built for its tab's first show
            editor = run_to_end(steps)
            if editor is not None:
                editor.shutdown()
                editor.deleteLater()
        self._unfinished.clear()
        for editor in self.editors:
            editor.shutdown()
        if self.generation is not None:
            self.generation.shutdown()
        if self.service is not None:
            self.service.close()

    def threads(self) -> list[Any]:
        hosts = ([self.generation.worker] if self.generation is not None else []) + \
            ([self.service.reader, self.service.indexer] if self.service is not None else [])
        return [host.thread for host in hosts]
