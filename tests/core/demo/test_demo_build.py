"""Building the demo library: counts, determinism, idempotency, cancellation, atomic writes."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ragart_desktop.core.demo import DEMO_VERSION, MANIFEST_NAME, build, build_demo_library, demo_files
from ragart_desktop.core.errors import Cancelled, StorageError, UsageError
from ragart_desktop.core.progress import Task

REPO = Path(__file__).resolve().parents[3]


def _files(dest: Path) -> dict[str, str]:
    """relpath -> sha256 of every file under dest (hidden ones included)."""
    return {p.relative_to(dest).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(dest.rglob("*")) if p.is_file()}


def _subset() -> list[build.DemoFile]:
    """A few real entries of every kind: enough to exercise the build machinery quickly."""
    files = demo_files()
    by_kind = {k: [f for f in files if f.kind == k] for k in ("image", "music", "text")}
    return by_kind["image"][-2:] + by_kind["music"][:2] + by_kind["text"][:2]


def test_counts_per_kind_and_layout(demo_library):
    dest = demo_library.dest
    assert demo_library.built
    assert demo_library.counts == {"image": 36, "music": 30, "text": 15}
    on_disk = [p for p in dest.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert len(on_disk) == demo_library.total
    suffixes = {p.suffix for p in on_disk}
    assert {".png", ".jpg", ".webp", ".mid", ".txt", ".md"} <= suffixes
    styles = {p.parent.name for p in (dest / "images").rglob("*") if p.is_file()}
    assert styles == {"seascapes", "forest", "abstract geometric", "sunset landscapes", "watercolour flowers",
                      "night city", "ink sketches"}
    assert {p.name for p in (dest / "music").iterdir()} == {"folk melodies", "jazz chords", "classical",
                                                            "lofi beats", "ambient"}
    assert {p.name for p in (dest / "notes").iterdir()} == {"poems", "lyrics", "studio notes"}


def test_manifest_records_version_and_real_hashes(demo_library):
    dest = demo_library.dest
    manifest = json.loads((dest / MANIFEST_NAME).read_text())
    assert manifest["version"] == DEMO_VERSION
    hashes = _files(dest)
    assert {k: v["sha256"] for k, v in manifest["files"].items()} == {k: v for k, v in hashes.items()
                                                                      if k != MANIFEST_NAME}


def test_a_second_build_in_another_process_is_byte_identical(demo_library, tmp_path):
    """A full second build in a fresh interpreter (different hash seed) gives the same bytes."""
    second = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="12345", PYTHONPATH=str(REPO))
    code = "import sys; from pathlib import Path; from ragart_desktop.core.demo import build_demo_library; " \
           "build_demo_library(Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", code, str(second)], check=True, env=env, cwd=REPO, timeout=240)
    assert _files(second) == _files(demo_library.dest)


def test_complete_library_is_reused_without_rewriting(demo_library):
    dest = demo_library.dest
    before = {p: p.stat().st_mtime_ns for p in dest.rglob("*") if p.is_file()}
    messages = []
    start = time.perf_counter()
    summary = build_demo_library(dest, Task(on_progress=lambda d, t, m: messages.append((d, t))))
    assert time.perf_counter() - start < 0.5
    assert not summary.built and summary.counts == demo_library.counts
    assert {p: p.stat().st_mtime_ns for p in dest.rglob("*") if p.is_file()} == before
    assert messages[-1][0] == messages[-1][1]  # reports "done"


def test_cancel_raises_and_leaves_only_complete_files(demo_library, tmp_path):
    dest = tmp_path / "cancelled"
    cancel = threading.Event()
    seen = []

    def on_progress(done: int, total: int, message: str) -> None:
        seen.append(done)
        if done == 4:
            cancel.set()  # as the UI's cancel button would, while file 4 is about to start

    task = Task(on_progress=on_progress, cancel_event=cancel)
    with pytest.raises(Cancelled):
        build_demo_library(dest, task)
    written = _files(dest)
    reference = _files(demo_library.dest)
    assert written, "some files were written before the cancel"
    assert MANIFEST_NAME not in written  # an unfinished library never looks complete
    assert not [p for p in written if Path(p).name.startswith(".")]  # no temp files left behind
    assert all(reference[p] == h for p, h in written.items())  # every file is whole
    assert len(written) == 4 and max(seen) == 4  # the cancel answered before the next file


def test_incomplete_or_outdated_library_is_rebuilt(monkeypatch, tmp_path):
    subset = _subset()
    monkeypatch.setattr(build, "demo_files", lambda: subset)
    dest = tmp_path / "lib"
    assert build_demo_library(dest).built
    complete = _files(dest)
    # a missing file: rebuilt
    victim = dest / subset[0].relpath
    victim.unlink()
    assert build_demo_library(dest).built
    assert _files(dest) == complete
    # a truncated file (same name, wrong size): rebuilt
    victim.write_bytes(victim.read_bytes()[:100])
    assert build_demo_library(dest).built
    assert _files(dest) == complete
    # another version's manifest: rebuilt
    manifest = json.loads((dest / MANIFEST_NAME).read_text())
    manifest["version"] = DEMO_VERSION - 1
    (dest / MANIFEST_NAME).write_text(json.dumps(manifest))
    assert build_demo_library(dest).built
    assert _files(dest) == complete
    assert not build_demo_library(dest).built


def test_files_dropped_by_a_new_version_are_removed_but_user_files_kept(monkeypatch, tmp_path):
    subset = _subset()
    dest = tmp_path / "lib"
    monkeypatch.setattr(build, "demo_files", lambda: subset)
    build_demo_library(dest)
    user_file = dest / "notes" / "my own note.txt"
    user_file.write_text("mine")
    monkeypatch.setattr(build, "demo_files", lambda: subset[1:])
    summary = build_demo_library(dest)
    assert summary.built
    assert not (dest / subset[0].relpath).exists()
    assert user_file.read_text() == "mine"


def test_dest_that_is_a_file_is_a_usage_error(tmp_path):
    target = tmp_path / "occupied"
    target.write_text("x")
    with pytest.raises(UsageError) as err:
        build_demo_library(target)
    assert str(target) in err.value.user_message()


def test_failed_write_leaves_no_temp_file_and_names_the_file(tmp_path):
    target = tmp_path / "taken"
    (target / "inside").mkdir(parents=True)  # a non-empty folder where the file should go
    with pytest.raises(StorageError) as err:
        build.write_atomic(target, b"data")
    assert err.value.path == str(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
