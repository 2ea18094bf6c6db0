"""A lost catalog is refused, not taken for a new library; automatic backups bring tags and notes back."""
from __future__ import annotations

import json
import os

import pytest

from ragart_desktop.cli import main
from ragart_desktop.core.errors import StorageError
from ragart_desktop.core.library import backup
from ragart_desktop.core.library.backup import list_backups, restore_catalog


def _index_files(home) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(home.index_dir.iterdir())}


@pytest.fixture
def tagged(make_library, art_folder):
    lib = make_library()
    lib.import_paths([art_folder])
    snow = lib.resolve(str(art_folder / "poems" / "snow.txt")).id
    lib.add_tags(snow, ["winter"])
    lib.set_note(snow, "first snow of the year")
    lib.close()
    return snow


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_a_lost_catalog_is_refused_and_restored_with_its_tags_and_notes(
        make_library, home, art_folder, tagged, capsys, damage):
    indexes = _index_files(home)
    if damage == "truncate":
        home.catalog_path.write_bytes(b"")
    else:
        home.catalog_path.unlink()
    with pytest.raises(StorageError) as info:
        make_library()
    assert "lost or truncated" in info.value.message and "ragart restore" in info.value.hint
    assert main(["--home", str(home.root), "rescan"]) == 1
    assert "ragart restore" in capsys.readouterr().err
    assert _index_files(home) == indexes                 # nothing was deleted on the way

    assert main(["--home", str(home.root), "restore", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["items"] == 16 and result["restored"] == str(list_backups(home)[0].path)
    lib = make_library()
    snow = lib.get_item(tagged)
    assert "winter" in snow.tags and snow.note == "first snow of the year"
    report = lib.rescan()
    assert report.unchanged == 16 and report.removed == 0
    assert len(lib.indexes[lib.words_embedder.id]) == 16


def test_a_garbled_catalog_is_kept_aside_when_a_backup_is_restored(make_library, home, tagged):
    home.catalog_path.write_bytes(b"not a database at all" * 500)
    with pytest.raises(StorageError) as info:
        make_library()
    assert "ragart restore" in info.value.hint
    result = restore_catalog(home)
    assert result["kept_aside"] and open(result["kept_aside"], "rb").read().startswith(b"not a database")
    assert "winter" in make_library().get_item(tagged).tags


def test_backups_follow_changes_keep_the_last_few_and_edits_coalesce(make_library, home, tmp_path, monkeypatch):
    lib = make_library()
    for i in range(backup.KEEP + 2):
        folder = tmp_path / f"f{i}"
        folder.mkdir()
        (folder / f"note{i}.txt").write_text(f"note {i} about ink")
        lib.import_paths([folder])
    assert len(list_backups(home)) == backup.KEEP
    newest = list_backups(home)[0]
    lib.rescan()                                        # nothing changed: no new backup
    assert list_backups(home)[0] == newest
    item = lib.catalog.ids()[0]
    lib.add_tags(item, ["a"])                           # an edit right after: replaces the newest
    lib.add_tags(item, ["b"])
    after = list_backups(home)
    assert len(after) == backup.KEEP and newest not in after and after[1] == list_backups(home)[1]
    monkeypatch.setattr(backup, "EDIT_COALESCE_S", 0.0)
    lib.set_note(item, "later")                         # a later edit adds one
    assert list_backups(home)[1] == after[0]


def test_restoring_an_older_backup_drops_vectors_of_items_it_does_not_hold(make_library, home, tmp_path, capsys):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, n in ((first, 3), (second, 4)):
        folder.mkdir()
        for i in range(n):
            (folder / f"{folder.name}-{i}.txt").write_text(f"{folder.name} note {i}")
    lib = make_library()
    lib.import_paths([first])
    older = list_backups(home)[0]
    lib.import_paths([second])
    lib.close()
    assert main(["--home", str(home.root), "restore", older.path.name]) == 0
    out = capsys.readouterr().out
    assert "3 items" in out and "4 vectors" in out and "kept as" in out
    lib = make_library()
    assert lib.count() == 3 and len(lib.indexes[lib.words_embedder.id]) == 3
    lib.import_paths([tmp_path / "third-does-not-exist"])   # ids handed out again meet no old vector
    (tmp_path / "third").mkdir()
    (tmp_path / "third" / "x.txt").write_text("a brand new note")
    lib.import_paths([tmp_path / "third"])
    assert len(lib.indexes[lib.words_embedder.id]) == 4


def test_backup_and_restore_commands(home, tmp_path, capsys):
    assert main(["--home", str(home.root), "restore"]) == 2
    assert "no catalog backup" in capsys.readouterr().err
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("a note on harbours")
    assert main(["--home", str(home.root), "import", str(folder)]) == 0
    assert main(["--home", str(home.root), "backup", "--json"]) == 0
    made = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert made["items"] == 1 and os.path.exists(made["backup"]["path"]) and len(made["backups"]) == 2
    assert main(["--home", str(home.root), "restore", str(tmp_path / "nope.sqlite")]) == 2
    assert "no such backup" in capsys.readouterr().err
    assert main(["--home", str(home.root), "restore", made["backup"]["path"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["items"] == 1
