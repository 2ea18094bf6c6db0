"""Start-up: the window's second stage (panels, services, editors) is built in steps with the event
loop running between them, so the window paints and answers while it is built; closing it halfway
leaves no thread behind. Only the tab on screen gets its editor at start-up: the others are built
when first shown or needed (a file to open, a History re-run), and quitting never asks about them. (How long the UI thread is blocked is measured by bench/bench_ui_stall.py.)"""
from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from PySide6.QtCore import QThread, QTimer

from ragart_desktop.core.demo.music import PIECES, render_piece
from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.editors import EditorPlaceholder
from ragart_desktop.ui.main_window import MainWindow
from ragart_desktop.ui.music.generation_panel import MusicGenerationPanel
from tests.ui.conftest import python_threads
from tests.ui.dialogs import DialogAnswer, click_button, close_discarding


def running_qthreads() -> list[QThread]:
    return [o for o in gc.get_objects() if isinstance(o, QThread) and o.isRunning()]


def watch_stage_two(win: MainWindow, on_turn) -> QTimer:
    """Calls ``on_turn`` from the window's first paint on, every millisecond the event loop lets a
    timer run (a real timer, as an animation's or a playhead's: Qt runs zero timers before them)."""
    probe = QTimer(win, interval=1)
    probe.timeout.connect(on_turn)
    win.first_painted.connect(probe.start)
    return probe


def test_the_event_loop_runs_between_the_steps_that_build_the_window(qtbot, home):
    win = MainWindow(home, Settings(), load_editor_tabs=True)
    turns: list[tuple[bool, int]] = []       # (services made, editors added) at each turn before ready
    probe = watch_stage_two(win, lambda: win.is_ready or turns.append((win.service is not None, len(win.editors))))
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.show()
    probe.stop()
    # Timers ran after the services were made, and between building the canvas and adding it.
    assert {(True, 0), (True, 1)} <= set(turns)
    # Only the tab on screen is built; every tab is there from the start.
    assert [e.kind for e in win.editors] == ["image"]
    assert [win.tabs.tabText(i).split(":")[0] for i in range(win.tabs.count())] == ["Canvas", "Music", "Text"]
    assert [type(win.tabs.widget(i)) for i in (1, 2)] == [EditorPlaceholder, EditorPlaceholder]
    close_discarding(win)


def test_a_tab_never_shown_is_built_in_parts_when_first_shown_and_works(qtbot, canvas_window):
    win = canvas_window
    turns: list[bool] = []          # at each turn of the event loop: is the Music tab still unbuilt
    probe = QTimer(win, interval=1)
    probe.timeout.connect(lambda: turns.append(isinstance(win.tabs.widget(1), EditorPlaceholder)))
    probe.start()
    win.tabs.setCurrentIndex(1)
    assert win.current_editor() is None                        # not built in one go
    qtbot.waitUntil(lambda: win.current_editor() is not None, timeout=10_000)
    probe.stop()
    assert turns.count(True) >= 3                               # the window ran between its parts
    music = win.current_editor()
    assert music is not None and music.kind == "music" and win.tabs.widget(1) is music
    assert win.tabs.currentIndex() == 1 and win.tabs.count() == 3
    assert [e.kind for e in win.editors] == ["image", "music"]
    assert isinstance(win.generation_stack.currentWidget(), MusicGenerationPanel)   # its controls in the dock
    assert win.generation_dock.windowTitle() == "Generate music"
    assert win.tabs.tabText(1) == f"Music: {music.document_name()}"
    music.editing.add_note(0.0, 60, 1.0)        # it edits: the title, its tab and the Edit menu follow
    assert music.doc.score.note_count == 1 and win.windowTitle().endswith("*")
    assert win.editor_actions["undo"].isEnabled()
    win.editor_actions["undo"].trigger()
    assert music.doc.score.note_count == 0
    win.tabs.setCurrentIndex(0)
    win.tabs.setCurrentIndex(1)                 # built once
    qtbot.wait(20)
    assert win.current_editor() is music and len(win.editors) == 2


def test_a_midi_file_on_the_command_line_lands_in_the_music_tab(qtbot, home, tmp_path):
    path = tmp_path / "blue-hour.mid"
    path.write_bytes(render_piece(next(p for p in PIECES if p.name == "blue-hour-ii-v-i")))
    win = MainWindow(home, Settings(), load_editor_tabs=True)
    win.ready.connect(lambda: win.open_paths([str(path)]))      # as app.main does with its FILE arguments
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.show()
    music = win.current_editor()
    assert music is not None and music.kind == "music"
    qtbot.waitUntil(lambda: music.doc.score.note_count > 0, timeout=10_000)
    assert win.windowTitle() == "RagArt — blue-hour.mid"
    close_discarding(win)


def test_quitting_with_tabs_never_opened_asks_nothing_and_builds_nothing(qtbot, home):
    win = MainWindow(home, Settings(), load_editor_tabs=True)
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.show()
    asked = DialogAnswer(click_button("Cancel"), timeout_ms=1000)
    assert win.close()
    qtbot.wait(100)
    assert asked.seen is None and not win.isVisible()
    assert [e.kind for e in win.editors] == ["image"]           # nothing built to be saved or shut down
    assert all(t.isFinished() for t in win.threads())


