"""Loading through the registry entries, offline: diffusers folders, single files, configs, cache."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from ragart_desktop.core.errors import ModelError, UsageError
from ragart_desktop.core.models.device import (DevicePlan, choose_device, choose_memory_mode, dtype_for,
                                                plan_device)
from ragart_desktop.core.models.loaders import (ModelCache, clip_tokenizer, diffusion_model, generation_defaults,
                                                 load_causal_lm, load_diffusion, model_configs_dir)
from ragart_desktop.core.models.recognise import inspect_path
from ragart_desktop.core.models.trust import trust_records

CPU = DevicePlan("cpu", "float32", "fast", 0)


def _image(pipe, seed=0, **extra):
    kwargs = dict(prompt="ink drawing of a heron", num_inference_steps=2, height=64, width=64,
                  generator=torch.Generator().manual_seed(seed), output_type="np", **extra)
    return pipe(**kwargs).images


@pytest.fixture(scope="module")
def folder_model(zoo):
    return load_diffusion(inspect_path(zoo["sd_folder"]), CPU)


def test_diffusers_folder_loads_offline_and_generates_deterministically(folder_model):
    assert folder_model.plan.device == "cpu" and folder_model.text2img.unet.dtype == torch.float32
    first, again = _image(folder_model.text2img), _image(folder_model.text2img)
    assert first.shape == (1, 64, 64, 3) and np.isfinite(first).all()
    np.testing.assert_allclose(first, again, atol=1e-6)
    assert not np.allclose(first, _image(folder_model.text2img, seed=1))


def test_single_file_in_original_layout_loads_to_the_same_model(zoo, folder_model):
    """The LDM-layout checkpoint goes through from_single_file(config=...) and must equal the folder."""
    model = load_diffusion(inspect_path(zoo["sd_file"]), CPU, config_dir=zoo["sd_file_config"])
    np.testing.assert_allclose(_image(model.text2img), _image(folder_model.text2img), atol=1e-5)


def test_img2img_and_inpaint_share_the_weights(folder_model):
    img2img, inpaint = folder_model.pipeline("img2img"), folder_model.pipeline("inpaint")
    assert img2img.unet is folder_model.text2img.unet is inpaint.unet
    init = np.full((64, 64, 3), 0.5, dtype=np.float32)
    from PIL import Image

    image = Image.fromarray((init * 255).astype(np.uint8))
    out = _image(img2img, image=image, strength=0.5)
    mask = Image.new("L", (64, 64), 255)
    assert out.shape == _image(inpaint, image=image, mask_image=mask).shape == (1, 64, 64, 3)
    with pytest.raises(UsageError):
        folder_model.pipeline("video")


def test_memory_modes_switch_without_reloading(folder_model):
    vae = folder_model.text2img.vae
    assert folder_model.set_memory_mode("balanced") == ["vae-slicing", "vae-tiling"]
    assert vae.use_tiling and vae.use_slicing
    assert folder_model.set_memory_mode("low") == ["vae-slicing", "vae-tiling"]  # no offload on the CPU
    assert folder_model.set_memory_mode("fast") == []
    assert not vae.use_tiling and not vae.use_slicing


def test_auto_memory_mode_and_device_choice():
    gb = 1024 ** 3
    assert choose_memory_mode("auto", 16 * gb, 4 * gb) == "fast"
    assert choose_memory_mode("auto", 6 * gb, 4 * gb) == "balanced"
    assert choose_memory_mode("auto", 3 * gb, 4 * gb) == "low"
    assert choose_memory_mode("low", 64 * gb, gb) == "low"
    with pytest.raises(UsageError):
        choose_memory_mode("huge", 0, 0)
    assert choose_device("cpu") == "cpu"
    assert plan_device("cpu").dtype == dtype_for("cpu")
    if not torch.cuda.is_available():
        with pytest.raises(UsageError, match="not available"):
            choose_device("cuda")


def test_cache_holds_one_model_per_kind_and_releases(zoo):
    cache = ModelCache()
    entry = inspect_path(zoo["sd_folder"])
    first = diffusion_model(entry, device="cpu", memory_mode="fast", cache=cache)
    assert diffusion_model(entry, device="cpu", memory_mode="fast", cache=cache) is first
    switched = diffusion_model(entry, device="cpu", memory_mode="balanced", cache=cache)
    assert switched is first and first.plan.memory_mode == "balanced"
    other = diffusion_model(inspect_path(zoo["sd_file"]), device="cpu", config_dir=zoo["sd_file_config"],
                            cache=cache)
    assert other is not first and cache.held("diffusion") is other
    cache.release()
    assert cache.held("diffusion") is None


def test_refused_and_damaged_entries_raise_model_errors_naming_the_file(zoo, tmp_path):
    with pytest.raises(ModelError, match="arbitrary code"):
        load_diffusion(inspect_path(zoo["pickle"]), CPU)
    copy = tmp_path / "soon-broken.safetensors"
    shutil.copy(zoo["sd_file"], copy)
    entry = inspect_path(copy)  # scanned while intact, damaged before loading
    copy.write_bytes(copy.read_bytes()[: copy.stat().st_size // 3])
    with pytest.raises(ModelError) as info:
        load_diffusion(entry, CPU, config_dir=zoo["sd_file_config"])
    assert info.value.path == str(copy) and "download it again" in info.value.hint


def test_mismatched_config_becomes_a_model_error(zoo, tmp_path):
    folder = shutil.copytree(zoo["sd_folder"], tmp_path / "mismatch")
    config = folder / "unet" / "config.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), "block_out_channels": [64, 64]}))
    with pytest.raises(ModelError) as info:
        load_diffusion(inspect_path(folder), CPU)
    assert info.value.path == str(folder)


def test_trusted_pickle_checkpoint_loads(zoo, tmp_path):
    from safetensors.torch import load_file

    path = tmp_path / "trusted.ckpt"
    torch.save({"state_dict": load_file(str(zoo["sd_file"]))}, str(path))
    entry = inspect_path(path, trusted=trust_records(path))
    model = load_diffusion(entry, CPU, config_dir=zoo["sd_file_config"])
    assert list(model.text2img.unet.config.block_out_channels) == [32, 64]


def test_shipped_configs_describe_the_real_architectures():
    """Parameter counts of the shipped configs equal the published models' (built on the meta device)."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    expected = {"sd1": (859_520_964, 123_060_480), "sd2-v": (865_910_724, 340_387_840),
                "sd2-base": (865_910_724, 340_387_840), "sdxl": (2_567_463_684, 123_060_480)}
    for family, (unet_params, text_params) in expected.items():
        folder = model_configs_dir() / family
        with torch.device("meta"):
            unet = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(str(folder / "unet")))
            vae = AutoencoderKL.from_config(AutoencoderKL.load_config(str(folder / "vae")))
            text = CLIPTextModel(CLIPTextConfig.from_pretrained(str(folder / "text_encoder")))
        assert sum(p.numel() for p in unet.parameters()) == unet_params, family
        assert sum(p.numel() for p in vae.parameters()) == 83_653_863, family
        assert sum(p.numel() for p in text.parameters()) == text_params, family
        assert json.loads((folder / "model_index.json").read_text())["_class_name"].startswith("StableDiffusion")


