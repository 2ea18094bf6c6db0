"""One odd file in a models folder is "not loadable: reason" for that file alone; the app carries on."""
from __future__ import annotations

import json
import os
import threading

import pytest

from ragart_desktop.cli import main
from ragart_desktop.core.models.registry import scan


def _safetensors(path, header: bytes | str, data: bytes = b"") -> None:
    raw = header.encode() if isinstance(header, str) else header
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + data)


LORA_KEY = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight"
SD2_KEYS = {"model.diffusion_model.input_blocks.0.0.weight": {"dtype": "F16", "shape": [1, 4, 1, 1],
                                                              "data_offsets": [0, 8]},
            "cond_stage_model.model.token_embedding.weight": {"dtype": "F16", "shape": [1], "data_offsets": [8, 10]},
            "first_stage_model.decoder.conv_in.weight": {"dtype": "F16", "shape": [1], "data_offsets": [10, 12]}}


def make_junk(folder) -> dict[str, str]:
    """Every kind of odd file the issue lists, plus a few more; name -> what is odd about it."""
    folder.mkdir(parents=True, exist_ok=True)
    _safetensors(folder / "deep.safetensors", "[" * 100_000 + "]" * 100_000)
    _safetensors(folder / "deep-dict.safetensors", '{"a":' * 50_000 + "1" + "}" * 50_000)
    _safetensors(folder / "string-shape.safetensors",
                 json.dumps({"w": {"dtype": "F32", "shape": "abcd", "data_offsets": [0, 4]}}), b"\0" * 4)
    _safetensors(folder / "empty-lora-shape.safetensors",
                 json.dumps({LORA_KEY: {"dtype": "F16", "shape": [], "data_offsets": [0, 2]}}), b"\0" * 2)
    _safetensors(folder / "number-metadata.safetensors",
                 json.dumps({"__metadata__": {"modelspec.architecture": 5}, **SD2_KEYS}), b"\0" * 12)
    _safetensors(folder / "list-metadata.safetensors", json.dumps({"__metadata__": [1, 2], **SD2_KEYS}), b"\0" * 12)
    _safetensors(folder / "offsets-not-numbers.safetensors",
                 json.dumps({"w": {"dtype": "F16", "shape": [1], "data_offsets": ["0", "2"]}}), b"\0" * 2)
    _safetensors(folder / "negative-shape.safetensors",
                 json.dumps({"w": {"dtype": "F16", "shape": [-1, -2], "data_offsets": [0, 4]}}), b"\0" * 4)
    os.mkfifo(folder / "pipe.safetensors")
    fifo_config = folder / "fifo-config"
    fifo_config.mkdir()
    os.mkfifo(fifo_config / "config.json")
    for name, config in {"deep-config": "[" * 100_000 + "]" * 100_000,
                         "string-architectures": json.dumps({"architectures": "CLIPModel"}),
                         "list-dims": json.dumps({"architectures": ["CLIPModel"], "projection_dim": [1]})}.items():
        (folder / name).mkdir()
        (folder / name / "config.json").write_text(config)
    pipeline = folder / "odd-pipeline"
    (pipeline / "unet").mkdir(parents=True)
    (pipeline / "model_index.json").write_text(json.dumps({"_class_name": 5, "unet": ["diffusers", "U"]}))
    (pipeline / "unet" / "config.json").write_text(json.dumps({"cross_attention_dim": [768, 768]}))
    lists = folder / "odd-scheduler"
    (lists / "unet").mkdir(parents=True)
    (lists / "scheduler").mkdir()
    (lists / "model_index.json").write_text(json.dumps({"_class_name": "StableDiffusionPipeline",
                                                        "unet": ["diffusers", "U"]}))
    (lists / "unet" / "config.json").write_text(json.dumps({"cross_attention_dim": [768], "in_channels": "4"}))
    (lists / "scheduler" / "scheduler_config.json").write_text(json.dumps({"_class_name": 3,
                                                                          "timestep_spacing": "trailing"}))
    return folder


def _in_thread(fn, timeout: float = 120.0):
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:   # noqa: BLE001 - handed back to the test
            out["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "hung (a FIFO opened for reading?)"
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_every_odd_file_is_not_loadable_with_a_reason_and_the_scan_carries_on(tmp_path, zoo):
    junk = make_junk(tmp_path / "junk")
    entries = _in_thread(lambda: scan([junk, zoo["root"]]))
    by_name = {os.path.basename(e.path): e for e in entries}
    for name in os.listdir(junk):
        if name in by_name and name != "empty-lora-shape.safetensors":   # a LoRA of unknown base: usable
            e = by_name[name]
            assert not e.loadable and e.reason, (name, e)
    assert not by_name["pipe.safetensors"].loadable and "not a regular file" in by_name["pipe.safetensors"].reason
    for name in ("deep.safetensors", "string-shape.safetensors", "number-metadata.safetensors",
                 "offsets-not-numbers.safetensors", "negative-shape.safetensors", "deep-dict.safetensors",
                 "list-metadata.safetensors", "odd-pipeline", "odd-scheduler"):
        assert name in by_name, name
    lora = by_name["empty-lora-shape.safetensors"]
    assert lora.kind == "lora" and lora.family == "unknown"
    assert sum(e.loadable for e in entries) >= 6          # the real models next to the junk still load


@pytest.mark.parametrize("command", [["status", "--json"], ["models", "list", "--json"]])
def test_commands_work_beside_a_junk_models_folder(home, tmp_path, capsys, command):
    make_junk(home.models_dir / "junk")
    assert _in_thread(lambda: main(["--home", str(home.root), *command])) == 0
    assert json.loads(capsys.readouterr().out)


def test_a_fifo_named_like_a_model_is_skipped_without_being_opened(home, capsys):
    os.mkfifo(home.models_dir / "x.safetensors")
    (home.models_dir / "clipish").mkdir()
    os.mkfifo(home.models_dir / "clipish" / "config.json")
    assert _in_thread(lambda: main(["--home", str(home.root), "status"]), timeout=60) == 0
