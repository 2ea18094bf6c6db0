"""Automatic backups of the catalog, restoring one, and telling a lost catalog from a new library.

The catalog holds what the files cannot give back: tags, notes and the library's folders. After an
import or an edit that changed something, the library copies it with SQLite's online backup API (a
consistent copy while other connections keep reading and writing) to
``<home>/backups/catalog-<UTC time>.sqlite`` and keeps the newest ``KEEP``. An edit made within
``EDIT_COALESCE_S`` of the newest backup replaces it instead of adding one, so a burst of tag edits
never pushes the older backups out.

A catalog that is missing or 0 bytes beside indexes or thumbnails holding items is not a new library
but a lost one: ``check_catalog_present`` refuses to go on (opening it would start an empty library,
and the next rescan would delete every vector) and points at ``restore_catalog``.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import numpy as np

from ragart_desktop.core.errors import StorageError, UsageError
from ragart_desktop.core.home import Home
from ragart_desktop.core.progress import Task, ensure_task

log = logging.getLogger(__name__)

KEEP = 5
EDIT_COALESCE_S = 60.0
PREFIX, SUFFIX = "catalog-", ".sqlite"


@dataclass(frozen=True)
class Backup:
    path: Path
    created: float      # seconds since the epoch
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "created": datetime.fromtimestamp(self.created, timezone.utc)
                .isoformat(timespec="seconds"), "size": self.size}


def list_backups(home: Home) -> list[Backup]:
    """The catalog backups of ``home``, newest first."""
    try:
        paths = [p for p in home.backups_dir.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX)]
    except FileNotFoundError:
        return []
    found = []
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            continue
        found.append(Backup(p, st.st_mtime, st.st_size))
    return sorted(found, key=lambda b: (b.created, b.path.name), reverse=True)


def restore_hint(home: Home) -> str:
    if list_backups(home):
        return ("Restore the newest automatic backup with 'ragart restore' (or Preferences → Library → "
                "Restore); tags, notes and folders come back.")
    return "There is no automatic backup to restore; import your folders again to rebuild the catalog."


# ---------------------------------------------------------------------------------- detection

def check_catalog_present(home: Home) -> None:
    """Raise ``StorageError`` when the catalog is missing or empty while the library holds items."""
    path = home.catalog_path
    try:
        state = "empty (0 bytes)" if path.stat().st_size == 0 else None
    except FileNotFoundError:
        state = "missing"
    if state is None:
        return
    vectors = _vectors_on_disk(home)
    thumbnails = _has_files(home.thumbs_dir)
    if not vectors and not thumbnails:
        return   # a new library
    held = f"its indexes hold {vectors:,} vectors" if vectors else "its thumbnails folder is not empty"
    raise StorageError(f"the catalog is {state}, but {held}: the catalog was lost or truncated, not emptied. "
                       "Nothing was changed.", path=path, hint=restore_hint(home))


def _vectors_on_disk(home: Home) -> int:
    total = 0
    for meta in home.index_dir.glob("*.meta.json"):
        try:
            count = json.loads(meta.read_text(encoding="utf-8")).get("count", 0)
            total += count if isinstance(count, int) else 0
        except (OSError, ValueError, AttributeError):
            continue
    return total


def _has_files(folder: Path) -> bool:
    return any(files for _, _, files in os.walk(folder))


# ------------------------------------------------------------------------------------- backup

def backup_catalog(conn: sqlite3.Connection, home: Home, *, coalesce: bool = False) -> Backup:
    """Copy the catalog open on ``conn`` into the backups folder and keep the newest ``KEEP``.

    With ``coalesce`` (an edit), a newest backup younger than ``EDIT_COALESCE_S`` is replaced.
    """
    folder = home.backups_dir
    previous = list_backups(home)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    dest = folder / f"{PREFIX}{stamp}{SUFFIX}"
    tmp = folder / f".{dest.name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _copy_database(conn, tmp)
        os.replace(tmp, dest)
    except (OSError, sqlite3.Error) as exc:
        _unlink(tmp)
        raise StorageError(f"the catalog could not be backed up ({exc}).", path=dest,
                           hint="Check free disk space in the data folder.") from exc
    stale = previous[KEEP - 1:]
    if coalesce and previous and time.time() - previous[0].created < EDIT_COALESCE_S:
        stale = [previous[0], *previous[KEEP:]]
    for old in stale:
        _unlink(old.path)
    st = dest.stat()
    log.info("catalog backed up to %s (%d bytes)", dest, st.st_size)
    return Backup(dest, st.st_mtime, st.st_size)


def _copy_database(source: sqlite3.Connection, dest: Path) -> None:
    """SQLite's online backup of ``source`` into a new file, as a self-contained (non-WAL) database."""
    _unlink(dest)
    target = sqlite3.connect(dest, isolation_level=None)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    with open(dest, "rb+") as fh:
        os.fsync(fh.fileno())


