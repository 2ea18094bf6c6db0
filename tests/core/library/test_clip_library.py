"""A CLIP model in the models folder joins the library as an image+text embedder."""
from __future__ import annotations

from ragart_desktop.core.library.library import Library
from ragart_desktop.core.retrieval.query import Query
from tests.core.library.conftest import art_folder  # noqa: F401
from tests.fixtures import tiny_models


def test_clip_from_models_folder_indexes_images_and_answers_text(home, art_folder):
    lib = Library.open(home)
    assert not any(e.id.startswith("clip-") for e in lib.embedders)
    lib.import_paths([art_folder])
    lib.close()

    tiny_models.make_clip_folder(home.models_dir / "tiny-clip")
    lib = Library.open(home)
    try:
        clip = [e for e in lib.embedders if e.id.startswith("clip-")]
        assert len(clip) == 1 and len(lib.indexes[clip[0].id]) == 0
        report = lib.rescan()            # the new index is filled from the catalog
        assert report.unchanged == 16
        assert len(lib.indexes[clip[0].id]) == lib.count("image") == 8
        results = lib.search(Query(text="a stormy harbour", kinds=("image",), k=3))
        assert results and all("pictures of" in r.why for r in results)
    finally:
        lib.close()
