import numpy as np
import pytest
from PIL import Image

from ragart_desktop.core.embed.image_descriptor import ImageDescriptorEmbedder
from ragart_desktop.core.errors import UsageError

from .procedural_images import central_crop, hue_shift, jpeg, procedural_image, rescale, saturate

N_IMAGES = 40

EDITS = {
    "central crop 80%": lambda im: central_crop(im, 0.8),
    "half size": lambda im: rescale(im, 0.5),
    "upscaled 1.7x": lambda im: rescale(im, 1.7),
    "JPEG q40": lambda im: jpeg(im, 40),
    "hue +60": lambda im: hue_shift(im, 60),
    "hue +150": lambda im: hue_shift(im, 150),
    "saturation x0.5": lambda im: saturate(im, 0.5),
    "saturation x1.5": lambda im: saturate(im, 1.5),
    "crop+shrink+JPEG": lambda im: jpeg(rescale(central_crop(im, 0.85), 0.6), 70),
}


@pytest.fixture(scope="module")
def embedder():
    return ImageDescriptorEmbedder()


@pytest.fixture(scope="module")
def originals():
    return [procedural_image(seed) for seed in range(N_IMAGES)]


@pytest.fixture(scope="module")
def index(embedder, originals):
    return embedder.embed(originals)


def test_originals_are_distinct(index):
    sims = index @ index.T
    np.fill_diagonal(sims, -1)
    assert sims.max() < 0.95


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_copy_finds_its_original_first(edit, embedder, originals, index):
    queries = embedder.embed([EDITS[edit](im) for im in originals])
    top1 = (queries @ index.T).argmax(axis=1)
    hit_rate = float((top1 == np.arange(N_IMAGES)).mean())
    assert hit_rate >= 0.95, f"{edit}: original ranked first for only {hit_rate:.0%}"


def test_vectors_are_unit_float32_rows(embedder, originals):
    v = embedder.embed(originals[:3])
    assert v.shape == (3, embedder.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_deterministic(embedder, originals):
    assert np.array_equal(embedder.embed(originals[:2]), embedder.embed(originals[:2]))


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (50, 50), (128, 128, 128)),  # flat: no edges, no layout
        Image.new("L", (3, 1), 200),  # tiny, greyscale
        Image.new("RGBA", (40, 70), (10, 200, 30, 100)),
        Image.new("P", (20, 20)),
    ],
)
def test_degenerate_and_non_rgb_images_give_a_unit_vector(embedder, image):
    v = embedder.embed_one(image)
    assert np.isfinite(v).all() and np.isclose(np.linalg.norm(v), 1.0, atol=1e-5)


def test_non_image_input_is_refused(embedder):
    with pytest.raises(UsageError):
        embedder.embed([np.zeros((4, 4, 3))])
