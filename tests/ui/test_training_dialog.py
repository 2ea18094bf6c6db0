"""Learn from my library: the dialog trains on the library's MIDI pieces on its worker, draws the loss
curves live, reports the saved model (and tells the window), and cancels. The model is cut to a tiny
shape and a few steps."""
from __future__ import annotations

from dataclasses import replace

import pytest

from ragart_desktop.core.demo.music import PIECES, render_piece
from ragart_desktop.core.train import store
from ragart_desktop.core.train.trainer import ModelShape, Schedule
from tests.core.library.conftest import shared_embedders  # noqa: F401

FOLK = ("lantern-waltz", "harbour-reel", "cradle-song", "morning-on-the-fell")
TINY = ModelShape(width=32, layers=2, heads=2, context=64)


def _import_folk(home, folder, embedders):
    """The library of ``home`` with the four folk pieces imported from ``folder`` (open)."""
    from ragart_desktop.core.library.library import Library

    folder.mkdir()
    for spec in PIECES:
        if spec.name in FOLK:
            (folder / f"{spec.name}.mid").write_bytes(render_piece(spec))
    lib = Library.open(home, embedders=embedders)
    lib.import_paths([folder])
    return lib


@pytest.fixture
def folk_library(home, tmp_path, shared_embedders):  # noqa: F811
    lib = _import_folk(home, tmp_path / "folk", shared_embedders)
    yield lib
    lib.close()


def _dialog(qtbot, monkeypatch, library, schedule: Schedule):
    from ragart_desktop.ui.music.training_dialog import TrainingDialog

    original = TrainingDialog.request
    monkeypatch.setattr(TrainingDialog, "request", lambda self: replace(original(self), shape=TINY, schedule=schedule))
    dialog = TrainingDialog(lambda: library)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_dialog_trains_draws_the_curves_and_announces_the_model(qtbot, monkeypatch, folk_library, home):
    dialog = _dialog(qtbot, monkeypatch, folk_library, Schedule(batch=4, micro_batch=2, eval_every=4, max_steps=8))
    dialog.name.setText("folk-style")
    with qtbot.waitSignal(dialog.trained, timeout=120_000) as saved:
        dialog.start.click()
    assert saved.args == ["folk-style"]
    assert "Saved 'folk-style'" in dialog.status.text() and "built-in engine's" in dialog.status.text()
    progress = dialog.plot.progress
    assert progress is not None and len(progress.train_curve) == 8 and progress.val_curve
    assert not dialog.plot.grab().isNull()
    assert (home.models_dir / "folk-style" / "model.safetensors").is_file()
    assert dialog.start.isEnabled() and not dialog.cancel.isEnabled()


def test_cancel_stops_the_training_and_keeps_its_checkpoint(qtbot, monkeypatch, folk_library, home):
    dialog = _dialog(qtbot, monkeypatch, folk_library, Schedule(batch=4, micro_batch=2, eval_every=2, max_steps=100_000))
    dialog.start.click()
    qtbot.waitUntil(lambda: dialog.plot.progress is not None and bool(dialog.plot.progress.val_curve), timeout=120_000)
    dialog.cancel.click()
    qtbot.waitUntil(lambda: dialog.start.isEnabled(), timeout=10_000)
    assert "Cancelled" in dialog.status.text()
    assert (store.work_dir(home.models_dir, "my-style") / store.CHECKPOINT).is_file()
    assert not (home.models_dir / "my-style").exists()


def test_a_bad_name_is_refused_on_screen(qtbot, monkeypatch, folk_library):
    dialog = _dialog(qtbot, monkeypatch, folk_library, Schedule())
    dialog.name.setText("../escape")
    dialog.start.click()
    assert "model name" in dialog.status.text() and dialog.job is None


def test_a_model_trained_from_the_window_appears_in_the_music_tabs_engine_list(qtbot, monkeypatch, home, tmp_path,
                                                                              shared_embedders):  # noqa: F811
    """The whole hand-off: Music → Learn from my library… in the main window, a tiny training on the
    library's MIDI pieces, and the saved model offered by the Music tab's engine list."""
    from ragart_desktop.core.settings import Settings
    from ragart_desktop.ui.main_window import MainWindow
    from ragart_desktop.ui.music.training_dialog import TrainingDialog
    from tests.ui.dialogs import close_discarding

    _import_folk(home, tmp_path / "folk", shared_embedders).close()   # the window opens it itself
    original = TrainingDialog.request
    monkeypatch.setattr(TrainingDialog, "request", lambda self: replace(
        original(self), shape=TINY, schedule=Schedule(batch=4, micro_batch=2, eval_every=3, max_steps=3)))

    win = MainWindow(home, Settings(), load_editor_tabs=True)
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.show()
    dialog = None
    try:
        music = win.editor("music")      # the Music tab, built now (it is not shown at start-up)
        engines = music.panel.engine
        qtbot.waitUntil(lambda: not music.files.is_busy(), timeout=10_000)   # the start-up scan is done
        assert engines.findData("folk-style") < 0
        win.learn_from_library()
        dialog = win.findChild(TrainingDialog)
        dialog.name.setText("folk-style")
        with qtbot.waitSignal(dialog.trained, timeout=120_000):
            dialog.start.click()
        qtbot.waitUntil(lambda: engines.findData("folk-style") >= 0, timeout=10_000)
        assert "folk-style" in engines.itemText(engines.findData("folk-style"))
    finally:
        if dialog is not None:
            dialog.close()
        close_discarding(win)
