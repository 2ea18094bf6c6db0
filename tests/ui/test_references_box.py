"""One References box for every generation panel: pin (a drop from the browser, its "Pin"), unpin,
restore a re-run's pins, and what the last job used, marked pinned or retrieved."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData, Qt

from ragart_desktop.ui.generation_panel import GenerationPanel
from ragart_desktop.ui.mime import ITEM_MIME
from ragart_desktop.ui.music.generation_panel import MusicGenerationPanel
from ragart_desktop.ui.references_box import ReferencesBox
from tests.ui.gestures import drop


def _dragged(*items: dict) -> QMimeData:
    mime = QMimeData()                                  # what the browser's grid drags
    mime.setData(ITEM_MIME, json.dumps(list(items)).encode())
    return mime


SONG = {"id": 3, "path": "/lib/song.mid", "kind": "music", "title": "song"}
BOAT = {"id": 5, "path": "/lib/boat.png", "kind": "image", "title": "boat"}


@pytest.mark.parametrize("make", [GenerationPanel, MusicGenerationPanel])
def test_both_panels_hold_the_same_references_box(qtbot, make):
    panel = make()
    qtbot.addWidget(panel)
    assert panel.findChildren(ReferencesBox) == [panel.references]
    assert panel.form().references == [] and panel.form().retrieve


def test_drops_pin_what_the_panel_takes_once_and_remove_unpins(qtbot):
    music = MusicGenerationPanel()
    qtbot.addWidget(music)
    music.show()
    music.activateWindow()
    box = music.references
    changes = []
    box.pinned_changed.connect(changes.append)
    assert drop(box.pinned_list.viewport(), _dragged(SONG, BOAT))
    assert [p.item_id for p in box.pinned] == [3]       # a picture teaches no music
    assert drop(box.pinned_list.viewport(), _dragged(SONG))
    assert [p.item_id for p in box.pinned] == [3] and box.pinned_label.text() == "1 pinned"
    assert changes[-1] == {3} and [r.item_id for r in music.form().references] == [3]
    box.pinned_list.item(0).setSelected(True)
    box.pinned_list.setFocus()
    qtbot.waitUntil(box.pinned_list.hasFocus, timeout=1000)
    qtbot.keyClick(box.pinned_list, Qt.Key.Key_Delete)
    assert box.pinned == [] and changes[-1] == set() and box.pinned_label.text() == "None pinned"

    image = GenerationPanel()                           # an image prompt takes a MIDI piece's words
    qtbot.addWidget(image)
    image.references.pin_dicts([SONG, BOAT])
    assert [(p.item_id, p.kind) for p in image.references.pinned] == [(3, "music"), (5, "image")]
    image.references.clear_pinned()
    assert image.references.pinned == []


def test_what_the_last_job_used_is_shown_marked_and_can_be_pinned(qtbot):
    panel = MusicGenerationPanel()
    qtbot.addWidget(panel)
    panel.show()
    box = panel.references
    assert not box.used.isVisible()                     # nothing to show before a job
    box.pin_dicts([SONG])
    box.show_used([{"id": 3, "path": "/lib/song.mid", "weight": 1.0, "source": "pinned", "kind": "music"},
                   {"id": 8, "path": "/lib/reel.mid", "weight": 0.31, "source": "retrieved", "kind": "music"}])
    assert box.used.isVisible()
    lines = [box.used.item(i).text() for i in range(2)]
    assert lines == ["★ song.mid  (1.00, pinned)", "reel.mid  (0.31, retrieved)"]
    box.used.setCurrentRow(1)
    box.pin_used_button.click()
    assert [p.item_id for p in box.pinned] == [3, 8] and box.used.item(1).text().startswith("★ ")
    with qtbot.waitSignal(box.reveal_requested) as revealed:
        box.used.itemDoubleClicked.emit(box.used.item(1))
    assert revealed.args == [[3, 8], 8]


def test_a_rerun_restores_exactly_its_pins(qtbot):
    panel = MusicGenerationPanel()
    qtbot.addWidget(panel)
    panel.references.pin_dicts([SONG])
    panel.load_request({"mode": "continue", "references": [
        {"item_id": 8, "path": "/lib/reel.mid", "weight": 0.5}, {"item_id": None, "path": "/elsewhere/mine.mid"}]})
    assert [(p.item_id, p.path, p.weight, p.kind) for p in panel.form().references] == [
        (8, "/lib/reel.mid", 0.5, "music"), (None, "/elsewhere/mine.mid", 1.0, "music")]


def test_the_browsers_pin_goes_to_the_generation_controls_on_show(qtbot, canvas_window, monkeypatch):
    """"Pin for next generation" in the browser pins into the References box of the tab on show, and
    the browser marks that box's pins."""
    from types import SimpleNamespace

    win = canvas_window
    music = win.editor("music")
    canvas = win.editor("image")
    win.tabs.setCurrentWidget(music)
    win.browser.pin_requested.emit([SimpleNamespace(id=3, path="/lib/song.mid", title="song", kind="music")])
    assert [p.item_id for p in music.panel.references.pinned] == [3] and win.generation_panel.references.pinned == []
    assert win.browser.model.pinned_ids == {3}
    assert music.panel.references.thumbnail_for is not None               # pins show the browser's pictures
    win.tabs.setCurrentWidget(canvas)
    assert win.browser.model.pinned_ids == set()
    win.browser.pin_requested.emit([SimpleNamespace(id=5, path="/lib/boat.png", title="boat", kind="image")])
    assert [p.item_id for p in win.generation_panel.references.pinned] == [5] and win.browser.model.pinned_ids == {5}
    assert [p.item_id for p in music.panel.references.pinned] == [3]
    shown = []
    monkeypatch.setattr(win.browser, "show_items", lambda ids, focus: shown.append((ids, focus)))
    music.panel.references.pinned_list.itemDoubleClicked.emit(music.panel.references.pinned_list.item(0))
    win.generation_panel.references.pinned_list.itemDoubleClicked.emit(win.generation_panel.references.pinned_list.item(0))
    assert shown == [([3], 3), ([5], 5)]                                  # each reveals its pin, once
