"""The generation panel of the Music tab: what to generate from the piano roll, and from what.

Modes: continue (from the selection, or from the end), fill the loop range or the selected bars
(infill), accompany the active track, vary the selection; then bars, key lock, density,
temperature, variations, engine (built-in, or a music model from the models folder), seed and
words for retrieval. References: pieces pinned from the browser (drag them here) and, after a job,
the pieces it used, each of which can be pinned or unpinned; "Find similar in the library" asks
the browser for pieces like the selection. The panel only collects values (``MusicForm``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QProgressBar, QPushButton, QSpinBox, QToolButton,
                               QVBoxLayout, QWidget, QLineEdit)

from ragart_desktop.core.generate.music.request import PARTS
from ragart_desktop.ui.generation_panel import PinnedList, PinnedRef
from ragart_desktop.ui.seed_control import SeedControl

MODES = (("Continue", "continue"), ("Fill the range (infill)", "infill"), ("Accompany the track", "accompany"),
         ("Vary the selection", "vary"))
BUILTIN = ("Built-in (learns from your pieces, no model needed)", "builtin")


@dataclass
class MusicForm:
    mode: str
    from_selection: bool = True       # continue: from the selected notes (else from the end)
    bars: int = 4
    parts: tuple[str, ...] = ("chords", "bass", "drums")
    key_lock: bool = True
    density: float = 1.0
    temperature: float = 1.0
    count: int = 3
    engine: str = "builtin"
    seed: int = 0
    prompt: str = ""
    references: list[PinnedRef] = field(default_factory=list)
    retrieve: bool = True


class MusicGenerationPanel(QWidget):
    generate_requested = Signal()
    cancel_requested = Signal()
    find_similar_requested = Signal()
    pinned_changed = Signal(set)               # item ids
    reveal_requested = Signal(list, object)    # library item ids, the one to select

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.pinned: list[PinnedRef] = []
        self.mode = QComboBox()
        for label, value in MODES:
            self.mode.addItem(label, value)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.source = QComboBox()
        self.source.addItem("the selected notes", True)
        self.source.addItem("the end of the piece", False)
        self.scope = QLabel()
        self.scope.setObjectName("Hint")
        self.scope.setWordWrap(True)
        self.bars = QSpinBox()
        self.bars.setRange(1, 64)
        self.bars.setValue(4)
        self.bars.setSuffix(" bars")
        self.parts: dict[str, QCheckBox] = {}
        parts_row = QHBoxLayout()
        for part in PARTS:
            box = QCheckBox(part)
            box.setChecked(part in MusicForm.parts)
            self.parts[part] = box
            parts_row.addWidget(box)
        self.key_lock = QCheckBox("Stay in the key")
        self.key_lock.setChecked(True)
        self.key_lock.setToolTip("Generated notes keep to the score's key (minor keys may use the raised 6th and 7th)")
        self.density = QDoubleSpinBox()
        self.density.setRange(0.25, 4.0)
        self.density.setSingleStep(0.25)
        self.density.setValue(1.0)
        self.density.setToolTip("More notes (> 1) or fewer (< 1) than the references have")
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.1, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(1.0)
        self.temperature.setToolTip("Lower: safer choices; higher: more surprising ones")
        self.count = QSpinBox()
        self.count.setRange(1, 8)
        self.count.setValue(3)
        self.count.setToolTip("Variations to compare side by side")
        self.engine = QComboBox()
        self.engine.addItem(*BUILTIN)
        self.seed = SeedControl()
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("Words to find pieces by (optional): waltz, melancholy …")

        self.pinned_list = PinnedList()
        self.pinned_list.items_dropped.connect(self.pin_dicts)
        self.pinned_list.setToolTip("Drag MIDI pieces here from the browser; Remove unpins")
        self.pinned_list.itemDoubleClicked.connect(lambda item: self._reveal(self.pinned, self.pinned_list.row(item)))
        unpin = QToolButton(text="Remove")
        unpin.clicked.connect(self._unpin_selected)
        self.retrieve = QCheckBox("Also find pieces in the library")
        self.retrieve.setChecked(True)
        self.similar_button = QToolButton(text="Find similar in the library")
        self.similar_button.setToolTip("Search the browser for pieces like the selected notes")
        self.similar_button.clicked.connect(self.find_similar_requested)
        self.used = QListWidget()
        self.used.setMaximumHeight(110)
        self.used.setToolTip("The pieces the last job learned from (weight); double-click to show one in the browser")
        self.used.itemDoubleClicked.connect(lambda item: self._reveal(self._used, self.used.row(item)))
        self._used: list[PinnedRef] = []
        self._used_sources: list[str] = []     # "pinned" | "retrieved", per used reference
        pin_used = QToolButton(text="Pin")
        pin_used.setToolTip("Pin the chosen piece for the next jobs")
        pin_used.clicked.connect(self._pin_used)
        refs = QGroupBox("References")
        refs_layout = QVBoxLayout(refs)
        refs_layout.addWidget(QLabel("Pinned"))
        refs_layout.addWidget(self.pinned_list)
        row = QHBoxLayout()
        self.pinned_label = QLabel("None pinned")
        self.pinned_label.setObjectName("Hint")
        row.addWidget(self.pinned_label, 1)
        row.addWidget(unpin)
        refs_layout.addLayout(row)
        refs_layout.addWidget(self.retrieve)
        refs_layout.addWidget(self.similar_button)
        used_row = QHBoxLayout()
        used_row.addWidget(QLabel("Used by the last job"), 1)
        used_row.addWidget(pin_used)
        refs_layout.addLayout(used_row)
        refs_layout.addWidget(self.used)

        self.generate_button = QPushButton("Generate")
        self.generate_button.setObjectName("PrimaryButton")
        self.generate_button.setMinimumHeight(34)
        self.generate_button.setToolTip("Generate variations (Ctrl+Enter)")
        self.generate_button.setShortcut("Ctrl+Return")
        self.generate_button.clicked.connect(self.generate_requested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()

        form = QFormLayout()
        form.addRow("Mode", self.mode)
        form.addRow("From", self.source)
        form.addRow("", self.scope)
        form.addRow("Length", self.bars)
        self.parts_label = QLabel("Parts")
        form.addRow(self.parts_label, parts_row)
        form.addRow("", self.key_lock)
        form.addRow("Density", self.density)
        form.addRow("Temperature", self.temperature)
        form.addRow("Variations", self.count)
        form.addRow("Engine", self.engine)
        form.addRow("Seed", self.seed)
        form.addRow("Words", self.prompt)
        self._form = form
        self.extra_actions = QHBoxLayout()     # other tools join here (add_action)
        self.extra_actions.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button, 1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(form)
        layout.addWidget(refs)
        layout.addLayout(self.extra_actions)
        layout.addStretch(1)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        for box in (self.mode, self.source, self.engine):      # long labels never widen the dock
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
        self.set_running(False)
        self._mode_changed()

    # -- mode-dependent rows -------------------------------------------------------------------------
    def _mode_changed(self, *_: Any) -> None:
        mode = self.mode.currentData()
        self._form.setRowVisible(self.source, mode == "continue")
        self._form.setRowVisible(self.bars, mode == "continue")
        self._form.setRowVisible(self.parts_label, mode == "accompany")

    def add_action(self, action: QAction) -> QToolButton:
        """A button for another music tool (e.g. learning a model from the library) under the references."""
        button = QToolButton()
        button.setDefaultAction(action)
        self.extra_actions.insertWidget(self.extra_actions.count() - 1, button)
        return button

    def set_scope(self, text: str) -> None:
        """What the job will work on, in words ("bars 5–8, the loop range")."""
        self.scope.setText(text)

    # -- engines -------------------------------------------------------------------------------------
    def set_engines(self, engines: list[tuple[str, str]]) -> None:
        current = self.engine.currentData()
        self.engine.clear()
        for label, value in [BUILTIN] + [e for e in engines if e[1] != "builtin"]:
            self.engine.addItem(label, value)
        index = self.engine.findData(current)
        self.engine.setCurrentIndex(max(0, index))

    # -- references ----------------------------------------------------------------------------------
    def pin_dicts(self, items: list[dict]) -> None:
        """Pin library items ({"id", "path", "title", "kind"}); only MIDI pieces teach music."""
        known = {p.item_id for p in self.pinned}
        for d in items:
            if (d.get("kind") or "music") == "music" and int(d["id"]) not in known:
                self.pinned.append(PinnedRef(int(d["id"]), d["path"], d.get("title") or Path(d["path"]).name, "music"))
                known.add(int(d["id"]))
        self._refresh_pinned()

    def _unpin_selected(self) -> None:
        for r in sorted((self.pinned_list.row(i) for i in self.pinned_list.selectedItems()), reverse=True):
            del self.pinned[r]
        self._refresh_pinned()

    def _refresh_pinned(self) -> None:
        self.pinned_list.clear()
        for ref in self.pinned:
            entry = QListWidgetItem(ref.title)
            entry.setToolTip(ref.path)
            self.pinned_list.addItem(entry)
        self.pinned_label.setText(f"{len(self.pinned)} pinned" if self.pinned else "None pinned")
        self.pinned_changed.emit({p.item_id for p in self.pinned})
        self._refresh_used()

    def show_used(self, references: list[dict]) -> None:
        """The references of the last job (``{"id", "path", "weight"}`` as history stores them)."""
        self._used = [PinnedRef(int(r["id"]) if r.get("id") is not None else -1, str(r.get("path") or ""),
                                Path(str(r.get("path") or "")).name, "music", float(r.get("weight") or 0.0))
                      for r in references]
        self._used_sources = [str(r.get("source") or "") for r in references]
        self._refresh_used()

    def _refresh_used(self) -> None:
        pinned = {p.item_id for p in self.pinned}
        self.used.clear()
        for ref, source in zip(self._used, self._used_sources):
            mark = "📌 " if ref.item_id in pinned else ""
            item = QListWidgetItem(f"{mark}{ref.title}  ({ref.weight:.2f}{', ' + source if source else ''})")
            item.setToolTip(f"{ref.path}\nweight {ref.weight:.2f}" + (f", {source}" if source else ""))
            self.used.addItem(item)

    def _pin_used(self) -> None:
        row = self.used.currentRow()
        if 0 <= row < len(self._used) and self._used[row].item_id >= 0:
            ref = self._used[row]
            self.pin_dicts([{"id": ref.item_id, "path": ref.path, "title": ref.title, "kind": "music"}])

    def _reveal(self, refs: list[PinnedRef], row: int) -> None:
        if 0 <= row < len(refs) and refs[row].item_id >= 0:
            self.reveal_requested.emit([r.item_id for r in refs if r.item_id >= 0], refs[row].item_id)

    # -- running -------------------------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        self.generate_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)
            self.progress.setFormat("Starting…")

    def show_progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, total if total > 0 else 0)
        if total > 0:
            self.progress.setValue(min(done, total))
        self.progress.setFormat(message or "Working…")

    # -- values --------------------------------------------------------------------------------------
    def form(self) -> MusicForm:
        seed = self.seed.for_next_run()
        return MusicForm(
            mode=self.mode.currentData(), from_selection=bool(self.source.currentData()), bars=self.bars.value(),
            parts=tuple(p for p, box in self.parts.items() if box.isChecked()), key_lock=self.key_lock.isChecked(),
            density=round(self.density.value(), 2), temperature=round(self.temperature.value(), 2),
            count=self.count.value(), engine=self.engine.currentData() or "builtin", seed=seed,
            prompt=self.prompt.text().strip(), references=list(self.pinned), retrieve=self.retrieve.isChecked())

    def load_request(self, request: dict) -> None:
        """Fill the panel from a stored music request (history's "re-run")."""
        index = self.mode.findData(request.get("mode"))
        if index >= 0:
            self.mode.setCurrentIndex(index)
        if request.get("bars"):
            self.bars.setValue(int(request["bars"]))
        for part, box in self.parts.items():
            box.setChecked(part in (request.get("parts") or ()))
        self.key_lock.setChecked(bool(request.get("key_lock", True)))
        self.density.setValue(float(request.get("density", 1.0)))
        self.temperature.setValue(float(request.get("temperature", 1.0)))
        self.count.setValue(int(request.get("count", 1)))
        index = self.engine.findData(request.get("engine"))
        if index >= 0:
            self.engine.setCurrentIndex(index)
        if request.get("seed") is not None:
            self.seed.restore(int(request["seed"]))
        self.prompt.setText(str(request.get("prompt") or ""))
        self.retrieve.setChecked(bool(request.get("retrieve", True)))
        self.pin_dicts([{"id": r["item_id"], "path": r["path"], "kind": "music"}
                        for r in request.get("references") or [] if r.get("item_id") is not None])
