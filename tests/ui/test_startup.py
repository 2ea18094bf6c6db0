"""Start-up: the window's second stage (panels, services, editors) is built in steps with the event
loop running between them, so the window paints and answers while it is built; closing it halfway
leaves no thread behind. (How long the UI thread is blocked is measured by bench/bench_ui_stall.py.)"""
from __future__ import annotations

from PySide6.QtCore import QTimer

from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.main_window import MainWindow
from tests.ui.conftest import python_threads
from tests.ui.dialogs import close_discarding


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
    # Timers ran after the services were made, and between one editor and the next.
    assert {(True, 0), (True, 1), (True, 2)} <= set(turns)
    assert [e.kind for e in win.editors] == ["image", "music", "text"]
    close_discarding(win)


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
