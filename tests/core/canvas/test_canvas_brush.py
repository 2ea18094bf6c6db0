import numpy as np
import pytest

from ragart_desktop.core.canvas import Brush, CanvasDocument, Rect, SelectMode, StrokeMode
from ragart_desktop.core.errors import UsageError


def test_segment_changes_pixels_only_inside_its_rectangle():
    doc = CanvasDocument.new(512, 384)
    brush = Brush(size=24, hardness=0.5, opacity=0.8, colour=(200, 20, 20))
    doc.begin_stroke(50, 60, brush)
    layer = doc.active_layer
    last = (50, 60)
    for x, y in [(90, 70), (140, 110), (141, 111), (300, 200), (310, 330)]:
        before = layer.pixels.copy()
        rect = doc.stroke_to(x, y)
        changed = np.argwhere((layer.pixels != before).any(axis=-1))
        if rect is None:  # shorter than the dab spacing: nothing stamped, nothing changed
            assert changed.size == 0
            last = (x, y)
            continue
        ys, xs = changed[:, 0], changed[:, 1]
        assert changed.size > 0
        assert xs.min() >= rect.x0 and xs.max() < rect.x1 and ys.min() >= rect.y0 and ys.max() < rect.y1
        # The rectangle is the segment's neighbourhood (endpoints widened by the radius), not the canvas.
        reach = brush.radius + 3
        assert rect.x0 >= min(last[0], x) - reach and rect.x1 <= max(last[0], x) + reach
        assert rect.y0 >= min(last[1], y) - reach and rect.y1 <= max(last[1], y) + reach
        last = (x, y)
    doc.end_stroke()


def test_hard_dab_paints_the_colour_at_its_centre_and_nothing_beyond_its_radius():
    doc = CanvasDocument(64, 64)
    doc.add_layer("ink")
    doc.begin_stroke(32.0, 32.0, Brush(size=10, hardness=1.0, opacity=1.0, colour=(10, 200, 30)))
    doc.end_stroke()
    px = doc.active_layer.pixels
    assert tuple(px[32, 32]) == (10, 200, 30, 255)
    assert px[32, 39, 3] == 0 and px[39, 32, 3] == 0      # beyond radius 5 (+ half-pixel rim)
    assert px[32, 35, 3] == 255                            # well inside


def test_one_stroke_does_not_build_up_beyond_its_opacity():
    doc = CanvasDocument(200, 100)
    doc.add_layer("wash")
    doc.begin_stroke(20, 50, Brush(size=20, hardness=1.0, opacity=0.5, colour=(0, 0, 255)))
    for x in (180, 20, 180, 20):
        doc.stroke_to(x, 50)
    doc.end_stroke()
    assert doc.active_layer.pixels[..., 3].max() == 128


def test_dab_spacing_carries_across_segments():
    """Feeding a line in 1-pixel steps places the same dabs as feeding it in one segment."""
    brush = Brush(size=12, hardness=0.3, opacity=0.3, colour=(0, 0, 0), spacing=0.5)
    results = []
    for steps in (1, 120):
        doc = CanvasDocument(160, 40)
        doc.add_layer("line")
        doc.begin_stroke(20, 20, brush)
        for i in range(1, steps + 1):
            doc.stroke_to(20 + 120 * i / steps, 20)
        doc.end_stroke()
        results.append(doc.active_layer.pixels.astype(int))
    assert np.abs(results[0] - results[1]).max() <= 1


def test_eraser_lowers_alpha_and_keeps_colour():
    doc = CanvasDocument(64, 64)
    doc.add_layer("solid", pixels=np.full((64, 64, 4), (90, 60, 30, 255), np.uint8))
    doc.begin_stroke(32, 32, Brush(size=16, hardness=1.0, opacity=1.0), StrokeMode.ERASE)
    doc.end_stroke()
    px = doc.active_layer.pixels
    assert px[32, 32, 3] == 0
    assert tuple(px[32, 32, :3]) == (90, 60, 30)
    assert tuple(px[2, 2]) == (90, 60, 30, 255)


def test_painting_is_clipped_to_the_selection():
    doc = CanvasDocument.new(100, 100)
    doc.select_rect(Rect(0, 0, 50, 100))
    doc.begin_stroke(10, 50, Brush(size=20, hardness=1.0, colour=(255, 0, 0)))
    doc.stroke_to(90, 50)
    doc.end_stroke()
    alpha = doc.active_layer.pixels[..., 3]
    assert alpha[50, 10:45].min() == 255
    assert alpha[:, 50:].max() == 0


def test_mask_brush_paints_and_erases_the_selection():
    doc = CanvasDocument.new(100, 100)
    doc.begin_stroke(20, 50, Brush(size=10, hardness=1.0), StrokeMode.MASK_ADD)
    doc.stroke_to(80, 50)
    doc.end_stroke()
    assert doc.selection[50, 20:80].min() == 255 and doc.selection[10, :].max() == 0
    doc.begin_stroke(50, 50, Brush(size=10, hardness=1.0), StrokeMode.MASK_REMOVE)
    doc.end_stroke()
    assert doc.selection[50, 50] == 0 and doc.selection[50, 25] == 255
    doc.select_rect(Rect(0, 0, 10, 10), SelectMode.ADD)
    assert doc.selection[5, 5] == 255 and doc.selection[50, 25] == 255


@pytest.mark.parametrize("kwargs", [{"size": 0}, {"hardness": 1.5}, {"opacity": -0.1}, {"colour": (0, 0, 300)}])
def test_bad_brush_settings_are_refused(kwargs):
    with pytest.raises(UsageError):
        Brush(**kwargs)
