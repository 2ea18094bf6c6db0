"""`ragart train music`: the JSON contract, the model it leaves in the models folder, generation
with it, and clear refusals. The model is cut to a tiny shape and a few seconds of training."""
from __future__ import annotations

import json

import pytest

from tests.cli.test_cli_contract import run
from tests.cli.test_cli_music import music_home  # noqa: F401

KEYS = {"model", "path", "pieces", "tokens", "parameters", "train_loss", "val_loss", "baseline_val_loss", "seconds"}


@pytest.fixture(scope="module")
def folk_home(music_home):  # noqa: F811 (five folk pieces imported; cradle-song tagged)
    from ragart_desktop.cli import main

    home, folder = music_home
    assert main(["--home", home, "tag", str(folder / "cradle-song.mid"), "lullaby"]) == 0
    return home, folder


@pytest.fixture
def tiny_shape(monkeypatch):
    import torch

    from ragart_desktop.core.train import trainer

    monkeypatch.setattr(trainer.ModelShape, "for_corpus",
                        classmethod(lambda cls, tokens: cls(width=32, layers=2, heads=2, context=64)))
    before = torch.get_num_threads()
    monkeypatch.setattr(trainer.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)   # 1 thread
    yield
    torch.set_num_threads(before)


def test_train_music_json_then_the_model_is_listed_and_generates(folk_home, tiny_shape, tmp_path, capsys):
    home, folder = folk_home
    capsys.readouterr()
    code, out, err = run(capsys, "--home", home, "train", "music", "--minutes", "0.05", "--name", "folk-style", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert KEYS <= set(result) and result["model"] == "folk-style" and result["pieces"] == 5
    assert result["stopped"] == "time budget" and result["val_loss"] > 0 and result["baseline_val_loss"] > 0
    assert "Step " in err, "progress goes to stderr"

    code, out, err = run(capsys, "--home", home, "models", "list", "--json")
    listed = {m["name"]: m for m in json.loads(out)["models"]}
    assert listed["folk-style"]["task"] == "music-generation"

    code, out, err = run(capsys, "--home", home, "generate", "music", "--engine", "folk-style", "--midi",
                         str(folder / "lantern-waltz.mid"), "--bars", "1", "--out", str(tmp_path / "x.mid"), "--json")
    assert code == 0, err
    assert (tmp_path / "x.mid").is_file() and json.loads(out)["outputs"]


def test_train_music_refuses_a_filter_with_no_pieces_and_a_bad_name(folk_home, capsys):
    home, _ = folk_home
    capsys.readouterr()
    code, out, err = run(capsys, "--home", home, "train", "music", "--tag", "no-such-tag", "--json")
    assert code == 2 and "no MIDI pieces tagged 'no-such-tag'" in err and not out
    code, out, err = run(capsys, "--home", home, "train", "music", "--tag", "lullaby")
    assert code == 2 and "at least two different pieces" in err
    code, _, err = run(capsys, "--home", home, "train", "music", "--name", "../escape")
    assert code == 2 and "model name" in err
