import json
import os
import time

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtTest import QTest

from ragart_desktop.core.canvas import CanvasDocument
from ragart_desktop.core.home import Home
from ragart_desktop.ui.canvas import CanvasEditor
from ragart_desktop.ui.canvas.drops import RAGART_ITEM_MIME
from ragart_desktop.ui.canvas.editor import DROP_AS_LAYER, DROP_AS_REFERENCE
from ragart_desktop.ui.canvas.tools import Tool
from tests.ui.gestures import drop


@pytest.fixture
def editor(qtbot, home):  # ``home`` (tests/ui/conftest.py) points RAGART_HOME at a temporary folder
    widget = CanvasEditor()
    assert widget.home.root == home.root
    widget.set_document(CanvasDocument.new(320, 240))
    widget.resize(900, 640)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.view.set_zoom(1.0)
    widget.view.offset = QPointF(10, 10)  # image (x, y) is at widget (x + 10, y + 10)
    return widget


def _drag(view, points, modifiers=Qt.KeyboardModifier.NoModifier):
    to_widget = [QPoint(int(x) + 10, int(y) + 10) for x, y in points]
    QTest.mousePress(view, Qt.MouseButton.LeftButton, modifiers, to_widget[0])
    for pt in to_widget[1:]:
        QTest.mouseMove(view, pt)
    QTest.mouseRelease(view, Qt.MouseButton.LeftButton, modifiers, to_widget[-1])


def test_editor_opens_with_a_painting_layer(editor):
    assert [l.name for l in editor.document.layers] == ["Background", "Layer 1"]
    assert editor.layers.list.count() == 2
    shot = editor.grab()
    assert not shot.isNull() and shot.width() == editor.width()


