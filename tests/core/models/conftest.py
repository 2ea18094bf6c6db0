"""Fixtures for the model tests: tiny real-format models built once per session, and no network."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.fixtures import tiny_models


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection attempt fails the test: every load here must be fully offline."""
    def refuse(self, address, *args, **kwargs):
        if getattr(socket, "AF_UNIX", None) == self.family:
            return original(self, address, *args, **kwargs)
        raise NetworkAttempt(f"network connection attempted to {address!r}")

    original = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.fixture(scope="session")
def zoo(tmp_path_factory) -> dict[str, Path]:
    """One folder of every kind the registry recognises (built once; tests must not modify it)."""
    root = tmp_path_factory.mktemp("models")
    configs = tmp_path_factory.mktemp("configs")
    ckpt, ckpt_config = tiny_models.make_sd_checkpoint(root / "tiny-sd1.safetensors", configs / "tiny-sd1")
    return {
        "root": root,
        "sd_folder": tiny_models.make_sd_folder(root / "tiny-sd-folder"),
        "sd_file": ckpt,
        "sd_file_config": ckpt_config,
        "clip": tiny_models.make_clip_folder(root / "tiny-clip"),
        "lm": tiny_models.make_causal_lm_folder(root / "tiny-gpt2"),
        "ip_adapter": tiny_models.make_ip_adapter(root / "ip-adapter"),
        "lora": tiny_models.make_lora(root / "loras" / "ink-style.safetensors"),
        "truncated": tiny_models.make_truncated_safetensors(root / "broken" / "half-downloaded.safetensors"),
        "pickle": tiny_models.make_pickle_checkpoint(root / "old" / "legacy.ckpt"),
    }
