"""VectorIndex: persistence, damage detection, replacement, filtered search, crash safety."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from ragart_desktop.core.errors import StorageError
from ragart_desktop.core.index import vector_index as vi
from ragart_desktop.core.index.vector_index import IndexSpec, VectorIndex

DIM = 16
SPEC = IndexSpec(embedder_id="test-embedder", embedder_version="1", dim=DIM)


def unit_rows(n: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def keys_of(n: int, start: int = 0) -> np.ndarray:
    return np.arange(start, start + n, dtype=np.uint64)


def saved_index(tmp_path, n: int = 50, seed: int = 0) -> tuple[VectorIndex, np.ndarray]:
    index = VectorIndex(tmp_path / "text.usearch", SPEC)
    vectors = unit_rows(n, seed)
    index.add(keys_of(n), vectors)
    index.save()
    return index, vectors


def brute_force(vectors: np.ndarray, keys: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    sims = vectors @ (query / np.linalg.norm(query))
    return [int(keys[i]) for i in np.argsort(-sims, kind="stable")[:k]]


def test_fresh_index_is_empty_without_rebuild_reason(tmp_path):
    index = VectorIndex(tmp_path / "none.usearch", SPEC)
    assert len(index) == 0 and index.rebuild_reason is None and not index.dirty
    assert index.search(unit_rows(1)[0], 5) == []


def test_round_trip_save_and_open(tmp_path):
    index, vectors = saved_index(tmp_path)
    assert not index.dirty
    reopened = VectorIndex(tmp_path / "text.usearch", SPEC)
    assert reopened.rebuild_reason is None
    assert len(reopened) == 50
    assert sorted(reopened.keys().tolist()) == list(range(50))
    assert 7 in reopened and 50 not in reopened and -1 not in reopened
    np.testing.assert_allclose(reopened.get_vectors([3, 9]), vectors[[3, 9]], atol=2e-3)
    best_key, best_sim = reopened.search(vectors[12], 3)[0]
    assert best_key == 12 and best_sim == pytest.approx(1.0, abs=2e-3)


def test_search_returns_cosine_similarity_best_first(tmp_path):
    index, vectors = saved_index(tmp_path, n=200)
    query = unit_rows(1, seed=99)[0]
    results = index.search(query, 10)
    sims = [s for _, s in results]
    assert sims == sorted(sims, reverse=True)
    expected = brute_force(vectors, keys_of(200), query, 10)
    assert [key for key, _ in results] == expected
    for key, sim in results:
        assert sim == pytest.approx(float(vectors[key] @ query), abs=3e-3)


def test_add_normalises_vectors(tmp_path):
    index = VectorIndex(tmp_path / "x.usearch", SPEC)
    index.add(keys_of(1), unit_rows(1) * 7.5)
    assert np.linalg.norm(index.get_vectors([0])[0]) == pytest.approx(1.0, abs=1e-5)
    assert index.search(unit_rows(1)[0], 1)[0][1] == pytest.approx(1.0, abs=2e-3)


def test_add_replaces_existing_key_without_duplicates(tmp_path):
    index, vectors = saved_index(tmp_path, n=20)
    replacement = unit_rows(1, seed=5)
    index.add(np.array([4], dtype=np.uint64), replacement)
    assert index.dirty and len(index) == 20
    np.testing.assert_allclose(index.get_vectors([4])[0], replacement[0], atol=2e-3)
    results = index.search(replacement[0], 20)
    assert [key for key, _ in results].count(4) == 1 and results[0][0] == 4
    # repeated keys inside one call: the last vector wins
    index.add(np.array([30, 30], dtype=np.uint64), unit_rows(2, seed=6))
    assert len(index) == 21
    np.testing.assert_allclose(index.get_vectors([30])[0], unit_rows(2, seed=6)[1], atol=2e-3)


def test_remove(tmp_path):
    index, vectors = saved_index(tmp_path, n=20)
    index.remove([3, 4, 999])
    index.remove(5)
    assert len(index) == 17 and 3 not in index and 5 not in index and index.dirty
    assert all(key not in (3, 4, 5) for key, _ in index.search(vectors[3], 20))
    with pytest.raises(KeyError):
        index.get_vectors([3])
    index.save()
    assert len(VectorIndex(tmp_path / "text.usearch", SPEC)) == 17


def test_wrong_shapes_are_refused(tmp_path):
    index = VectorIndex(tmp_path / "x.usearch", SPEC)
    with pytest.raises(ValueError):
        index.add(keys_of(2), unit_rows(3))
    with pytest.raises(ValueError):
        index.add(keys_of(1), np.zeros((1, DIM), np.float32))
    with pytest.raises(ValueError):
        index.search(np.ones(DIM + 1, np.float32), 3)


@pytest.mark.parametrize("allowed_count", [1, 7, 300, 1500])
def test_allowed_filter_is_exact_for_small_and_correct_for_large_sets(tmp_path, allowed_count):
    n = 2000
    index = VectorIndex(tmp_path / "f.usearch", SPEC)
    vectors = unit_rows(n, seed=1)
    index.add(keys_of(n), vectors)
    rng = np.random.default_rng(2)
    allowed_keys = np.sort(rng.choice(n, allowed_count, replace=False)).astype(np.uint64)
    allowed = {int(k) for k in allowed_keys} | {10**9}  # a key the index does not hold is ignored
    for q in unit_rows(5, seed=3):
        results = index.search(q, 10, allowed=allowed)
        got = [key for key, _ in results]
        assert set(got) <= allowed and len(got) == min(10, allowed_count)
        expected = brute_force(vectors[allowed_keys.astype(np.int64)], allowed_keys, q, 10)
        overlap = len(set(got) & set(expected)) / len(expected)
        assert overlap == 1.0 if allowed_count <= vi.EXACT_MIN else overlap >= 0.9


def test_allowed_filter_far_from_query_still_finds_k(tmp_path, monkeypatch):
    """Allowed keys that are all far from the query force the widening / exact fallback path."""
    monkeypatch.setattr(vi, "EXACT_MIN", 0)
    n = 1200
    vectors = unit_rows(n, seed=4)
    query = vectors[0]
    far = np.argsort(vectors @ query)[:600]  # the half least similar to the query
    index = VectorIndex(tmp_path / "g.usearch", SPEC)
    index.add(keys_of(n), vectors)
    allowed = {int(k) for k in far}
    got = [key for key, _ in index.search(query, 20, allowed=allowed)]
    assert len(got) == 20 and set(got) <= allowed
    expected = brute_force(vectors[far], far.astype(np.uint64), query, 20)
    assert len(set(got) & set(expected)) >= 18
    assert index.search(query, 5, allowed=set()) == []


def test_spec_mismatch_sets_rebuild_reason(tmp_path):
    saved_index(tmp_path)
    for other in (
        IndexSpec("other-embedder", "1", DIM),
        IndexSpec("test-embedder", "2", DIM),
        IndexSpec("test-embedder", "1", DIM * 2),
        IndexSpec("test-embedder", "1", DIM, dtype="f32"),
        IndexSpec("test-embedder", "1", DIM, metric="ip"),
    ):
        index = VectorIndex(tmp_path / "text.usearch", other)
        assert index.rebuild_reason is not None and "built for" in index.rebuild_reason
        assert len(index) == 0 and index.dirty


def _data_file(tmp_path):
    meta = json.loads((tmp_path / "text.usearch.meta.json").read_text())
    return tmp_path / meta["data_file"]


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(path):
    path.write_bytes(b"\x00garbage" * 100)


def _flip_bytes_same_size(path):
    data = bytearray(path.read_bytes())
    data[100:140] = bytes(255 - b for b in data[100:140])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage, words",
    [
        (_truncate, "truncated"),
        (_garbage, "bytes"),
        (_flip_bytes_same_size, "checksum"),
        (lambda p: p.unlink(), "missing"),
    ],
    ids=["truncated", "garbage", "same-size-damage", "deleted"],
)
def test_damaged_data_file_sets_rebuild_reason(tmp_path, damage, words):
    saved_index(tmp_path)
    damage(_data_file(tmp_path))
    index = VectorIndex(tmp_path / "text.usearch", SPEC)
    assert index.rebuild_reason is not None and words in index.rebuild_reason
    assert len(index) == 0
    # the caller re-embeds and saves: the next open is clean again
    index.add(keys_of(3), unit_rows(3))
    index.save()
    again = VectorIndex(tmp_path / "text.usearch", SPEC)
    assert again.rebuild_reason is None and len(again) == 3


@pytest.mark.parametrize(
    "sidecar_text",
    ["", "{not json", json.dumps({"format": 1}), json.dumps([1, 2])],
    ids=["empty", "not-json", "fields-missing", "wrong-type"],
)
def test_damaged_sidecar_sets_rebuild_reason(tmp_path, sidecar_text):
    saved_index(tmp_path)
    (tmp_path / "text.usearch.meta.json").write_text(sidecar_text)
    index = VectorIndex(tmp_path / "text.usearch", SPEC)
    assert index.rebuild_reason is not None and "sidecar" in index.rebuild_reason
    assert len(index) == 0


def test_missing_sidecar_sets_rebuild_reason(tmp_path):
    saved_index(tmp_path)
    (tmp_path / "text.usearch.meta.json").unlink()
    index = VectorIndex(tmp_path / "text.usearch", SPEC)
    assert index.rebuild_reason is not None and "missing" in index.rebuild_reason


def test_data_file_of_another_save_is_detected(tmp_path):
    """A pair whose members come from two different saves is not trusted."""
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    saved_index(other_dir, n=50, seed=7)
    saved_index(tmp_path, n=50, seed=0)
    shutil.copyfile(_data_file(other_dir), _data_file(tmp_path))
    index = VectorIndex(tmp_path / "text.usearch", SPEC)
    assert index.rebuild_reason is not None and "checksum" in index.rebuild_reason


class SimulatedCrash(BaseException):
    """Raised where the process would die; not an Exception, so save() does not clean up."""


def test_crash_before_commit_leaves_old_index(tmp_path, monkeypatch):
    index, vectors = saved_index(tmp_path, n=30)
    index.add(keys_of(5, start=100), unit_rows(5, seed=8))

    def crash(src, dst):
        raise SimulatedCrash()

    monkeypatch.setattr(vi, "_atomic_replace", crash)
    with pytest.raises(SimulatedCrash):
        index.save()
    monkeypatch.undo()
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert "text.usearch.meta.json.tmp" in leftovers and len([n for n in leftovers if n[-1].isdigit()]) == 2

    reopened = VectorIndex(tmp_path / "text.usearch", SPEC)
    assert reopened.rebuild_reason is None and len(reopened) == 30 and 100 not in reopened
    reopened.add(keys_of(1, start=200), unit_rows(1, seed=9))
    reopened.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["text.usearch.3", "text.usearch.meta.json"]
    assert len(VectorIndex(tmp_path / "text.usearch", SPEC)) == 31


def test_crash_after_commit_leaves_new_index(tmp_path, monkeypatch):
    index, _ = saved_index(tmp_path, n=30)
    index.add(keys_of(5, start=100), unit_rows(5, seed=8))
    monkeypatch.setattr(vi, "_unlink_quietly", lambda path: (_ for _ in ()).throw(SimulatedCrash()))
    with pytest.raises(SimulatedCrash):
        index.save()
    monkeypatch.undo()
    reopened = VectorIndex(tmp_path / "text.usearch", SPEC)
    assert reopened.rebuild_reason is None and len(reopened) == 35


def test_crash_while_writing_data_file_leaves_old_index(tmp_path):
    saved_index(tmp_path, n=30)
    (tmp_path / "text.usearch.2").write_bytes(b"half-written")
    (tmp_path / "text.usearch.meta.json.tmp").write_bytes(b"{")
    reopened = VectorIndex(tmp_path / "text.usearch", SPEC)
    assert reopened.rebuild_reason is None and len(reopened) == 30


def test_save_is_skipped_when_clean_and_empty_index_round_trips(tmp_path):
    index = VectorIndex(tmp_path / "sub" / "e.usearch", SPEC)
    index.save()
    assert not (tmp_path / "sub").exists()
    index.add(keys_of(1), unit_rows(1))
    index.remove(0)
    index.save()
    reopened = VectorIndex(tmp_path / "sub" / "e.usearch", SPEC)
    assert reopened.rebuild_reason is None and len(reopened) == 0


def test_unwritable_folder_raises_storage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    index = VectorIndex(blocker / "x.usearch", SPEC)
    index.add(keys_of(1), unit_rows(1))
    with pytest.raises(StorageError) as info:
        index.save()
    assert "x.usearch" in str(info.value)


@pytest.mark.parametrize("dtype", ["f32", "i8"])
def test_other_dtypes_round_trip_unit_vectors(tmp_path, dtype):
    spec = IndexSpec("test-embedder", "1", DIM, dtype=dtype)
    index = VectorIndex(tmp_path / "d.usearch", spec)
    vectors = unit_rows(40, seed=11)
    index.add(keys_of(40), vectors)
    index.save()
    reopened = VectorIndex(tmp_path / "d.usearch", spec)
    got = reopened.get_vectors(keys_of(40))
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(got * vectors, axis=1)) > 0.99
    # i8 quantisation can let a neighbour tie with the query itself: ask for it among the closest.
    assert 17 in [k for k, _ in reopened.search(vectors[17], 3)]


def test_bad_spec_is_refused():
    with pytest.raises(ValueError):
        IndexSpec("e", "1", 0)
    with pytest.raises(ValueError):
        IndexSpec("e", "1", 8, metric="l2sq")
    with pytest.raises(ValueError):
        IndexSpec("e", "1", 8, dtype="f64")


def test_non_ascii_folder_round_trips(tmp_path):
    folder = tmp_path / "Zoë's ✓ library"
    index = VectorIndex(folder / "bilder.usearch", SPEC)
    index.add(keys_of(4), unit_rows(4))
    index.save()
    assert len(VectorIndex(folder / "bilder.usearch", SPEC)) == 4


def test_graph_search_above_the_exact_threshold_finds_the_true_neighbours(tmp_path):
    from ragart_desktop.core.index.vector_index import EXACT_BELOW

    n = EXACT_BELOW + 1000
    index = VectorIndex(tmp_path / "big.usearch", SPEC)
    vectors = unit_rows(n, seed=5)
    index.add(keys_of(n), vectors)
    queries = unit_rows(20, seed=6)
    overlap = 0
    for q in queries:
        expected = set(brute_force(vectors, keys_of(n), q, 10))
        overlap += len(expected & {key for key, _ in index.search(q, 10)})
    assert overlap / (10 * len(queries)) >= 0.95
