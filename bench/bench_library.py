"""Library benchmarks (issue 2): import throughput, rescan, search latency at 100k, peak memory.

    python bench/bench_library.py import  [--n 300]     # 1.6 MP JPEGs vs the same draft decode+thumbnail
    python bench/bench_library.py rescan  [--n 10000]   # unchanged library, target < 1 s
    python bench/bench_library.py search  [--n 100000]  # end-to-end p50, target < 30 ms
    python bench/bench_library.py memory  [--n 10000]   # peak RSS importing n images vs n/4
Each prints its figures and the baseline measured in the same run.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ragart_desktop.core.home import Home  # noqa: E402


def make_jpegs(folder: Path, n: int, size=(1600, 1000), seed: int = 0) -> list[Path]:
    """Photo-like JPEGs: smooth gradients plus blobs and noise (encode like real photos, ~300 KB)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    paths = []
    for i in range(n):
        c0, c1 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        t = ((x * rng.uniform(-1, 1) + y * rng.uniform(-1, 1)) / (w + h) + 0.5)[..., None]
        img = c0 * (1 - t) + c1 * t
        img += rng.normal(0, 12, (h // 8, w // 8, 3)).repeat(8, 0).repeat(8, 1)
        p = folder / f"photo-{i:05d}.jpg"
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(p, quality=88)
        paths.append(p)
    return paths


def bench_import(n: int) -> None:
    from ragart_desktop.core.library.library import Library
    from ragart_desktop.core.library.read_image import CONTENT_MIN_SIDE

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        paths = make_jpegs(folder, n)
        # Warm the page cache and the text model so both sides start equal.
        for p in paths:
            p.read_bytes()
        lib = Library.open(Home(Path(tmp) / "home"))
        lib.words_embedder.embed(["warm up"])
        t0 = time.perf_counter()
        for p in paths:   # the same decode as the import: JPEG draft (DCT scaling) to >= CONTENT_MIN_SIDE
            with Image.open(p) as im:
                w, h = im.size
                im.draft("RGB", (CONTENT_MIN_SIDE, 1) if w >= h else (1, CONTENT_MIN_SIDE))
                im = im.convert("RGB")
                im.thumbnail((256, 256))
        base = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = lib.import_paths([folder])
        ours = time.perf_counter() - t0
        lib.close()
        assert report.added == n, report.summary()
        print(f"import {n} JPEGs of {1600*1000/1e6:.1f} MP")
        print(f"  baseline draft decode+thumbnail, the import's decode (1 thread): {n / base:7.1f} images/s")
        print(f"  ragart import (hash, draft decode, metadata, thumbnail, 3 embedders, catalog, index):"
              f" {n / ours:7.1f} images/s")
        print(f"  ratio baseline/ours: {ours / base:.2f}x slower (goal: within 2x)")


def _tiny_library(folder: Path, n: int) -> None:
    rng = np.random.default_rng(1)
    for i in range(n):
        sub = folder / f"set-{i // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(sub / f"img-{i:05d}.png")


def bench_rescan(n: int) -> None:
    from ragart_desktop.core.library.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "lib"
        _tiny_library(folder, n)
        lib = Library.open(Home(Path(tmp) / "home"))
        t0 = time.perf_counter()
        lib.import_paths([folder])
        print(f"initial import of {n} files: {time.perf_counter() - t0:.1f} s")
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            report = lib.rescan()
            times.append(time.perf_counter() - t0)
            assert report.unchanged == n
        t0 = time.perf_counter()
        count = sum(1 for _ in folder.rglob("*.png"))
        walk = time.perf_counter() - t0
        lib.close()
        print(f"rescan of unchanged {n}-file library: median {statistics.median(times):.3f} s, "
              f"min {min(times):.3f} s (goal < 1 s); baseline Path.rglob of the same tree: {walk:.3f} s ({count})")


def bench_search(n: int) -> None:
    """A 100k-item catalog with synthetic words and clustered vectors; real query embedding."""
    from ragart_desktop.core.index.vector_index import IndexSpec, VectorIndex
    from ragart_desktop.core.library.library import Library
    from ragart_desktop.core.retrieval.query import Query

    vocab = ("sea harbour storm calm bay forest pine birch moss autumn city night neon rain snow "
             "portrait figure sketch ink watercolour oil abstract geometric sunset dusk dawn river "
             "mountain flower garden jazz folk waltz reel ambient piano strings flute drum bass").split()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp) / "home").ensure()
        lib = Library.open(home)
        t0 = time.perf_counter()
        with lib.catalog.transaction() as c:
            for i in range(n):
                words = " ".join(rng.choice(vocab, 6))
                item_id = lib.catalog.insert_item(c, content_hash=f"{i:032x}", kind="image", size=1,
                                                  title=f"work {i}", words=words, body="", metadata={})
                lib.catalog.upsert_path(c, path=f"/lib/set-{i // 1000}/work-{i}.png", item_id=item_id,
                                        root_id=None, size=1, mtime_ns=0, folders=f"set-{i // 1000}")
            lib.catalog.refresh_fts(c, range(1, n + 1))
        centers = rng.normal(size=(200, 384)).astype(np.float32)
        vecs = centers[rng.integers(0, 200, n)] + 0.6 * rng.normal(size=(n, 384)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        for e in lib.embedders:
            dim = e.dim
            v = vecs[:, :dim] if dim <= 384 else np.tile(vecs, (1, dim // 384 + 1))[:, :dim]
            v = v / np.linalg.norm(v, axis=1, keepdims=True)
            lib.indexes[e.id].add(np.arange(1, n + 1, dtype=np.uint64), v)
        lib.catalog.mark_words_clean(list(range(1, n + 1)))
        lib.save_indexes()
        print(f"built {n}-item catalog + indexes in {time.perf_counter() - t0:.1f} s")
        queries = [" ".join(rng.choice(vocab, 2)) for _ in range(60)]
        lib.search(Query(text="warm up"))
        times = []
        for q in queries:
            t0 = time.perf_counter()
            res = lib.search(Query(text=q, k=20))
            times.append((time.perf_counter() - t0) * 1000)
            assert res
        t0 = time.perf_counter()
        for q in queries:
            lib.words_embedder.embed_one(q)
        embed_ms = (time.perf_counter() - t0) * 1000 / len(queries)
        times_ex = []
        for i in rng.integers(1, n, 30):
            from ragart_desktop.core.retrieval.query import Example

            t0 = time.perf_counter()
            lib.search(Query(like=(Example(item_id=int(i)),), k=20))
            times_ex.append((time.perf_counter() - t0) * 1000)
        print(f"search at {n} items, text query end to end (embed, BM25, vectors, RRF, MMR, why): "
              f"p50 {statistics.median(times):.1f} ms, p95 {np.percentile(times, 95):.1f} ms (goal p50 < 30 ms)")
        print(f"  of which query embedding alone: {embed_ms:.1f} ms")
        print(f"search by example item: p50 {statistics.median(times_ex):.1f} ms")
        # recall@10 of the words index against exact search.
        index = lib.indexes[lib.words_embedder.id]
        qv = vecs[rng.integers(0, n, 200)] + 0.1 * rng.normal(size=(200, 384)).astype(np.float32)
        qv /= np.linalg.norm(qv, axis=1, keepdims=True)
        hit = 0
        for q in qv:
            exact = set((np.argsort(-(vecs @ q))[:10] + 1).tolist())
            hit += len(exact & {k for k, _ in index.search(q, 10)})
        print(f"usearch recall@10 vs exact at {n}: {hit / (10 * len(qv)):.3f} (goal >= 0.95)")
        lib.close()


def bench_memory(n: int) -> None:
    def peak(count: int) -> float:
        code = (f"import sys, resource, tempfile; sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r});"
                f"from pathlib import Path; from bench.bench_library import make_jpegs;"
                f"from ragart_desktop.core.home import Home; from ragart_desktop.core.library.library import Library;"
                f"t=tempfile.mkdtemp(); make_jpegs(Path(t)/'p', {count}, size=(640, 480));"
                f"lib=Library.open(Home(Path(t)/'h')); r=lib.import_paths([Path(t)/'p']); lib.close();"
                f"print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return int(out.stdout.strip().splitlines()[-1]) / 1024
    small, big = peak(n // 4), peak(n)
    print(f"peak RSS importing {n // 4} images: {small:.0f} MiB; {n} images: {big:.0f} MiB "
          f"(growth {big - small:.0f} MiB for {n - n // 4} more items)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["import", "rescan", "search", "memory", "all"])
    ap.add_argument("--n", type=int)
    a = ap.parse_args()
    defaults = {"import": 300, "rescan": 10000, "search": 100000, "memory": 10000}
    for what in (defaults if a.what == "all" else [a.what]):
        globals()[f"bench_{what}"](a.n or defaults[what])
