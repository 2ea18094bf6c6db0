"""One odd file in a models folder is "not loadable: reason" for that file alone; the app carries on."""
from __future__ import annotations

import json
import os
import shutil
import threading

import pytest

from ragart_desktop.cli import main
from ragart_desktop.core.models.registry import scan
from tests.fixtures.junk_models import make_junk


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


def test_an_unexpected_failure_inspecting_one_file_marks_that_file_alone(tmp_path, zoo, monkeypatch):
    """The guard around each file: a failure no check foresaw (here an IndexError from the
    classifier) is "not loadable: reason" for that file, and the scan goes on with the others."""
    from ragart_desktop.core.models import recognise

    def odd(header, trusted, **base):
        if base["path"].endswith("odd.safetensors"):
            raise IndexError("list index out of range")
        return classify(header, trusted, **base)

    classify = recognise.classify_state_dict_keys
    monkeypatch.setattr(recognise, "classify_state_dict_keys", odd)
    shutil.copy(zoo["lora"], tmp_path / "odd.safetensors")
    shutil.copy(zoo["lora"], tmp_path / "fine.safetensors")
    by_name = {os.path.basename(e.path): e for e in scan([tmp_path])}
    assert not by_name["odd.safetensors"].loadable
    assert "IndexError" in by_name["odd.safetensors"].reason
    assert by_name["fine.safetensors"].loadable
