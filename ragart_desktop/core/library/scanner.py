"""Walking library roots: every supported file with its size and mtime, nothing decoded.

The walk only stats (``os.scandir``), so a rescan of an unchanged library costs one directory read
per folder and one stat per file. Symlinked folders are followed once (loops are cut by remembering
each directory's device and inode); hidden files and folders are left out. Two things are never
entered: the app's own data folder (nor anything inside it, reached by a link or not), and the
folders of the other library roots (``fenced``), which are walked under their own names, so a link
cycle between two library folders lists no file twice.
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


DirKey = tuple[int, int]   # (device, inode) of a folder


def dir_key(path: str) -> Optional[DirKey]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


class _Home:
    """The app's data folder, recognised by identity (device, inode) and by real path."""

    def __init__(self, home: Optional[str]):
        self.key = dir_key(home) if home else None
        self.real = os.path.realpath(home) if home else None

    def holds(self, path: str) -> bool:
        if self.real is None:
            return False
        real = os.path.realpath(path)
        return real == self.real or real.startswith(self.real.rstrip(os.sep) + os.sep)


HOME_REASON = "leads into RagArt's own data folder, which is never imported"


def walk_root(root: str, on_skip: SkipFn, home: Optional[str] = None,
              fenced: frozenset[DirKey] = frozenset()) -> Iterator[FoundFile]:
    """Yield supported files under ``root`` (a folder or a single file).

    ``on_skip(path, reason)`` hears about folders that cannot be read, symlink loops and links into
    ``home`` (the app's data folder, never entered); ``fenced`` holds the folders of the other
    library roots, left to their own walk.
    """
    data = _Home(home)
    try:
        st = os.stat(root)
    except OSError as exc:
        on_skip(root, f"cannot be read ({exc.strerror or exc})")
        return
    if data.holds(root):
        on_skip(root, HOME_REASON)
        return
    if stat.S_ISREG(st.st_mode):
        if kind_for_suffix(os.path.splitext(root)[1]) is not None:
            yield FoundFile(root, st.st_size, st.st_mtime_ns, (os.path.basename(os.path.dirname(root)),))
        return
    if (st.st_dev, st.st_ino) in fenced:
        on_skip(root, "the same folder as another library folder; walked once")
        return
    root_name = os.path.basename(root.rstrip(os.sep)) or root
    seen_dirs: set[DirKey] = {(st.st_dev, st.st_ino)}
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
                link = entry.is_symlink()
                if link and data.holds(entry.path):
                    on_skip(entry.path, HOME_REASON)
                elif entry.is_dir(follow_symlinks=True):
                    est = entry.stat(follow_symlinks=True)
                    key = (est.st_dev, est.st_ino)
                    if key == data.key:
                        continue          # the data folder inside a library folder: not the user's art
                    if key in fenced:
                        if link:
                            on_skip(entry.path, "a link to another library folder (walked on its own); skipped")
                        continue
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
                elif link:
                    on_skip(entry.path, "broken symbolic link")
            except OSError as exc:
                on_skip(entry.path, f"cannot be read ({exc.strerror or exc})")
        stack.extend(reversed(subdirs))
