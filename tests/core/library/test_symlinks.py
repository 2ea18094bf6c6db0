"""Links the user made are followed, but never into the app's own data folder, and a cycle of links
between library folders does not count or list a file twice."""
from __future__ import annotations

import os

from tests.core.library.conftest import painting


def test_the_data_folder_is_never_imported_through_a_link(make_library, home, tmp_path):
    art = tmp_path / "art"
    art.mkdir()
    painting(1).save(art / "harbour.png")
    lib = make_library()
    lib.import_paths([art])                              # thumbnails now exist in the home
    assert any(home.thumbs_dir.rglob("*.jpg"))
    (art / "to-home").symlink_to(home.root, target_is_directory=True)
    (art / "to-thumbs").symlink_to(home.thumbs_dir, target_is_directory=True)
    thumb = next(home.thumbs_dir.rglob("*.jpg"))
    (art / "a-thumb.jpg").symlink_to(thumb)
    outside = tmp_path / "outside"
    outside.mkdir()
    painting(2).save(outside / "dunes.png")
    (art / "to-outside").symlink_to(outside, target_is_directory=True)   # a link the user made: fine

    report = lib.rescan()
    assert report.added == 1 and lib.count() == 2
    assert {os.path.basename(s.path) for s in report.skipped} == {"to-home", "to-thumbs", "a-thumb.jpg"}
    assert all("data folder" in s.reason for s in report.skipped)
    assert lib.resolve(str(art / "to-outside" / "dunes.png"))
    report = lib.import_paths([art / "to-home"])         # the home itself, through a link
    assert report.added == 0 and lib.count() == 2 and "data folder" in report.skipped[0].reason


def test_a_link_cycle_between_library_folders_repeats_nothing(make_library, tmp_path):
    a, b = tmp_path / "A", tmp_path / "B"
    a.mkdir()
    b.mkdir()
    (a / "apple.txt").write_text("an apple on the table")
    (b / "banana.txt").write_text("a banana in the bowl")
    (a / "to-b").symlink_to(b, target_is_directory=True)
    (b / "to-a").symlink_to(a, target_is_directory=True)
    (a / "nested").mkdir()
    (a / "nested" / "cherry.txt").write_text("cherries")
    lib = make_library()
    report = lib.import_paths([a, b])
    assert report.added == 3 and lib.count() == 3
    assert sorted(p for i in lib.catalog.ids() for p in lib.get_item(i).paths) == \
        sorted(str(p) for p in (a / "apple.txt", b / "banana.txt", a / "nested" / "cherry.txt"))
    report = lib.import_paths([a / "nested"])            # a folder inside a library folder, added too
    assert report.added == 0 and lib.rescan().added == 0
    assert sum(len(lib.get_item(i).paths) for i in lib.catalog.ids()) == 3
