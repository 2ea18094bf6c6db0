import numpy as np
import pytest

from ragart_desktop.core.errors import Cancelled, UsageError
from ragart_desktop.core.generate.image.builtin import palette_transfer
from ragart_desktop.core.generate.image.builtin.imaging import rgb_to_lab
from ragart_desktop.core.progress import Task


def lab_stats(image: np.ndarray) -> np.ndarray:
    """Mean and standard deviation of each Lab channel, as one vector of six numbers."""
    lab = rgb_to_lab(image).reshape(-1, 3)
    return np.concatenate([lab.mean(axis=0), lab.std(axis=0)])


def test_output_is_an_image_of_the_same_shape(canvas, references):
    out = palette_transfer(canvas, references, 1.0, seed=3)
    assert out.shape == canvas.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0


def test_same_seed_same_result(canvas, references):
    a = palette_transfer(canvas, references, 1.0, seed=5)
    b = palette_transfer(canvas, references, 1.0, seed=5)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("ref_name", ["warm", "cool"])
def test_colour_statistics_move_toward_the_reference(canvas, ref_name, request):
    ref = request.getfixturevalue(ref_name)
    before = np.linalg.norm(lab_stats(canvas) - lab_stats(ref))
    after = np.linalg.norm(lab_stats(palette_transfer(canvas, [ref], 1.0, seed=0)) - lab_stats(ref))
    assert after < 0.5 * before


def test_strength_scales_the_change(canvas, warm):
    target = lab_stats(warm)
    dist = [np.linalg.norm(lab_stats(palette_transfer(canvas, [warm], s, seed=0)) - target)
            for s in (0.0, 0.5, 1.0)]
    assert dist[0] > dist[1] > dist[2]
    np.testing.assert_array_equal(palette_transfer(canvas, [warm], 0.0), canvas)


def test_luminance_order_is_kept(canvas, cool):
    out_l = rgb_to_lab(palette_transfer(canvas, [cool], 1.0, seed=1))[..., 0]
    in_l = rgb_to_lab(canvas)[..., 0]
    light, green, line = in_l > 90, np.abs(in_l - in_l[62, 34]) < 1, in_l < 10
    assert out_l[line].mean() < out_l[green].mean() < out_l[light].mean()


def test_weights_choose_which_reference_dominates(canvas, warm, cool):
    warm_a = rgb_to_lab(warm)[..., 2].mean()  # warm is yellow-orange: high b*
    favour_warm = palette_transfer(canvas, [warm, cool], 1.0, weights=[0.9, 0.1])
    favour_cool = palette_transfer(canvas, [warm, cool], 1.0, weights=[0.1, 0.9])
    b_warm = rgb_to_lab(favour_warm)[..., 2].mean()
    b_cool = rgb_to_lab(favour_cool)[..., 2].mean()
    assert b_cool < b_warm < warm_a + 5


def test_needs_a_reference(canvas):
    with pytest.raises(UsageError):
        palette_transfer(canvas, [], 1.0)


def test_rejects_arrays_that_are_not_rgb_images(warm):
    with pytest.raises(UsageError):
        palette_transfer(np.zeros((32, 32), dtype=np.float32), [warm])
    with pytest.raises(UsageError):
        palette_transfer(np.zeros((32, 32, 3), dtype=np.uint8), [warm])
    with pytest.raises(UsageError):
        palette_transfer(warm, [warm], strength=1.5)


def test_cancel_stops_the_transfer(canvas, warm):
    task = Task(on_progress=lambda done, total, msg: task.cancel() if done >= 1 else None)
    with pytest.raises(Cancelled):
        palette_transfer(canvas, [warm], 1.0, task=task)
