"""Benchmark of VectorIndex at library scale (default: 100,000 vectors of dim 384).

Data: a two-level mixture of Gaussians on the unit sphere (topics -> styles -> items, with a spread
per style), which resembles text/image embeddings more than uniform noise: near neighbours are
similar (cos ~0.45-0.6) but not separable at a glance. Queries are fresh draws from the same mixture.

Baseline, measured in the same run: exact brute-force search with numpy (float32 matrix product
over all vectors), which also gives the ground truth for recall@10.

Reports per storage dtype (f16, f32, i8 by default): add throughput (batches of 1,000 as the
importer adds them), save time, file size, open time (checksum + load), recall@10, query latency
p50/p95 for k=10 and k=50, filtered-search latency and recall at three selectivities, get_vectors
for 200 candidates, and for the first dtype a sweep of expansion_search. Finally the cost of the
re-rankers (MMR, personalised PageRank) on 200 candidates.

    python bench/bench_vector_index.py                 # full run, a minute or two per dtype
    python bench/bench_vector_index.py --n 20000 --queries 200 --dtypes f16   # quick look
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ragart_desktop.core.index import vector_index as vi  # noqa: E402
from ragart_desktop.core.index.vector_index import IndexSpec, VectorIndex  # noqa: E402
from ragart_desktop.core.retrieval.ranking import mmr, personalized_pagerank  # noqa: E402


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


class ClusteredSphere:
    """Topics on the sphere, styles scattered around topics, items scattered around styles."""

    def __init__(self, dim: int, topics: int = 40, styles_per_topic: int = 25, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.dim = dim
        centres = unit(self.rng.standard_normal((topics, dim)))
        n_styles = topics * styles_per_topic
        jitter = 0.06 * self.rng.standard_normal((n_styles, dim))
        self.styles = unit(np.repeat(centres, styles_per_topic, axis=0) + jitter)
        self.spread = self.rng.uniform(0.04, 0.09, n_styles).astype(np.float32)

    def sample(self, n: int) -> np.ndarray:
        out = np.empty((n, self.dim), dtype=np.float32)
        for start in range(0, n, 10_000):
            m = min(10_000, n - start)
            style = self.rng.integers(0, len(self.styles), m)
            noise = self.rng.standard_normal((m, self.dim)).astype(np.float32) * self.spread[style, None]
            out[start : start + m] = unit(self.styles[style] + noise)
        return out


def exact_top_k(data: np.ndarray, queries: np.ndarray, k: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Row ids of the exact top-k by cosine (numpy, float32), one row per query."""
    subset = data if rows is None else data[rows]
    out = np.empty((len(queries), min(k, len(subset))), dtype=np.int64)
    for start in range(0, len(queries), 100):
        sims = queries[start : start + 100] @ subset.T
        part = np.argpartition(-sims, out.shape[1] - 1, axis=1)[:, : out.shape[1]]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1)
        out[start : start + 100] = np.take_along_axis(part, order, axis=1)
    return out if rows is None else rows[out]


def ms_percentiles(samples: list[float]) -> str:
    a = np.asarray(samples) * 1e3
    return f"p50 {np.percentile(a, 50):7.3f} ms  p95 {np.percentile(a, 95):7.3f} ms"


def timed_searches(index: VectorIndex, queries: np.ndarray, k: int, allowed: set[int] | None = None):
    latencies, results = [], []
    for q in queries:
        t = time.perf_counter()
        res = index.search(q, k, allowed=allowed)
        latencies.append(time.perf_counter() - t)
        results.append([key for key, _ in res])
    return latencies, results


def recall(results: list[list[int]], truth: np.ndarray, k: int) -> float:
    hits = sum(len(set(r[:k]) & set(t[:k].tolist())) for r, t in zip(results, truth))
    return hits / (len(truth) * min(k, truth.shape[1]))


