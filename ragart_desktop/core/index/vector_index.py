"""One embedder's vectors in a usearch HNSW index, saved so that a crash never loses the old copy.

On disk an index at ``path`` is two kinds of file in one folder:

- ``<name>.<generation>``: the usearch index file of one save (``name`` is ``path.name``);
- ``<name>.meta.json``: the sidecar naming the current generation's file, its size and CRC-32, the
  embedder (id, version, dimension) and the metric and scalar type.

``save()`` writes a new generation file and fsyncs it, then writes the sidecar to a temporary file,
fsyncs it and renames it over the old sidecar. That rename is the single commit point: a crash
before it leaves the old sidecar naming the old, untouched file; a crash after it leaves the new
pair. Old generation files are deleted only after the commit. On open the sidecar is checked
against the expected ``IndexSpec`` and the data file against the recorded size and checksum; any
mismatch, damage or missing piece leaves the index empty and explains why in ``rebuild_reason`` so
the caller re-embeds from the catalog. Opening never raises because of what it finds on disk.

Files are read and written by Python and handed to usearch as buffers (usearch's own file I/O
uses narrow C paths, which break on non-ASCII Windows user folders); this also checksums exactly
the bytes that are loaded.

One writer at a time per index file (the library serialises imports); readers in other processes
are safe. Within a process every call holds one lock, so a UI search can run while an import
thread adds vectors.
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
from usearch.index import Index

from ragart_desktop.core.errors import StorageError

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
METRICS = ("cos", "ip")  # both turn into cosine similarity (1 - distance) on unit vectors
DTYPES = ("f32", "f16", "bf16", "i8")

# HNSW parameters, chosen with bench/bench_vector_index.py (100,000 clustered 384-d vectors) and
# bench/bench_library.py search (100,000 noisier 384-d vectors, the harder case): expansion_search
# 64 / 256 / 512 gave recall@10 0.79 / 0.97 / 0.999 on the harder set at 0.29 / 0.51 / 0.78 ms a query.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 512

# A filtered search (``allowed``) scores the allowed vectors exactly when that is cheaper than
# over-fetching from the graph. Fetching one stored vector costs about as much as one extra graph
# result, and a graph search must fetch about k * n / m results to find k of m allowed keys, so the
# two costs meet near m = sqrt(k * n). Below EXACT_MIN allowed keys exact search is always used.
EXACT_MIN = 256
# Up to this many vectors a whole-index scan costs well under a millisecond, and it is exact and
# deterministic (the graph's answers depend on insertion order across threads).
EXACT_BELOW = 4096
OVERSAMPLE = 2.0


@dataclass(frozen=True)
class IndexSpec:
    """What the vectors in one index are: which embedder made them and how usearch stores them."""

    embedder_id: str
    embedder_version: str
    dim: int
    metric: str = "cos"
    dtype: str = "f16"

    def __post_init__(self) -> None:
        if self.dim <= 0:
            raise ValueError(f"IndexSpec.dim must be positive, got {self.dim}")
        if self.metric not in METRICS:
            raise ValueError(f"IndexSpec.metric must be one of {METRICS}, got {self.metric!r}")
        if self.dtype not in DTYPES:
            raise ValueError(f"IndexSpec.dtype must be one of {DTYPES}, got {self.dtype!r}")


class VectorIndex:
    """A persistent key -> unit vector map with approximate cosine nearest-neighbour search.

    Keys are uint64 item ids; adding a key that is already present replaces its vector. Vectors are
    normalised to unit length on the way in, so similarities are cosines whatever the caller passes.
    """

    def __init__(self, path: Path, spec: IndexSpec):
        self.path = Path(path)
        self.spec = spec
        self.meta_path = self.path.with_name(self.path.name + ".meta.json")
        self.rebuild_reason: str | None = None
        self.dirty = False
        self._lock = threading.RLock()
        self._generation = 0
        self._data_path: Path | None = None
        self._index = self._new_index()
        self._open()

    # ----------------------------------------------------------------------------------- open

    def _new_index(self) -> Index:
        return Index(
            ndim=self.spec.dim,
            metric=self.spec.metric,
            dtype=self.spec.dtype,
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
            multi=False,
        )

    def _open(self) -> None:
        try:
            meta_text = self.meta_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            leftovers = self._generation_files()
            if leftovers:
                self._start_over(f"its sidecar {self.meta_path.name} is missing next to {leftovers[0].name}")
            return
        except (OSError, UnicodeDecodeError) as exc:
            self._start_over(f"its sidecar {self.meta_path.name} cannot be read ({exc})")
            return
        problem = self._load_from_meta(meta_text)
        if problem is not None:
            self._start_over(problem)

    def _load_from_meta(self, meta_text: str) -> str | None:
        """Load the generation the sidecar names; return why it cannot be used, or None."""
        try:
            meta = json.loads(meta_text)
            if not isinstance(meta, dict):
                raise TypeError(f"expected an object, found {type(meta).__name__}")
            if meta.get("format") != FORMAT_VERSION:
                return f"its sidecar has format {meta.get('format')!r}, this version reads {FORMAT_VERSION}"
            recorded = {field: meta[field] for field in ("embedder_id", "embedder_version", "dim", "metric", "dtype")}
            data_name, size, crc = meta["data_file"], int(meta["size"]), int(meta["crc32"])
            count, generation = int(meta["count"]), int(meta["generation"])
        except (ValueError, KeyError, TypeError) as exc:
            return f"its sidecar {self.meta_path.name} is damaged ({exc.__class__.__name__}: {exc})"
        if recorded != asdict(self.spec):
            return f"it was built for {_describe(recorded)}, but {_describe(asdict(self.spec))} is in use"
        if not isinstance(data_name, str) or self._generation_of(data_name) is None:
            return f"its sidecar names an unexpected data file {data_name!r}"
        data_path = self.path.with_name(data_name)
        try:
            blob = data_path.read_bytes()
        except FileNotFoundError:
            return f"its data file {data_name} is missing"
        except OSError as exc:
            return f"its data file {data_name} cannot be read ({exc})"
        if len(blob) != size:
            return f"its data file {data_name} has {len(blob)} bytes, {size} were written (truncated or damaged)"
        if zlib.crc32(blob) != crc:
            return f"its data file {data_name} does not match the checksum in its sidecar (damaged)"
        try:
            header = Index.metadata(blob)
            if header is None:
                return f"its data file {data_name} is not a usearch index"
            found = (header["dimensions"], header["kind_metric"].name.lower(), header["kind_scalar"].name.lower())
            if found != (self.spec.dim, self.spec.metric, self.spec.dtype):
                return f"its data file {data_name} holds {found}, its sidecar promised another layout"
            self._index.load(blob)
        except (RuntimeError, ValueError, MemoryError, KeyError) as exc:
            return f"usearch could not load {data_name} ({exc})"
        if len(self._index) != count:
            return f"its data file {data_name} holds {len(self._index)} vectors, its sidecar says {count}"
        self._index.expansion_search = EXPANSION_SEARCH
        self._generation = generation
        self._data_path = data_path
        return None

    def _start_over(self, why: str) -> None:
        """Forget what is on disk: start empty and let the caller re-embed from the catalog.

        ``dirty`` is set so that the next ``save()`` replaces the unusable files even if the
        catalog has nothing to re-add.
        """
        self.rebuild_reason = f"The vector index {self.path} must be rebuilt: {why}."
        log.warning("%s", self.rebuild_reason)
        self._index = self._new_index()
        self.dirty = True

    def _generation_of(self, name: str) -> int | None:
        match = re.fullmatch(re.escape(self.path.name) + r"\.(\d+)", name)
        return int(match.group(1)) if match else None

    def _generation_files(self) -> list[Path]:
        try:
            entries = list(self.path.parent.iterdir()) if self.path.parent.is_dir() else []
        except OSError:
            return []
        return sorted(p for p in entries if self._generation_of(p.name) is not None)

    # ------------------------------------------------------------------------------- mutation

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Insert or replace vectors. Repeated keys in one call keep their last vector."""
        keys = np.asarray(keys, dtype=np.uint64).reshape(-1)
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim == 1:
            vectors = vectors.reshape(1, -1)
        if vectors.shape != (len(keys), self.spec.dim):
            raise ValueError(f"add() needs {len(keys)} vectors of dim {self.spec.dim}, got shape {vectors.shape}")
        if len(keys) == 0:
            return
        norms = np.linalg.norm(vectors, axis=1)
        if not np.all(np.isfinite(norms)) or np.any(norms == 0):
            raise ValueError("add() got a zero-length or non-finite vector; embedders must return unit rows")
        vectors = vectors / norms[:, None]
        last = len(keys) - 1 - np.unique(keys[::-1], return_index=True)[1]
        if len(last) != len(keys):
            order = np.sort(last)
            keys, vectors = keys[order], vectors[order]
        with self._lock:
            present = np.asarray(self._index.contains(keys), dtype=bool)
            if present.any():
                self._index.remove(keys[present])
            self._index.add(keys, np.ascontiguousarray(vectors))
            self.dirty = True

    def remove(self, keys: int | Iterable[int] | np.ndarray) -> None:
        """Remove keys; keys that are not present are ignored."""
        keys = np.atleast_1d(np.asarray(keys, dtype=np.uint64)).reshape(-1)
        if len(keys) == 0:
            return
        with self._lock:
            removed = np.sum(self._index.remove(keys))
            if removed:
                self.dirty = True

    # -------------------------------------------------------------------------------- queries

    def search(
        self, query: np.ndarray, k: int, allowed: set[int] | frozenset[int] | None = None
    ) -> list[tuple[int, float]]:
        """Return up to ``k`` (key, cosine similarity) pairs, best first.

        With ``allowed`` only those keys can be returned. A small allowed set is scored exactly; a
        large one is searched in the graph with enough over-fetching to find ``k`` allowed keys,
        widening the search (and finally scoring exactly) when the first fetch falls short.
        """
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.spec.dim:
            raise ValueError(f"search() needs a query of dim {self.spec.dim}, got {q.shape[0]}")
        norm = float(np.linalg.norm(q))
        if k <= 0 or not math.isfinite(norm) or norm == 0:
            return []
        q = q / norm
        with self._lock:
            n = len(self._index)
            if n == 0:
                return []
            if allowed is None:
                if n <= EXACT_BELOW:
                    return self._exact_search(q, self.keys(), k)
                return self._graph_search(q, min(k, n))
            if not isinstance(allowed, (set, frozenset)):
                allowed = set(allowed)
            candidates = np.fromiter(allowed, dtype=np.uint64, count=len(allowed))
            if len(candidates) == 0:
                return []
            candidates = candidates[np.asarray(self._index.contains(candidates), dtype=bool)]
            m = len(candidates)
            if m == 0:
                return []
            if m <= max(EXACT_MIN, math.sqrt(k * n)):
                return self._exact_search(q, candidates, k)
            want = min(k, m)
            count = min(n, math.ceil(OVERSAMPLE * k * n / m))
            while True:
                found = [(key, sim) for key, sim in self._graph_search(q, count) if key in allowed]
                if len(found) >= want or count >= n:
                    break
                count = min(n, count * 4)
            if len(found) < want:
                return self._exact_search(q, candidates, k)
            return found[:k]

    def _graph_search(self, q: np.ndarray, count: int) -> list[tuple[int, float]]:
        matches = self._index.search(q, count)
        return list(zip(matches.keys.tolist(), (1.0 - matches.distances.astype(np.float64)).tolist()))

    def _exact_search(self, q: np.ndarray, candidates: np.ndarray, k: int) -> list[tuple[int, float]]:
        sims = self._matrix(candidates) @ q
        top = np.argsort(-sims, kind="stable")[:k] if len(sims) <= k else _top_k(sims, k)
        return [(int(candidates[i]), float(sims[i])) for i in top]

    def get_vectors(self, keys: Iterable[int] | np.ndarray) -> np.ndarray:
        """Stored vectors of ``keys`` as an (n, dim) float32 array of unit rows, in ``keys`` order.

        Raises KeyError for a key that is not in the index.
        """
        keys = np.atleast_1d(np.asarray(keys, dtype=np.uint64)).reshape(-1)
        with self._lock:
            return self._matrix(keys)

    def lookup(self, keys: Iterable[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, found): unit rows of the keys present, zero rows for keys the index lacks.

        One consistent answer even while another thread adds or removes vectors.
        """
        keys = np.atleast_1d(np.asarray(keys, dtype=np.uint64)).reshape(-1)
        matrix = np.zeros((len(keys), self.spec.dim), dtype=np.float32)
        with self._lock:
            found = np.asarray(self._index.contains(keys), dtype=bool).reshape(-1) if len(keys) else \
                np.zeros(0, dtype=bool)
            if found.any():
                matrix[found] = self._matrix(keys[found])
        return matrix, found

    def _matrix(self, keys: np.ndarray) -> np.ndarray:
        if len(keys) == 0:
            return np.zeros((0, self.spec.dim), dtype=np.float32)
        rows = self._index.get(keys, dtype=np.float32)
        for key, row in zip(keys, rows):
            if row is None:
                raise KeyError(f"key {int(key)} is not in the vector index {self.path}")
        matrix = np.stack(rows).reshape(len(keys), self.spec.dim)
        # Quantised storage (f16, i8) returns nearly-unit or scaled rows: restore unit length.
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.maximum(norms, 1e-12)

    def keys(self) -> np.ndarray:
        with self._lock:
            return np.asarray(self._index.keys[:], dtype=np.uint64)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        try:
            key = int(key)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return False
        if key < 0 or key >= 1 << 64:
            return False
        with self._lock:
            return bool(self._index.contains(key))

    # ----------------------------------------------------------------------------------- save

    def save(self) -> None:
        """Write the index atomically (see the module docstring); a no-op when nothing changed.

        Raises StorageError (naming the file) when the folder cannot be written.
        """
        with self._lock:
            if not self.dirty:
                return
            folder = self.path.parent
            generation = max([self._generation, *map(self._gen_of_path, self._generation_files())]) + 1
            data_path = self.path.with_name(f"{self.path.name}.{generation}")
            tmp_meta = self.meta_path.with_name(self.meta_path.name + ".tmp")
            committed = False
            try:
                folder.mkdir(parents=True, exist_ok=True)
                blob = self._index.save()
                size, crc = len(blob), zlib.crc32(blob)
                _write_synced(data_path, blob)
                del blob
                _fsync_dir(folder)
                meta = {
                    "format": FORMAT_VERSION,
                    **asdict(self.spec),
                    "count": len(self._index),
                    "generation": generation,
                    "data_file": data_path.name,
                    "size": size,
                    "crc32": crc,
                    "connectivity": CONNECTIVITY,
                }
                _write_synced(tmp_meta, json.dumps(meta, indent=1).encode("utf-8"))
                _atomic_replace(tmp_meta, self.meta_path)
                committed = True
                _fsync_dir(folder)
            except (OSError, RuntimeError, MemoryError) as exc:
                if not committed:
                    for leftover in (data_path, tmp_meta):
                        _unlink_quietly(leftover)
                raise StorageError(
                    f"could not save the vector index ({exc})",
                    path=self.path,
                    hint="Check free disk space and that the folder is writable, then try again.",
                ) from exc
            self._generation = generation
            self._data_path = data_path
            self.dirty = False
            self.rebuild_reason = None
            for old in self._generation_files():
                if old != data_path:
                    _unlink_quietly(old)

    def _gen_of_path(self, path: Path) -> int:
        return self._generation_of(path.name) or 0

    @property
    def data_path(self) -> Path | None:
        """The usearch file of the current generation, or None before the first save."""
        return self._data_path


def _describe(spec: dict) -> str:
    return (
        f"embedder {spec['embedder_id']} {spec['embedder_version']} (dim {spec['dim']}, "
        f"{spec['metric']}, {spec['dtype']})"
    )


def _top_k(sims: np.ndarray, k: int) -> np.ndarray:
    part = np.argpartition(-sims, k - 1)[:k]
    return part[np.argsort(-sims[part], kind="stable")]


def _write_synced(path: Path, data: bytes | bytearray) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _atomic_replace(src: Path, dst: Path) -> None:
    """The commit point of a save (a separate function so tests can simulate a crash here)."""
    os.replace(src, dst)


def _fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable; Windows has no directory fsync (NTFS journals renames)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:  # e.g. Windows: another process has it open; the next save retries
        log.info("could not remove old index file %s: %s", path, exc)
