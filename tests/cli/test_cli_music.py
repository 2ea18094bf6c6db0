"""The music commands' contract: generate music, render, evaluate (JSON shapes, exit codes, nothing
written on error)."""
from __future__ import annotations

import json
import wave

import pytest

from ragart_desktop.core.demo.music import PIECES, render_piece
from tests.cli.test_cli_contract import run

FOLK = ("lantern-waltz", "harbour-reel", "cradle-song", "morning-on-the-fell", "the-heather-road")


@pytest.fixture(scope="module")
def music_home(tmp_path_factory):
    from ragart_desktop.cli import main

    root = tmp_path_factory.mktemp("cli-music")
    folder = root / "folk"
    folder.mkdir()
    for spec in PIECES:
        if spec.name in FOLK:
            (folder / f"{spec.name}.mid").write_bytes(render_piece(spec))
    home = str(root / "home")
    assert main(["--home", home, "import", str(folder), "--json"]) == 0
    return home, folder


def test_generate_music_json_contract(music_home, tmp_path, capsys):
    home, folder = music_home
    capsys.readouterr()
    out_path = tmp_path / "cont.mid"
    code, out, err = run(capsys, "--home", home, "generate", "music", "--mode", "continue", "--midi",
                         str(folder / "lantern-waltz.mid"), "--bars", "2", "--key", "G", "--seed", "4",
                         "--out", str(out_path), "--json")
    assert code == 0, err
    o = json.loads(out)["outputs"][0]
    assert {"path", "seed", "metrics", "references", "nearest_library_item", "near_copy", "warnings"} <= set(o)
    assert set(o["nearest_library_item"]) == {"id", "path", "similarity"}
    assert {"id", "path", "weight"} <= set(o["references"][0]) and o["seed"] == 4
    assert {"pitch_class_entropy", "in_key_ratio", "groove_consistency", "note_density", "polyphony",
            "style_match"} <= set(o["metrics"])
    assert o["path"] == str(out_path) and out_path.is_file()

    code, out, err = run(capsys, "--home", home, "evaluate", str(out_path), "--json")
    report = json.loads(out)
    assert code == 0 and report["kind"] == "music" and {"metrics", "nearest_library_item", "near_copy",
                                                        "warnings"} <= set(report)

    wav = tmp_path / "cont.wav"
    code, out, err = run(capsys, "--home", home, "render", str(out_path), "--out", str(wav), "--json")
    assert code == 0 and json.loads(out)["path"] == str(wav)
    with wave.open(str(wav)) as w:
        assert w.getnframes() > 0


@pytest.mark.parametrize("args, message", [
    (["--mode", "vary", "--midi", "BROKEN"], "not a readable MIDI file"),
    (["--mode", "continue", "--midi", "WALTZ", "--key", "Q#m"], "not a key"),
    (["--mode", "infill", "--midi", "WALTZ", "--from-bar", "9", "--to-bar", "40"], "outside the piece"),
    (["--mode", "accompany"], "needs an input phrase"),
])
def test_music_errors_are_one_line_exit_2_and_write_nothing(music_home, tmp_path, capsys, args, message):
    home, folder = music_home
    broken = tmp_path / "broken.mid"
    broken.write_bytes(b"MThd\x00\x00\x00\x06garbage")
    args = [str(broken) if a == "BROKEN" else str(folder / "lantern-waltz.mid") if a == "WALTZ" else a for a in args]
    capsys.readouterr()
    code, _, err = run(capsys, "--home", home, "generate", "music", *args, "--out", str(tmp_path / "out.mid"))
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "out.mid").exists()


def test_empty_library_with_retrieval_is_refused(tmp_path, capsys):
    code, _, err = run(capsys, "--home", str(tmp_path / "empty"), "generate", "music", "--out", str(tmp_path / "x.mid"))
    assert code == 2 and "no MIDI pieces" in err and not (tmp_path / "x.mid").exists()


def test_a_library_piece_continued_is_not_its_own_reference(music_home, tmp_path, capsys):
    """--midi a file of the library, or a copy of it elsewhere: the piece is neither among the
    references nor the nearest library item, and not called a copy of itself."""
    import shutil

    home, folder = music_home
    copy = tmp_path / "my-waltz.mid"
    shutil.copy(folder / "lantern-waltz.mid", copy)
    for given in (folder / "lantern-waltz.mid", copy):
        capsys.readouterr()
        code, out, err = run(capsys, "--home", home, "generate", "music", "--midi", str(given), "--bars", "2",
                             "--seed", "3", "--out", str(tmp_path / "next.mid"), "--json")
        assert code == 0, err
        o = json.loads(out)["outputs"][0]
        paths = [r["path"] for r in o["references"]]
        assert paths and str(folder / "lantern-waltz.mid") not in paths
        assert o["nearest_library_item"]["path"] != str(folder / "lantern-waltz.mid") and not o["near_copy"]
