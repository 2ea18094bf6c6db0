"""A user's CLIP that fails to load does not stop import or search: its channel is reported
unavailable and the others work."""
from __future__ import annotations

import json

from ragart_desktop.cli import main
from ragart_desktop.core.library.library import Library
from ragart_desktop.core.retrieval.query import Example, Query
from tests.fixtures import tiny_models


def _broken_clip(home):
    folder = tiny_models.make_clip_folder(home.models_dir / "tiny-clip")
    config = json.loads((folder / "config.json").read_text())
    config["projection_dim"] = 16                 # the weights hold 24: loading fails, the header is fine
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def test_a_clip_that_fails_to_load_leaves_import_and_search_working(home, art_folder, capsys):
    _broken_clip(home)
    lib = Library.open(home)
    try:
        clip = next(e for e in lib.embedders if e.id.startswith("clip-"))
        report = lib.import_paths([art_folder])
        assert report.added == 16 and lib.count() == 16
        assert clip.id in report.unavailable and "could not be loaded" in report.unavailable[clip.id]
        assert len(lib.indexes[lib.words_embedder.id]) == 16 and len(lib.indexes[clip.id]) == 0
        results = lib.search(Query(text="stormy harbour", k=3))
        assert results[0].item.path.endswith("stormy-harbour.png")
        assert any("unavailable" in n for n in results.notices)
        harbour = results[0].item.id
        assert lib.search(Query(like=(Example(item_id=harbour),), kinds=("image",), k=2))
        assert lib.status()["indexes"][clip.id]["unavailable"]
    finally:
        lib.close()
    assert main(["--home", str(home.root), "search", "harbour", "-k", "2"]) == 0
    assert "unavailable" in capsys.readouterr().out
