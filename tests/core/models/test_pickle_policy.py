"""Pickle policy: safetensors only unless trusted; trust is recorded by content; every weight file a
model folder will load is checked (an IP-Adapter's image encoder too)."""
from __future__ import annotations

import json
import os
import shutil

import torch

from ragart_desktop.cli import main
from ragart_desktop.core.home import Home
from ragart_desktop.core.models.recognise import inspect_path
from ragart_desktop.core.settings import Settings


class _Payload:
    """Unpickling this writes a marker file: what a hostile checkpoint would do, harmlessly."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def same_size_pair(folder, marker):
    """A harmless checkpoint and a hostile one of exactly the same size (and the same layout)."""
    weights = {"model.diffusion_model.input_blocks.0.0.weight": torch.zeros(1)}
    evil = folder / "evil.ckpt"
    torch.save({"state_dict": weights, "extra": _Payload(marker)}, str(evil))
    good = folder / "mine.ckpt"
    for pad in range(1024):
        torch.save({"state_dict": weights, "extra": "x" * pad}, str(good))
        if good.stat().st_size >= evil.stat().st_size:
            break
    assert good.stat().st_size == evil.stat().st_size
    return good, evil


def test_a_trusted_pickle_swapped_for_another_file_is_refused_before_it_is_unpickled(tmp_path, capsys):
    home = tmp_path / "home"
    marker = tmp_path / "pwned"
    ckpt, evil = same_size_pair(tmp_path, marker)
    assert main(["--home", str(home), "models", "add", str(ckpt), "--trust"]) == 0
    capsys.readouterr()
    stat = os.stat(ckpt)
    shutil.copyfile(evil, ckpt)                                         # same path, same size ...
    os.utime(ckpt, ns=(stat.st_atime_ns, stat.st_mtime_ns))             # ... and the same time
    assert main(["--home", str(home), "models", "check", str(ckpt)]) == 1
    assert not marker.exists(), "the swapped file was unpickled"
    assert "changed since you trusted it" in capsys.readouterr().err


def test_trust_is_recorded_by_content(zoo, tmp_path):
    from ragart_desktop.core.models.trust import sha256_file

    home = tmp_path / "home"
    ckpt = shutil.copy(zoo["pickle"], tmp_path / "mine.ckpt")
    assert main(["--home", str(home), "models", "add", str(ckpt), "--trust"]) == 0
    records = Settings.load(Home(home).settings_path).trusted_models
    assert records == [{"path": str(ckpt), "size": os.path.getsize(ckpt), "sha256": sha256_file(ckpt)}]


def test_a_clip_folder_with_a_pickle_beside_odd_safetensors_is_not_loaded_through_the_pickle(zoo, tmp_path):
    from safetensors.torch import load_file

    from ragart_desktop.core.embed.clip import ClipEmbedder
    from ragart_desktop.core.errors import ModelError

    folder = shutil.copytree(zoo["clip"], tmp_path / "clip")
    weights = load_file(str(folder / "model.safetensors"))
    (folder / "model.safetensors").rename(folder / "clip-extra.safetensors")   # any *.safetensors ...
    torch.save(weights, str(folder / "pytorch_model.bin"))                     # ... plus the pickle
    entry = inspect_path(folder)
    assert not entry.loadable and "pickle" in entry.reason and "pytorch_model.bin" in entry.reason
    try:
        ClipEmbedder(folder, device="cpu").load()
    except ModelError:
        pass
    else:
        raise AssertionError("CLIP loaded its weights through the pickle")


def test_an_ip_adapter_image_encoder_is_checked_like_any_model(zoo, tmp_path):
    adapter = shutil.copytree(zoo["ip_adapter"].parent, tmp_path / "ipa") / zoo["ip_adapter"].name
    encoder = adapter.parent / "image_encoder"
    (encoder / "model.safetensors").rename(encoder / "pytorch_model.bin")      # a pickled encoder
    entry = inspect_path(adapter)
    assert not entry.loadable and "pytorch_model.bin" in entry.reason and "arbitrary code" in entry.reason
    shutil.copy(zoo["truncated"], encoder / "model.safetensors")               # damaged safetensors
    entry = inspect_path(adapter)
    assert not entry.loadable and str(encoder / "model.safetensors") in entry.reason


def test_sharded_weights_are_all_checked(zoo, tmp_path):
    folder = shutil.copytree(zoo["clip"], tmp_path / "sharded")
    (folder / "model.safetensors").rename(folder / "model-00001-of-00002.safetensors")
    shutil.copy(zoo["truncated"], folder / "model-00002-of-00002.safetensors")
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {
        "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}))
    entry = inspect_path(folder)
    assert not entry.loadable and "model-00002-of-00002.safetensors" in entry.reason
