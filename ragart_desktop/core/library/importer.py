"""Bringing files into the library: the sync of roots with the catalog, thumbnails and indexes.

One ``sync`` serves both import and rescan:
1. Walk the roots (stat only). A root that is missing entirely is reported, and nothing under it is
   deleted (an unplugged drive is not "everything deleted").
2. Files whose size and mtime are unchanged are skipped without being opened.
3. New or changed files are hashed (and only decoded when their content is new) on a small thread
   pool, with a bounded number in flight so memory does not grow with the library.
4. Each batch is committed in one transaction, its thumbnails written and its contents embedded.
5. Paths that vanished are removed; a vanished path whose content re-appeared elsewhere is a move.
6. Indexes are reconciled with the catalog (items missing from an index after a crash, a damaged
   index or a new embedder are re-embedded) and saved atomically.
"""
from __future__ import annotations

import hashlib
import logging
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Sequence

from ragart_desktop.core.errors import BadInputError, Cancelled, RagartError
from ragart_desktop.core.library.analysis import Analysis
from ragart_desktop.core.library.catalog import PathRecord
from ragart_desktop.core.library.scanner import FoundFile, dir_key, walk_root
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

log = logging.getLogger(__name__)

BATCH = 32
HASH_CHUNK = 1 << 20


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    missing_roots: list[str] = field(default_factory=list)
    vectors_rebuilt: int = 0    # index repairs: vectors an index lacked (a crash, damage, a new embedder)
    vectors_dropped: int = 0    # ... and vectors of items the catalog no longer holds
    unavailable: dict[str, str] = field(default_factory=dict)   # embedder id -> why it could not load

    @property
    def changed(self) -> bool:
        """Whether the catalog changed (what makes a backup worth taking)."""
        return bool(self.added or self.updated or self.moved or self.removed)

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "moved": self.moved,
                "unchanged": self.unchanged, "removed": self.removed,
                "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
                "missing_roots": self.missing_roots,
                "vectors_rebuilt": self.vectors_rebuilt, "vectors_dropped": self.vectors_dropped,
                "unavailable": self.unavailable}

    def summary(self) -> str:
        text = (f"{self.added} added, {self.updated} updated, {self.moved} moved, "
                f"{self.unchanged} unchanged, {self.removed} removed, {len(self.skipped)} skipped")
        if self.vectors_rebuilt or self.vectors_dropped:
            text += f"; index repair: {self.vectors_rebuilt} vectors rebuilt, {self.vectors_dropped} dropped"
        if self.missing_roots:
            text += f"; not found (nothing deleted): {', '.join(self.missing_roots)}"
        for eid, why in self.unavailable.items():
            text += f"; {eid} unavailable, its index waits: {why}"
        return text