# ------------------------------------------------------------------------------------ restore

def restore_catalog(home: Home, backup: Optional[str | os.PathLike] = None,
                    task: Optional[Task] = None) -> dict[str, Any]:
    """Put a backup (default: the newest) in place of the catalog, under the home's lock.

    The catalog it replaces is kept beside it (``catalog.sqlite.replaced-<time>``) unless it was
    empty. Vectors of items the backup does not hold are dropped from the indexes, so item ids the
    catalog hands out again never meet an old vector; the next import or rescan fills in the rest.
    Close the app (or let the Preferences do it) before restoring from the command line.
    """
    from ragart_desktop.core.library.lock import HomeLock

    task = ensure_task(task)
    start = time.perf_counter()
    source = _choose(home, backup)
    with HomeLock.of(home.root / "import.lock").hold(task):
        # 1. Check the backup before anything is touched.
        items = _check_backup(source)
        # 2. Copy it beside the catalog.
        catalog = home.catalog_path
        tmp = catalog.with_name(f".{catalog.name}.restore.{os.getpid()}.tmp")
        reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            _copy_database(reader, tmp)
        except (OSError, sqlite3.Error) as exc:
            _unlink(tmp)
            raise StorageError(f"the backup could not be copied ({exc}).", path=source) from exc
        finally:
            reader.close()
        # 3. Keep the catalog it replaces, then move the copy in.
        kept = _set_aside(catalog)
        os.replace(tmp, catalog)
        # 4. Indexes forget items the restored catalog does not hold.
        dropped = _drop_vectors_outside(home, catalog)
    seconds = time.perf_counter() - start
    log.info("catalog restored from %s (%d items) in %.2fs", source, items, seconds)
    return {"restored": str(source), "items": items, "kept_aside": str(kept) if kept else None,
            "vectors_dropped": dropped, "seconds": round(seconds, 3)}


def _choose(home: Home, backup: Optional[str | os.PathLike]) -> Path:
    if backup is None:
        backups = list_backups(home)
        if not backups:
            raise UsageError("there is no catalog backup to restore.", path=home.backups_dir)
        return backups[0].path
    path = Path(backup).expanduser()
    if not path.exists() and (home.backups_dir / path.name).exists():
        path = home.backups_dir / path.name
    if not path.is_file():
        raise UsageError("no such backup.", path=path,
                         hint=f"Backups are in {home.backups_dir}; 'ragart restore' alone takes the newest.")
    return path.resolve()


def _check_backup(path: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            return int(conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StorageError(f"this backup is not a usable catalog ({exc}).", path=path,
                           hint="Choose an older backup.") from exc


def _set_aside(catalog: Path) -> Optional[Path]:
    """Move the current catalog (and its WAL) out of the way; an empty one is just removed."""
    shm = catalog.with_name(catalog.name + "-shm")
    wal = catalog.with_name(catalog.name + "-wal")
    _unlink(shm)
    try:
        empty = catalog.stat().st_size == 0
    except FileNotFoundError:
        _unlink(wal)
        return None
    if empty:
        _unlink(catalog)
        _unlink(wal)
        return None
    aside = catalog.with_name(f"{catalog.name}.replaced-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}")
    os.replace(catalog, aside)
    if wal.exists():
        os.replace(wal, aside.with_name(aside.name + "-wal"))
    return aside


def _drop_vectors_outside(home: Home, catalog: Path) -> int:
    from ragart_desktop.core.index.vector_index import IndexSpec, VectorIndex

    conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    try:
        ids = np.array([r[0] for r in conn.execute("SELECT id FROM items")], dtype=np.uint64)
    finally:
        conn.close()
    dropped = 0
    for meta_path in sorted(home.index_dir.glob("*.usearch.meta.json")):
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            spec = IndexSpec(**{k: meta[k] for k in ("embedder_id", "embedder_version", "dim", "metric", "dtype")})
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.info("index sidecar %s not read (%s); the next import rebuilds it", meta_path, exc)
            continue
        index = VectorIndex(meta_path.with_name(meta_path.name[: -len(".meta.json")]), spec)
        if index.rebuild_reason:
            continue      # damaged: the next import rebuilds it from the restored catalog
        extra = np.setdiff1d(index.keys(), ids)
        if len(extra):
            index.remove(extra)
            index.save()
            dropped += len(extra)
    return dropped


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
