"""The main window end to end on a real (small) library: drop to import, search, jobs, close."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtWidgets import QToolButton

from tests.ui.gestures import drop

IMPORT_TIMEOUT_MS = 120_000   # the first import loads the text embedder


def drop_files(target, paths: list[Path]) -> bool:
    """Simulate the file manager dropping ``paths`` on ``target``; True when the drop was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return drop(target, mime)


def wait_rows(qtbot, window, n: int) -> None:
    qtbot.waitUntil(lambda: window.browser.model.rowCount() == n, timeout=IMPORT_TIMEOUT_MS)


def test_window_opens_with_its_parts_and_offers_the_demo_on_first_run(qtbot, window):
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Settings", "Help"]
    docks = {d.windowTitle() for d in (window.browser_dock, window.generation_dock, window.jobs_dock,
                                       window.history_dock)}
    assert docks == {"References", "Generate", "Jobs", "History"}
    qtbot.waitUntil(lambda: window.browser.stack.currentWidget() is window.browser.welcome, timeout=60_000)
    assert window.browser.welcome.isVisible()
    assert window.count_label.text() == "0 items"
    # Commands of an editor that is not there are greyed out, not broken.
    assert not window.editor_actions["undo"].isEnabled()


def test_import_by_drag_and_drop_shows_the_files(qtbot, window, tmp_path, make_images):
    images = make_images(tmp_path / "art" / "forest", 3) + make_images(tmp_path / "art" / "sunset", 2, seed=1)
    assert drop_files(window, [tmp_path / "art" / "forest"])            # a folder dropped on the window
    assert drop_files(window.browser.view.viewport(), images[3:])     # files dropped on the browser grid
    wait_rows(qtbot, window, 5)
    shown = {window.browser.model.row(i).item.path for i in range(5)}
    assert shown == {str(p) for p in images}
    assert window.browser.stack.currentWidget() is window.browser.view
    rows = list(window.jobs_view.rows.values())
    assert len(rows) == 2
    qtbot.waitUntil(lambda: all(r.done for r in rows), timeout=IMPORT_TIMEOUT_MS)
    assert all(r.status.text().startswith("Done") for r in rows)
    qtbot.waitUntil(lambda: window.count_label.text().startswith("5 items"), timeout=10_000)
    # A drop of something the library cannot read is refused.
    (tmp_path / "notes.xyz").write_text("?")
    assert not drop_files(window, [tmp_path / "notes.xyz"])


def test_search_as_you_type_shows_matching_results(qtbot, window, tmp_path, make_images):
    make_images(tmp_path / "art" / "forest", 3)
    make_images(tmp_path / "art" / "harbour", 3, seed=5)
    window.import_paths([str(tmp_path / "art")])
    wait_rows(qtbot, window, 6)
    model = window.browser.model
    qtbot.keyClicks(window.browser.search_box, "harbour")

    def top() -> list[str]:
        return [Path(model.row(i).item.path).parent.name for i in range(min(3, model.rowCount()))]
    # Wait for this query's results (a refresh started by the import may finish first).
    qtbot.waitUntil(lambda: top() == ["harbour"] * 3 and model.row(0).score is not None, timeout=60_000)
    assert "harbour" in model.row(0).why.lower() or model.row(0).why
    tooltip = model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert "Why:" in tooltip
    # Clearing the box goes back to browsing the whole library.
    window.browser.search_box.clear()
    qtbot.waitUntil(lambda: model.rowCount() == 6 and model.row(0).score is None, timeout=60_000)


