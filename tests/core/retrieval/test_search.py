"""Hybrid search on a real small library: words, examples, negatives, filters, why."""
from __future__ import annotations

import pretty_midi
import pytest
from PIL import Image

from ragart_desktop.core.retrieval.query import Example, Query, parse_text
from tests.core.library.conftest import art_folder, make_library, shared_embedders  # noqa: F401


@pytest.fixture
def lib(make_library, art_folder):  # noqa: F811
    library = make_library()
    library.import_paths([art_folder])
    return library


def names(results):
    return [r.item.path.rsplit("/", 1)[-1] for r in results]


def test_parse_text_negatives_and_phrases():
    p = parse_text('stormy "blue sea" -forest -"pine grove"')
    assert p.positive == ("stormy", "blue sea") and p.negative == ("forest", "pine grove")


def test_words_find_items_of_every_kind_with_why(lib):
    results = lib.search(Query(text="harbour", k=5))
    assert names(results)[:2] == ["stormy-harbour.png", "tide.txt"] or \
        set(names(results)[:2]) == {"stormy-harbour.png", "tide.txt"}
    assert 'matches "harbour"' in results[0].why
    forest = lib.search(Query(text="forest", k=6))
    assert sum(r.item.kind == "image" and "forest" in r.item.tags for r in forest[:4]) == 4


def test_negative_words_and_kind_filter(lib):
    results = lib.search(Query(text="forest -birches", k=10))
    assert "autumn-birches.jpg" not in names(results)[:3]
    music = lib.search(Query(text="waltz", kinds=("music",), k=5))
    assert names(music)[0] == "old-waltz.mid" and all(r.item.kind == "music" for r in music)
    tagged = lib.search(Query(text="", tags=("poems",), k=10))
    assert {r.item.kind for r in tagged} == {"text"} and len(tagged) == 4


