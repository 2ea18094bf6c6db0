"""Catalog backup and restore times for a 10,000-item catalog, against a plain file copy.

The catalog is built through the Catalog's own writes (titles, words, note, tags, bodies of text
items, folders, FTS rows) beside a saved words index of the same items. ``backup`` is SQLite's online
backup API (what the library runs after every import or edit batch that changed something);
``restore`` also checks the backup, keeps the replaced catalog aside and drops index vectors the
backup does not hold. Baseline, measured in the same run: ``shutil.copyfile`` of the same catalog.

    python bench/bench_backup.py [--n 10000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ragart_desktop.core.home import Home  # noqa: E402
from ragart_desktop.core.index.vector_index import IndexSpec, VectorIndex  # noqa: E402
from ragart_desktop.core.library.backup import backup_catalog, list_backups, restore_catalog  # noqa: E402
from ragart_desktop.core.library.catalog import Catalog  # noqa: E402

WORDS = ("sea harbour storm calm bay forest pine birch moss autumn city night neon rain snow portrait "
         "figure sketch ink watercolour oil abstract sunset dusk dawn river mountain flower garden").split()


def build(home: Home, n: int) -> Catalog:
    rng = np.random.default_rng(0)
    catalog = Catalog(home.catalog_path)
    with catalog.transaction() as c:
        root = c.execute("INSERT INTO roots(path, added) VALUES ('/art', 0)").lastrowid
        for i in range(n):
            kind = ("image", "music", "text")[i % 3]
            body = " ".join(rng.choice(WORDS, 120)) if kind == "text" else ""
            item = catalog.insert_item(c, content_hash=f"{i:032x}", kind=kind, size=100_000 + i,
                                       title=f"work {i}", words=" ".join(rng.choice(WORDS, 8)), body=body,
                                       metadata={"width": 1600, "height": 1000, "source": f"set-{i // 500}"})
            catalog.upsert_path(c, path=f"/art/set-{i // 500:03d}/work-{i:05d}.png", item_id=item, root_id=root,
                                size=100_000 + i, mtime_ns=i, folders=f"art\nset-{i // 500:03d}")
            c.execute("INSERT INTO tags(item_id, tag) VALUES (?, ?)", (item, str(rng.choice(WORDS))))
            c.execute("UPDATE items SET note=? WHERE id=?", (f"note {i}: " + " ".join(rng.choice(WORDS, 6)), item))
        catalog.refresh_fts(c, range(1, n + 1))
    catalog.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    index = VectorIndex(home.index_dir / "minilm-l6-v2.usearch", IndexSpec("minilm-l6-v2", "1", 384))
    vectors = rng.normal(size=(n, 384)).astype(np.float32)
    index.add(np.arange(1, n + 1, dtype=np.uint64), vectors)
    index.save()
    return catalog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp) / "home").ensure()
        t0 = time.perf_counter()
        catalog = build(home, args.n)
        size = home.catalog_path.stat().st_size
        print(f"catalog of {args.n:,} items: {size / 1e6:.1f} MB (built in {time.perf_counter() - t0:.1f} s)")
        copies, backups = [], []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            shutil.copyfile(home.catalog_path, Path(tmp) / f"copy-{i}.sqlite")
            copies.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            backup_catalog(catalog.conn, home)
            backups.append(time.perf_counter() - t0)
        catalog.close()
        restores = []
        for _ in range(max(1, args.repeat // 2)):
            t0 = time.perf_counter()
            result = restore_catalog(home)
            restores.append(time.perf_counter() - t0)
            assert result["items"] == args.n, result
        print(f"  baseline shutil.copyfile of the catalog: median {statistics.median(copies) * 1000:.0f} ms")
        print(f"  backup (SQLite online backup, fsync, keep {len(list_backups(home))}): "
              f"median {statistics.median(backups) * 1000:.0f} ms, max {max(backups) * 1000:.0f} ms")
        print(f"  restore (check, copy, set the old one aside, index cleanup): "
              f"median {statistics.median(restores) * 1000:.0f} ms, max {max(restores) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
