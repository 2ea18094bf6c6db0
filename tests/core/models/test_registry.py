"""The registry recognises models by content, refuses pickles and names damaged files."""
from __future__ import annotations

import json
import shutil

import pytest
import torch
from safetensors.torch import save_file

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.models.recognise import inspect_path
from ragart_desktop.core.models.registry import ModelRegistry, model_roots, scan
from ragart_desktop.core.models.safetensors_header import read_safetensors_header
from ragart_desktop.core.models.trust import trust_records
from ragart_desktop.core.settings import Settings


def _by_path(entries):
    return {e.path: e for e in entries}


def test_scan_recognises_every_kind(zoo):
    entries = _by_path(scan([zoo["root"]]))
    expect = {
        "sd_folder": ("sd1", "diffusion", "diffusers-folder", True),
        "sd_file": ("sd1", "diffusion", "single-file", True),
        "clip": ("clip", "clip", "transformers-folder", True),
        "lm": ("causal-lm", "causal-lm", "transformers-folder", True),
        "ip_adapter": ("sd1", "ip-adapter", "single-file", True),
        "lora": ("sd1", "lora", "single-file", True),
        "truncated": ("unknown", "unknown", "single-file", False),
        "pickle": ("unknown", "unknown", "single-file", False),
    }
    for key, (family, kind, fmt, loadable) in expect.items():
        e = entries[str(zoo[key])]
        assert (e.family, e.kind, e.format, e.loadable) == (family, kind, fmt, loadable), (key, e)
    assert entries[str(zoo["sd_file"])].config == "sd1"
    assert entries[str(zoo["sd_folder"])].dtype == "float32"
    assert entries[str(zoo["lora"])].dtype == "float16"
    assert entries[str(zoo["lm"])].task == "text-generation"
    assert entries[str(zoo["ip_adapter"])].image_encoder == str(zoo["ip_adapter"].parent / "image_encoder")
    assert entries[str(zoo["sd_folder"])].size > 1_000_000


def test_pickle_is_refused_with_risk_and_conversion_then_allowed_when_trusted(zoo):
    refused = inspect_path(zoo["pickle"])
    assert not refused.loadable
    assert "arbitrary code" in refused.reason and ".safetensors" in refused.reason and "--trust" in refused.reason
    trusted = inspect_path(zoo["pickle"], trusted=trust_records(zoo["pickle"]))
    assert trusted.loadable and trusted.trusted_files[0][0] == str(zoo["pickle"])


def test_truncated_file_names_the_file_and_the_cause(zoo):
    entry = inspect_path(zoo["truncated"])
    assert not entry.loadable and "truncated" in entry.reason
    with pytest.raises(ModelError) as info:
        read_safetensors_header(zoo["truncated"])
    assert info.value.path == str(zoo["truncated"])


def test_header_length_beyond_file_size(tmp_path):
    path = tmp_path / "cut.safetensors"
    path.write_bytes((10_000).to_bytes(8, "little") + b'{"a": 1}')
    with pytest.raises(ModelError, match="beyond the file size") as info:
        read_safetensors_header(path)
    assert info.value.path == str(path)


def test_tensor_size_not_matching_shape(tmp_path):
    path = tmp_path / "lies.safetensors"
    header = json.dumps({"w": {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 16]}}).encode()
    path.write_bytes(len(header).to_bytes(8, "little") + header + b"\0" * 16)
    with pytest.raises(ModelError, match="need 64"):
        read_safetensors_header(path)


def test_damaged_component_in_a_diffusers_folder_is_named(zoo, tmp_path):
    folder = shutil.copytree(zoo["sd_folder"], tmp_path / "damaged")
    weights = folder / "unet" / "diffusion_pytorch_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:4096])
    entry = inspect_path(folder)
    assert not entry.loadable and str(weights) in entry.reason


def test_pickle_component_in_a_diffusers_folder(zoo, tmp_path):
    folder = shutil.copytree(zoo["sd_folder"], tmp_path / "pickled")
    unet = folder / "unet"
    (unet / "diffusion_pytorch_model.safetensors").rename(unet / "diffusion_pytorch_model.bin")
    entry = inspect_path(folder)
    assert not entry.loadable and "arbitrary code" in entry.reason
    assert inspect_path(folder, trusted=trust_records(folder)).loadable


def _key_only_checkpoint(path, keys, metadata=None, in_channels=4):
    tensors = {k: torch.zeros(1) for k in keys}
    tensors["model.diffusion_model.input_blocks.0.0.weight"] = torch.zeros(8, in_channels, 1, 1)
    save_file(tensors, str(path), metadata=metadata)
    return path