def test_a_job_runs_to_completion_and_another_is_cancelled_from_the_jobs_area(qtbot, window):
    def steps(task):
        for i in range(5):
            task.check()
            task.progress(i + 1, 5, f"step {i + 1} / 5")
            time.sleep(0.01)
        return "done"

    with qtbot.waitSignal(window.model_worker.finished, timeout=10_000) as done:
        finished_id = window.model_worker.submit("Five steps", steps)
    assert done.args == [finished_id, "done"]
    row = window.jobs_view.rows[(id(window.model_worker), finished_id)]
    assert row.status.text().startswith("Done") and row.bar.value() == row.bar.maximum()

    started = threading.Event()

    def endless(task):
        started.set()
        while True:
            task.check()
            task.progress(0, 0, "working")
            time.sleep(0.01)

    job_id = window.model_worker.submit("Endless", endless)
    assert started.wait(10)
    row = window.jobs_view.rows[(id(window.model_worker), job_id)]
    with qtbot.waitSignal(window.model_worker.cancelled, timeout=2_000):
        qtbot.mouseClick(row.findChild(QToolButton), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert row.status.text() == "Cancelled" and row.cancel_button.isHidden()


def test_closing_during_an_import_cancels_it_and_joins_every_thread(qtbot, home, tmp_path, make_images):
    from ragart_desktop.core.settings import Settings
    from ragart_desktop.ui.main_window import MainWindow

    make_images(tmp_path / "big", 40)
    win = MainWindow(home, Settings(), load_editor_tabs=False)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=10_000):
        win.show()
    win.import_paths([str(tmp_path / "big")])
    qtbot.wait(200)
    t0 = time.monotonic()
    win.close()
    assert all(t.isFinished() for t in win.threads())
    assert time.monotonic() - t0 < 30


