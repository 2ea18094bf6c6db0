"""Preferences: edits a copy of the one ``Settings`` object; the caller saves it on accept."""
from __future__ import annotations

import dataclasses
from typing import Optional

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
    QLabel, QListWidget, QPushButton, QTabWidget, QVBoxLayout, QWidget,
)

from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.theme import secondary

DEVICES = (("Automatic (GPU when present)", "auto"), ("CPU", "cpu"), ("NVIDIA GPU (CUDA)", "cuda"),
           ("Apple GPU (MPS)", "mps"))
MEMORY_MODES = (("Automatic", "auto"), ("Fast (more memory)", "fast"), ("Balanced", "balanced"),
                ("Low memory (offload + tiling)", "low"))
THEMES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))


class FolderList(QWidget):
    """A list of folders with Add… / Remove."""

    def __init__(self, folders: list[str], pick_files: bool = False, removable: bool = True, parent=None):
        super().__init__(parent)
        self.pick_files = pick_files
        self.list = QListWidget()
        self.list.addItems(folders)
        add = QPushButton("Add…")
        add.clicked.connect(self._add)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        if removable:
            remove = QPushButton("Remove")
            remove.clicked.connect(self._remove)
            buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    def folders(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def add_folder(self, path: str) -> None:
        if path and path not in self.folders():
            self.list.addItem(path)

    def _add(self) -> None:
        if self.pick_files:
            path, _ = QFileDialog.getOpenFileName(self, "Add a model file", "",
                                                  "Models (*.safetensors *.ckpt *.pt *.bin)")
        else:
            path = QFileDialog.getExistingDirectory(self, "Add a folder")
        self.add_folder(path)

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))


def _combo(choices: tuple[tuple[str, str], ...], current: str) -> QComboBox:
    box = QComboBox()
    for label, value in choices:
        box.addItem(label, value)
    index = box.findData(current)
    box.setCurrentIndex(max(index, 0))
    return box


class SettingsDialog(QDialog):
    """``library_roots``: the folders the library already holds (shown with the settings' own);
    ``backups``: the catalog backups panel, shown on the Library tab."""

    def __init__(self, settings: Settings, parent=None, library_roots: Optional[list[str]] = None,
                 backups: Optional[QWidget] = None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self._original = settings
        roots = list(dict.fromkeys([*settings.library_roots, *(library_roots or [])]))
        # The library has no way to forget a folder yet: folders can be added here, not removed.
        self.roots = FolderList(roots)
        self.models = FolderList(list(settings.model_paths))
        self.device = _combo(DEVICES, settings.device)
        self.memory = _combo(MEMORY_MODES, settings.memory_mode)
        self.theme = _combo(THEMES, settings.theme)
        self.fusion = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=1.0, singleStep=0.05,
                                     value=settings.fusion_weight)
        self.fusion.setToolTip("0 = words only (BM25), 1 = meaning only (vectors)")
        self.mmr = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=1.0, singleStep=0.05, value=settings.mmr_lambda)
        self.mmr.setToolTip("1 = most relevant first, lower = more varied results")
        self.pagerank = QCheckBox("Boost items that are similar to many other results")
        self.pagerank.setChecked(settings.use_pagerank)

        tabs = QTabWidget()
        library = QWidget()
        form = QFormLayout(library)
        form.addRow(QLabel("Folders of your library (imported, and rescanned with F5):"))
        form.addRow(self.roots)
        note = QLabel("A folder that is moved away or on a disconnected drive keeps its items until it is back.")
        note.setWordWrap(True)
        secondary(note)
        form.addRow(note)
        if backups is not None:
            form.addRow(QLabel("Catalog backups:"))
            form.addRow(backups)
        tabs.addTab(library, "Library")
        models = QWidget()
        form = QFormLayout(models)
        form.addRow(QLabel("Folders or files with models (diffusers folders, .safetensors):"))
        form.addRow(self.models)
        form.addRow("Device", self.device)
        form.addRow("Memory", self.memory)
        tabs.addTab(models, "Models")
        search = QWidget()
        form = QFormLayout(search)
        form.addRow("Words ↔ meaning", self.fusion)
        form.addRow("Relevance ↔ variety", self.mmr)
        form.addRow(self.pagerank)
        tabs.addTab(search, "Search")
        look = QWidget()
        form = QFormLayout(look)
        form.addRow("Theme", self.theme)
        tabs.addTab(look, "Appearance")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.resize(560, 420)

    def result_settings(self) -> Settings:
        """A new Settings with the dialog's values (fields the dialog does not show are kept)."""
        return dataclasses.replace(
            self._original,
            library_roots=self.roots.folders(),
            model_paths=self.models.folders(),
            device=self.device.currentData(),
            memory_mode=self.memory.currentData(),
            theme=self.theme.currentData(),
            fusion_weight=round(self.fusion.value(), 4),
            mmr_lambda=round(self.mmr.value(), 4),
            use_pagerank=self.pagerank.isChecked(),
        )


def apply_settings(target: Settings, new: Settings) -> list[str]:
    """Copy ``new`` into ``target`` in place (the library holds ``target``); return the changed names."""
    changed = []
    for f in dataclasses.fields(Settings):
        if getattr(target, f.name) != getattr(new, f.name):
            setattr(target, f.name, getattr(new, f.name))
            changed.append(f.name)
    return changed


def edit_settings(settings: Settings, parent: Optional[QWidget] = None,
                  library_roots: Optional[list[str]] = None, backups: Optional[QWidget] = None) -> Optional[Settings]:
    dialog = SettingsDialog(settings, parent, library_roots, backups)
    return dialog.result_settings() if dialog.exec() == QDialog.DialogCode.Accepted else None
