"""The image pipeline with a diffusion model from the models folder: a tiny random-weight SD model
in the real diffusers on-disk format, found by the registry and loaded offline like a user's."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ragart_desktop.core.errors import Cancelled, ModelError
from ragart_desktop.core.generate.image.pipeline import generate
from ragart_desktop.core.generate.image.provenance import read_record
from ragart_desktop.core.generate.image.request import GenerationRequest
from ragart_desktop.core.models.loaders import release
from ragart_desktop.core.progress import Task
from tests.core.library.conftest import art_folder, make_library, shared_embedders  # noqa: F401
from tests.fixtures import tiny_models

SIZE = 64


@pytest.fixture(scope="module")
def sd_folder(tmp_path_factory):
    return tiny_models.make_sd_folder(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture
def lib(make_library, art_folder, home, sd_folder):  # noqa: F811
    import shutil

    shutil.copytree(sd_folder, home.models_dir / "tiny-sd")
    library = make_library()
    library.import_paths([art_folder])
    yield library
    release()


def _canvas_and_mask(tmp_path):
    canvas = tmp_path / "canvas.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (SIZE, SIZE, 3), dtype=np.uint8)).save(canvas)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[16:48, 16:48] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    return str(canvas), str(tmp_path / "mask.png")


@pytest.mark.parametrize("mode", ["txt2img", "refine", "fill", "restyle"])
def test_every_mode_runs_through_the_model_with_references(lib, tmp_path, mode):
    canvas, mask = _canvas_and_mask(tmp_path)
    steps = []
    req = GenerationRequest(prompt="stormy harbour", mode=mode, engine="tiny-sd", width=SIZE, height=SIZE, steps=2,
                            canvas=None if mode == "txt2img" else canvas, mask=mask if mode == "fill" else None,
                            n_references=2, seed=5, strength=0.8)
    result = generate(req, lib, Task(on_progress=lambda d, t, m: steps.append((d, t, m))))
    out = result.outputs[0]
    assert out.image.size == (SIZE, SIZE)
    assert result.engine == "tiny-sd" and "tiny-sd" in result.engine_name
    assert result.references and any(m.startswith("step") for _, _, m in steps)
    assert result.fused_prompt.text.startswith("stormy harbour")
    path = result.save(tmp_path / "out.png")[0]
    record = read_record(path)
    assert record["engine"] == "tiny-sd" and record["seed"] == 5
    again = generate(req, lib).outputs[0]
    assert np.array_equal(np.asarray(again.image), np.asarray(out.image))


def test_tokenizer_limits_the_fused_prompt(lib):
    req = GenerationRequest(prompt="harbour " * 70, engine="tiny-sd", width=SIZE, height=SIZE, steps=1)
    result = generate(req, lib)
    from ragart_desktop.core.generate.image.engine_diffusers import DiffusersEngine

    assert DiffusersEngine("tiny-sd", lib).count_tokens(result.fused_prompt.text) <= 75


def test_cancel_between_steps_discards_the_job(lib, tmp_path):
    task = Task(on_progress=lambda d, t, m: task.cancel() if m.startswith("step") else None)
    req = GenerationRequest(prompt="forest", engine="tiny-sd", width=SIZE, height=SIZE, steps=4, retrieve=False)
    with pytest.raises(Cancelled):
        generate(req, lib, task).save(tmp_path / "x.png")
    assert not list(tmp_path.glob("*.png"))


def test_unknown_model_names_the_known_ones(lib):
    with pytest.raises(ModelError, match="tiny-sd"):
        generate(GenerationRequest(prompt="x", engine="no-such-model", width=SIZE, height=SIZE), lib)


def test_references_go_in_as_image_prompts_when_an_ip_adapter_is_installed(lib, home):
    from ragart_desktop.core.models.registry import ModelRegistry

    tiny_models.make_ip_adapter_for_unet(home.models_dir / "tiny-sd", home.models_dir / "ip-adapter")
    adapter = [e for e in ModelRegistry(home, lib.settings).entries() if e.kind == "ip-adapter"]
    assert adapter and adapter[0].loadable, adapter
    req = GenerationRequest(prompt="stormy harbour", engine="tiny-sd", width=SIZE, height=SIZE, steps=2,
                            n_references=2, reference_strength=0.9)
    strong = generate(req, lib).outputs[0].image
    from ragart_desktop.core.models.loaders import diffusion_model

    pipe = diffusion_model(ModelRegistry(home, lib.settings).get("tiny-sd"), lib.settings).pipeline("text2img")
    assert getattr(pipe, "_ragart_ip_adapter", None) == adapter[0].path
    weak = generate(GenerationRequest(**{**req.to_json(), "references": (), "reference_strength": 0.0}), lib).outputs[0].image
    assert not np.array_equal(np.asarray(strong), np.asarray(weak))
    alone = GenerationRequest(prompt="x", engine="tiny-sd", width=SIZE, height=SIZE, steps=1, retrieve=False)
    assert generate(alone, lib).outputs[0].image.size == (SIZE, SIZE)   # the adapter is taken out again
    canvas = Image.new("RGB", (SIZE, SIZE), "white")
    canvas.save(home.root / "c.png")
    refine = GenerationRequest(prompt="x", mode="refine", canvas=str(home.root / "c.png"), engine="tiny-sd",
                               width=SIZE, height=SIZE, steps=2, n_references=1)
    assert generate(refine, lib).outputs[0].image.size == (SIZE, SIZE)


def test_loras_from_the_models_folder_steer_and_switch_off(lib, home):
    from ragart_desktop.core.errors import UsageError
    from ragart_desktop.core.generate.image.request import LoraSpec

    tiny_models.make_lora_for_unet(home.models_dir / "tiny-sd", home.models_dir / "loras" / "ink-style.safetensors")
    base = GenerationRequest(prompt="harbour", engine="tiny-sd", width=SIZE, height=SIZE, steps=2, retrieve=False)
    plain = np.asarray(generate(base, lib).outputs[0].image)
    styled_req = GenerationRequest(**{**base.to_json(), "loras": (LoraSpec("ink-style", 1.0),), "references": ()})
    styled = generate(styled_req, lib)
    assert not np.array_equal(np.asarray(styled.outputs[0].image), plain)
    assert styled.record(styled.outputs[0])["request"]["loras"] == [{"name": "ink-style", "scale": 1.0}]
    again = np.asarray(generate(base, lib).outputs[0].image)      # the LoRA is switched off again
    assert np.abs(again.astype(int) - plain.astype(int)).max() <= 1
    with pytest.raises(UsageError, match="need a diffusion model"):
        GenerationRequest(prompt="x", loras=(LoraSpec("ink-style"),)).validate()
    with pytest.raises(ModelError, match="not a LoRA"):
        generate(GenerationRequest(**{**base.to_json(), "loras": (LoraSpec("tiny-sd"),), "references": ()}), lib)


def test_the_model_s_own_defaults_fill_what_the_user_left_unset(lib, home):
    from dataclasses import replace

    tiny_models.make_sd_folder(home.models_dir / "tiny-turbo", turbo=True)
    steps = []
    req = GenerationRequest(prompt="stormy harbour", engine="tiny-turbo", retrieve=False, seed=2)
    result = generate(req, lib, Task(on_progress=lambda d, t, m: steps.append(m)))
    made = result.request
    assert (made.steps, made.guidance) == (2, 0.0)       # Turbo: a few steps without guidance
    assert (made.width, made.height) == (SIZE, SIZE)     # the model's own size (UNet sample size x VAE scale)
    assert result.outputs[0].image.size == (SIZE, SIZE)
    assert len({m for m in steps if m.startswith("step")}) == 2
    # What the user sets wins (any size: the model runs at the next multiple of 8 and is scaled back).
    mine = generate(replace(req, steps=3, guidance=1.5, width=100, height=76), lib)
    assert (mine.request.steps, mine.request.guidance) == (3, 1.5) and mine.outputs[0].image.size == (100, 76)
