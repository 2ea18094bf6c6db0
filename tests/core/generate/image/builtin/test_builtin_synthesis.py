import numpy as np
import pytest
from scipy import ndimage

from ragart_desktop.core.errors import Cancelled, UsageError
from ragart_desktop.core.generate.image.builtin import patch_synthesis
from ragart_desktop.core.progress import Task


def colour_histogram(image: np.ndarray, bins: int = 6) -> np.ndarray:
    q = np.minimum((image * bins).astype(int), bins - 1).reshape(-1, 3)
    counts = np.bincount(q[:, 0] * bins * bins + q[:, 1] * bins + q[:, 2], minlength=bins**3)
    return counts / counts.sum()


def histogram_distance(a: np.ndarray, b: np.ndarray) -> float:
    return 0.5 * float(np.abs(colour_histogram(a) - colour_histogram(b)).sum())


def edges(image: np.ndarray) -> np.ndarray:
    lum = ndimage.gaussian_filter(image.mean(axis=2), 2.0)
    return np.hypot(ndimage.sobel(lum, 0), ndimage.sobel(lum, 1))


def edge_correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(edges(a).ravel(), edges(b).ravel())[0, 1])


def gradient_energy(image: np.ndarray) -> float:
    lum = image.mean(axis=2)
    return float(np.abs(np.diff(lum, axis=0)).mean() + np.abs(np.diff(lum, axis=1)).mean())


def test_output_is_an_image_of_the_canvas_size(canvas, references):
    out = patch_synthesis(canvas, references, 1.0, seed=0)
    assert out.shape == canvas.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0


def test_size_is_width_by_height(canvas, references):
    assert patch_synthesis(canvas, references, 1.0, seed=0, size=(80, 64)).shape == (64, 80, 3)


def test_deterministic_for_a_seed_and_varies_across_seeds(canvas, references):
    a = patch_synthesis(canvas, references, 1.0, seed=7)
    b = patch_synthesis(canvas, references, 1.0, seed=7)
    c = patch_synthesis(canvas, references, 1.0, seed=8)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).mean() > 0.01


def test_colours_come_from_the_reference(canvas, warm):
    out = patch_synthesis(canvas, [warm], 1.0, seed=0)
    assert histogram_distance(out, warm) < 0.5 * histogram_distance(canvas, warm)


def test_flat_canvas_regions_get_the_reference_texture(canvas, warm):
    out = patch_synthesis(canvas, [warm], 1.0, seed=0)
    flat = canvas[0:20, 50:90]  # plain ground in the canvas
    assert gradient_energy(flat) == 0.0
    assert gradient_energy(out[0:20, 50:90]) > 0.3 * gradient_energy(warm)


def test_structure_follows_the_canvas(canvas, references):
    out = patch_synthesis(canvas, references, 1.0, seed=0)
    follows = edge_correlation(out, canvas)
    unrelated = edge_correlation(out, canvas.transpose(1, 0, 2)[:, ::-1])
    assert follows > 0.5
    assert follows > unrelated + 0.3


def test_weights_favour_a_reference(canvas, warm, cool):
    favour_warm = patch_synthesis(canvas, [warm, cool], 1.0, seed=0, weights=[1.0, 0.05])
    favour_cool = patch_synthesis(canvas, [warm, cool], 1.0, seed=0, weights=[0.05, 1.0])
    assert histogram_distance(favour_warm, warm) < histogram_distance(favour_cool, warm)
    assert histogram_distance(favour_cool, cool) < histogram_distance(favour_warm, cool)


def test_strength_blends_with_the_canvas(canvas, warm):
    half = patch_synthesis(canvas, [warm], 0.5, seed=0)
    full = patch_synthesis(canvas, [warm], 1.0, seed=0)
    np.testing.assert_allclose(half, 0.5 * (canvas + full), atol=1e-5)
    np.testing.assert_allclose(patch_synthesis(canvas, [warm], 0.0, seed=0), canvas, atol=1e-6)


@pytest.mark.parametrize("blank", [None, "white"])
def test_blank_canvas_composes_from_the_references(blank, references):
    canvas = None if blank is None else np.ones((96, 96, 3), dtype=np.float32)
    a = patch_synthesis(canvas, references, 1.0, seed=1, size=(96, 96))
    b = patch_synthesis(canvas, references, 1.0, seed=2, size=(96, 96))
    both = np.concatenate(references, axis=0)
    assert histogram_distance(a, both) < 0.5
    assert gradient_energy(a) > 0.3 * gradient_energy(both)
    assert np.abs(a - b).mean() > 0.05  # another seed, another composition


def test_needs_a_reference_and_a_size(canvas, warm):
    with pytest.raises(UsageError):
        patch_synthesis(canvas, [], 1.0)
    with pytest.raises(UsageError):
        patch_synthesis(None, [warm], 1.0)


def test_cancel_mid_run_raises_cancelled(canvas, references):
    seen = []

    def on_progress(done, total, msg):
        seen.append(done)
        if done >= 2:
            task.cancel()

    task = Task(on_progress=on_progress)
    with pytest.raises(Cancelled):
        patch_synthesis(canvas, references, 1.0, seed=0, task=task)
    assert max(seen) >= 2


def test_offers_previews_when_asked(canvas, warm):
    previews = []
    patch_synthesis(canvas, [warm], 1.0, seed=0, task=Task(on_preview=previews.append))
    assert previews and previews[-1].size == (96, 96)