def test_a_blank_canvas_is_painted_as_its_colour_and_its_pixels_once_it_changes(editor, qtbot):
    view = editor.view
    composite = view._image
    view._image = QImage(320, 240, QImage.Format.Format_RGB32)   # not what a blank canvas paints from:
    view._image.fill(QColor(0, 0, 255))                          # it is one colour, filled
    assert view.grab().toImage().pixelColor(110, 110) == QColor(255, 255, 255)
    assert view.grab().toImage().pixelColor(5, 5) != QColor(255, 255, 255)       # the backdrop round it
    view._image = composite
    editor.options.set_colour((255, 0, 0))
    editor.set_tool(Tool.BRUSH)
    with qtbot.waitSignal(editor.document_changed):
        _drag(view, [(40, 100), (80, 100), (120, 100)])
    shot = view.grab().toImage()
    assert shot.pixelColor(90, 110) == QColor(255, 0, 0) and shot.pixelColor(110, 30) == QColor(255, 255, 255)
    editor.set_document(CanvasDocument.from_image(Image.new("RGB", (64, 64), (0, 128, 0))))
    assert view.grab().toImage().pixelColor(view.width() // 2, view.height() // 2) == QColor(0, 128, 0)


def test_mouse_drag_paints_and_undo_reverts(editor, qtbot):
    editor.options.set_colour((255, 0, 0))
    editor.set_tool(Tool.BRUSH)
    layer = editor.document.active_layer
    with qtbot.waitSignal(editor.document_changed):
        _drag(editor.view, [(40, 100), (80, 100), (120, 100), (160, 100)])
    alpha = layer.pixels[..., 3]
    assert alpha[100, 40:160].min() > 200 and alpha[20, :].max() == 0
    assert tuple(layer.pixels[100, 100, :3]) == (255, 0, 0)
    assert editor.current_image().getpixel((100, 100)) == (255, 0, 0)
    assert editor.undo_action.isEnabled()
    editor.undo()
    assert layer.pixels[..., 3].max() == 0
    assert editor.current_image().getpixel((100, 100)) == (255, 255, 255)
    editor.redo()
    assert layer.pixels[100, 100, 3] > 200


def test_rect_select_and_mask_brush_make_the_inpaint_mask(editor):
    assert editor.selection_mask() is None
    editor.set_tool(Tool.RECT_SELECT)
    _drag(editor.view, [(20, 30), (60, 50), (100, 90)])
    mask = np.asarray(editor.selection_mask())
    assert mask[60, 50] == 255 and mask[10, 10] == 0 and mask[95, 95] == 0
    editor.set_tool(Tool.MASK_BRUSH)
    _drag(editor.view, [(200, 200), (250, 200)])
    assert np.asarray(editor.selection_mask())[200, 225] > 0


def test_picker_sets_the_brush_colour(editor):
    editor.document.fill(5, 5, (12, 34, 56), tolerance=255)
    editor.set_tool(Tool.PICKER)
    _drag(editor.view, [(100, 100)])
    assert editor.view.settings.colour == (12, 34, 56)


def test_layer_panel_adds_moves_hides_and_removes_layers(editor):
    doc = editor.document
    editor.layers.add_button.click()
    assert len(doc.layers) == 3 and editor.layers.list.count() == 3
    new_id = doc.active_layer_id
    assert doc.layers[-1].id == new_id
    editor.layers.down_button.click()
    assert doc.layers[1].id == new_id
    top_item = editor.layers.list.item(0)  # the list shows the top layer first
    top_item.setCheckState(Qt.CheckState.Unchecked)
    assert not doc.layers[-1].visible
    editor.layers.opacity.setValue(40)
    assert doc.active_layer.opacity == pytest.approx(0.4)
    editor.layers.remove_button.click()
    assert len(doc.layers) == 2 and new_id not in [l.id for l in doc.layers]
    assert editor.layers.list.count() == 2
    editor.undo()
    assert new_id in [l.id for l in doc.layers] and editor.layers.list.count() == 3


def _drop(editor, mime: QMimeData) -> bool:
    return drop(editor, mime)


def test_dropping_an_image_file_adds_a_layer(editor, tmp_path):
    path = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (0, 120, 0)).save(path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    assert _drop(editor, mime)
    top = editor.document.layers[-1]
    assert top.name == "photo" and editor.layers.list.count() == 3
    assert tuple(top.pixels[120, 160]) == (0, 120, 0, 255)


def test_dropping_text_is_refused(editor):
    mime = QMimeData()
    mime.setText("just words")
    assert not _drop(editor, mime)
    assert len(editor.document.layers) == 2


def test_dropping_a_library_item_offers_layer_or_pinned_reference(editor, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "ref.png"
    Image.new("RGB", (32, 32), (9, 9, 200)).save(path)
    mime = QMimeData()
    mime.setData(RAGART_ITEM_MIME, json.dumps({"id": 42, "path": str(path)}).encode())
    monkeypatch.setattr(editor, "_ask_drop_choice", lambda dropped, pos: DROP_AS_REFERENCE)
    with qtbot.waitSignal(editor.pin_reference_requested) as signal:
        assert _drop(editor, mime)
    assert signal.args == [42, str(path)]
    assert len(editor.document.layers) == 2
    monkeypatch.setattr(editor, "_ask_drop_choice", lambda dropped, pos: DROP_AS_LAYER)
    _drop(editor, mime)
    assert editor.document.layers[-1].name == "ref"


def test_results_are_compared_in_the_strip_and_accepted_as_layers(editor):
    assert editor.results.isHidden()
    editor.add_result(Image.new("RGB", (320, 240), (250, 200, 0)), {"engine": "palette transfer", "seed": 5})
    editor.add_result(Image.new("RGB", (320, 240), (0, 200, 250)), {"engine": "patch synthesis", "seed": 6})
    assert not editor.results.isHidden() and len(editor.results) == 2
    assert editor.view._preview is not None          # the selected result is previewed over the canvas
    editor.results.accept_button.click()
    top = editor.document.layers[-1]
    assert top.provenance == {"engine": "patch synthesis", "seed": 6}
    assert "patch synthesis" in top.name
    assert editor.current_image().getpixel((5, 5)) == (0, 200, 250)
    assert len(editor.results) == 1


def test_ctrl_wheel_zooms_around_the_pointer_and_fit_shows_everything(editor):
    view = editor.view
    before = view.image_pos(QPointF(150, 120))
    wheel = QWheelEvent(QPointF(150, 120), view.mapToGlobal(QPointF(150, 120)), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    view.wheelEvent(wheel)
    assert view.scale == pytest.approx(1.25)
    after = view.image_pos(QPointF(150, 120))
    assert after == pytest.approx(before)
    view.fit()
    canvas = view._canvas_rect()
    assert canvas.left() >= 0 and canvas.right() <= view.width() and canvas.bottom() <= view.height()


def test_save_open_and_crash_recovery_through_the_editor(qtbot, tmp_path, monkeypatch):
    home = Home(tmp_path / "home")
    editor = CanvasEditor(home, autosave_interval_s=0)
    qtbot.addWidget(editor)
    editor.set_document(CanvasDocument.new(64, 64))
    path = editor.save_project(tmp_path / "p.ragart")
    editor.document.fill(3, 3, (200, 0, 0))
    editor._autosaver.save_now()          # what the autosave timer does while the user works
    old = time.time() - 60
    os.utime(path, (old, old))
    # "Crash": a new editor opens the project and is offered the newer autosave.
    fresh = CanvasEditor(home)
    qtbot.addWidget(fresh)
    monkeypatch.setattr(fresh, "_confirm_recovery", lambda p: True)
    with qtbot.waitSignal(fresh.document_changed, timeout=30_000):
        fresh.open_project(path)          # read on the file worker, shown when it arrives
    assert fresh.current_image().getpixel((3, 3)) == (200, 0, 0)
    assert fresh.document.modified and fresh.document.path == path
    fresh.save_project()
    with qtbot.waitSignal(fresh.document_changed, timeout=30_000):
        fresh.open_project(path)
    assert fresh.current_image().getpixel((3, 3)) == (200, 0, 0) and not fresh.document.modified
    editor.shutdown()
    fresh.shutdown()


def test_generated_pngs_arrive_with_their_provenance_and_exports_carry_it(editor, tmp_path):
    from ragart_desktop.core.canvas import read_png_metadata
    from ragart_desktop.core.canvas.export import write_png_with_metadata

    record = {"engine": "builtin", "engine_name": "Built-in palette transfer", "seed": 11,
              "request": {"prompt": "dusk", "mode": "restyle"}}
    out = write_png_with_metadata(Image.new("RGB", (320, 240), (70, 20, 90)), tmp_path / "gen.png", record)
    editor.add_generated([str(out), str(tmp_path / "missing.png")])
    assert len(editor.results) == 1                     # the unreadable one is reported, not added
    assert "Built-in palette transfer" in editor.results.info.text()
    editor.results.accept_current()
    layer = editor.document.layers[-1]
    assert layer.provenance["seed"] == 11 and "Built-in palette transfer" in layer.name
    exported = editor.export_png(tmp_path / "final.png", editor.export_metadata())
    meta = read_png_metadata(exported)
    assert meta["layers"][-1]["provenance"]["engine_name"] == "Built-in palette transfer"


def test_generation_gets_the_canvas_and_the_selection_as_its_mask(editor):
    editor.document.select_all()
    context = editor.generation_context()
    assert np.asarray(context.mask).min() == 255 and context.image.size == (320, 240)
    editor.deselect_action.trigger()
    assert editor.generation_context().mask is None


def test_a_project_opens_off_the_ui_thread_and_a_damaged_one_is_reported(qtbot, tmp_path):
    import threading

    from ragart_desktop.core import canvas as core_canvas
    from tests.fixtures.hostile_projects import npy_400_mb, real_project

    home = Home(tmp_path / "home")
    editor = CanvasEditor(home)
    qtbot.addWidget(editor)
    good = real_project(tmp_path / "good.ragart")
    threads = []
    original = core_canvas.project.open_project

    def spy(path, task=None):
        threads.append(threading.current_thread())
        return original(path, task)

    import ragart_desktop.ui.canvas.editor as editor_module
    editor_module.open_project = spy
    try:
        with qtbot.waitSignal(editor.document_changed, timeout=30_000):
            editor.open_project(good)
        assert threads and threads[0] is not threading.main_thread()
        assert editor.document.path == good
        with qtbot.waitSignal(editor.error_occurred, timeout=30_000) as error:
            editor.open_project(npy_400_mb(good, tmp_path / "bad.ragart"))
        assert "damaged" in error.args[0].message and editor.document.path == good
    finally:
        editor_module.open_project = original
        editor.shutdown()


def test_an_accepted_fill_is_a_layer_of_the_filled_region_and_its_preview_is_not_tinted(editor, tmp_path):
    mask = np.zeros((240, 320), np.uint8)
    mask[60:120, 100:200] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    editor.document.select_all()
    result = Image.new("RGB", (320, 240), (10, 160, 30))
    editor.add_result(result, {"engine": "builtin", "seed": 1,
                               "request": {"mode": "fill", "mask": str(tmp_path / "mask.png")}})
    # The preview is drawn over the selection tint, not under it.
    shot = editor.view.grab().toImage()
    assert shot.pixelColor(150 + 10, 90 + 10).getRgb()[:3] == (10, 160, 30)
    editor.results.accept_button.click()
    layer = editor.document.layers[-1]
    alpha = layer.pixels[..., 3]
    assert alpha[mask > 0].min() == 255 and alpha[mask == 0].max() == 0   # the filled region only
    assert tuple(layer.pixels[90, 150, :3]) == (10, 160, 30)
