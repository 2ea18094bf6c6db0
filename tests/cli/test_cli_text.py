"""`ragart generate text` and `ragart evaluate FILE.txt`: the issue's contract (JSON shape, exit codes,
one-line errors, nothing written on failure)."""
from __future__ import annotations

import json

import pytest

from tests.cli.test_cli_contract import run
from tests.core.generate.text.conftest import poems  # noqa: F401


@pytest.fixture
def text_home(tmp_path, poems, capsys):  # noqa: F811
    home = str(tmp_path / "home")
    assert run(capsys, "--home", home, "import", str(poems))[0] == 0
    return home


def test_generate_text_json_contract_files_and_history(text_home, tmp_path, capsys):
    out = tmp_path / "out" / "poem.md"
    code, stdout, _ = run(capsys, "--home", text_home, "generate", "text", "--prompt", "明月 故乡", "--form", "wujue",
                          "--seed", "7", "--count", "2", "--out", str(out), "--json")
    assert code == 0
    outputs = json.loads(stdout)["outputs"]
    assert [o["seed"] for o in outputs] == [7, 8]
    for o in outputs:
        assert set(o) >= {"path", "seed", "text", "scores", "references", "copy", "warnings"}
        assert set(o["copy"]) == {"longest", "source_id", "source_path"} and o["references"]
        assert {"id", "path", "weight"} <= set(o["references"][0])
        assert {"theme", "form", "rhyme"} <= set(o["scores"])
        written = open(o["path"], encoding="utf-8").read()
        assert written.startswith("---\n") and o["text"] in written and '"seed": ' in written
    history = (tmp_path / "home" / "history.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(history[-1])["kind"] == "text"
    # evaluate reads the record back: the form and theme it was asked for.
    code, stdout, _ = run(capsys, "--home", text_home, "evaluate", outputs[0]["path"], "--json")
    report = json.loads(stdout)
    assert code == 0 and report["kind"] == "text" and report["form"]["form"] == "wujue"
    assert report["near_copy"] is False and "theme" in report["scores"]


def test_evaluate_flags_a_line_copied_from_a_library_poem(text_home, tmp_path, capsys, poems):  # noqa: F811
    mine = tmp_path / "mine.txt"
    mine.write_text("秋风吹落叶，\n举头望明月。\n", encoding="utf-8")
    code, stdout, _ = run(capsys, "--home", text_home, "evaluate", str(mine), "--json")
    report = json.loads(stdout)
    assert code == 0 and report["near_copy"] is True and report["copy"]["longest"] == 5
    assert report["copy"]["source_path"] == str(poems / "tang" / "jingyesi.txt")
    assert "举头望明月" in report["warnings"][0]


@pytest.mark.parametrize("args,message", [
    (("--form", "sonnet"), "unknown form 'sonnet'"),
    (("--form", "qijue"), "written in Chinese, not English"),
    (("--form", "haiku", "--lines", "4"), "stanzas of 3"),
])
def test_bad_forms_are_one_line_exit_2_and_nothing_written(text_home, tmp_path, capsys, args, message):
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "--home", text_home, "generate", "text", "--prompt", "the sea", *args,
                            "--out", str(out / "x.txt"))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and not out.exists()


def test_an_empty_library_with_retrieval_on_is_exit_2_and_nothing_written(tmp_path, capsys):
    out = tmp_path / "out"
    code, _, err = run(capsys, "--home", str(tmp_path / "empty"), "generate", "text", "--prompt", "the sea",
                       "--out", str(out / "x.txt"))
    assert code == 2 and "no text items" in err and len(err.strip().splitlines()) == 1 and not out.exists()
