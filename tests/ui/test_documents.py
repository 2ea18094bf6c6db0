"""Nothing lost: "save changes?" on quit and on closing a modified canvas, a clean exit drops the
autosave (a crash keeps it), File > New with a size, the title names the document, dialogs open
where the user works."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog

from ragart_desktop.core.canvas import autosave_dir
from ragart_desktop.core.generate.text.provenance import read_text_file
from ragart_desktop.core.settings import Settings
from tests.ui.dialogs import DialogAnswer, click_button, close_discarding


def _file_action(win, text: str):
    file_menu = win.menuBar().actions()[0].menu()
    return next(a for a in file_menu.actions() if a.text().replace("&", "") == text)


def _autosaves(home) -> list[Path]:
    folder = autosave_dir(home)
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_quit_with_unsaved_edits_asks_and_a_clean_exit_drops_the_autosave(qtbot, canvas_window, home):
    win = canvas_window
    canvas = win.tabs.widget(0)
    canvas.document.add_layer("sketch")
    canvas._autosaver.save_now()                      # what the autosave timer did while they painted
    assert len(_autosaves(home)) == 1

    cancel = DialogAnswer(click_button("Cancel"))
    win.close()
    assert cancel.seen is not None and "Save the changes" in cancel.seen
    assert win.isVisible() and "sketch" in [layer.name for layer in canvas.document.layers]
    assert len(_autosaves(home)) == 1                 # cancelled: nothing touched

    discard = DialogAnswer(click_button("Discard"))
    win.close()
    assert discard.seen is not None and not win.isVisible()
    assert _autosaves(home) == []                     # a clean exit leaves nothing to "recover"


def test_a_crash_keeps_the_autosave_and_the_next_start_offers_it(qtbot, home):
    from ragart_desktop.ui.main_window import MainWindow

    first = MainWindow(home, Settings(), load_editor_tabs=True)
    with qtbot.waitSignal(first.ready, timeout=20_000):
        first.show()
    first.tabs.widget(0).document.add_layer("sketch")
    first.tabs.widget(0)._autosaver.save_now()
    first.shutdown()                                  # the process dies: no close, no question
    assert len(_autosaves(home)) == 1
    second = MainWindow(home, Settings(), load_editor_tabs=True)
    with qtbot.waitSignal(second.ready, timeout=20_000):
        second.show()
    try:
        assert second._recovery_box.isVisible()
    finally:
        second._recovery_box.close()
        second.close()
        close_discarding(first)                   # (the crashed window's widgets)


def test_saving_on_quit_writes_the_project(qtbot, canvas_window, tmp_path, monkeypatch):
    target = tmp_path / "work" / "harbour.ragart"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    canvas = canvas_window.tabs.widget(0)
    canvas.document.add_layer("sketch")
    DialogAnswer(click_button("Save"))
    canvas_window.close()
    assert target.exists() and not canvas_window.isVisible()


def test_new_and_open_ask_before_dropping_a_modified_canvas(qtbot, canvas_window):
    canvas = canvas_window.tabs.widget(0)
    canvas.document.add_layer("sketch")
    cancel = DialogAnswer(click_button("Cancel"))
    _file_action(canvas_window, "New…").trigger()
    assert cancel.seen is not None and "sketch" in [layer.name for layer in canvas.document.layers]
    cancel = DialogAnswer(click_button("Cancel"))
    _file_action(canvas_window, "Open…").trigger()
    assert cancel.seen is not None and "sketch" in [layer.name for layer in canvas.document.layers]


def test_the_text_tab_news_opens_and_saves_its_text_and_asks_before_losing_it(qtbot, canvas_window, tmp_path,
                                                                              monkeypatch):
    win = canvas_window
    text = win.editor("text")
    win.tabs.setCurrentWidget(text)
    assert win.windowTitle() == "RagArt — Untitled"
    qtbot.keyClicks(text.document, "the harbour at dawn")          # typed
    assert win.windowTitle() == "RagArt — Untitled*" and win.tabs.tabText(win.tabs.indexOf(text)) == "Text: Untitled*"
    cancel = DialogAnswer(click_button("Cancel"))
    _file_action(win, "New…").trigger()
    assert cancel.seen is not None and text.document.toPlainText() == "the harbour at dawn"

    target = tmp_path / "dawn.md"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    _file_action(win, "Save").trigger()
    assert read_text_file(target)[0] == "the harbour at dawn" and win.windowTitle() == "RagArt — dawn.md"
    _file_action(win, "New…").trigger()                # saved: nothing to ask
    assert text.document.toPlainText() == "" and win.windowTitle() == "RagArt — Untitled"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(target), "")))
    _file_action(win, "Open…").trigger()
    assert text.document.toPlainText() == "the harbour at dawn" and win.windowTitle() == "RagArt — dawn.md"

    qtbot.keyClicks(text.document, ", again")
    discard = DialogAnswer(click_button("Discard"))
    win.close()
    assert discard.seen is not None and "Save the changes" in discard.seen and not win.isVisible()


def test_file_new_offers_sizes_and_the_title_names_the_document(qtbot, canvas_window, tmp_path, monkeypatch):
    from ragart_desktop.ui.canvas.new_canvas import NewCanvasDialog

    win = canvas_window
    canvas = win.tabs.widget(0)
    assert win.windowTitle() == "RagArt — Untitled" and win.tabs.tabText(0) == "Canvas: Untitled"

    def custom_size(dialog: NewCanvasDialog) -> None:
        assert dialog.preset.count() > 3                       # presets, then "Custom size"
        dialog.width_box.setValue(640)
        dialog.height_box.setValue(480)
        assert dialog.preset.currentText() == "Custom size"
        dialog.accept()

    DialogAnswer(custom_size)
    _file_action(win, "New…").trigger()
    assert (canvas.document.width, canvas.document.height) == (640, 480)

    def portrait(dialog: NewCanvasDialog) -> None:
        labels = [dialog.preset.itemText(i) for i in range(dialog.preset.count())]
        dialog.preset.setCurrentIndex(next(i for i, label in enumerate(labels) if label.startswith("Portrait")))
        dialog.accept()

    DialogAnswer(portrait)
    _file_action(win, "New…").trigger()
    assert (canvas.document.width, canvas.document.height) == (1024, 1536)

    canvas.document.add_layer("sketch")
    assert win.windowTitle() == "RagArt — Untitled*" and win.tabs.tabText(0) == "Canvas: Untitled*"
    target = tmp_path / "harbour.ragart"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    _file_action(win, "Save").trigger()
    assert win.windowTitle() == "RagArt — harbour.ragart" and win.tabs.tabText(0) == "Canvas: harbour.ragart"


def test_file_dialogs_open_in_pictures_then_in_the_last_folder_used(qtbot, canvas_window, tmp_path, monkeypatch,
                                                                    home):
    asked: list[str] = []
    answers = iter([str(tmp_path / "art" / "first.ragart"), str(tmp_path / "art" / "first.png")])

    def save_dialog(parent, caption, start, filters):
        asked.append(start)
        return next(answers), ""

    def folder_dialog(parent, caption, start):
        asked.append(start)
        return ""

    (tmp_path / "art").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder_dialog))
    win = canvas_window
    win.tabs.widget(0).document.add_layer("sketch")
    _file_action(win, "Save As…").trigger()
    _file_action(win, "Export…").trigger()
    _file_action(win, "Add Folder to Library…").trigger()
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    first_folder = Path(asked[0]).parent
    assert first_folder == (Path(pictures) if os.path.isdir(pictures) else Path.home())
    assert not asked[0].startswith(os.getcwd())                     # never the app's own folder
    assert Path(asked[1]).parent == tmp_path / "art" and Path(asked[2]) == tmp_path / "art"
    assert Settings.load(home.settings_path).last_folder == str(tmp_path / "art")   # remembered
