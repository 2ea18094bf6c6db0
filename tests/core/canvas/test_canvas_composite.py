import numpy as np
import pytest
from PIL import Image

from ragart_desktop.core.canvas import Brush, CanvasDocument, Rect
from ragart_desktop.core.canvas.composite import composite_rect


def _reference_composite(doc: CanvasDocument) -> np.ndarray:
    """Straightforward float64 source-over of every visible layer (premultiplied result)."""
    acc = np.zeros((doc.height, doc.width, 4))
    for layer in doc.layers:
        if not layer.visible:
            continue
        px = layer.pixels.astype(np.float64)
        a = px[..., 3:4] / 255.0 * layer.opacity
        acc[..., :3] = px[..., :3] * a + acc[..., :3] * (1 - a)
        acc[..., 3:4] = 255.0 * a + acc[..., 3:4] * (1 - a)
    return acc


def _random_doc() -> CanvasDocument:
    rng = np.random.default_rng(3)
    doc = CanvasDocument(90, 70)
    for i in range(4):
        px = rng.integers(0, 256, (70, 90, 4), dtype=np.uint8)
        px[rng.random((70, 90)) < 0.3, 3] = 255
        doc.add_layer(f"l{i}", pixels=px)
    doc.set_layer_properties(doc.layers[1].id, opacity=0.4)
    doc.set_layer_properties(doc.layers[2].id, visible=False)
    return doc


def test_composite_matches_a_reference_source_over():
    doc = _random_doc()
    doc.refresh_composite()
    assert np.abs(doc.composite.astype(float) - _reference_composite(doc)).max() <= 1.0


def test_incremental_composite_equals_full_recomposite_after_edits():
    doc = _random_doc()
    doc.refresh_composite()
    doc.begin_stroke(5, 5, Brush(size=9, opacity=0.6, colour=(1, 250, 3)))
    for x, y in [(40, 30), (80, 10), (85, 65)]:
        doc.stroke_to(x, y)
    doc.end_stroke()
    doc.fill(60, 60, (9, 9, 9), tolerance=80)
    doc.move_layer(doc.layers[0].id, 3)
    doc.undo()
    doc.set_layer_properties(doc.layers[3].id, opacity=0.25)
    refreshed = doc.refresh_composite()
    assert refreshed and all(isinstance(r, Rect) for r in refreshed)
    incremental = doc.composite.copy()
    doc._pending.append(doc.bounds)
    doc.refresh_composite()
    np.testing.assert_array_equal(incremental, doc.composite)


def test_current_image_is_flattened_rgb_on_white():
    doc = CanvasDocument(20, 10)
    px = np.zeros((10, 20, 4), np.uint8)
    px[:, :10] = (255, 0, 0, 255)
    px[:, 10:] = (0, 0, 0, 0)
    doc.add_layer("half", pixels=px)
    image = doc.current_image()
    assert image.mode == "RGB" and image.size == (20, 10)
    assert image.getpixel((2, 2)) == (255, 0, 0) and image.getpixel((15, 2)) == (255, 255, 255)
    rgba = doc.flattened_rgba()
    assert rgba.getpixel((15, 2))[3] == 0


def test_import_fits_large_images_and_results_land_on_top_with_provenance():
    doc = CanvasDocument.new(100, 50)
    layer = doc.import_image(Image.new("RGB", (400, 100), (0, 128, 0)))
    alpha = layer.pixels[..., 3]
    assert alpha[:, :].any() and alpha[12:37, :].min() == 255 and alpha[0].max() == 0  # 100x25 centred
    result = doc.add_result_layer(Image.new("RGB", (100, 50), (5, 6, 7)), "Result 1", {"engine": "palette"})
    assert doc.layers[-1] is result and result.provenance == {"engine": "palette"}
    assert doc.current_image().getpixel((50, 25)) == (5, 6, 7)


@pytest.mark.parametrize("background", [(255, 255, 255, 255), (30, 140, 200, 90), None])
def test_a_new_canvas_s_composite_is_its_layers_composited(background):
    doc = CanvasDocument.new(37, 23, background=background)   # the composite is filled, not computed
    expected = np.zeros_like(doc.composite)
    composite_rect(doc.layers, doc.bounds, expected)
    assert np.array_equal(doc.composite, expected)
    assert [layer.name for layer in doc.layers] == ["Background", "Layer 1"][2 - len(doc.layers):]
    assert doc.active_layer.name == "Layer 1" and not doc.modified


def test_flattening_onto_a_colour_is_the_rounded_source_over():
    from ragart_desktop.core.canvas.composite import flatten_on

    rng = np.random.default_rng(3)
    alpha = rng.integers(0, 256, (64, 64, 1))
    premultiplied = np.concatenate([rng.integers(0, 256, (64, 64, 3)) * alpha // 255, alpha], -1).astype(np.uint8)
    premultiplied[0, 0] = (0, 0, 0, 0)                    # transparent: the background
    premultiplied[0, 1] = (10, 20, 30, 255)               # opaque: its own colour
    for background in ((255, 255, 255), (0, 0, 0), (12, 200, 99)):
        exact = premultiplied[..., :3] + np.array(background) * (255 - premultiplied[..., 3:4]) / 255
        flat = flatten_on(premultiplied, background)
        assert flat.dtype == np.uint8 and np.array_equal(flat, np.rint(exact).astype(np.uint8))
        assert tuple(flat[0, 0]) == background and tuple(flat[0, 1]) == (10, 20, 30)
    opaque = premultiplied.copy()
    opaque[..., 3] = 255
    assert np.array_equal(flatten_on(opaque, (1, 2, 3)), opaque[..., :3])