SD2_KEYS = ["cond_stage_model.model.token_embedding.weight", "first_stage_model.decoder.conv_in.weight"]
SDXL_KEYS = ["conditioner.embedders.0.transformer.text_model.embeddings.position_embedding.weight",
             "conditioner.embedders.1.model.positional_embedding", "first_stage_model.decoder.conv_in.weight"]


def test_single_file_families_from_key_layout(tmp_path):
    sdxl = inspect_path(_key_only_checkpoint(tmp_path / "x.safetensors", SDXL_KEYS))
    assert (sdxl.family, sdxl.config, sdxl.loadable) == ("sdxl", "sdxl", True)
    refiner = inspect_path(_key_only_checkpoint(tmp_path / "r.safetensors",
                                                ["conditioner.embedders.0.model.text_projection"]))
    assert refiner.variant == "refiner" and not refiner.loadable
    inpaint = inspect_path(_key_only_checkpoint(tmp_path / "i.safetensors", SD2_KEYS, in_channels=9))
    assert inpaint.variant == "inpainting" and not inpaint.loadable
    unet_only = inspect_path(_key_only_checkpoint(tmp_path / "u.safetensors", []))
    assert not unet_only.loadable and "text encoder" in unet_only.reason
    other = tmp_path / "other.safetensors"
    save_file({"encoder.weight": torch.zeros(2)}, str(other))
    assert inspect_path(other).kind == "unknown" and not inspect_path(other).loadable


def test_sd2_prediction_type_from_sidecar_yaml_and_metadata(tmp_path):
    default = inspect_path(_key_only_checkpoint(tmp_path / "a.safetensors", SD2_KEYS))
    assert (default.family, default.config) == ("sd2", "sd2-v")
    base = _key_only_checkpoint(tmp_path / "b.safetensors", SD2_KEYS)
    base.with_suffix(".yaml").write_text("model:\n  params:\n    linear_start: 0.00085\n")
    assert inspect_path(base).config == "sd2-base"
    v = _key_only_checkpoint(tmp_path / "c.safetensors", SD2_KEYS)
    v.with_suffix(".yaml").write_text('model:\n  params:\n    parameterization: "v"\n')
    assert inspect_path(v).config == "sd2-v"
    meta = _key_only_checkpoint(tmp_path / "d.safetensors", SD2_KEYS,
                                metadata={"modelspec.architecture": "stable-diffusion-v2-512"})
    assert inspect_path(meta).config == "sd2-base"


@pytest.mark.parametrize("scheduler, unet_patch, variant", [
    ({"_class_name": "EulerDiscreteScheduler", "timestep_spacing": "trailing"}, {}, "turbo"),
    ({"_class_name": "LCMScheduler"}, {}, "lcm"),
    ({"_class_name": "DDIMScheduler", "prediction_type": "v_prediction"}, {}, "v-prediction"),
    ({"_class_name": "DDIMScheduler"}, {"cross_attention_dim": 1024}, ""),
])
def test_diffusers_variants_and_family_from_configs(zoo, tmp_path, scheduler, unet_patch, variant):
    folder = shutil.copytree(zoo["sd_folder"], tmp_path / "variant", ignore=shutil.ignore_patterns("*.safetensors"))
    for part in ("unet", "vae", "text_encoder"):
        shutil.copy(next((zoo["sd_folder"] / part).glob("*.safetensors")), folder / part)
    (folder / "scheduler" / "scheduler_config.json").write_text(json.dumps(scheduler))
    unet_config = folder / "unet" / "config.json"
    unet_config.write_text(json.dumps({**json.loads(unet_config.read_text()), **unet_patch}))
    entry = inspect_path(folder)
    assert entry.variant == variant
    assert entry.family == ("sd2" if unet_patch else "sd1")


def test_registry_roots_lookup_and_unique_names(zoo, tmp_path, home):
    other = tmp_path / "elsewhere"
    shutil.copytree(zoo["lm"], other / "tiny-gpt2")
    settings = Settings(model_paths=[str(zoo["root"]), str(other)])
    assert model_roots(home, settings)[-2:] == [zoo["root"], other]
    registry = ModelRegistry(home, settings)
    names = [e.name for e in registry.entries()]
    assert "tiny-sd1" in names and "elsewhere/tiny-gpt2" in names
    assert sum(n.endswith("/tiny-gpt2") for n in names) == 2  # same folder name in two roots
    assert registry.get("tiny-sd1").path == str(zoo["sd_file"])
    assert registry.get(str(zoo["clip"])).kind == "clip"
    assert [e.kind for e in registry.of_kind("clip")] == ["clip"]
    with pytest.raises(ModelError, match="no model named 'nope'") as info:
        registry.get("nope")
    assert "ragart models add" in info.value.hint