def test_shipped_tokenizers_use_the_clip_vocabulary():
    ids = clip_tokenizer(model_configs_dir() / "sd1" / "tokenizer")("a photo of a cat")["input_ids"]
    assert ids == [49406, 320, 1125, 539, 320, 2368, 49407]
    sd2 = clip_tokenizer(model_configs_dir() / "sd2-v" / "tokenizer")
    assert sd2.pad_token == "!" and sd2.pad_token_id == 0 and sd2.model_max_length == 77


def test_generation_defaults_follow_family_and_variant(zoo):
    entry = inspect_path(zoo["sd_folder"])
    assert generation_defaults(entry) == {"steps": 25, "guidance": 7.0, "width": 512, "height": 512}
    from dataclasses import replace

    turbo = generation_defaults(replace(entry, family="sd2", variant="turbo"))
    assert turbo["steps"] <= 4 and turbo["guidance"] == 0.0
    assert generation_defaults(replace(entry, family="sdxl"))["width"] == 1024
    assert generation_defaults(replace(entry, family="sdxl", variant="turbo"))["width"] == 512
    assert generation_defaults(replace(entry, family="sd2", variant="v-prediction"))["height"] == 768
    assert generation_defaults(entry, native_size=64)["width"] == 64   # the model's own size wins


def test_causal_lm_loads_and_generates(zoo):
    lm = load_causal_lm(inspect_path(zoo["lm"]), CPU)
    ids = lm.tokenizer("the moon", return_tensors="pt")["input_ids"]
    torch.manual_seed(0)
    out = lm.model.generate(ids, max_new_tokens=5, do_sample=False, pad_token_id=lm.tokenizer.eos_token_id)
    assert out.shape[1] == ids.shape[1] + 5
    with pytest.raises(ModelError, match="not a causal-lm model"):
        load_causal_lm(inspect_path(zoo["clip"]), CPU)
