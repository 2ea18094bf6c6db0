"""Layout defects an artist met (issue 12, item 13), each checked the way it showed."""
from __future__ import annotations

import json

import numpy as np
from PIL import Image
from PySide6.QtCore import QMimeData, QSize, QUrl
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QApplication, QCheckBox, QStyle, QStyleOptionButton, QToolBar

from ragart_desktop.ui.mime import ITEM_MIME
from tests.ui.gestures import drop

LAPTOP_WIDTH = 1280


def test_a_result_dropped_on_references_in_use_is_pinned_not_imported(qtbot, window, tmp_path):
    path = tmp_path / "harbour.png"
    Image.new("RGB", (8, 8)).save(path)
    mime = QMimeData()                               # what the browser's grid drags: item + file URL
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    mime.setData(ITEM_MIME, json.dumps([{"id": 5, "path": str(path), "kind": "image", "title": "harbour"}]).encode())
    pinned = window.generation_panel.references.pinned_list
    assert pinned.viewport().acceptDrops()           # Qt delivers drops to the viewport, or to the window
    assert drop(pinned.viewport(), mime)
    assert [p.item_id for p in window.generation_panel.references.pinned] == [5]
    assert not drop(window, mime)                   # the window never re-imports a library item
    assert window.service.indexer.pending_ids() == []


def test_a_search_never_makes_the_window_wider_than_a_laptop_screen(qtbot, canvas_window):
    from ragart_desktop.ui.browser.view import ExampleRef

    win = canvas_window
    qtbot.wait(50)                                   # the docks laid out
    before = win.minimumSizeHint().width()
    assert before <= LAPTOP_WIDTH
    win.browser.summary.setText("1,979 results · 212 near-duplicates grouped in folders of many names")
    win.browser.examples.set_examples([ExampleRef("stormy-harbour-crop-at-dusk-final-version.png", item_id=1),
                                       ExampleRef("north-sea-squall-study-number-two.png", item_id=2, negative=True)])
    qtbot.wait(50)
    assert win.minimumSizeHint().width() == before


def test_a_long_undo_label_keeps_the_canvas_tools_in_view(qtbot, home):
    from ragart_desktop.ui.canvas import CanvasEditor

    editor = CanvasEditor(home=home)
    qtbot.addWidget(editor)
    editor.show()
    toolbar = next(bar for bar in editor.findChildren(QToolBar) if bar.windowTitle() == "Canvas")
    width = toolbar.sizeHint().width()
    editor.accept_result(Image.new("RGB", (64, 64)), {"engine_name": "Built-in patch synthesis (PatchMatch) from "
                                                                      "references", "seed": 1700640670})
    assert editor.undo_action.isEnabled() and toolbar.sizeHint().width() == width
    assert "patch synthesis" in editor.undo_action.toolTip()        # what it undoes is still said
    editor.shutdown()


def test_opening_error_details_leaves_the_canvas_its_size(qtbot, canvas_window):
    from ragart_desktop.ui.error_report import ErrorReport

    win = canvas_window
    win.report_error(ErrorReport("the file is truncated.", context="Import", path="/art/scan.png",
                                 details="Traceback …\n" * 40, kind="storage"))
    qtbot.wait(50)
    view = win.tabs.widget(0).view
    height, zoom = view.height(), view.scale
    win.error_panel.details_button.setChecked(True)
    qtbot.wait(50)
    assert "scan.png" in win.error_panel.details.toPlainText()
    assert (view.height(), view.scale) == (height, zoom)
    win.error_panel.details_button.setChecked(False)


def test_after_accept_the_canvas_shows_what_was_accepted(qtbot, home):
    from ragart_desktop.core.canvas import CanvasDocument
    from ragart_desktop.ui.canvas import CanvasEditor

    editor = CanvasEditor(home=home)
    qtbot.addWidget(editor)
    editor.set_document(CanvasDocument.new(32, 32))
    editor.add_result(Image.new("RGB", (32, 32), (250, 0, 0)), {"seed": 1})
    editor.add_result(Image.new("RGB", (32, 32), (0, 0, 250)), {"seed": 2})
    editor.results.list.setCurrentRow(0)
    editor.results.accept_button.click()
    assert editor.current_image().getpixel((4, 4)) == (250, 0, 0)
    assert editor.view._preview is None                 # no other candidate painted over it
    assert len(editor.results) == 1 and editor.results.current() is None
    editor.shutdown()


def test_a_selected_result_thumbnail_is_not_tinted(qtbot, home):
    from ragart_desktop.ui.canvas import CanvasEditor

    editor = CanvasEditor(home=home)
    qtbot.addWidget(editor)
    editor.show()
    editor.add_result(Image.new("RGB", (64, 64), (40, 160, 90)), {"seed": 1})
    icon: QIcon = editor.results.list.item(0).icon()
    size = QSize(64, 64)
    normal = icon.pixmap(size, QIcon.Mode.Normal).toImage()
    selected = icon.pixmap(size, QIcon.Mode.Selected).toImage()
    assert normal == selected
    editor.shutdown()


def _indicator_contrast(app) -> float:
    """How far the frame of an unchecked check box stands out from the window behind it."""
    box = QCheckBox("Fixed")
    box.resize(120, 30)
    option = QStyleOptionButton()
    option.initFrom(box)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    image: QImage = box.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    pixels = pixels[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(float)
    ring = np.concatenate([pixels[rect.top(), rect.left():rect.right() + 1], pixels[rect.bottom(), rect.left():rect.right() + 1],
                           pixels[rect.top():rect.bottom() + 1, rect.left()], pixels[rect.top():rect.bottom() + 1, rect.right()]])
    window = np.array(app.palette().color(app.palette().ColorRole.Window).getRgb()[:3], float)
    return float(np.abs(ring - window).sum(axis=1).max())


def test_unchecked_boxes_are_visible_in_the_dark_theme(qtbot):
    from ragart_desktop.ui.theme import apply_theme

    app = QApplication.instance()
    style, palette, sheet = app.style().name(), app.palette(), app.styleSheet()
    try:
        apply_theme(app, "dark")
        assert _indicator_contrast(app) > 120             # a clearly visible frame
    finally:
        app.setStyle(style)
        app.setPalette(palette)
        app.setStyleSheet(sheet)
