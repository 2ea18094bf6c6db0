import numpy as np
import pytest

from ragart_desktop.core.canvas import Brush, CanvasDocument, Rect, SelectMode
from ragart_desktop.core.errors import UsageError


def _doc_with_wall() -> CanvasDocument:
    """A white canvas split by a black vertical wall at x = 50..52 on the active layer."""
    doc = CanvasDocument(100, 60)
    pixels = np.full((60, 100, 4), 255, np.uint8)
    pixels[:, 50:53, :3] = 0
    doc.add_layer("art", pixels=pixels)
    return doc


def test_fill_stops_at_a_different_colour():
    doc = _doc_with_wall()
    doc.fill(10, 10, (255, 0, 0), tolerance=10)
    px = doc.active_layer.pixels
    assert (px[:, :50, :3] == (255, 0, 0)).all()
    assert (px[:, 50:53, :3] == 0).all()
    assert (px[:, 53:, :3] == 255).all()


def test_fill_tolerance_decides_what_counts_as_similar():
    doc = CanvasDocument(40, 10)
    pixels = np.full((10, 40, 4), 255, np.uint8)
    pixels[:, 20:, :3] = 230  # a slightly darker right half
    doc.add_layer("art", pixels=pixels)
    doc.fill(0, 0, (0, 0, 255), tolerance=10)
    assert doc.active_layer.pixels[0, 39, 2] == 230
    doc.undo()
    doc.fill(0, 0, (0, 0, 255), tolerance=30)
    assert tuple(doc.active_layer.pixels[0, 39, :3]) == (0, 0, 255)


def test_fill_on_an_empty_layer_can_sample_the_visible_image():
    doc = _doc_with_wall()
    doc.add_layer("colour")
    doc.fill(80, 30, (0, 200, 0), tolerance=10, sample_all_layers=True)
    alpha = doc.active_layer.pixels[..., 3]
    assert alpha[:, 53:].min() == 255 and alpha[:, :53].max() == 0


def test_fill_stays_inside_the_selection():
    doc = _doc_with_wall()
    doc.select_rect(Rect(0, 0, 20, 60))
    doc.fill(5, 5, (0, 0, 0), tolerance=0)
    px = doc.active_layer.pixels
    assert (px[:, :20, :3] == 0).all() and (px[:, 20:50, :3] == 255).all()


def test_lasso_selects_the_inside_of_the_polygon():
    doc = CanvasDocument.new(200, 200)
    doc.select_polygon([(20, 20), (180, 20), (20, 180)])  # right triangle, hypotenuse x + y = 200
    mask = doc.selection_mask()
    assert mask is not None and mask.size == (200, 200) and mask.mode == "L"
    m = np.asarray(mask)
    bounds = doc.selection_bounds  # where an inpainting engine can crop to
    assert bounds.x0 <= 20 and bounds.y0 <= 20 and bounds.x1 >= 180 and bounds.y1 >= 180
    assert m[40, 40] == 255 and m[30, 150] == 255 and m[150, 30] == 255
    assert m[150, 150] == 0 and m[10, 10] == 0 and m[100, 120] == 0
    assert 0.4 < (m > 0).sum() / (160 * 160) < 0.6


def test_selection_modes_and_invert_and_clear():
    doc = CanvasDocument.new(100, 100)
    assert doc.selection_mask() is None
    doc.select_rect(Rect(0, 0, 50, 50))
    doc.select_rect(Rect(50, 50, 100, 100), SelectMode.ADD)
    assert doc.selection[25, 25] == 255 and doc.selection[75, 75] == 255 and doc.selection[25, 75] == 0
    doc.select_rect(Rect(0, 0, 25, 25), SelectMode.SUBTRACT)
    assert doc.selection[10, 10] == 0 and doc.selection[40, 40] == 255
    doc.select_rect(Rect(60, 0, 70, 10))  # replace
    assert doc.selection[40, 40] == 0 and doc.selection[5, 65] == 255
    doc.invert_selection()
    assert doc.selection[5, 65] == 0 and doc.selection[40, 40] == 255
    doc.clear_selection()
    assert doc.selection_mask() is None and not doc.has_selection


def test_lasso_needs_three_points():
    with pytest.raises(UsageError):
        CanvasDocument.new(10, 10).select_polygon([(0, 0), (5, 5)])


def test_colour_picker_reads_the_image_or_the_layer():
    doc = CanvasDocument.new(50, 50)
    doc.begin_stroke(25, 25, Brush(size=10, hardness=1.0, opacity=0.5, colour=(0, 0, 200)))
    doc.end_stroke()
    r, g, b, a = doc.pick_colour(25, 25)
    assert a == 255 and abs(r - 128) <= 1 and abs(b - 228) <= 1  # half blue over white
    assert doc.pick_colour(25, 25, sample_all_layers=False) == (0, 0, 200, 128)
    with pytest.raises(UsageError):
        doc.pick_colour(50, 0)
