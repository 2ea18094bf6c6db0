"""The library end to end on real files: import, rescan, identity, bad input, crash recovery."""
from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from ragart_desktop.core.errors import Cancelled
from ragart_desktop.core.progress import Task
from tests.core.library.conftest import melody, painting


def test_import_counts_kinds_and_metadata(make_library, art_folder):
    lib = make_library()
    report = lib.import_paths([art_folder])
    assert (report.added, report.updated, report.removed, report.skipped) == (16, 0, 0, [])
    status = lib.status()
    assert status["items"] == {"image": 8, "music": 4, "text": 4}
    for e in lib.embedders:
        assert status["indexes"][e.id]["count"] == (16 if e is lib.words_embedder else
                                                    status["items"][e.modality])
    item = lib.resolve(str(art_folder / "seascapes" / "calm-bay.png"))
    assert item.kind == "image" and "seascapes" in item.tags and "art" in item.tags
    assert lib.thumbnail_path(item.id).exists()
    midi = lib.resolve(str(art_folder / "folk" / "river-jig.mid"))
    assert midi.metadata.get("tempo") or midi.metadata.get("tempo_bpm")


def test_rescan_of_unchanged_library_only_stats(make_library, art_folder, monkeypatch):
    lib = make_library()
    lib.import_paths([art_folder])
    import ragart_desktop.core.library.importer as importer

    def no_hashing(path):
        raise AssertionError(f"rescan hashed {path}")
    monkeypatch.setattr(importer, "hash_file", no_hashing)
    report = lib.rescan()
    assert report.unchanged == 16 and report.added == report.updated == report.removed == 0


def test_move_rename_keeps_identity_tags_and_copy_is_one_item(make_library, art_folder):
    lib = make_library()
    lib.import_paths([art_folder])
    old = art_folder / "seascapes" / "calm-bay.png"
    item = lib.resolve(str(old))
    lib.add_tags(item.id, ["favourite"])
    new_dir = art_folder / "keep"
    new_dir.mkdir()
    os.rename(old, new_dir / "renamed-bay.png")
    shutil.copy(art_folder / "forest" / "pine-grove.jpg", art_folder / "pine-copy.jpg")
    report = lib.rescan()
    assert (report.moved, report.added, report.removed) == (1, 1, 0)
    moved = lib.resolve(str(new_dir / "renamed-bay.png"))
    assert moved.id == item.id and "favourite" in moved.tags and "keep" in moved.tags
    copy = lib.resolve(str(art_folder / "pine-copy.jpg"))
    assert copy.id == lib.resolve(str(art_folder / "forest" / "pine-grove.jpg")).id
    assert len(copy.paths) == 2
    assert lib.count() == 16


def test_changed_and_deleted_files(make_library, art_folder):
    lib = make_library()
    lib.import_paths([art_folder])
    target = art_folder / "poems" / "snow.txt"
    before = lib.resolve(str(target)).id
    target.write_text("Snow turned to rain; the gutters sing.\n")
    os.utime(target, ns=(1, 1))
    (art_folder / "poems" / "tide.txt").unlink()
    report = lib.rescan()
    assert (report.updated, report.removed) == (1, 1)
    after = lib.resolve(str(target))
    assert after.id != before and "gutters" in after.body
    assert lib.count("text") == 3
    for index in lib.indexes.values():   # no vector left behind for the removed items
        assert before not in index


def test_missing_root_deletes_nothing(make_library, art_folder, tmp_path):
    lib = make_library()
    lib.import_paths([art_folder])
    shutil.move(art_folder, tmp_path / "unplugged")
    report = lib.rescan()
    assert report.removed == 0 and report.missing_roots == [str(art_folder)]
    assert lib.count() == 16


