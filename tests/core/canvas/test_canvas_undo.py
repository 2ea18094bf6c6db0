"""Every kind of edit is undone and redone to the exact pixels."""
import numpy as np
import pytest
from PIL import Image

from tests.core.canvas.canvas_state import assert_same_state, doc_state
from ragart_desktop.core.canvas import Brush, CanvasDocument, Rect, SelectMode, StrokeMode
from ragart_desktop.core.undo import History


def _base_doc() -> CanvasDocument:
    doc = CanvasDocument.new(160, 120)
    rng = np.random.default_rng(7)
    doc.add_layer("noise", pixels=rng.integers(0, 256, (120, 160, 4), dtype=np.uint8))
    doc.begin_stroke(10, 10, Brush(size=15, colour=(0, 90, 200)))
    doc.stroke_to(120, 100)
    doc.end_stroke()
    doc.select_rect(Rect(20, 20, 80, 70))
    return doc


def _stroke(doc, mode):
    doc.begin_stroke(30, 40, Brush(size=20, hardness=0.4, opacity=0.7, colour=(250, 200, 0)), mode)
    for x, y in [(60, 45), (100, 90), (140, 30)]:
        doc.stroke_to(x, y)
    doc.end_stroke()


EDITS = {
    "brush": lambda d: _stroke(d, StrokeMode.PAINT),
    "eraser": lambda d: _stroke(d, StrokeMode.ERASE),
    "mask brush": lambda d: _stroke(d, StrokeMode.MASK_ADD),
    "mask eraser": lambda d: _stroke(d, StrokeMode.MASK_REMOVE),
    "fill": lambda d: d.fill(5, 5, (10, 250, 10), tolerance=255),
    "fill sampling all layers": lambda d: d.fill(40, 40, (1, 2, 3), tolerance=60, sample_all_layers=True),
    "add layer": lambda d: d.add_layer("new"),
    "remove layer": lambda d: d.remove_layer(d.layers[1].id),
    "move layer": lambda d: d.move_layer(d.layers[0].id, 2),
    "duplicate layer": lambda d: d.duplicate_layer(d.layers[1].id),
    "layer properties": lambda d: d.set_layer_properties(d.layers[1].id, name="x", opacity=0.3, visible=False),
    "rect select replace": lambda d: d.select_rect(Rect(100, 0, 150, 50)),
    "rect select add": lambda d: d.select_rect(Rect(100, 0, 150, 50), SelectMode.ADD),
    "rect select subtract": lambda d: d.select_rect(Rect(30, 30, 50, 50), SelectMode.SUBTRACT),
    "lasso": lambda d: d.select_polygon([(10, 10), (150, 20), (60, 110)]),
    "invert selection": lambda d: d.invert_selection(),
    "clear selection": lambda d: d.clear_selection(),
    "import image": lambda d: d.import_image(Image.new("RGB", (300, 50), (200, 0, 200))),
    "add result layer": lambda d: d.add_result_layer(Image.new("RGB", (80, 60), (9, 9, 9)), "result", {"seed": 1}),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_undo_and_redo_restore_exact_state(name):
    doc = _base_doc()
    before = doc_state(doc)
    EDITS[name](doc)
    after = doc_state(doc)
    assert not _equal(before, after), f"{name} changed nothing"
    assert doc.undo()
    assert_same_state(doc_state(doc), before)
    assert doc.redo()
    assert_same_state(doc_state(doc), after)
    # The composite follows undo/redo exactly (dirty rectangles cover every change).
    incremental = doc.current_image()
    doc._pending.append(doc.bounds)
    np.testing.assert_array_equal(np.asarray(incremental), np.asarray(doc.current_image()))


def _equal(a, b) -> bool:
    try:
        assert_same_state(a, b)
        return True
    except AssertionError:
        return False


def test_a_stroke_entry_keeps_only_the_tiles_it_changed():
    doc = CanvasDocument.new(1024, 1024)
    doc.begin_stroke(100, 100, Brush(size=20))
    doc.stroke_to(160, 100)
    doc.end_stroke()
    entry = doc.history.done[-1]
    canvas_bytes = 1024 * 1024 * 4
    assert 0 < entry.nbytes <= 2 * 4 * 64 * 64 * 4  # before+after of at most 4 tiles of 64x64
    assert entry.nbytes < canvas_bytes / 50


def test_history_memory_is_bounded_and_drops_oldest_entries():
    doc = CanvasDocument(256, 256, history=History(max_bytes=600_000))
    doc.add_layer("ink")
    for i in range(30):
        doc.begin_stroke(10, 8 * i + 4, Brush(size=6))
        doc.stroke_to(250, 8 * i + 4)
        doc.end_stroke()
    assert doc.history.nbytes <= 600_000
    assert len(doc.history) < 31
    undone = 0
    while doc.undo():
        undone += 1
    assert undone == len(doc.history)
    assert doc.active_layer.pixels[..., 3][8 * 29 + 4].max() == 0  # the newest strokes were undone


def test_a_new_edit_clears_the_redo_entries():
    doc = _base_doc()
    doc.add_layer("a")
    doc.undo()
    assert doc.can_redo
    doc.add_layer("b")
    assert not doc.can_redo
    assert [l.name for l in doc.layers][-1] == "b"


def test_opacity_slider_drag_is_one_undo_step():
    doc = _base_doc()
    layer_id = doc.layers[1].id
    for value in (0.9, 0.7, 0.5, 0.2):
        doc.set_layer_properties(layer_id, opacity=value)
    doc.undo()
    assert doc.layer(layer_id).opacity == 1.0


def test_undo_during_a_stroke_ends_it_first_and_undoes_it():
    doc = CanvasDocument(160, 120)
    doc.add_layer("Paint")
    before = doc.flattened_rgba().copy()
    doc.begin_stroke(10, 10, Brush(size=15, colour=(0, 90, 200)))
    doc.stroke_to(120, 100)
    assert doc.undo()                                   # the stroke is recorded, then undone
    assert [layer.name for layer in doc.layers] == ["Paint"]     # not the layer before it
    assert np.array_equal(doc.flattened_rgba(), before)
    assert doc.redo() and not np.array_equal(doc.flattened_rgba(), before)
