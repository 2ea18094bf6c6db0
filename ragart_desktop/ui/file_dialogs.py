"""File dialogs that open where the user works: the last folder used, else their Pictures folder.

A bare ``QFileDialog`` opens in the process's working directory, which for an installed app is its
install folder. Every open, save, export and "add folder" dialog of the app goes through one
``FileDialogs`` object instead; the folder of the last file chosen is kept in ``Settings.last_folder``
(saved at once, so it survives a crash).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from ragart_desktop.core.errors import RagartError
from ragart_desktop.core.settings import Settings

log = logging.getLogger(__name__)


def user_pictures_folder() -> Path:
    """The platform's Pictures folder when it exists, else the user's home folder."""
    for location in (QStandardPaths.StandardLocation.PicturesLocation,
                     QStandardPaths.StandardLocation.HomeLocation):
        folder = QStandardPaths.writableLocation(location)
        if folder and os.path.isdir(folder):
            return Path(folder)
    return Path.home()


class FileDialogs:
    def __init__(self, settings: Settings, settings_path: Optional[Path] = None):
        self.settings = settings
        self.settings_path = settings_path   # None: remembered for this session only

    def start_folder(self) -> Path:
        last = self.settings.last_folder
        return Path(last) if last and os.path.isdir(last) else user_pictures_folder()

    def remember(self, chosen: str | os.PathLike) -> None:
        folder = Path(chosen) if os.path.isdir(chosen) else Path(chosen).parent
        if str(folder) == self.settings.last_folder:
            return
        self.settings.last_folder = str(folder)
        if self.settings_path is not None:
            try:
                self.settings.save(self.settings_path)
            except RagartError as exc:   # the folder is still remembered for this session
                log.warning("could not remember the last folder: %s", exc.user_message())

    def _start(self, name: str = "") -> str:
        """Where a dialog opens: ``name`` as is when it is a full path, else inside the start folder."""
        if name and os.path.isabs(name):
            return name
        return str(self.start_folder() / name) if name else str(self.start_folder())

    def open_file(self, parent: Optional[QWidget], caption: str, filters: str) -> Optional[str]:
        path, _ = QFileDialog.getOpenFileName(parent, caption, self._start(), filters)
        return self._chosen(path)

    def open_files(self, parent: Optional[QWidget], caption: str, filters: str) -> list[str]:
        paths, _ = QFileDialog.getOpenFileNames(parent, caption, self._start(), filters)
        if paths:
            self.remember(paths[0])
        return list(paths)

    def save_file(self, parent: Optional[QWidget], caption: str, name: str, filters: str) -> Optional[str]:
        """``name``: a suggested file name (placed in the start folder) or a full path."""
        path, _ = QFileDialog.getSaveFileName(parent, caption, self._start(name), filters)
        return self._chosen(path)

    def folder(self, parent: Optional[QWidget], caption: str) -> Optional[str]:
        path = QFileDialog.getExistingDirectory(parent, caption, self._start())
        return self._chosen(path)

    def _chosen(self, path: str) -> Optional[str]:
        if not path:
            return None
        self.remember(path)
        return path
