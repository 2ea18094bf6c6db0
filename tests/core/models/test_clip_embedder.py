"""The CLIP embedder: images and words in one space, batched with a preprocessing thread, offline."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from ragart_desktop.core.embed.base import Embedder
from ragart_desktop.core.embed.clip import ClipEmbedder
from ragart_desktop.core.errors import BadInputError, ModelError
from ragart_desktop.core.models.loaders import model_cache
from ragart_desktop.core.models.registry import ModelRegistry
from ragart_desktop.core.settings import Settings
from ragart_desktop.core.models.device import dtype_for


def _images(n):
    rng = np.random.default_rng(0)
    return [Image.fromarray(rng.integers(0, 255, (40 + 3 * i, 48, 3), dtype=np.uint8)) for i in range(n)]


@pytest.fixture
def embedder(zoo):
    yield ClipEmbedder(zoo["clip"], device="cpu", batch_size=4)
    model_cache.release("clip")


def test_identity_from_folder_and_config(embedder, zoo, tmp_path):
    assert isinstance(embedder, Embedder) and embedder.modality == "image"
    assert embedder.dim == 24 and embedder.id.startswith("clip-tiny-clip-")
    changed = shutil.copytree(zoo["clip"], tmp_path / "tiny-clip")
    config = changed / "config.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), "logit_scale_init_value": 1.0}))
    assert ClipEmbedder(changed).id != embedder.id


def test_batched_pipeline_matches_one_at_a_time(embedder):
    images = _images(10)
    batched = embedder.embed(images)
    single = np.stack([embedder.embed_one(img) for img in images])
    assert batched.shape == (10, 24) and batched.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(batched, single, atol=1e-5)
    assert not np.allclose(batched[0], batched[1])


def test_paths_are_decoded_like_images(embedder, tmp_path):
    images = _images(3)
    paths = []
    for i, img in enumerate(images):
        paths.append(tmp_path / f"{i}.png")
        img.save(paths[-1])
    np.testing.assert_allclose(embedder.embed(paths), embedder.embed(images), atol=1e-5)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    with pytest.raises(BadInputError) as info:
        embedder.embed([paths[0], broken])
    assert info.value.path == str(broken)


def test_text_lands_in_the_same_space(embedder):
    text = embedder.embed_text(["a red fox", "a red fox", "the sea at night"])
    assert text.shape == (3, 24)
    np.testing.assert_allclose(text[0], text[1], atol=1e-6)
    assert not np.allclose(text[0], text[2])
    scores = embedder.embed(_images(2)) @ text.T
    assert scores.shape == (2, 3) and np.all(np.abs(scores) <= 1.0 + 1e-5)
    assert embedder.embed([]).shape == embedder.embed_text([]).shape == (0, 24)


def test_model_is_shared_through_the_cache_and_released(embedder, zoo):
    assert embedder.load() == ("cpu", dtype_for("cpu"))
    held = model_cache.held("clip")
    ClipEmbedder(zoo["clip"], device="cpu").embed(_images(1))
    assert model_cache.held("clip") is held
    model_cache.release("clip")
    assert model_cache.held("clip") is None


def test_found_through_the_registry_and_refuses_other_folders(zoo, home):
    registry = ModelRegistry(home, Settings(model_paths=[str(zoo["root"])]))
    assert ClipEmbedder.from_registry(registry).model_dir == zoo["clip"]
    with pytest.raises(ModelError, match="not a CLIP model"):
        ClipEmbedder(zoo["lm"])
    empty = ModelRegistry(home, Settings(model_paths=[str(zoo["lm"])]))
    assert ClipEmbedder.from_registry(empty) is None


def test_bf16_on_a_native_bf16_cpu_keeps_the_float32_geometry(zoo, monkeypatch):
    """Where the CPU computes bf16 natively CLIP runs in bf16: its vectors stay ~those of float32."""
    import numpy as np
    import pytest
    from PIL import Image

    from ragart_desktop.core.embed.clip import ClipEmbedder
    from ragart_desktop.core.models import device as device_module
    from ragart_desktop.core.models.loaders import model_cache

    if dtype_for("cpu") != "bfloat16":
        pytest.skip("this CPU has no native bf16: everything stays in float32")
    rng = np.random.default_rng(3)
    images = [Image.fromarray(rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)) for _ in range(4)]
    try:
        fast = ClipEmbedder(zoo["clip"], device="cpu").embed(images)
        model_cache.release("clip")
        monkeypatch.setattr(device_module, "cpu_has_native_bf16", lambda: False)
        exact_embedder = ClipEmbedder(zoo["clip"], device="cpu")
        assert exact_embedder.load() == ("cpu", "float32")
        exact = exact_embedder.embed(images)
    finally:
        model_cache.release("clip")
    assert np.min(np.sum(fast * exact, axis=1)) > 0.99
