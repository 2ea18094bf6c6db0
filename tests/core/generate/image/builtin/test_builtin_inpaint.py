import numpy as np
import pytest

from ragart_desktop.core.errors import Cancelled, UsageError
from ragart_desktop.core.generate.image.builtin import exemplar_inpaint
from ragart_desktop.core.progress import Task


def square_hole(size: int = 96, top: int = 36, left: int = 40, side: int = 24) -> np.ndarray:
    hole = np.zeros((size, size), dtype=bool)
    hole[top : top + side, left : left + side] = True
    return hole


def damage(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    broken = image.copy()
    broken[hole] = [1.0, 0.0, 1.0]  # loud magenta: any leak shows up in the error
    return broken


def test_unmasked_pixels_are_unchanged(canvas, references):
    hole = square_hole()
    broken = damage(canvas, hole)
    out = exemplar_inpaint(broken, hole, references, seed=0)
    assert out.shape == canvas.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out[~hole], broken[~hole])
    assert 0.0 <= out.min() and out.max() <= 1.0


def test_fills_a_hole_in_stripes_with_stripes(striped):
    hole = square_hole()
    out = exemplar_inpaint(damage(striped, hole), hole, seed=0)
    error = np.mean((out[hole] - striped[hole]) ** 2)
    mean_fill = np.mean((striped[~hole].mean(axis=0) - striped[hole]) ** 2)
    assert error < 0.2 * mean_fill


def test_fills_from_references_when_the_image_has_nothing_to_copy(striped):
    """Only a 4-pixel frame survives: no whole patch of the image is intact, the reference is."""
    hole = np.zeros((96, 96), dtype=bool)
    hole[4:-4, 4:-4] = True
    broken = damage(striped, hole)
    with pytest.raises(UsageError):
        exemplar_inpaint(broken, hole, [], seed=0)
    out = exemplar_inpaint(broken, hole, [stripes_reference(striped)], seed=0)
    lum = out[4:-4, 4:-4].mean(axis=2)
    across = np.abs(np.diff(lum, axis=1)).mean()  # vertical stripes change from column to column
    along = np.abs(np.diff(lum, axis=0)).mean()
    expected = np.abs(np.diff(striped[4:-4, 4:-4].mean(axis=2), axis=1)).mean()
    assert across > 0.6 * expected
    assert along < 0.2 * across


def stripes_reference(striped: np.ndarray) -> np.ndarray:
    """The same stripes, shifted and cropped: a different picture with the same texture."""
    return np.roll(striped, 5, axis=1)[:80]


def test_deterministic_for_a_seed(canvas):
    hole = square_hole()
    a = exemplar_inpaint(damage(canvas, hole), hole, seed=4)
    b = exemplar_inpaint(damage(canvas, hole), hole, seed=4)
    np.testing.assert_array_equal(a, b)


def test_empty_mask_returns_the_image(canvas):
    out = exemplar_inpaint(canvas, np.zeros((96, 96), dtype=bool))
    np.testing.assert_array_equal(out, canvas)


def test_rejects_masks_that_cannot_be_filled(canvas):
    with pytest.raises(UsageError):
        exemplar_inpaint(canvas, np.ones((96, 96), dtype=bool))
    with pytest.raises(UsageError):
        exemplar_inpaint(canvas, np.zeros((50, 50), dtype=bool))


def test_cancel_mid_run_raises_cancelled(canvas):
    task = Task(on_progress=lambda done, total, msg: task.cancel() if done >= 1 else None)
    hole = square_hole()
    with pytest.raises(Cancelled):
        exemplar_inpaint(damage(canvas, hole), hole, seed=0, task=task)