def test_bad_files_are_skipped_with_reasons_and_the_rest_imported(make_library, tmp_path):
    root = tmp_path / "messy"
    root.mkdir()
    painting(1).save(root / "good.png")
    (root / "empty.png").write_bytes(b"")
    (root / "garbage.jpg").write_bytes(b"this is not a jpeg at all" * 20)
    good = (root / "good.png").read_bytes()
    (root / "truncated.png").write_bytes(good[: len(good) // 3])
    (root / "broken.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\x10\x00\x90")
    (root / "loop").symlink_to(root, target_is_directory=True)
    bad_name = os.fsdecode(b"caf\xe9-latin1.txt")
    with open(os.path.join(os.fsencode(root), b"caf\xe9-latin1.txt"), "wb") as f:
        f.write("Café au lait, crème.".encode("latin-1"))
    lib = make_library()
    report = lib.import_paths([root])
    reasons = {os.path.basename(s.path): s.reason for s in report.skipped}
    assert set(reasons) >= {"empty.png", "garbage.jpg", "truncated.png", "broken.mid", "loop"}
    assert all(reason for reason in reasons.values())
    assert report.added == 2
    latin = lib.resolve(str(root / bad_name))
    assert "crème" in latin.body
    assert lib.rescan().unchanged == 2


def test_cancelled_import_leaves_a_library_that_finishes_on_rescan(make_library, art_folder):
    lib = make_library()
    seen = []

    def progress(done, total, message):
        seen.append(done)
        if done >= 5:
            task.cancel()
    task = Task(on_progress=progress)
    with pytest.raises(Cancelled):
        lib.import_paths([art_folder], task)
    assert 0 < lib.count() < 16
    report = lib.rescan()
    assert lib.count() == 16 and report.added + report.unchanged == 16
    for e in lib.embedders:
        expected = 16 if e is lib.words_embedder else lib.count(e.modality)
        assert len(lib.indexes[e.id]) == expected


def test_damaged_index_is_rebuilt_from_the_catalog(make_library, art_folder, home):
    lib = make_library()
    lib.import_paths([art_folder])
    lib.close()
    for f in home.index_dir.iterdir():
        if not f.name.endswith(".json"):
            f.write_bytes(b"\x00garbage" * 10)
    lib2 = make_library()
    assert any(ix.rebuild_reason for ix in lib2.indexes.values())
    lib2.rescan()
    for e in lib2.embedders:
        expected = 16 if e is lib2.words_embedder else lib2.count(e.modality)
        assert len(lib2.indexes[e.id]) == expected


def test_import_of_a_huge_declared_image_is_refused(make_library, tmp_path):
    import struct
    import zlib

    root = tmp_path / "bomb"
    root.mkdir()
    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    (root / "bomb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
                                    chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    report = make_library().import_paths([root])
    assert report.added == 0 and len(report.skipped) == 1


def test_removing_a_root_forgets_its_items_but_not_shared_ones(make_library, art_folder, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(art_folder / "poems" / "snow.txt", other / "snow-copy.txt")
    lib = make_library()
    lib.import_paths([art_folder, other])
    assert lib.count() == 16
    removed = lib.remove_root(art_folder)
    assert removed == 15 and lib.count() == 1
    survivor = lib.resolve(str(other / "snow-copy.txt"))
    assert survivor.paths == [str(other / "snow-copy.txt")] and "poems" not in survivor.tags
    for e in lib.embedders:
        expected = 1 if e is lib.words_embedder or e.modality == "text" else 0
        assert len(lib.indexes[e.id]) == expected
    assert (art_folder / "poems" / "tide.txt").exists()   # files are never touched
    assert lib.rescan().removed == 0


def test_a_full_disk_stops_the_import_with_a_clear_error_and_the_next_import_finishes(make_library, tmp_path):
    from ragart_desktop.core.errors import StorageError

    root = tmp_path / "notes"
    root.mkdir()
    for i in range(40):
        (root / f"note-{i:02d}.txt").write_text(f"Note {i}\n" + ("words of a long studio note " * 400))
    lib = make_library()
    pages = lib.catalog.conn.execute("PRAGMA page_count").fetchone()[0]
    lib.catalog.conn.execute(f"PRAGMA max_page_count = {pages + 8}")   # the disk fills up
    with pytest.raises(StorageError) as info:
        lib.import_paths([root])
    assert "catalog.sqlite" in info.value.user_message() and "Free some disk space" in info.value.user_message()
    kept = lib.count()
    assert kept < 40
    lib.catalog.conn.execute("PRAGMA max_page_count = 1073741823")   # space freed
    report = lib.import_paths([root])
    assert lib.count() == 40 and report.added == 40 - kept
    assert len(lib.indexes[lib.words_embedder.id]) == 40


def test_items_carry_their_own_tags_then_their_folders(tmp_path):
    """Items read together get the tags each would get alone: its own tags by name, then the
    folders of its paths in the order they were added, each once."""
    from ragart_desktop.core.library.catalog import Catalog

    catalog = Catalog(tmp_path / "catalog.db")
    with catalog.transaction() as c:
        for i in range(3):
            item_id = catalog.insert_item(c, content_hash=f"{i:032x}", kind="text", size=1, title=f"t{i}",
                                          words="", body="", metadata={})
            for j, folders in enumerate([["poems", "zeta"], ["alpha", "poems"]][: i + 1]):
                catalog.upsert_path(c, path=f"/lib/{'zab'[j]}/{i}.txt", item_id=item_id, root_id=None, size=1,
                                    mtime_ns=0, folders="\n".join(folders))
    catalog.add_tags(1, ["sea", "calm"])
    catalog.add_tags(3, ["zeta", "alpha", "blue"])
    expected = {1: ["calm", "sea", "poems", "zeta"], 2: ["poems", "zeta", "alpha"],
                3: ["alpha", "blue", "zeta", "poems"]}
    assert {it.id: it.tags for it in catalog.items([3, 1, 2, 42])} == expected
    assert {i: Catalog._all_tags(catalog.conn, i) for i in (1, 2, 3)} == expected
    catalog.close()
