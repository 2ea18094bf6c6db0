"""Thumbnail cache keyed by content hash: generated once, shared by every path of the same content.

Layout: ``<dir>/<first two hex digits>/<hash>.jpg`` (sharded so no folder grows past a few thousand
entries). JPEG because every Qt build reads it and encoding a 256-pixel image takes about a
millisecond. Writes go to a temporary file in the same folder and are renamed into place, so a
reader never sees half a thumbnail; the rename is not fsynced, because a thumbnail lost to a crash
is simply generated again (a zero-byte leftover counts as missing).
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from PIL import Image

from ragart_desktop.core.errors import StorageError

SUFFIX = ".jpg"
JPEG_QUALITY = 85
_HASH = re.compile(r"^[0-9a-f]{8,128}$")


class ThumbnailCache:
    """Thumbnails on disk under ``dir``, one per content hash."""

    def __init__(self, dir: Path):
        self.dir = Path(dir)

    def path_for(self, content_hash: str) -> Path:
        """Where the thumbnail of ``content_hash`` lives (whether or not it exists yet)."""
        if not _HASH.match(content_hash):
            raise ValueError(f"not a lower-case hex content hash: {content_hash!r}")
        return self.dir / content_hash[:2] / f"{content_hash}{SUFFIX}"

    def get(self, content_hash: str) -> Path | None:
        """The thumbnail's path if it has been generated, else None."""
        path = self.path_for(content_hash)
        try:
            return path if path.stat().st_size > 0 else None
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise StorageError(f"cannot read the thumbnail cache ({exc.strerror or exc})", path=path) from exc

    def save(self, content_hash: str, image: Image.Image) -> Path:
        """Store ``image`` as the thumbnail of ``content_hash`` unless one exists; returns its path."""
        path = self.path_for(content_hash)
        if self.get(content_hash) is not None:
            return path
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        tmp_name = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", suffix=SUFFIX, delete=False) as fp:
                tmp_name = fp.name
                rgb.save(fp, "JPEG", quality=JPEG_QUALITY)
            os.replace(tmp_name, path)
        except OSError as exc:
            if tmp_name is not None and os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise StorageError(f"cannot write the thumbnail ({exc.strerror or exc})", path=path) from exc
        return path

    def remove(self, content_hash: str) -> None:
        """Delete the thumbnail of ``content_hash`` if there is one."""
        path = self.path_for(content_hash)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete the thumbnail ({exc.strerror or exc})", path=path) from exc