def hash_file(path: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class _Prepared:
    found: FoundFile
    content_hash: str
    analysis: Optional[Analysis]       # None when the content is already in the catalog


def _prepare(found: FoundFile, known_hashes: set[str]) -> _Prepared:
    """Worker-thread step: hash the file, and decode it only when its content is new."""
    from ragart_desktop.core.library.readers import analyze_file

    if found.size == 0:
        raise BadInputError("empty file (0 bytes).", path=found.path)
    try:
        content_hash = hash_file(found.path)
    except FileNotFoundError as exc:
        raise BadInputError("the file vanished while it was being imported.", path=found.path) from exc
    except OSError as exc:
        raise BadInputError(f"cannot be read ({exc.strerror or exc}).", path=found.path) from exc
    if content_hash in known_hashes:
        return _Prepared(found, content_hash, None)
    return _Prepared(found, content_hash, analyze_file(found.path))


class Sync:
    """One import or rescan run over some roots of a library."""

    def __init__(self, library: "Library", task: Task):
        self.lib = library
        self.catalog = library.catalog
        self.task = task
        self.report = ImportReport()
        self.known_hashes: set[str] = set()
        self.vanished_by_item: dict[int, set[str]] = {}

    def run(self, roots: Sequence[tuple[int, str]]) -> ImportReport:
        # 1. Walk the roots.
        records = self.catalog.path_records()
        found: list[FoundFile] = []
        home = str(self.lib.home.root)
        all_roots = self.catalog.roots()
        owner = self._root_id_lookup(all_roots)          # a path belongs to its innermost root
        root_dirs = {path: dir_key(path) for _, path in all_roots}
        walked: set[int] = set()
        for root_id, root in roots:
            if not os.path.exists(root):
                self.report.missing_roots.append(root)
                continue
            fenced = frozenset(k for p, k in root_dirs.items() if k is not None and p != root)
            found.extend(walk_root(root, self._skip, home=home, fenced=fenced))
            walked.add(root_id)
            self.task.check()
        seen = {f.path for f in found}
        vanished = {path: rec for path, rec in records.items() if path not in seen and owner(path) in walked}
        for path, rec in vanished.items():
            self.vanished_by_item.setdefault(rec.item_id, set()).add(path)

        # 2. Unchanged files are only stat'ed.
        todo: list[tuple[FoundFile, Optional[PathRecord]]] = []
        for f in found:
            rec = records.get(f.path)
            if rec is not None and rec.size == f.size and rec.mtime_ns == f.mtime_ns:
                self.report.unchanged += 1
            else:
                todo.append((f, rec))
        self._root_ids = owner

        # 3-4. Hash, decode, commit, thumbnail and embed the rest in batches.
        self.known_hashes = self.lib.catalog_hashes()
        try:
            self._process(todo)
            # 5. Vanished paths.
            self._remove_vanished(vanished)
        finally:
            # 6. Reconcile and save even when cancelled, so what was committed is searchable.
            try:
                self.lib.reconcile_indexes(self.task, self._skip, self.report)
            except Cancelled:
                pass
            self.lib.save_indexes()
            self.report.unavailable = dict(self.lib.unavailable)
        return self.report

    # ---- steps ---------------------------------------------------------------------------------
    @staticmethod
    def _root_id_lookup(roots: Sequence[tuple[int, str]]):
        """The innermost root each path lies under (roots may nest)."""
        def lookup(path: str) -> Optional[int]:
            best, best_len = None, -1
            for rid, root in roots:
                if (path == root or path.startswith(root.rstrip(os.sep) + os.sep)) and len(root) > best_len:
                    best, best_len = rid, len(root)
            return best
        return lookup

    def _skip(self, path: str, reason: str) -> None:
        log.info("skipped %s: %s", path, reason)
        self.report.skipped.append(Skipped(path, reason))

    def _process(self, todo: list[tuple[FoundFile, Optional[PathRecord]]]) -> None:
        total = len(todo)
        if total == 0:
            return
        workers = max(1, min(2, os.cpu_count() or 1))
        batch: list[tuple[_Prepared, Optional[PathRecord]]] = []
        done = 0
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ragart-import") as pool:
            pending: deque[tuple[Future, FoundFile, Optional[PathRecord]]] = deque()
            it = iter(todo)
            max_in_flight = workers * 4

            def refill() -> None:
                while len(pending) < max_in_flight:
                    nxt = next(it, None)
                    if nxt is None:
                        return
                    pending.append((pool.submit(_prepare, nxt[0], self.known_hashes), nxt[0], nxt[1]))

            refill()
            try:
                while pending:
                    fut, f, rec = pending.popleft()
                    try:
                        batch.append((fut.result(), rec))
                    except RagartError as exc:
                        self._skip(f.path, exc.message)
                    except Exception as exc:  # a reader bug must not stop the import
                        log.exception("unexpected error reading %s", f.path)
                        self._skip(f.path, f"could not be read ({type(exc).__name__}: {exc})")
                    done += 1
                    refill()
                    if len(batch) >= BATCH:
                        self._commit(batch)
                        batch = []
                    self.task.progress(done, total, f"Indexing {done:,} / {total:,} files")
                    self.task.check()
                self._commit(batch)
            except Cancelled:
                for fut, _, _ in pending:
                    fut.cancel()
                self._commit(batch)   # keep the files already read: the next import goes on from there
                raise
            except BaseException:
                for fut, _, _ in pending:
                    fut.cancel()
                raise

    def _commit(self, batch: list[tuple[_Prepared, Optional[PathRecord]]]) -> None:
        if not batch:
            return
        new_items: list[tuple[int, str, Analysis]] = []
        with self.catalog.transaction() as c:
            touched: list[int] = []
            for prep, rec in batch:
                f = prep.found
                item_id = self.lib.catalog.item_id_for_hash(prep.content_hash)
                if item_id is None and prep.analysis is not None:
                    a = prep.analysis
                    item_id = self.catalog.insert_item(
                        c, content_hash=prep.content_hash, kind=a.kind, size=f.size, title=a.title,
                        words=a.words, body=a.body, metadata=a.metadata)
                    new_items.append((item_id, prep.content_hash, a))
                    self.known_hashes.add(prep.content_hash)
                    fresh = True
                elif item_id is None:  # content known when hashed but deleted since: read it now
                    self._skip(f.path, "content changed during import; it is picked up on the next rescan")
                    continue
                else:
                    fresh = False
                self.catalog.upsert_path(c, path=f.path, item_id=item_id, root_id=self._root_ids(f.path),
                                         size=f.size, mtime_ns=f.mtime_ns, folders="\n".join(f.folders))
                touched.append(item_id)
                if rec is not None:
                    if rec.item_id == item_id:
                        self.report.unchanged += 1          # touched, same content
                    else:
                        self.report.updated += 1
                elif not fresh and self._claim_move(item_id):
                    self.report.moved += 1
                else:
                    self.report.added += 1
            self.catalog.refresh_fts(c, touched)
            self._delete_orphans(c)
        self.lib.store_new_items(new_items, self.task)

    def _claim_move(self, item_id: int) -> bool:
        gone = self.vanished_by_item.get(item_id)
        if gone:
            gone.pop()
            return True
        return False

    def _remove_vanished(self, vanished: dict[str, PathRecord]) -> None:
        still_gone = {p for paths in self.vanished_by_item.values() for p in paths}
        with self.catalog.transaction() as c:
            for path in vanished:
                self.catalog.delete_path(c, path)
            self.report.removed += len(still_gone)
            self.catalog.refresh_fts(c, {rec.item_id for rec in vanished.values()})
            self._delete_orphans(c)

    def _delete_orphans(self, c) -> None:
        orphans = self.catalog.orphan_items(c)
        if orphans:
            self.catalog.delete_items(c, [o[0] for o in orphans])
            self.lib.forget_items(orphans)
            for _, h, _ in orphans:
                self.known_hashes.discard(h)
