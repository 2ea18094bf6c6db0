"""Catalog backup commands: ``ragart backup`` and ``ragart restore [BACKUP]``."""
from __future__ import annotations

import argparse
import json
import time

from ragart_desktop.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="copy the catalog (tags, notes, folders) to the backups folder now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="put a catalog backup back in place (default: the newest); "
                                       "close the app first")
    p.add_argument("backup", nargs="?", metavar="BACKUP", help="a backup file or its name (see 'ragart backup')")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.core.library.backup import backup_catalog, check_catalog_present, list_backups
    from ragart_desktop.core.library.catalog import Catalog

    check_catalog_present(home)
    catalog = Catalog(home.catalog_path)
    try:
        start = time.perf_counter()
        made = backup_catalog(catalog.conn, home)
        seconds = time.perf_counter() - start
        items = catalog.count()
    finally:
        catalog.close()
    kept = list_backups(home)
    if args.json:
        print(json.dumps({"backup": made.to_json(), "items": items, "seconds": round(seconds, 3),
                          "backups": [b.to_json() for b in kept]}))
    else:
        print(f"catalog ({items:,} items, {made.size / 1e6:.1f} MB) backed up to {made.path} in {seconds:.2f} s")
        print(f"{len(kept)} backups kept in {home.backups_dir}")
    return 0


def cmd_restore(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.core.library.backup import restore_catalog

    result = restore_catalog(home, args.backup)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"restored {result['restored']} ({result['items']:,} items) in {result['seconds']:.2f} s")
        if result["kept_aside"]:
            print(f"the catalog it replaced is kept as {result['kept_aside']}")
        if result["vectors_dropped"]:
            print(f"{result['vectors_dropped']} vectors of items the backup does not hold were dropped; "
                  "'ragart rescan' brings the library up to date")
    return 0
