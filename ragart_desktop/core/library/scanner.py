"""Walking library roots: every supported file with its size and mtime, nothing decoded.

The walk only stats (``os.scandir``), so a rescan of an unchanged library costs one directory read
per folder and one stat per file. Symlinked folders are followed once (loops are cut by remembering
each directory's device and inode); hidden files and folders are left out.
"""
from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from ragart_desktop.core.kinds import kind_for_suffix

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoundFile:
    path: str                  # absolute path as the OS functions take it
    size: int
    mtime_ns: int
    folders: tuple[str, ...]   # folder names from the root down to the file's folder (become tags)


SkipFn = Callable[[str, str], None]


def walk_root(root: str, on_skip: SkipFn, exclude: Optional[str] = None) -> Iterator[FoundFile]:
    """Yield supported files under ``root`` (a folder or a single file).

    ``on_skip(path, reason)`` hears about folders that cannot be read and symlink loops;
    ``exclude`` is a folder never entered (the app's own home folder, if it lies inside a root).
    """
    try:
        st = os.stat(root)
    except OSError as exc:
        on_skip(root, f"cannot be read ({exc.strerror or exc})")
        return
    if stat.S_ISREG(st.st_mode):
        if kind_for_suffix(os.path.splitext(root)[1]) is not None:
            yield FoundFile(root, st.st_size, st.st_mtime_ns, (os.path.basename(os.path.dirname(root)),))
        return
    root_name = os.path.basename(root.rstrip(os.sep)) or root
    seen_dirs: set[tuple[int, int]] = {(st.st_dev, st.st_ino)}
    stack: list[tuple[str, tuple[str, ...]]] = [(root, (root_name,))]
    while stack:
        folder, folders = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            on_skip(folder, f"folder cannot be read ({exc.strerror or exc})")
            continue
        subdirs = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    if exclude and os.path.abspath(entry.path) == exclude:
                        continue
                    est = entry.stat(follow_symlinks=True)
                    key = (est.st_dev, est.st_ino)
                    if key in seen_dirs:
                        on_skip(entry.path, "folder already visited (symlink loop or second link); skipped")
                        continue
                    seen_dirs.add(key)
                    subdirs.append((entry.path, folders + (entry.name,)))
                elif entry.is_file(follow_symlinks=True):
                    if kind_for_suffix(os.path.splitext(entry.name)[1]) is None:
                        continue
                    est = entry.stat(follow_symlinks=True)
                    yield FoundFile(entry.path, est.st_size, est.st_mtime_ns, folders)
                elif entry.is_symlink():
                    on_skip(entry.path, "broken symbolic link")
            except OSError as exc:
                on_skip(entry.path, f"cannot be read ({exc.strerror or exc})")
        stack.extend(reversed(subdirs))
