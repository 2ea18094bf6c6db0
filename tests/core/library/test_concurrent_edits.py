"""Two real processes on one home folder: a `ragart import` while tags and notes are edited.

Every write to an index must hold the home's lock and start from the latest saved state, so an
edit never saves a stale copy of an index over the vectors another process just added.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from ragart_desktop.cli import main
from ragart_desktop.core.progress import Task
from ragart_desktop.core.retrieval.query import Query

REPO = Path(__file__).resolve().parents[3]


def _notes(folder: Path, count: int, words: str) -> Path:
    folder.mkdir(parents=True)
    for i in range(count):
        (folder / f"{words.split()[0]}-{i:03d}.txt").write_text(f"{words} number {i}\n" + "studio notes " * 30)
    return folder


def _start_import(home, folder: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "ragart_desktop.cli", "--home", str(home.root), "import",
                             str(folder), "--json"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _vectors_match_items(lib) -> None:
    lib.refresh_indexes()
    items = lib.count()
    assert len(lib.indexes[lib.words_embedder.id]) == items, "words vectors != items"
    assert len(lib.indexes["builtin-image-descriptor"]) == lib.count("image")


def test_an_edit_opened_before_another_process_imports_keeps_the_imported_vectors(
        make_library, home, tmp_path):
    a = _notes(tmp_path / "A", 4, "harbour boats")
    b = _notes(tmp_path / "B", 60, "mountain snow")
    lib = make_library()
    lib.import_paths([a])
    editor = make_library()          # e.g. `ragart tag` has opened the library and read its indexes
    proc = _start_import(home, b)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    x = editor.resolve(str(a / "harbour-000.txt"))
    editor.add_tags(x.id, ["kept"])
    editor.set_note(x.id, "a note written while B was imported")
    editor.close()

    check = make_library()
    assert check.count() == 64
    _vectors_match_items(check)
    results = check.search(Query(text="mountain snow", k=5))
    assert results and all("mountain" in r.item.title or "mountain" in r.item.body for r in results)
    assert "kept" in check.get_item(x.id).tags


def test_tags_in_a_loop_while_another_process_imports_lose_nothing(make_library, home, tmp_path):
    a = _notes(tmp_path / "A", 4, "harbour boats")
    b = _notes(tmp_path / "B", 120, "forest moss")
    make_library().import_paths([a])
    proc = _start_import(home, b)
    rounds = 0
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:      # `ragart tag A/x.txt tN`, as a user would type it
        assert main(["--home", str(home.root), "tag", str(a / "harbour-001.txt"), f"t{rounds}"]) == 0
        rounds += 1
        if proc.poll() is not None:
            break
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert rounds > 1
    check = make_library()
    assert check.count() == 124
    _vectors_match_items(check)
    assert check.search(Query(text="forest moss", k=3))


def test_an_edit_during_an_import_of_the_same_process_does_not_wait_for_it(make_library, tmp_path):
    """The UI tags on its reader thread while its indexer thread imports: the edit joins the
    import's hold of the lock instead of waiting for the whole import."""
    a = _notes(tmp_path / "A", 2, "harbour boats")
    b = _notes(tmp_path / "B", 40, "desert dunes")
    lib = make_library()
    lib.import_paths([a])
    x = lib.resolve(str(a / "harbour-000.txt")).id
    edited = threading.Event()

    def progress(done, total, message):
        if done == 1 and not edited.is_set():
            threading.Thread(target=lambda: (lib.add_tags(x, ["during"]), edited.set()), daemon=True).start()
            edited.wait(60)        # the import pauses here; a blocked edit would never finish

    lib.import_paths([b], Task(on_progress=progress))
    assert edited.is_set()
    assert "during" in lib.get_item(x).tags
    _vectors_match_items(lib)
