"""The library catalog: one SQLite database (WAL) of items, their paths, tags and words.

Identity is the content hash: ``items`` holds one row per distinct content, ``paths`` maps every
file path to its item, so a moved or renamed file keeps its item (tags, notes, vectors) and two
identical copies are one item with two paths. ``fts`` is an FTS5 table (BM25 ranking) over each
item's title, words, tags, note and body in their index form (``core.text.words.index_text``:
CJK runs written out as characters, character pairs and dictionary words); its rowid is the item id.

Each thread gets its own connection; writes go through ``transaction()``.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence

from ragart_desktop.core.errors import StorageError
from ragart_desktop.core.progress import Task
from ragart_desktop.core.text.cjk import has_cjk
from ragart_desktop.core.text.words import index_text

log = logging.getLogger(__name__)

# 1: FTS rows held the raw text (a run of Han characters was one token)
# 2: FTS rows hold the index form of the text (CJK runs segmented); see ``Catalog.migrate``
SCHEMA_VERSION = 2
MIGRATION_BATCH = 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS roots (
    id INTEGER PRIMARY KEY,
    path TEXT UNIQUE NOT NULL,
    added REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    hash TEXT UNIQUE NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    words TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    note TEXT NOT NULL DEFAULT '',
    words_dirty INTEGER NOT NULL DEFAULT 1,
    added REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS items_kind ON items(kind);
CREATE INDEX IF NOT EXISTS items_words_dirty ON items(words_dirty) WHERE words_dirty = 1;
CREATE TABLE IF NOT EXISTS paths (
    path TEXT PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    root_id INTEGER REFERENCES roots(id) ON DELETE SET NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    folders TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS paths_item ON paths(item_id);
CREATE INDEX IF NOT EXISTS paths_root ON paths(root_id);
CREATE TABLE IF NOT EXISTS tags (
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (item_id, tag)
);
CREATE INDEX IF NOT EXISTS tags_tag ON tags(tag);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, words, tags, note, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""

# BM25 column weights: title, words, tags, note, body.
FTS_WEIGHTS = (4.0, 2.0, 3.0, 2.0, 1.0)

def to_db_path(path: str) -> str:
    """A file path as stored in SQLite (which needs valid UTF-8).

    POSIX file names that are not valid UTF-8 reach Python as lone surrogates (U+DC80..U+DCFF,
    "surrogateescape"); they are stored as code points U+10FE80..U+10FEFF (private use, never
    seen in real names) so the path round-trips exactly.
    """
    if not any("\udc80" <= ch <= "\udcff" for ch in path):
        return path
    return "".join(chr(0x10FE80 + ord(ch) - 0xDC80) if "\udc80" <= ch <= "\udcff" else ch for ch in path)


def from_db_path(stored: str) -> str:
    """Inverse of ``to_db_path``: the path as the OS functions take it."""
    if not any("\U0010fe80" <= ch <= "\U0010feff" for ch in stored):
        return stored
    return "".join(chr(0xDC80 + ord(ch) - 0x10FE80) if "\U0010fe80" <= ch <= "\U0010feff" else ch
                   for ch in stored)


@dataclass
class Item:
    id: int
    content_hash: str
    kind: str
    path: str
    paths: list[str]
    title: str
    tags: list[str]
    note: str
    metadata: dict[str, Any]
    size: int
    words: str = ""
    body: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "hash": self.content_hash, "kind": self.kind, "path": self.path,
                "paths": self.paths, "title": self.title, "tags": self.tags, "note": self.note,
                "metadata": self.metadata, "size": self.size}


@dataclass
class PathRecord:
    path: str
    item_id: int
    root_id: Optional[int]
    size: int
    mtime_ns: int


def _rollback(c: sqlite3.Connection) -> None:
    try:
        c.execute("ROLLBACK")
    except sqlite3.Error:   # SQLite may already have rolled back (e.g. after a full disk)
        pass


def _enable_wal(c: sqlite3.Connection, patience_s: float = 30.0) -> None:
    """Switch to WAL. The switch needs a moment alone with a new database file and SQLite answers
    "locked" at once (no busy wait) when another process is creating it too, so retry."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            if c.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                c.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Catalog:
    def __init__(self, db_path: Path):
        self.db_path = Path(db_path)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._init_schema()

    # ---- connections -----------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            try:
                c = sqlite3.connect(self.db_path, timeout=30.0, check_same_thread=False,
                                    isolation_level=None)
                c.row_factory = sqlite3.Row
                _enable_wal(c)
                c.execute("PRAGMA synchronous=NORMAL")
                c.execute("PRAGMA foreign_keys=ON")
                c.execute("PRAGMA busy_timeout=30000")
            except sqlite3.DatabaseError as exc:
                raise StorageError(f"the catalog cannot be opened ({exc}).", path=self.db_path,
                                   hint="If it is damaged, restore a backup ('ragart restore', or Preferences → Library).") from exc
            self._local.conn = c
            with self._all_lock:
                self._all.append(c)
        return c

    def close(self) -> None:
        with self._all_lock:
            for c in self._all:
                try:
                    c.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT), rolled back on any error."""
        with self._write_lock:
            c = self.conn
            try:
                c.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StorageError(f"the catalog is busy or read-only ({exc}).", path=self.db_path) from exc
            try:
                yield c
                c.execute("COMMIT")
            except sqlite3.Error as exc:
                _rollback(c)
                full = "full" in str(exc).lower()
                raise StorageError(
                    f"the catalog could not be written ({exc}); nothing of this step was kept.",
                    path=self.db_path,
                    hint="Free some disk space, then import again: it goes on from where it stopped."
                    if full else None) from exc
            except BaseException:
                _rollback(c)
                raise

    def _init_schema(self) -> None:
        try:
            with self._write_lock:  # executescript commits on its own, so it runs outside transaction()
                self.conn.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
            with self.transaction() as c:
                version = self._schema_version(c)
                if version is None:
                    c.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                elif version > SCHEMA_VERSION:
                    raise StorageError("the catalog was written by a newer RagArt version.", path=self.db_path,
                                       hint="Update RagArt or use another --home folder.")
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"the catalog is not a usable database ({exc}).", path=self.db_path,
                               hint="Restore a backup ('ragart restore', or Preferences → Library); it keeps this file aside.") from exc

    @staticmethod
    def _schema_version(c: sqlite3.Connection) -> Optional[int]:
        row = c.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else None

    def needs_migration(self) -> bool:
        return (self._schema_version(self.conn) or SCHEMA_VERSION) < SCHEMA_VERSION

    def migrate(self, task: Task) -> None:
        """Bring a catalog written by an older version up to this one, with progress.

        Version 1 -> 2 rewrites the FTS rows that hold CJK text in their index form (rows of other
        scripts read the same either way). Nothing else changes: items, paths, tags, notes and the
        vector indexes are untouched. Each batch commits with the last row it reached, so a kill
        mid-way loses nothing and the next open goes on from there (another process opening the
        catalog at the same time shares the work: each batch reads where the last one stopped).
        """
        if not self.needs_migration():
            return
        total = self.count()
        row = self.conn.execute("SELECT value FROM meta WHERE key='fts_migrated_upto'").fetchone()
        done = self.conn.execute("SELECT COUNT(*) FROM items WHERE id <= ?", (int(row[0]) if row else 0,)).fetchone()[0]
        while True:
            task.check()
            with self.transaction() as c:
                if self._schema_version(c) >= SCHEMA_VERSION:
                    return
                row = c.execute("SELECT value FROM meta WHERE key='fts_migrated_upto'").fetchone()
                upto = int(row[0]) if row else 0
                rows = c.execute("SELECT rowid, title, words, tags, note, body FROM fts WHERE rowid > ? "
                                 "ORDER BY rowid LIMIT ?", (upto, MIGRATION_BATCH)).fetchall()
                if not rows:
                    c.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
                    c.execute("DELETE FROM meta WHERE key='fts_migrated_upto'")
                    log.info("catalog %s migrated to schema %d", self.db_path, SCHEMA_VERSION)
                    return
                for r in rows:
                    if any(has_cjk(r[k]) for k in range(1, 6)):
                        self._write_fts(c, r[0])
                c.execute("INSERT OR REPLACE INTO meta VALUES ('fts_migrated_upto', ?)", (str(rows[-1][0]),))
            done += len(rows)
            task.progress(min(done, total), total,
                          f"Updating the search index for Chinese, Japanese and Korean words: "
                          f"{min(done, total):,} / {total:,} items")

    # ---- roots -----------------------------------------------------------------------------
    def add_root(self, path: str) -> int:
        with self.transaction() as c:
            c.execute("INSERT OR IGNORE INTO roots(path, added) VALUES (?, ?)", (to_db_path(path), time.time()))
            return int(c.execute("SELECT id FROM roots WHERE path=?", (to_db_path(path),)).fetchone()[0])

    def roots(self) -> list[tuple[int, str]]:
        return [(r["id"], from_db_path(r["path"])) for r in self.conn.execute("SELECT id, path FROM roots ORDER BY id")]

    @staticmethod
    def delete_root(c: sqlite3.Connection, root_id: int) -> list[int]:
        """Forget a root and the paths found under it; return the items those paths pointed to."""
        items = [r[0] for r in c.execute("SELECT DISTINCT item_id FROM paths WHERE root_id=?", (root_id,))]
        c.execute("DELETE FROM paths WHERE root_id=?", (root_id,))
        c.execute("DELETE FROM roots WHERE id=?", (root_id,))
        return items

    # ---- paths -----------------------------------------------------------------------------
    def path_records(self, root_id: Optional[int] = None) -> dict[str, PathRecord]:
        sql = "SELECT path, item_id, root_id, size, mtime_ns FROM paths"
        rows = self.conn.execute(sql + " WHERE root_id=?", (root_id,)) if root_id is not None \
            else self.conn.execute(sql)
        return {from_db_path(r[0]): PathRecord(from_db_path(r[0]), r[1], r[2], r[3], r[4]) for r in rows}

    def path_record(self, path: str) -> Optional[PathRecord]:
        r = self.conn.execute("SELECT path, item_id, root_id, size, mtime_ns FROM paths WHERE path=?",
                              (to_db_path(path),)).fetchone()
        return PathRecord(path, *r[1:]) if r else None

    def item_id_for_hash(self, content_hash: str) -> Optional[int]:
        r = self.conn.execute("SELECT id FROM items WHERE hash=?", (content_hash,)).fetchone()
        return int(r[0]) if r else None

    # ---- writes (call inside transaction()) --------------------------------------------------
    @staticmethod
    def insert_item(c: sqlite3.Connection, *, content_hash: str, kind: str, size: int, title: str,
                    words: str, body: str, metadata: dict[str, Any]) -> int:
        cur = c.execute(
            "INSERT INTO items(hash, kind, size, title, words, body, metadata, added) VALUES (?,?,?,?,?,?,?,?)",
            (content_hash, kind, size, title, words, body, json.dumps(metadata, default=str), time.time()))
        return int(cur.lastrowid)

    @staticmethod
    def upsert_path(c: sqlite3.Connection, *, path: str, item_id: int, root_id: Optional[int], size: int,
                    mtime_ns: int, folders: str) -> None:
        c.execute(
            "INSERT INTO paths(path, item_id, root_id, size, mtime_ns, folders) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(path) DO UPDATE SET item_id=excluded.item_id, root_id=excluded.root_id, "
            "size=excluded.size, mtime_ns=excluded.mtime_ns, folders=excluded.folders",
            (to_db_path(path), item_id, root_id, size, mtime_ns, folders))

    @staticmethod
    def touch_path(c: sqlite3.Connection, path: str, size: int, mtime_ns: int) -> None:
        c.execute("UPDATE paths SET size=?, mtime_ns=? WHERE path=?", (size, mtime_ns, to_db_path(path)))

    @staticmethod
    def delete_path(c: sqlite3.Connection, path: str) -> None:
        c.execute("DELETE FROM paths WHERE path=?", (to_db_path(path),))

    @staticmethod
    def orphan_items(c: sqlite3.Connection) -> list[tuple[int, str, str]]:
        """Items that no path points to any more: (id, hash, kind)."""
        return [(r[0], r[1], r[2]) for r in c.execute(
            "SELECT id, hash, kind FROM items WHERE NOT EXISTS (SELECT 1 FROM paths WHERE paths.item_id=items.id)")]

    @staticmethod
    def delete_items(c: sqlite3.Connection, ids: Sequence[int]) -> None:
        c.executemany("DELETE FROM fts WHERE rowid=?", [(i,) for i in ids])
        c.executemany("DELETE FROM items WHERE id=?", [(i,) for i in ids])

    def refresh_fts(self, c: sqlite3.Connection, item_ids: Iterable[int]) -> None:
        """Rewrite the FTS rows of these items from their current title/words/tags/note/body."""
        for item_id in item_ids:
            if self._write_fts(c, item_id):
                c.execute("UPDATE items SET words_dirty=1 WHERE id=?", (item_id,))

    def _write_fts(self, c: sqlite3.Connection, item_id: int) -> bool:
        """The item's FTS row, in index form; False when there is no such item."""
        row = c.execute("SELECT title, words, body, note FROM items WHERE id=?", (item_id,)).fetchone()
        if row is None:
            return False
        tag_text = " ".join(self._all_tags(c, item_id))
        c.execute("DELETE FROM fts WHERE rowid=?", (item_id,))
        c.execute("INSERT INTO fts(rowid, title, words, tags, note, body) VALUES (?,?,?,?,?,?)",
                  (item_id, *(index_text(t) for t in (row["title"], row["words"], tag_text, row["note"], row["body"]))))
        return True

    @staticmethod
    def _all_tags(c: sqlite3.Connection, item_id: int) -> list[str]:
        return Catalog._tags_of(c, [item_id])[item_id]

    @staticmethod
    def _tags_of(c: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[str]]:
        """Each item's tags: its own (by name), then the folders of its paths (in the order the
        paths were added), each once. Two queries for all of ``ids`` (at most 500 of them)."""
        marks = ",".join("?" * len(ids))
        found: dict[int, list[str]] = {i: [] for i in ids}
        for item_id, tag in c.execute(f"SELECT item_id, tag FROM tags WHERE item_id IN ({marks}) "
                                      "ORDER BY item_id, tag", list(ids)):
            found[item_id].append(tag)
        for item_id, folders in c.execute(f"SELECT item_id, folders FROM paths WHERE item_id IN ({marks}) "
                                          "ORDER BY item_id, rowid", list(ids)):
            found[item_id].extend(f for f in folders.split("\n") if f)
        return {i: list(dict.fromkeys(tags)) for i, tags in found.items()}

    # ---- user tags and notes ---------------------------------------------------------------
    def add_tags(self, item_id: int, tags: Sequence[str]) -> None:
        with self.transaction() as c:
            c.executemany("INSERT OR IGNORE INTO tags(item_id, tag) VALUES (?, ?)",
                          [(item_id, t.strip()) for t in tags if t.strip()])
            self.refresh_fts(c, [item_id])

    def remove_tags(self, item_id: int, tags: Sequence[str]) -> None:
        with self.transaction() as c:
            c.executemany("DELETE FROM tags WHERE item_id=? AND tag=?", [(item_id, t) for t in tags])
            self.refresh_fts(c, [item_id])

    def set_note(self, item_id: int, note: str) -> None:
        with self.transaction() as c:
            c.execute("UPDATE items SET note=? WHERE id=?", (note, item_id))
            self.refresh_fts(c, [item_id])

    # ---- reads -----------------------------------------------------------------------------
    def items(self, ids: Sequence[int]) -> list[Item]:
        """Items in the order of ``ids`` (unknown ids are left out)."""
        if not ids:
            return []
        c = self.conn
        by_id: dict[int, Item] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = list(ids[chunk_start:chunk_start + 500])
            marks = ",".join("?" * len(chunk))
            for r in c.execute(f"SELECT * FROM items WHERE id IN ({marks})", chunk):
                by_id[r["id"]] = Item(
                    id=r["id"], content_hash=r["hash"], kind=r["kind"], path="", paths=[], title=r["title"],
                    tags=[], note=r["note"], metadata=json.loads(r["metadata"]), size=r["size"],
                    words=r["words"], body=r["body"])
            for r in c.execute(f"SELECT item_id, path FROM paths WHERE item_id IN ({marks}) ORDER BY path", chunk):
                by_id[r[0]].paths.append(from_db_path(r[1]))
            for item_id, tags in self._tags_of(c, chunk).items():
                if item_id in by_id:
                    by_id[item_id].tags = tags
        for item in by_id.values():
            item.path = next((p for p in item.paths if Path(p).exists()), item.paths[0] if item.paths else "")
        return [by_id[i] for i in ids if i in by_id]

    def item(self, item_id: int) -> Optional[Item]:
        found = self.items([item_id])
        return found[0] if found else None

    def ids(self, kinds: Sequence[str] = ()) -> list[int]:
        if kinds:
            marks = ",".join("?" * len(kinds))
            return [r[0] for r in self.conn.execute(f"SELECT id FROM items WHERE kind IN ({marks})", list(kinds))]
        return [r[0] for r in self.conn.execute("SELECT id FROM items")]

    def browse(self, kind: Optional[str], offset: int, limit: int) -> list[int]:
        where, args = ("WHERE kind=?", [kind]) if kind else ("", [])
        return [r[0] for r in self.conn.execute(
            f"SELECT id FROM items {where} ORDER BY added DESC, id DESC LIMIT ? OFFSET ?", [*args, limit, offset])]

    def count(self, kind: Optional[str] = None) -> int:
        if kind:
            return int(self.conn.execute("SELECT COUNT(*) FROM items WHERE kind=?", (kind,)).fetchone()[0])
        return int(self.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])

    def counts_by_kind(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT kind, COUNT(*) FROM items GROUP BY kind")}

    def filter_ids(self, kinds: Sequence[str] = (), tags: Sequence[str] = (),
                   folder: Optional[str] = None) -> Optional[set[int]]:
        """Ids passing the filters, or None when there is no filter (everything passes)."""
        if not (kinds or tags or folder):
            return None
        clauses, args = [], []
        if kinds:
            clauses.append(f"i.kind IN ({','.join('?' * len(kinds))})")
            args.extend(kinds)
        for tag in tags:
            clauses.append("(EXISTS (SELECT 1 FROM tags t WHERE t.item_id=i.id AND t.tag=? COLLATE NOCASE) OR "
                           "EXISTS (SELECT 1 FROM paths p WHERE p.item_id=i.id AND "
                           "('\n' || p.folders || '\n') LIKE ?))")
            args.extend([tag, f"%\n{tag}\n%"])
        if folder:
            prefix = to_db_path(str(Path(folder).expanduser().resolve()))
            clauses.append("EXISTS (SELECT 1 FROM paths p WHERE p.item_id=i.id AND (p.path = ? OR p.path LIKE ?))")
            args.extend([prefix, prefix.rstrip("/\\") + "/%"])
        sql = "SELECT i.id FROM items i WHERE " + " AND ".join(clauses)
        return {r[0] for r in self.conn.execute(sql, args)}

    def words_dirty_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM items WHERE words_dirty=1")]

    def mark_words_clean(self, ids: Sequence[int]) -> None:
        with self.transaction() as c:
            c.executemany("UPDATE items SET words_dirty=0 WHERE id=?", [(i,) for i in ids])

    def mark_all_words_dirty(self) -> None:
        with self.transaction() as c:
            c.execute("UPDATE items SET words_dirty=1")

    def fts_search(self, match: str, limit: int, allowed: Optional[set[int]] = None) -> list[tuple[int, float]]:
        """(item id, BM25 score — higher is better) for an FTS5 MATCH expression, best first."""
        w = ",".join(str(x) for x in FTS_WEIGHTS)
        try:
            rows = self.conn.execute(
                f"SELECT rowid, bm25(fts, {w}) AS s FROM fts WHERE fts MATCH ? ORDER BY s LIMIT ?",
                (match, limit if allowed is None else max(limit * 20, 2000))).fetchall()
        except sqlite3.OperationalError as exc:
            log.info("FTS query %r failed: %s", match, exc)
            return []
        out = [(int(r[0]), -float(r[1])) for r in rows if allowed is None or r[0] in allowed]
        return out[:limit]
