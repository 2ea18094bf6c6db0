"""The library facade the UI, the CLI and the generators call.

It ties the catalog (SQLite), the thumbnail cache, the embedders and one vector index per embedder
together. The words embedder (a text embedder) holds one vector for *every* item, made from its
title, tags, words, note and body, so a text query finds images and music by their words; each
content embedder (image, music ...) holds vectors for the items of its modality.
"""
from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

import numpy as np

from ragart_desktop.core.embed.base import Embedder
from ragart_desktop.core.errors import BadInputError, ModelError, UsageError
from ragart_desktop.core.home import Home
from ragart_desktop.core.index.vector_index import IndexSpec, VectorIndex
from ragart_desktop.core.kinds import KIND_NAMES
from ragart_desktop.core.library.analysis import Analysis
from ragart_desktop.core.library.backup import Backup, backup_catalog, check_catalog_present
from ragart_desktop.core.library.catalog import Catalog, Item
from ragart_desktop.core.library.importer import ImportReport, Skipped, Sync
from ragart_desktop.core.library.lock import HomeLock
from ragart_desktop.core.progress import Task, ensure_task
from ragart_desktop.core.settings import Settings

log = logging.getLogger(__name__)

EMBED_BATCH = 64
BODY_CHARS_FOR_WORDS = 2000

__all__ = ["Library", "ImportReport", "Skipped", "Item"]


def words_text(item: Item) -> str:
    """What the words embedder reads for an item."""
    parts = [item.title, " ".join(item.tags), item.words, item.note, item.body[:BODY_CHARS_FOR_WORDS]]
    return ". ".join(p for p in parts if p)


