"""UI tests run headless (offscreen Qt) with a fresh home folder per test."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ragart_desktop.core.home import Home
from ragart_desktop.core.settings import Settings


@pytest.fixture(autouse=True)
def _no_dialog_answer_outlives_its_test():
    from tests.ui.dialogs import DialogAnswer

    yield
    DialogAnswer.forget_all()


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Home:
    root = tmp_path / "home"
    monkeypatch.setenv("RAGART_HOME", str(root))
    return Home(root).ensure()


def python_threads() -> set[threading.Thread]:
    """Live Python threads, without the dummies Python registers for Qt's threads."""
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)}


@pytest.fixture
def window(qtbot, home):
    """The main window on a fresh home; closing it must join every worker thread."""
    from ragart_desktop.ui.main_window import MainWindow

    before = python_threads()
    win = MainWindow(home, Settings(), load_editor_tabs=False)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=10_000):
        win.show()
    yield win
    win.close()
    assert all(t.isFinished() for t in win.threads()), "a worker thread survived the window"
    assert python_threads() <= before, "a Python thread survived the window"


@pytest.fixture
def canvas_window(qtbot, home):
    """The main window with its editors (the canvas); closed here, discarding any unsaved edit
    (qtbot would close it first, and a modified canvas asks "save changes?")."""
    from ragart_desktop.ui.main_window import MainWindow
    from tests.ui.dialogs import close_discarding

    win = MainWindow(home, Settings(), load_editor_tabs=True)
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.show()
    yield win
    close_discarding(win)


@pytest.fixture
def make_images():
    return write_images


def write_images(folder: Path, count: int, size: int = 48, seed: int = 0) -> list[Path]:
    """Small, distinct PNG images (random colour fields with a gradient)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        base = rng.integers(0, 256, size=3)
        ramp = np.linspace(0, 1, size)[None, :, None]
        pixels = (base[None, None, :] * (0.4 + 0.6 * ramp) + rng.normal(0, 12, (size, size, 3))).clip(0, 255)
        path = folder / f"image_{i:04d}.png"
        Image.fromarray(pixels.astype(np.uint8)).save(path)
        paths.append(path)
    return paths
