"""The Text tab over a real library of poems: write (built-in engine on the model worker), watch it
stream, choose a variation, insert and replace, see scores and copy warnings, history, export."""
from __future__ import annotations

import pytest

from ragart_desktop.core.generate.text.provenance import read_text_file
from ragart_desktop.core.history import HistoryRecord
from ragart_desktop.ui.text import TextEditor
from ragart_desktop.ui.generation_service import GenerationService
from tests.core.generate.text.conftest import lib, poems  # noqa: F401
from tests.core.library.conftest import make_library, shared_embedders  # noqa: F401


@pytest.fixture
def editor(qtbot, home, lib):  # noqa: F811
    generation = GenerationService(home, lambda: lib)
    text = TextEditor(home=home)
    qtbot.addWidget(text)
    with qtbot.waitSignal(generation.worker.finished, timeout=60_000):   # engines and history read
        text.attach(generation, lib.settings)
    yield text
    text.shutdown()
    generation.shutdown()


def test_write_streams_offers_variations_with_scores_and_passages_then_inserts(qtbot, editor, poems):  # noqa: F811
    editor.prompt.setText("明月 故乡")
    editor.form_box.setCurrentIndex(editor.form_box.findData("wujue"))
    editor.count.setValue(2)
    streamed: list[str] = []
    editor.stream.textChanged.connect(lambda: streamed.append(editor.stream.toPlainText()))
    editor.write()
    assert not editor.write_button.isEnabled() and editor.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: editor.variations.count() == 2, timeout=120_000)
    assert streamed and editor.write_button.isEnabled()
    assert "theme" in editor.scores.text() and "rhyme" in editor.scores.text()
    assert editor.passages.count() > 0 and "line" in editor.passages.item(0).text()
    assert editor.passages.item(0).data(0x0100)["path"].startswith(str(poems))
    assert editor.history_list.count() == 1
    assert [r.kind for r in editor._generation.history.load(5)] == ["text"]    # the app's history too
    # A passage's note shows in the browser, with the other passages' notes.
    with qtbot.waitSignal(editor.reveal_requested, timeout=1000) as revealed:
        editor.passages.itemClicked.emit(editor.passages.item(0))
    ids, focus = revealed.args
    assert focus == editor.passages.item(0).data(0x0100)["id"] and focus in ids
    # Insert at the cursor, then replace a selection with the second variation.
    editor.document.setPlainText("标题\n")
    editor.document.moveCursor(editor.document.textCursor().MoveOperation.End)
    editor.insert_at_cursor()
    first = editor.selected_text()
    assert editor.document.toPlainText() == "标题\n" + first
    cursor = editor.document.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(2, cursor.MoveMode.KeepAnchor)
    editor.document.setTextCursor(cursor)
    editor.variations.setCurrentRow(1)
    editor.replace_selection()
    assert editor.document.toPlainText() == editor.selected_text() + "\n" + first


def test_copy_warnings_are_on_screen_and_exports_carry_provenance(qtbot, editor, tmp_path):
    record = HistoryRecord(kind="text", request={"prompt": "月", "form": "free"}, engine="x", outputs=[
        {"seed": 0, "text": "秋风吹落叶\n床前明月光", "scores": {"theme": 0.5, "form": 1.0, "copy_longest": 5.0},
         "copy": {"longest": 5, "source_id": 1, "source_path": "/lib/jingyesi.txt"},
         "warnings": ["copies 5 characters verbatim from /lib/jingyesi.txt: “床前明月光”"]}])
    editor.show_record(record, [{"kind": "text", "seed": 0, "engine": "builtin"}], [])
    assert "床前明月光" in editor.warnings.text() and "jingyesi.txt" in editor.scores.text()
    assert "⚠" in editor.variations.item(0).text()
    editor.insert_at_cursor()
    editor.document.appendPlainText("我的一行")          # edited after taking it in
    path = editor.export(str(tmp_path / "mine.md"))
    text, stored = read_text_file(path)
    assert text.endswith("我的一行") and stored["engine"] == "builtin" and stored["edited"] is True


def test_cancel_stops_the_job_and_frees_the_write_button(qtbot, editor):
    editor.prompt.setText("the sea at night")
    editor.lines.setValue(32)
    editor.count.setValue(8)
    editor.write()
    editor.cancel()
    qtbot.waitUntil(lambda: editor.write_button.isEnabled(), timeout=60_000)
    assert editor.variations.count() == 0
