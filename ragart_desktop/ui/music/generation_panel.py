"""The generation panel of the Music tab: what to generate from the piano roll, and from what.

Modes: continue (from the selection, or from the end), fill the loop range or the selected bars
(infill), accompany the active track, vary the selection; then bars, key lock, density,
temperature, variations, engine (built-in, or a music model from the models folder), seed and
words for retrieval. References: the shared ``ReferencesBox`` (pieces pinned from the browser, and
after a job the pieces it used, pinned or retrieved), with "Find similar in the library", which asks
the browser for pieces like the selection. The panel only collects values (``MusicForm``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QSpinBox, QToolButton, QVBoxLayout, QWidget)

from ragart_desktop.core.generate.music.request import PARTS
from ragart_desktop.ui.references_box import PinnedRef, ReferencesBox
from ragart_desktop.ui.seed_control import SeedControl
from ragart_desktop.ui.theme import accent, secondary

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

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.mode = QComboBox()
        for label, value in MODES:
            self.mode.addItem(label, value)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.source = QComboBox()
        self.source.addItem("the selected notes", True)
        self.source.addItem("the end of the piece", False)
        self.scope = QLabel()
        secondary(self.scope)
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

        self.references = ReferencesBox("References", retrieve_text="Also find pieces in the library",
                                        hint="Drag MIDI pieces here from the browser; Remove unpins",
                                        kinds=("music",))
        self.similar_button = QToolButton(text="Find similar in the library")
        self.similar_button.setToolTip("Search the browser for pieces like the selected notes")
        self.similar_button.clicked.connect(self.find_similar_requested)
        self.references.add_tool(self.similar_button)

        self.generate_button = QPushButton("Generate")
        accent(self.generate_button, "primary")
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
        layout.addWidget(self.references)
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
            prompt=self.prompt.text().strip(), references=list(self.references.pinned),
            retrieve=self.references.retrieve.isChecked())

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
        self.references.retrieve.setChecked(bool(request.get("retrieve", True)))
        self.references.restore(request.get("references") or [])
