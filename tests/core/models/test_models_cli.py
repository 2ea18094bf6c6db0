"""``ragart models list | add | check`` end to end on tiny models, offline."""
from __future__ import annotations

import json
import shutil

from ragart_desktop.cli import main
from ragart_desktop.core.home import Home
from ragart_desktop.core.settings import Settings
from ragart_desktop.core.models.device import dtype_for


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_and_check(zoo, tmp_path, capsys):
    home = tmp_path / "home"
    code, out, _ = _run(capsys, "--home", str(home), "models", "add", str(zoo["root"]))
    assert code == 0 and "tiny-sd-folder" in out
    assert str(zoo["root"]) in Settings.load(Home(home).settings_path).model_paths

    code, out, _ = _run(capsys, "--home", str(home), "models", "list", "--json")
    models = {m["name"]: m for m in json.loads(out)["models"]}
    assert set(models["tiny-sd1"]) == {"name", "family", "task", "path", "loadable", "reason"}
    assert models["tiny-sd1"]["family"] == "sd1" and models["tiny-sd1"]["loadable"]
    assert not models["legacy"]["loadable"] and "arbitrary code" in models["legacy"]["reason"]

    code, out, _ = _run(capsys, "--home", str(home), "models", "check", "tiny-sd-folder", "--device", "cpu", "--json")
    report = json.loads(out)
    assert code == 0 and report["device"] == "cpu" and report["dtype"] == dtype_for("cpu") and report["step_seconds"] > 0

    code, out, _ = _run(capsys, "--home", str(home), "models", "check", "tiny-sd1", "--device", "cpu",
                        "--config", str(zoo["sd_file_config"]))
    assert code == 0 and f"ok on cpu ({dtype_for('cpu')})" in out

    for name in ("tiny-clip", "tiny-gpt2", "ink-style"):
        code, out, _ = _run(capsys, "--home", str(home), "models", "check", name, "--device", "cpu")
        assert code == 0, name


def test_refused_and_unknown_models_are_one_line_errors(zoo, tmp_path, capsys):
    home = tmp_path / "home"
    code, _, err = _run(capsys, "--home", str(home), "models", "check", str(zoo["pickle"]))
    assert code == 1 and "arbitrary code" in err and "Traceback" not in err
    code, _, err = _run(capsys, "--home", str(home), "models", "check", "nothing-by-this-name")
    assert code == 1 and "no model named" in err
    code, _, err = _run(capsys, "--home", str(home), "models", "add", str(tmp_path / "missing"))
    assert code == 2


def test_trust_opt_in_for_a_pickle(zoo, tmp_path, capsys):
    home = tmp_path / "home"
    ckpt = shutil.copy(zoo["pickle"], tmp_path / "mine.ckpt")
    code, out, _ = _run(capsys, "--home", str(home), "models", "add", str(ckpt), "--trust")
    assert code == 0 and "not loadable" not in out
    assert [r["path"] for r in Settings.load(Home(home).settings_path).trusted_models] == [str(ckpt)]
    _, out, _ = _run(capsys, "--home", str(home), "models", "list", "--json")
    assert {m["name"]: m for m in json.loads(out)["models"]}["mine"]["loadable"]
