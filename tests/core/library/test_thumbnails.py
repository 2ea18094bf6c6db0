"""Thumbnail cache: sharded paths by content hash, generated once, atomic writes."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from ragart_desktop.core.errors import StorageError
from ragart_desktop.core.library.thumbnails import ThumbnailCache

HASH = hashlib.sha256(b"some content").hexdigest()


def test_path_is_sharded_by_hash_prefix(tmp_path: Path):
    cache = ThumbnailCache(tmp_path / "thumbs")
    assert cache.path_for(HASH) == tmp_path / "thumbs" / HASH[:2] / f"{HASH}.jpg"


@pytest.mark.parametrize("bad", ["", "../../etc/passwd", "ABCDEF0123", "12ab", "zz" * 10])
def test_hash_that_is_not_hex_is_rejected(tmp_path: Path, bad: str):
    with pytest.raises(ValueError):
        ThumbnailCache(tmp_path).path_for(bad)


def test_save_get_remove(tmp_path: Path):
    cache = ThumbnailCache(tmp_path)
    assert cache.get(HASH) is None
    path = cache.save(HASH, Image.new("RGB", (256, 128), (10, 200, 30)))
    assert cache.get(HASH) == path
    with Image.open(path) as im:
        assert im.format == "JPEG" and im.size == (256, 128)
        r, g, b = im.convert("RGB").getpixel((5, 5))
        assert g > 180 and r < 40
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
    cache.remove(HASH)
    assert cache.get(HASH) is None
    cache.remove(HASH)  # removing a missing thumbnail is fine


def test_generated_once(tmp_path: Path):
    cache = ThumbnailCache(tmp_path)
    first = cache.save(HASH, Image.new("RGB", (32, 32), "red"))
    before = first.read_bytes()
    second = cache.save(HASH, Image.new("RGB", (64, 64), "blue"))
    assert second == first and first.read_bytes() == before


def test_non_rgb_images_are_stored_as_rgb(tmp_path: Path):
    cache = ThumbnailCache(tmp_path)
    path = cache.save(HASH, Image.new("RGBA", (20, 20), (0, 0, 255, 255)))
    with Image.open(path) as im:
        assert im.mode == "RGB"


def test_empty_leftover_counts_as_missing_and_is_replaced(tmp_path: Path):
    cache = ThumbnailCache(tmp_path)
    leftover = cache.path_for(HASH)
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"")
    assert cache.get(HASH) is None
    cache.save(HASH, Image.new("RGB", (8, 8)))
    assert cache.get(HASH) == leftover and leftover.stat().st_size > 0


def test_unwritable_cache_folder_raises_storage_error(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = ThumbnailCache(blocker)
    with pytest.raises(StorageError, match="cannot write the thumbnail"):
        cache.save(HASH, Image.new("RGB", (8, 8)))
