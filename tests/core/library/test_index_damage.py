"""Indexes that lack vectors or are damaged: search answers from what it has and says so, read-only
commands report the damage without making it worse, and a rescan repairs it and says how much."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ragart_desktop.cli import main
from ragart_desktop.core.retrieval.query import Example, Query


def _drop_vectors(lib, embedder_id: str, ids) -> None:
    """What a kill between a catalog commit and an index save leaves behind."""
    with lib._exclusive(lib_task()):
        lib.indexes[embedder_id].remove(np.asarray(ids, dtype=np.uint64))
        lib.save_indexes()


def lib_task():
    from ragart_desktop.core.progress import Task

    return Task()


def test_search_answers_when_the_words_index_lacks_vectors(make_library, art_folder):
    lib = make_library()
    lib.import_paths([art_folder])
    harbour = lib.resolve(str(art_folder / "seascapes" / "stormy-harbour.png")).id
    _drop_vectors(lib, lib.words_embedder.id, [harbour, *lib.catalog.ids(["text"])])

    results = lib.search(Query(text="harbour", k=5))
    assert results[0].item.id == harbour            # found by its words (BM25)
    assert any("repair" in n for n in results.notices)
    like = lib.search(Query(like=(Example(item_id=harbour),), kinds=("image",), k=3))
    assert like and all(r.item.kind == "image" for r in like)

    report = lib.rescan()
    assert report.vectors_rebuilt == 5 and report.vectors_dropped == 0
    assert len(lib.indexes[lib.words_embedder.id]) == lib.count()
    assert not lib.search(Query(text="harbour", k=5)).notices


def test_search_answers_when_an_image_index_lacks_the_example(make_library, art_folder):
    lib = make_library()
    lib.import_paths([art_folder])
    images = lib.catalog.ids(["image"])
    _drop_vectors(lib, "builtin-image-descriptor", images[:3])
    results = lib.search(Query(text="forest", like=(Example(item_id=images[0]),), k=8))
    assert results
    assert lib.rescan().vectors_rebuilt == 3


@pytest.fixture
def damaged_home(tmp_path, art_folder, capsys):
    home = tmp_path / "home"
    assert main(["--home", str(home), "import", str(art_folder), "--json"]) == 0
    capsys.readouterr()
    data = next(p for p in (home / "indexes").iterdir() if p.name.startswith("minilm") and p.suffix[1:].isdigit())
    data.write_bytes(b"\x00garbage" * 10)
    return home


def _index_files(home) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((home / "indexes").iterdir())}


def test_read_only_commands_report_a_damaged_index_and_leave_it_alone(damaged_home, capsys):
    before = _index_files(damaged_home)
    assert main(["--home", str(damaged_home), "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    words = status["indexes"]["minilm-l6-v2"]
    assert words["count"] == 0 and words["expected"] == 16 and "damaged" in words["damaged"]
    assert main(["--home", str(damaged_home), "status"]) == 0
    assert "damaged" in capsys.readouterr().out
    assert main(["--home", str(damaged_home), "search", "harbour", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["results"][0]["path"].endswith("stormy-harbour.png")
    assert any("repair" in n for n in answer["notices"])
    assert _index_files(damaged_home) == before

    assert main(["--home", str(damaged_home), "rescan", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["vectors_rebuilt"] == 16 and report["vectors_dropped"] == 0
    assert main(["--home", str(damaged_home), "rescan"]) == 0
    assert "vectors" not in capsys.readouterr().out      # nothing left to repair
    assert main(["--home", str(damaged_home), "status", "--json"]) == 0
    words = json.loads(capsys.readouterr().out)["indexes"]["minilm-l6-v2"]
    assert words["count"] == 16 and words["damaged"] is None