class Library:
    def __init__(self, home: Home, settings: Settings, embedders: Sequence[Embedder], task: Optional[Task] = None):
        self.home = home
        self.settings = settings
        check_catalog_present(home)
        self.catalog = Catalog(home.catalog_path)
        try:
            self.catalog.migrate(ensure_task(task))   # a catalog of an older version, once
        except BaseException:
            self.catalog.close()
            raise
        from ragart_desktop.core.library.thumbnails import ThumbnailCache

        self.thumbnails = ThumbnailCache(home.thumbs_dir)
        self.embedders = list(embedders)
        words = [e for e in self.embedders if e.modality == "text"]
        if not words:
            raise UsageError("the library needs a text embedder for words.")
        self.words_embedder = words[0]
        self.indexes: dict[str, VectorIndex] = {}
        self.unavailable: dict[str, str] = {}   # embedder id -> why its model could not be loaded
        self._index_stamps: dict[str, Optional[int]] = {}
        self._index_lock = threading.RLock()
        for e in self.embedders:
            self._open_index(e)
        # One thread that runs the BM25 part of a search while the caller embeds the query.
        self.query_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ragart-query")

    def _open_index(self, e: Embedder) -> None:
        spec = IndexSpec(embedder_id=e.id, embedder_version=e.version, dim=e.dim)
        index = VectorIndex(self.home.index_dir / f"{e.id}.usearch", spec)
        if index.rebuild_reason:
            log.warning("index %s is rebuilt from the catalog: %s", e.id, index.rebuild_reason)
        self.indexes[e.id] = index
        self._index_stamps[e.id] = self._stamp(index)

    @staticmethod
    def _stamp(index: VectorIndex) -> Optional[int]:
        try:
            return index.meta_path.stat().st_mtime_ns
        except OSError:
            return None

    def refresh_indexes(self) -> None:
        """Re-open indexes another process saved since we read them.

        Every write saves its indexes before it lets the lock go, so an index with unsaved vectors
        belongs to a write of this process still in progress and is kept; one that only started
        over because its files were damaged holds nothing of value and is re-read too.
        """
        with self._index_lock:
            for e in self.embedders:
                index = self.indexes[e.id]
                unsaved = index.dirty and index.rebuild_reason is None
                if not unsaved and self._stamp(index) != self._index_stamps[e.id]:
                    log.info("index %s changed on disk; reloading", e.id)
                    self._open_index(e)

    @classmethod
    def open(cls, home: Home, settings: Optional[Settings] = None,
             embedders: Optional[Sequence[Embedder]] = None, task: Optional[Task] = None) -> "Library":
        """The library of ``home``; an older catalog is brought up to date first (progress on ``task``)."""
        from ragart_desktop.core.embed.registry import library_embedders

        home.ensure()
        settings = settings or Settings.load(home.settings_path)
        return cls(home, settings, embedders if embedders is not None else library_embedders(home, settings), task)

    def close(self) -> None:
        """Let go of the catalog. Nothing is saved here: every write saved under the lock already,
        and a read-only use must never replace an index it found damaged."""
        self.query_pool.shutdown(wait=True)
        self.catalog.close()

    # ---- import and rescan ----------------------------------------------------------------------
    def import_paths(self, paths: Sequence[str | os.PathLike], task: Optional[Task] = None) -> ImportReport:
        """Import files and folders (recursively); folders are remembered as library roots."""
        task = ensure_task(task)
        roots: list[tuple[int, str]] = []
        bad: list[Skipped] = []
        for p in paths:
            full = os.path.abspath(os.path.expanduser(os.fspath(p)))
            if not os.path.exists(full):
                bad.append(Skipped(full, "not found"))
                continue
            roots.append((self.catalog.add_root(full), full))
        report = self._sync(roots, task)
        report.skipped[:0] = bad
        return report

    def rescan(self, task: Optional[Task] = None) -> ImportReport:
        """Find added, changed, moved and removed files under every library root."""
        return self._sync(self.catalog.roots(), ensure_task(task))

    def remove_root(self, path: str | os.PathLike) -> int:
        """Stop keeping a folder in the library: its items leave (unless another root holds them).

        The files on disk are not touched. Returns how many items left the library.
        """
        full = os.path.abspath(os.path.expanduser(os.fspath(path)))
        root_id = next((rid for rid, p in self.catalog.roots() if p == full), None)
        if root_id is None:
            raise UsageError("this folder is not a library folder.", path=full)
        with self._exclusive(Task()):
            with self.catalog.transaction() as c:
                touched = self.catalog.delete_root(c, root_id)
                orphans = self.catalog.orphan_items(c)
                self.catalog.delete_items(c, [o[0] for o in orphans])
                self.catalog.refresh_fts(c, touched)
            self.forget_items(orphans)
            self.embed_dirty_words(Task())
            self.save_indexes()
            self.backup()
        return len(orphans)

    def _sync(self, roots: Sequence[tuple[int, str]], task: Task) -> ImportReport:
        with self._exclusive(task):
            report = Sync(self, task).run(roots)
            if report.changed:
                self.backup()
            return report

    def backup(self, *, coalesce: bool = False) -> Backup:
        """Copy the catalog to the backups folder now (see ``core.library.backup``)."""
        return backup_catalog(self.catalog.conn, self.home, coalesce=coalesce)

    @contextmanager
    def _exclusive(self, task: Task) -> Iterator[None]:
        """Hold the home's lock (other processes wait) with indexes read fresh from disk."""
        with HomeLock.of(self.home.root / "import.lock").hold(task):
            self.refresh_indexes()
            yield

    # ---- called by Sync -------------------------------------------------------------------------
    def catalog_hashes(self) -> set[str]:
        return {r[0] for r in self.catalog.conn.execute("SELECT hash FROM items")}

    def store_new_items(self, new_items: Sequence[tuple[int, str, Analysis]], task: Task) -> None:
        """Thumbnails and content vectors of freshly catalogued (id, hash, analysis), then their words."""
        for _, content_hash, a in new_items:
            if a.thumbnail is not None:
                self.thumbnails.save(content_hash, a.thumbnail)
        for e in self._content_embedders():
            chosen = [(i, a.content) for i, _, a in new_items if a.kind == e.modality]
            vectors = self.optional_embed(e, lambda: e.embed([c for _, c in chosen])) if chosen else None
            if vectors is not None:
                self._add_vectors(e, [i for i, _ in chosen], vectors)
        self.embed_dirty_words(task)

    def optional_embed(self, e: Embedder, embed: Callable[[], np.ndarray]) -> Optional[np.ndarray]:
        """Run ``embed`` for any embedder but the words one. A model that cannot be loaded makes its
        channel unavailable (status, import reports and search say so) instead of stopping the import or
        the search; ``None`` then. Once the model is fixed, the next import or rescan fills its index."""
        if e.id in self.unavailable:
            return None
        try:
            return embed()
        except ModelError as exc:
            if e is self.words_embedder:
                raise
            self.unavailable[e.id] = exc.user_message()
            log.warning("%s is unavailable: %s", e.id, exc.user_message())
            return None

    def catalog_hash(self, item_id: int) -> str:
        return self.catalog.conn.execute("SELECT hash FROM items WHERE id=?", (item_id,)).fetchone()[0]

    def forget_items(self, orphans: Sequence[tuple[int, str, str]]) -> None:
        keys = np.array([o[0] for o in orphans], dtype=np.uint64)
        with self._index_lock:
            for index in self.indexes.values():
                index.remove(keys)
        for _, content_hash, _ in orphans:
            self.thumbnails.remove(content_hash)

    def embed_dirty_words(self, task: Task) -> None:
        ids = self.catalog.words_dirty_ids()
        for start in range(0, len(ids), EMBED_BATCH):
            task.check()
            items = self.catalog.items(ids[start:start + EMBED_BATCH])
            if items:
                vectors = self.words_embedder.embed([words_text(it) for it in items])
                self._add_vectors(self.words_embedder, [it.id for it in items], vectors)
                self.catalog.mark_words_clean([it.id for it in items])

    def reconcile_indexes(self, task: Task, on_skip: Callable[[str, str], None], report: ImportReport) -> None:
        """Make every index hold exactly the catalog's items (after a crash, damage or new embedder);
        the vectors rebuilt and dropped are counted in ``report``."""
        from ragart_desktop.core.library.readers import analyze_file

        all_ids = np.array(self.catalog.ids(), dtype=np.uint64)
        for e in self.embedders:
            index = self.indexes[e.id]
            wanted = all_ids if e is self.words_embedder else \
                np.array(self.catalog.ids([e.modality]), dtype=np.uint64)
            have = index.keys()
            extra = np.setdiff1d(have, wanted)
            if len(extra):
                with self._index_lock:
                    index.remove(extra)
                report.vectors_dropped += len(extra)
            missing = np.setdiff1d(wanted, have)
            if not len(missing) or e.id in self.unavailable:
                continue
            log.info("index %s: %d items to (re-)embed", e.id, len(missing))
            if e is self.words_embedder:
                with self.catalog.transaction() as c:
                    c.executemany("UPDATE items SET words_dirty=1 WHERE id=?", [(int(i),) for i in missing])
                report.vectors_rebuilt += len(missing)
                continue
            total = len(missing)
            for start in range(0, total, EMBED_BATCH):
                task.check()
                task.progress(start, total, f"Re-embedding {start:,} / {total:,} items ({e.id})")
                ids, contents = [], []
                for item in self.catalog.items([int(i) for i in missing[start:start + EMBED_BATCH]]):
                    try:
                        contents.append(analyze_file(item.path).content)
                        ids.append(item.id)
                    except BadInputError as exc:
                        on_skip(item.path, exc.message)
                vectors = self.optional_embed(e, lambda: e.embed(contents)) if ids else None
                if vectors is None and e.id in self.unavailable:
                    break
                if vectors is not None:
                    self._add_vectors(e, ids, vectors)
                    report.vectors_rebuilt += len(ids)
        self.embed_dirty_words(task)

    def indexes_incomplete(self) -> bool:
        """Whether an index holds fewer vectors than the catalog has items for it (a new words or
        CLIP model, a damaged index): the next rescan fills it (``reconcile_indexes``)."""
        counts = self.catalog.counts_by_kind()
        return any(len(self.indexes[e.id]) < (sum(counts.values()) if e is self.words_embedder
                                               else counts.get(e.modality, 0)) for e in self.embedders)

    def save_indexes(self) -> None:
        with self._index_lock:
            for e in self.embedders:
                index = self.indexes[e.id]
                if index.dirty:
                    index.save()
                    self._index_stamps[e.id] = self._stamp(index)

    def _add_vectors(self, e: Embedder, ids: Sequence[int], vectors: np.ndarray) -> None:
        with self._index_lock:
            self.indexes[e.id].add(np.asarray(ids, dtype=np.uint64), vectors)

    def _content_embedders(self) -> list[Embedder]:
        return [e for e in self.embedders if e is not self.words_embedder]

    def content_embedders_for(self, kind: str) -> list[Embedder]:
        return [e for e in self._content_embedders() if e.modality == kind]

    # ---- queries --------------------------------------------------------------------------------
    def search(self, query, task: Optional[Task] = None):
        """Hybrid search (BM25 + vectors, fused, re-ranked); see ``core.retrieval.search``."""
        from ragart_desktop.core.retrieval.search import search

        self.refresh_indexes()
        return search(self, query, ensure_task(task))

    def browse(self, kind: Optional[str] = None, offset: int = 0, limit: int = 200) -> list[Item]:
        return self.catalog.items(self.catalog.browse(kind, offset, limit))

    def count(self, kind: Optional[str] = None) -> int:
        return self.catalog.count(kind)

    def get_item(self, item_id: int) -> Item:
        item = self.catalog.item(int(item_id))
        if item is None:
            raise UsageError(f"no library item with id {item_id}.")
        return item

    def resolve(self, item_or_path: str) -> Item:
        """An item by id ("123") or by the path of one of its files."""
        text = str(item_or_path).strip()
        if text.isdigit() and not os.path.exists(text):
            return self.get_item(int(text))
        rec = self.catalog.path_record(os.path.abspath(os.path.expanduser(text)))
        if rec is None:
            raise UsageError("this file is not in the library (import it first).", path=text)
        return self.get_item(rec.item_id)

    def thumbnail_path(self, item_id: int) -> Optional[Path]:
        return self.thumbnails.get(self.catalog_hash(item_id))

    def add_tags(self, item_id: int, tags: Sequence[str]) -> None:
        self._edit(lambda: self.catalog.add_tags(item_id, tags))

    def remove_tags(self, item_id: int, tags: Sequence[str]) -> None:
        self._edit(lambda: self.catalog.remove_tags(item_id, tags))

    def set_note(self, item_id: int, note: str) -> None:
        self._edit(lambda: self.catalog.set_note(item_id, note))

    def _edit(self, change: Callable[[], None]) -> None:
        """One user edit: under the home's lock, on the latest saved indexes, saved before the lock
        goes (another process importing meanwhile would otherwise lose its vectors to our copy)."""
        task = Task()
        with self._exclusive(task):
            change()
            self.embed_dirty_words(task)
            self.save_indexes()
            self.backup(coalesce=True)

    def status(self) -> dict:
        """Counts per kind and per index; an index that lacks vectors or was found damaged says so
        (``expected`` is how many vectors it should hold, ``damaged`` why it is being rebuilt)."""
        self.refresh_indexes()
        counts = self.catalog.counts_by_kind()
        total = sum(counts.values())
        return {
            "items": {k: counts.get(k, 0) for k in KIND_NAMES},
            "total": total,
            "indexes": {e.id: {"count": len(self.indexes[e.id]), "dim": e.dim, "version": e.version,
                               "modality": "words" if e is self.words_embedder else e.modality,
                               "expected": total if e is self.words_embedder else counts.get(e.modality, 0),
                               "damaged": self.indexes[e.id].rebuild_reason,
                               "unavailable": self.unavailable.get(e.id)}
                        for e in self.embedders},
            "roots": [{"path": p, "present": os.path.exists(p)} for _, p in self.catalog.roots()],
            "home": str(self.home.root),
        }
