"""The `ragart` CLI contract: names, JSON shapes, exit codes, one-line errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ragart_desktop.cli import main
from tests.core.library.conftest import art_folder, painting  # noqa: F401


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def lib_home(tmp_path, art_folder, capsys):  # noqa: F811
    home = str(tmp_path / "home")
    code, out, _ = run(capsys, "--home", home, "import", str(art_folder), "--json")
    assert code == 0
    return home, json.loads(out)


def test_import_rescan_status_search_tag_json(lib_home, art_folder, capsys):  # noqa: F811
    home, report = lib_home
    assert set(report) >= {"added", "updated", "moved", "unchanged", "removed", "skipped"}
    assert report["added"] == 16 and report["skipped"] == []
    code, out, _ = run(capsys, "--home", home, "rescan", "--json")
    assert code == 0 and json.loads(out)["unchanged"] == 16
    code, out, _ = run(capsys, "--home", home, "status", "--json")
    status = json.loads(out)
    assert status["items"] == {"image": 8, "music": 4, "text": 4} and len(status["indexes"]) == 3
    code, out, _ = run(capsys, "--home", home, "search", "harbour", "-k", "3", "--json")
    results = json.loads(out)["results"]
    assert code == 0 and {"id", "path", "kind", "score", "why"} <= set(results[0])
    assert results[0]["path"].endswith("stormy-harbour.png")
    code, out, _ = run(capsys, "--home", home, "search", "--like", str(art_folder / "forest" / "pine-grove.jpg"),
                       "--kind", "image", "-k", "2", "--json")
    assert json.loads(out)["results"][0]["kind"] == "image"
    code, out, _ = run(capsys, "--home", home, "tag", str(art_folder / "poems" / "snow.txt"), "winter", "quiet")
    assert code == 0 and "winter" in out
    code, out, _ = run(capsys, "--home", home, "search", "winter", "-k", "1", "--json")
    assert json.loads(out)["results"][0]["path"].endswith("snow.txt")


def test_generate_image_json(lib_home, tmp_path, capsys):
    home, _ = lib_home
    out_path = tmp_path / "out" / "sea.png"
    code, out, err = run(capsys, "--home", home, "generate", "image", "--prompt", "stormy harbour", "--size", "64x64",
                         "--seed", "3", "--count", "2", "--out", str(out_path), "--json")
    assert code == 0, err
    outputs = json.loads(out)["outputs"]
    assert [o["seed"] for o in outputs] == [3, 4]
    assert all(os.path.exists(o["path"]) for o in outputs)
    assert outputs[0]["references"] and {"id", "path", "weight"} <= set(outputs[0]["references"][0])
    assert set(outputs[0]["nearest_library_item"]) == {"id", "path", "similarity"}
    assert "reference_similarity" in outputs[0]["scores"]


def test_errors_are_one_line_with_nonzero_exit(tmp_path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, _, err = run(capsys, "--home", str(blocker / "home"), "status")
    assert code == 2 and err.count("\n") == 1 and "home folder" in err
    code, _, err = run(capsys, "--home", str(tmp_path / "h"), "generate", "image", "--mode", "fill", "--out", "x.png")
    assert code == 2 and "needs a canvas" in err and "Traceback" not in err
    code, _, err = run(capsys, "--home", str(tmp_path / "h"), "search", "--like", str(tmp_path / "missing.png"))
    assert code == 2 and "missing.png" in err


def test_two_processes_importing_at_once_both_finish_consistently(tmp_path):
    root = tmp_path / "pics"
    root.mkdir()
    for i in range(12):
        painting(i).save(root / f"p{i}.png")
    home = str(tmp_path / "home")
    cmd = [sys.executable, "-m", "ragart_desktop.cli", "--home", home, "import", str(root), "--json"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        reports.append(json.loads(out))
    assert sorted(r["added"] for r in reports) == [0, 12]
    assert sorted(r["unchanged"] for r in reports) == [0, 12]
    status = subprocess.run([sys.executable, "-m", "ragart_desktop.cli", "--home", home, "status", "--json"],
                            capture_output=True, text=True, check=True)
    data = json.loads(status.stdout)
    assert data["items"]["image"] == 12
    counts = {ix["modality"]: ix["count"] for ix in data["indexes"].values()}
    assert counts == {"words": 12, "image": 12, "music": 0}


def test_a_process_killed_mid_import_leaves_a_library_the_next_import_finishes(tmp_path):
    import signal
    import sqlite3
    import time

    root = tmp_path / "pics"
    root.mkdir()
    for i in range(120):
        painting(i, size=(96, 72)).save(root / f"p{i:03d}.png")
    home = tmp_path / "home"
    cmd = [sys.executable, "-m", "ragart_desktop.cli", "--home", str(home), "import", str(root), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    count = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(home / "catalog.sqlite", timeout=5) as c:
                count = c.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        except sqlite3.Error:
            count = 0
        if count > 0:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < count < 120, "the import was not caught mid-way"
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] + report["unchanged"] == 120
    status = json.loads(subprocess.run(cmd[:5] + ["status", "--json"], capture_output=True, text=True).stdout)
    counts = {ix["modality"]: ix["count"] for ix in status["indexes"].values()}
    assert status["items"]["image"] == 120 and counts == {"words": 120, "image": 120, "music": 0}


def test_a_bug_is_one_line_on_stderr_and_a_traceback_in_the_log(tmp_path, capsys, monkeypatch):
    import ragart_desktop.cli.library as library_cmds

    def broken(args, home):
        raise RuntimeError("something nobody expected")
    monkeypatch.setattr(library_cmds, "cmd_status", broken)
    home = tmp_path / "h"
    code, _, err = run(capsys, "--home", str(home), "status")
    assert code == 1 and err.count("\n") == 1
    assert "unexpected error (RuntimeError: something nobody expected)" in err and "Traceback" not in err
    assert "Traceback" in (home / "logs" / "ragart.log").read_text()


def test_generate_parses_loras_and_refuses_them_without_a_model(lib_home, tmp_path, capsys):
    home, _ = lib_home
    code, _, err = run(capsys, "--home", home, "generate", "image", "--prompt", "x", "--lora", "ink-style:0.5",
                       "--out", str(tmp_path / "x.png"))
    assert code == 2 and "LoRAs need a diffusion model" in err


def test_generate_image_without_size_or_steps_keeps_the_canvas_size(lib_home, tmp_path, capsys):
    import numpy as np
    from PIL import Image

    from ragart_desktop.cli import build_parser
    from ragart_desktop.core.generate.image.provenance import read_record

    args = build_parser().parse_args(["generate", "image", "--out", "x.png"])
    assert (args.steps, args.guidance, args.size) == (None, None, None)   # "not given", not a default
    home, _ = lib_home
    canvas = tmp_path / "photo.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (72, 120, 3), dtype=np.uint8)).save(canvas)
    out_path = tmp_path / "restored.png"
    code, _, err = run(capsys, "--home", home, "generate", "image", "--mode", "refine", "--canvas", str(canvas),
                       "--prompt", "sea", "--out", str(out_path))
    assert code == 0, err
    assert Image.open(out_path).size == (120, 72)
    request = read_record(out_path)["request"]
    assert (request["width"], request["height"], request["steps"]) == (120, 72, None)


def test_evaluate_image_names_the_library_picture_a_mirrored_copy_comes_from(lib_home, art_folder, tmp_path,  # noqa: F811
                                                                              capsys):
    from PIL import Image, ImageOps

    home, _ = lib_home
    original = art_folder / "seascapes" / "calm-bay.png"
    mine = tmp_path / "my-bay.png"
    ImageOps.mirror(Image.open(original)).save(mine)
    code, out, err = run(capsys, "--home", home, "evaluate", str(mine), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert {"kind", "scores", "nearest_library_item", "near_copy", "warnings"} <= set(report)
    assert report["kind"] == "image" and report["near_copy"] is True
    assert report["nearest_library_item"]["path"] == str(original) and report["nearest_library_item"]["similarity"] > 0.9
    code, out, _ = run(capsys, "--home", home, "evaluate", str(original), "--json")   # in the library: not itself
    assert code == 0 and json.loads(out)["near_copy"] is False


def test_search_unlike_changes_the_ranking_and_alone_is_not_recent_items(lib_home, art_folder, capsys):  # noqa: F811
    home, _ = lib_home
    calm = str(art_folder / "seascapes" / "calm-bay.png")

    def paths(*argv):
        code, out, err = run(capsys, "--home", home, "search", *argv, "-k", "5", "--json")
        assert code == 0, err
        return [(r["path"], r["why"]) for r in json.loads(out)["results"]]

    base = paths("sea")
    pushed = paths("sea", "--unlike", calm)
    assert [p for p, _ in pushed] != [p for p, _ in base] and calm not in [p for p, _ in pushed]
    alone = paths("--unlike", calm, "--kind", "image")
    assert all("away from calm-bay.png" in why and "recently added" not in why for _, why in alone)