def bench_dtype(dtype: str, data, queries, truth10, folder: Path, sweep: bool, rng) -> None:
    n, dim = data.shape
    spec = IndexSpec("bench", "1", dim, dtype=dtype)
    path = folder / f"bench-{dtype}.usearch"
    index = VectorIndex(path, spec)
    keys = np.arange(n, dtype=np.uint64)
    t = time.perf_counter()
    for start in range(0, n, 1000):
        index.add(keys[start : start + 1000], data[start : start + 1000])
    add_s = time.perf_counter() - t
    t = time.perf_counter()
    index.save()
    save_s = time.perf_counter() - t
    size_mb = index.data_path.stat().st_size / 1e6
    t = time.perf_counter()
    index = VectorIndex(path, spec)
    open_s = time.perf_counter() - t
    assert index.rebuild_reason is None and len(index) == n
    print(f"\n[{dtype}] add {n / add_s:,.0f} vectors/s ({add_s:.1f} s)  save {save_s:.2f} s  "
          f"file {size_mb:.1f} MB  open {open_s * 1e3:.0f} ms")

    lat10, res10 = timed_searches(index, queries, 10)
    lat50, _ = timed_searches(index, queries, 50)
    print(f"[{dtype}] recall@10 {recall(res10, truth10, 10):.4f}")
    print(f"[{dtype}] search k=10  {ms_percentiles(lat10)}")
    print(f"[{dtype}] search k=50  {ms_percentiles(lat50)}")

    few = queries[:200]
    for fraction in (0.005, 0.05, 0.33):
        rows = np.sort(rng.choice(n, int(n * fraction), replace=False))
        allowed = {int(r) for r in rows}
        lat, res = timed_searches(index, few, 50, allowed)
        truth = exact_top_k(data, few, 10, rows)
        print(f"[{dtype}] filtered k=50, {fraction:6.1%} allowed ({len(rows):>6}): {ms_percentiles(lat)}  "
              f"recall@10 {recall(res, truth, 10):.4f}")

    candidates = rng.choice(n, 200, replace=False).astype(np.uint64)
    lat = []
    for _ in range(100):
        t = time.perf_counter()
        index.get_vectors(candidates)
        lat.append(time.perf_counter() - t)
    print(f"[{dtype}] get_vectors(200) {ms_percentiles(lat)}")

    if sweep:
        default = vi.EXPANSION_SEARCH
        try:
            for expansion in (16, 32, 64, 128):
                vi.EXPANSION_SEARCH = expansion
                swept = VectorIndex(path, spec)
                lat, res = timed_searches(swept, queries, 10)
                print(f"[{dtype}] expansion_search {expansion:>3}: recall@10 {recall(res, truth10, 10):.4f}  "
                      f"k=10 {ms_percentiles(lat)}")
        finally:
            vi.EXPANSION_SEARCH = default


def bench_rerank(data: np.ndarray, rng) -> None:
    rows = rng.choice(len(data), 200, replace=False)
    vectors = data[rows]
    relevance = rng.random(200)
    for name, fn in (
        ("mmr(200 -> 50, lam 0.7)", lambda: mmr(rows.tolist(), relevance, vectors, 0.7, 50)),
        ("personalized_pagerank(200, k=10)", lambda: personalized_pagerank(vectors, relevance, k=10)),
    ):
        lat = []
        for _ in range(50):
            t = time.perf_counter()
            fn()
            lat.append(time.perf_counter() - t)
        print(f"[rerank] {name}: {ms_percentiles(lat)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--dtypes", default="f16,f32,i8")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    mixture = ClusteredSphere(args.dim, seed=args.seed)
    t = time.perf_counter()
    data = mixture.sample(args.n)
    queries = mixture.sample(args.queries)
    print(f"data: {args.n:,} x {args.dim} clustered unit vectors, {args.queries} queries "
          f"(generated in {time.perf_counter() - t:.1f} s)")
    print(f"HNSW: connectivity {vi.CONNECTIVITY}, expansion_add {vi.EXPANSION_ADD}, "
          f"expansion_search {vi.EXPANSION_SEARCH}")

    lat = []
    for q in queries[:200]:
        t = time.perf_counter()
        sims = data @ q
        top = np.argpartition(-sims, 49)[:50]
        top[np.argsort(-sims[top])]
        lat.append(time.perf_counter() - t)
    truth10 = exact_top_k(data, queries, 10)
    sims = np.sort(queries[:200] @ data.T, axis=1)
    print(f"baseline exact numpy search k=50: {ms_percentiles(lat)}")
    print(f"neighbour similarity: top-1 {sims[:, -1].mean():.3f}, 10th {sims[:, -10].mean():.3f}, "
          f"median item {np.median(sims):.3f}")

    with tempfile.TemporaryDirectory() as folder:
        for i, dtype in enumerate(args.dtypes.split(",")):
            bench_dtype(dtype.strip(), data, queries, truth10, Path(folder), sweep=i == 0, rng=rng)
    print()
    bench_rerank(data, rng)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