def test_no_model_library_is_imported_by_the_window_s_process(home):
    script = f"""
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtWidgets import QApplication
from ragart_desktop.core.home import Home
from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.main_window import MainWindow
heavy = lambda: sorted(m for m in ("torch", "transformers", "diffusers", "usearch") if m in sys.modules)
app = QApplication([])
window = MainWindow(Home(Path({str(home.root)!r})), Settings())
loaded = {{}}
window.first_painted.connect(lambda: loaded.setdefault("painted", heavy()))
window.ready.connect(lambda: loaded.setdefault("ready", heavy()))
window.ready.connect(lambda: window.service.warmed.connect(lambda: (loaded.setdefault("warmed", heavy()), app.quit())))
window.show()
app.exec()
print(json.dumps(loaded))
window.close()
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    # Not even once the words model is loaded: it runs in its own process (no GIL-holding imports here).
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"painted": [], "ready": [], "warmed": ["usearch"]}


def test_find_similar_query_by_example_and_tags(qtbot, window, tmp_path, make_images):
    from ragart_desktop.ui.browser.item_dialog import ItemDialog

    paths = make_images(tmp_path / "art" / "studies", 6)
    window.import_paths([str(tmp_path / "art")])
    wait_rows(qtbot, window, 6)
    browser, model = window.browser, window.browser.model
    item = next(model.row(i).item for i in range(6) if model.row(i).item.path == str(paths[0]))

    # "Find similar" from the context menu: the item is the example, the others are ranked.
    browser.find_similar(item)
    assert [e.item_id for e in browser.examples.examples] == [item.id]
    # Wait for these results (a refresh started by the import may finish first).
    qtbot.waitUntil(lambda: model.rowCount() == 5, timeout=60_000)
    assert item.id not in {model.row(i).item.id for i in range(model.rowCount())}

    # "Not that": a click turns the example into a counter-example; the others are ranked away from
    # it (not listed as recently added, and the example itself is not among them).
    browser.examples.findChildren(QToolButton)[0].click()
    assert browser.examples.examples[0].negative
    qtbot.waitUntil(lambda: model.rowCount() == 5 and all("away from" in model.row(i).why for i in range(5)),
                    timeout=60_000)
    assert item.id not in {model.row(i).item.id for i in range(model.rowCount())}

    # An image file dropped on the search box becomes the query.
    with qtbot.waitSignal(browser.search_finished, timeout=60_000):
        assert drop_files(browser.search_box, [paths[1]])
    assert [e.path for e in browser.examples.examples] == [str(paths[1])]

    # Tags edited in the item dialog are searchable.
    dialog = ItemDialog(item)
    qtbot.addWidget(dialog)
    dialog.tags.setText(", ".join([*item.tags, "lighthouse", "keep"]))
    dialog.note.setPlainText("the best of the studies")
    added, removed, note = dialog.changes()
    assert (added, removed, note) == (["lighthouse", "keep"], [], "the best of the studies")
    with qtbot.waitSignal(window.service.changed, timeout=30_000):
        window.service.call("tags", lambda lib: (lib.add_tags(item.id, added), lib.set_note(item.id, note)),
                            changes=True)
    browser.examples.set_examples([])
    browser.tags_box.setText("lighthouse")
    qtbot.waitUntil(lambda: [model.row(i).item.id for i in range(model.rowCount())] == [item.id], timeout=60_000)
    assert "lighthouse" in model.row(0).item.tags and model.row(0).item.note == "the best of the studies"


@pytest.fixture
def imported_service(qtbot, tmp_path):
    """A LibraryService (no window) that has imported three small paintings."""
    from ragart_desktop.core.home import Home
    from ragart_desktop.core.settings import Settings
    from ragart_desktop.ui.library_service import LibraryService
    from tests.core.library.conftest import painting

    pics = tmp_path / "pics"
    pics.mkdir()
    for i in range(3):
        painting(i).save(pics / f"p{i}.png")
    service = LibraryService(Home(tmp_path / "h").ensure(), Settings())
    with qtbot.waitSignal(service.imported, timeout=120_000):
        service.import_paths([pics])
    yield service, pics
    service.close()


def test_adding_a_clip_model_re_embeds_the_library_in_the_background(qtbot, tmp_path, imported_service):
    """The service reopens the library with the new embedder and fills its index off the UI thread."""
    from tests.fixtures import tiny_models

    service, _ = imported_service
    models = tmp_path / "my-models"
    tiny_models.make_clip_folder(models / "tiny-clip")
    service.settings.model_paths.append(str(models))
    with qtbot.waitSignal(service.imported, timeout=120_000):
        service.reload_embedders()
    lib = service.library()
    clip = [e for e in lib.embedders if e.id.startswith("clip-")]
    assert clip and len(lib.indexes[clip[0].id]) == 3


def test_a_words_model_added_between_runs_is_filled_when_the_library_opens(qtbot, imported_service):
    """A sentence-transformers model dropped in the models folder while the app was closed becomes
    the words embedder at the next start, and its empty index is filled in the background."""
    from ragart_desktop.ui.library_service import LibraryService
    from tests.fixtures import tiny_models

    service, _ = imported_service
    service.close()
    tiny_models.make_sentence_embedder_folder(service.home.models_dir / "tiny-multilingual")
    again = LibraryService(service.home, service.settings)
    try:
        with qtbot.waitSignal(again.imported, timeout=120_000):
            again.open_library()
        lib = again.library()
        assert lib.words_embedder.id.startswith("text-tiny-multilingual-")
        assert len(lib.indexes[lib.words_embedder.id]) == 3
    finally:
        again.close()


def test_removing_a_library_folder_runs_on_the_indexer(qtbot, imported_service):
    service, pics = imported_service
    with qtbot.waitSignal(service.changed, timeout=60_000):
        service.remove_roots([str(pics)])
    assert service.library().count() == 0 and service.library().status()["roots"] == []


def test_an_unsaved_canvas_left_by_a_crash_is_offered_back(qtbot, window, home):
    from ragart_desktop.core.canvas import Autosaver, CanvasDocument, autosave_dir
    from ragart_desktop.ui.canvas import CanvasEditor

    lost = CanvasDocument.new(64, 48)
    lost.add_layer("sketch")
    Autosaver(lost, autosave_dir(home)).save_now()   # what the crashed session left behind
    editor = CanvasEditor(home=home)
    qtbot.addWidget(editor)
    box = window.offer_recovery(editor)
    assert box is not None and box.isVisible()
    recover = next(b for b in box.buttons() if b.text() == "Recover")
    recover.click()
    names = [layer.name for layer in editor.document.layers]
    assert "sketch" in names and editor.document.width == 64
    editor.shutdown()