def test_example_image_finds_its_recoloured_crop(lib, art_folder, tmp_path):
    src = Image.open(art_folder / "forest" / "mossy-path.jpg").convert("RGB")
    w, h = src.size
    crop = src.crop((w // 10, h // 10, w - w // 10, h - h // 10)).resize((120, 90))
    probe = tmp_path / "probe.png"
    crop.save(probe)
    results = lib.search(Query(like=(Example(path=str(probe)),), kinds=("image",), k=3))
    assert names(results)[0] == "mossy-path.jpg"
    assert "similar to probe.png" in results[0].why


def test_example_midi_finds_the_piece_transposed(lib, art_folder, tmp_path):
    pm = pretty_midi.PrettyMIDI(str(art_folder / "folk" / "hill-reel.mid"))
    for inst in pm.instruments:
        for n in inst.notes:
            n.pitch += 5
    probe = tmp_path / "transposed.mid"
    pm.write(str(probe))
    results = lib.search(Query(like=(Example(path=str(probe)),), kinds=("music",), k=3))
    assert names(results)[0] == "hill-reel.mid"


def _rank(results, item_id) -> int:
    ids = [r.item.id for r in results]
    return ids.index(item_id) if item_id in ids else len(ids)


def test_library_item_as_example_is_excluded_and_unlike_pushes_away(lib, art_folder):
    item = lib.resolve(str(art_folder / "seascapes" / "calm-bay.png"))
    results = lib.search(Query(like=(Example(item_id=item.id),), k=8))
    assert item.id not in [r.item.id for r in results]
    away = lib.resolve(str(art_folder / "seascapes" / "blue-waves.png"))
    base_rank = _rank(results, away.id)
    assert base_rank < 3                                   # a close neighbour of the example ...
    pushed = lib.search(Query(like=(Example(item_id=item.id),), unlike=(Example(item_id=away.id),), k=8))
    assert _rank(pushed, away.id) > base_rank + 2          # ... goes well down when it is not wanted
    assert "away from item" in pushed[0].why


def test_unlike_alone_or_with_words_pushes_similar_items_down(lib, art_folder):
    calm = lib.resolve(str(art_folder / "seascapes" / "calm-bay.png"))
    base = lib.search(Query(text="sea", k=8))
    pushed = lib.search(Query(text="sea", unlike=(Example(path=calm.path),), k=8))
    assert [r.item.id for r in pushed] != [r.item.id for r in base]
    assert _rank(pushed, calm.id) > _rank(base, calm.id)
    assert "away from calm-bay.png" in pushed[0].why
    # "Not that" alone is a query too: the pictures least like it, not the recently added items.
    unlike_only = lib.search(Query(unlike=(Example(path=calm.path),), kinds=("image",), k=4))
    assert len(unlike_only) == 4 and calm.id not in [r.item.id for r in unlike_only]
    assert all("recently added" not in r.why and "away from calm-bay.png" in r.why for r in unlike_only)
    assert all("/forest/" in r.item.path for r in unlike_only[:3])


def test_negative_words_push_down_and_are_explained(lib, art_folder):
    rain = lib.resolve(str(art_folder / "poems" / "city-rain.txt"))
    base = lib.search(Query(text="city", k=6))
    assert _rank(base, rain.id) == 0
    pushed = lib.search(Query(text="city -rain", k=6))
    assert _rank(pushed, rain.id) > 0
    assert all('away from "-rain"' in r.why for r in pushed)


def test_pagerank_changes_the_ranking_towards_what_many_candidates_resemble(lib):
    import numpy as np

    plain = lib.search(Query(text="sea water waves", k=6, mmr_lambda=1.0, use_pagerank=False))
    ranked = lib.search(Query(text="sea water waves", k=6, mmr_lambda=1.0, use_pagerank=True))
    assert len(plain) == len(ranked) == 6 and len({r.item.id for r in ranked}) == 6
    assert [r.item.id for r in ranked] != [r.item.id for r in plain]

    def cohesion(results):   # mean pairwise cosine of the results' words vectors
        v = lib.indexes[lib.words_embedder.id].get_vectors([r.item.id for r in results])
        sims = v @ v.T
        return float((sims.sum() - np.trace(sims)) / (len(v) * (len(v) - 1)))

    assert cohesion(ranked) > cohesion(plain)


def test_near_duplicates_are_grouped(lib, art_folder):
    src = Image.open(art_folder / "seascapes" / "calm-bay.png")
    src.resize((150, 112)).save(art_folder / "seascapes" / "calm-bay-small.png")
    lib.rescan()
    results = lib.search(Query(text="calm bay", kinds=("image",), k=4))
    groups = {r.item.path.rsplit("/", 1)[-1]: r.group for r in results}
    assert groups["calm-bay.png"] is not None and groups["calm-bay.png"] == groups["calm-bay-small.png"]


def test_why_figures_are_each_results_own_similarity(lib):
    """The closeness a result's "why" shows is that result's stored vector against the query's."""
    import re

    query = lib.words_embedder.embed_one("harbour")
    results = lib.search(Query(text="harbour", k=6))
    index = lib.indexes[lib.words_embedder.id]
    shown = [float(re.search(r'words close to "harbour" \((-?[0-9.]+)\)', r.why).group(1)) for r in results]
    stored = [float(index.lookup([r.item.id])[0][0] @ query) for r in results]
    assert len(set(shown)) > 1
    assert shown == pytest.approx(stored, abs=0.006)


def test_stored_vectors_answer_as_the_index_does(lib, art_folder):
    """A search reads each vector once and hands out copies of it: every answer, in any order, with
    repeats and keys the index lacks, is what the index itself gives."""
    import numpy as np

    from ragart_desktop.core.retrieval.search import _StoredVectors

    ids = lib.catalog.ids()
    images = lib.catalog.ids(["image"])
    stored = _StoredVectors(lib)
    for eid, keys in ((lib.words_embedder.id, ids[:5]), (lib.words_embedder.id, ids[::-1] + [99999, ids[2]]),
                      ("builtin-image-descriptor", ids), ("builtin-image-descriptor", images[:2] + [99999]),
                      (lib.words_embedder.id, [])):
        vectors, found = stored.lookup(eid, keys)
        expected_vectors, expected_found = lib.indexes[eid].lookup(keys)
        assert np.array_equal(found, expected_found) and np.array_equal(vectors, expected_vectors)


def test_search_gives_what_fresh_index_lookups_give(lib, art_folder, monkeypatch):
    """Ranking, scores, explanations and groups are the same as when every step looks its vectors
    up in the index afresh (as the search did before it shared them)."""
    import ragart_desktop.core.retrieval.search as search_module

    src = Image.open(art_folder / "seascapes" / "calm-bay.png")
    src.resize((150, 112)).save(art_folder / "seascapes" / "calm-bay-small.png")   # a near-duplicate
    lib.rescan()
    calm = lib.resolve(str(art_folder / "seascapes" / "calm-bay.png"))
    rain = lib.resolve(str(art_folder / "poems" / "city-rain.txt"))
    queries = [Query(text="harbour", k=8), Query(text="sea -rain", k=8, use_pagerank=True),
               Query(text="calm bay", kinds=("image",), k=4), Query(like=(Example(item_id=calm.id),), k=8),
               Query(text="sea", unlike=(Example(item_id=rain.id),), k=8, mmr_lambda=0.3),
               Query(unlike=(Example(item_id=calm.id),), kinds=("image",), k=4)]

    def run():
        return [[(r.item.id, r.score, r.why, r.group, r.item.tags) for r in lib.search(q)] for q in queries]

    shared = run()

    class FreshLookups:
        def __init__(self, library):
            self.library = library

        def lookup(self, eid, ids):
            return self.library.indexes[eid].lookup(ids)

    monkeypatch.setattr(search_module, "_StoredVectors", FreshLookups)
    assert shared == run()
    assert any(r[3] is not None for results in shared for r in results)   # grouping was exercised