def test_a_history_rerun_of_a_music_job_builds_the_music_tab(canvas_window):
    win = canvas_window
    assert [e.kind for e in win.editors] == ["image"]
    win.history_view.rerun_requested.emit("music", {"mode": "infill", "count": 2, "seed": 77, "references": []})
    music = win.current_editor()
    assert music is not None and music.kind == "music" and music in win.editors
    assert (music.panel.form().mode, music.panel.form().seed) == ("infill", 77)


def test_closing_the_window_while_it_is_being_built_joins_every_thread(qtbot, home):
    before = python_threads()
    win = MainWindow(home, Settings(), load_editor_tabs=True)
    closed: list[int] = []

    def close_halfway() -> None:
        if not closed and not win.is_ready and len(win.editors) == 1:   # services up, one editor built
            closed.append(1)
            win.close()

    probe = watch_stage_two(win, close_halfway)
    win.show()
    qtbot.waitUntil(lambda: bool(closed), timeout=20_000)
    probe.stop()
    qtbot.wait(50)                           # a step already queued must not build on a closed window
    assert not win.is_ready and len(win.editors) == 1
    assert win.threads() and all(t.isFinished() for t in win.threads()), "a worker thread survived the window"
    assert python_threads() <= before, "a Python thread survived the window"


def test_a_tab_half_built_is_finished_when_needed_or_stopped_with_the_window(qtbot, home):
    before = python_threads()
    win = MainWindow(home, Settings(), load_editor_tabs=True)
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.show()
    win.tabs.setCurrentIndex(2)                 # the Text tab: its editor is being built a part at a time
    qtbot.wait(2)
    assert isinstance(win.tabs.widget(2), EditorPlaceholder)
    text = win.editor("text")                   # a file to open, a re-run: finished at once
    assert text is not None and win.tabs.widget(2) is text and win.current_editor() is text
    assert win.windowTitle() == "RagArt — Untitled"
    qtbot.wait(20)                              # the parts still queued build nothing more
    assert [e.kind for e in win.editors] == ["image", "text"]

    win.tabs.setCurrentIndex(1)                 # the Music tab (it has threads), half built when the window closes
    qtbot.wait(2)
    assert isinstance(win.tabs.widget(1), EditorPlaceholder)
    close_discarding(win)
    qtbot.wait(50)
    assert all(t.isFinished() for t in win.threads())
    assert python_threads() <= before and not running_qthreads(), "a half-built editor's thread survived the window"


def test_the_app_sets_short_gil_turns_and_no_application_style_sheet(qapp):
    from ragart_desktop.app import UI_SWITCH_INTERVAL_S, prepare_ui

    before, style, palette = sys.getswitchinterval(), qapp.style().name(), qapp.palette()
    try:
        sys.setswitchinterval(0.005)
        prepare_ui(qapp, Settings(theme="dark"))
        assert sys.getswitchinterval() == pytest.approx(UI_SWITCH_INTERVAL_S) and UI_SWITCH_INTERVAL_S <= 0.001
        assert qapp.styleSheet() == ""
    finally:
        sys.setswitchinterval(before)
        qapp.setStyle(style)
        qapp.setPalette(palette)


def test_what_start_up_loaded_is_kept_from_the_collector_while_the_window_lives(qtbot, home):
    win = MainWindow(home, Settings(), load_editor_tabs=True)
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.show()
    assert gc.get_freeze_count() > 10_000      # modules, classes, panels: no full collection goes through them
    close_discarding(win)
    assert gc.get_freeze_count() == 0          # given back when the window closes


CLASSES_BEFORE_PRELOAD = """
import sys
from pathlib import Path
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ragart_desktop.core.home import Home
from ragart_desktop.core.settings import Settings
import ragart_desktop.ui.main_window as main_window

unmade = []
preload = main_window._preload
def watched(modules):
    unmade.extend(n for m in (QtCore, QtGui, QtWidgets) for n in dir(m) if n not in vars(m))
    preload(modules)
main_window._preload = watched
window = main_window.MainWindow(Home(Path(sys.argv[1])).ensure(), Settings())
window.ready.connect(lambda: QtCore.QTimer.singleShot(0, window.close))
window.show()
app.exec()
print("unmade when the preload thread started:", len(unmade), unmade[:5])
"""


def test_the_qt_classes_are_made_before_the_preload_thread_starts(tmp_path):
    """PySide6 builds a class's enums in Python: made on two threads at once (the preload thread while
    the window painted) it crashed the app in about one start in ten. In a fresh process, as the app
    starts, every class of QtCore, QtGui and QtWidgets exists before the preload thread imports."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", CLASSES_BEFORE_PRELOAD, str(tmp_path / "home")], env=env,
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    assert "unmade when the preload thread started: 0 []" in done.stdout, done.stdout
