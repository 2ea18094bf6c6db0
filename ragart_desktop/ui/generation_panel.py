"""The generation panel: prompt, mode, engine, pinned references, strength, seed, steps, batch.

The panel only collects values (``GenerationForm``); ``ragart_desktop.ui.generation`` turns them into
the pipeline's request. References: the shared ``ReferencesBox`` (pinned from the browser by its
context menu or drag and drop; what the last job used).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget)

from ragart_desktop.ui.references_box import PinnedRef, ReferencesBox
from ragart_desktop.ui.seed_control import SeedControl
from ragart_desktop.ui.theme import accent

MODES = (("Text to image", "txt2img"), ("Refine the canvas", "refine"), ("Fill the selection", "fill"),
         ("Restyle after references", "restyle"))


@dataclass
class GenerationForm:
    """What the user set in the panel, before it becomes the pipeline's request."""

    prompt: str
    mode: str
    engine: str
    references: list[PinnedRef] = field(default_factory=list)
    retrieve: bool = True
    strength: float = 0.6
    seed: Optional[int] = None          # None = a new random seed per run
    steps: Optional[int] = None         # None = the model's own
    batch: int = 1
    loras: list[tuple[str, float]] = field(default_factory=list)   # (registry name, scale)
    # The stored request a history re-run restored: what the panel has no control for (the number of
    # references, reference strength, guidance, negative prompt, text-to-image size) comes from it.
    base: dict = field(default_factory=dict)


class GenerationPanel(QWidget):
    generate_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._base: dict = {}                # the request a history re-run restored (see GenerationForm)

        self.mode = QComboBox()
        for label, value in MODES:
            self.mode.addItem(label, value)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("Describe what to make — the references shape the style")
        self.prompt.setMaximumHeight(110)
        self.engine = QComboBox()
        self.engine.setToolTip("Which engine makes the image; built-in engines need no model")
        self.engine.currentIndexChanged.connect(self._engine_changed)
        self.loras = QListWidget()
        self.loras.setToolTip("Style adapters (LoRA) from your models folders, for diffusion models")
        self.loras.setMaximumHeight(70)
        self.lora_scale = QDoubleSpinBox()
        self.lora_scale.setRange(-2.0, 2.0)
        self.lora_scale.setSingleStep(0.1)
        self.lora_scale.setValue(0.8)
        self.lora_scale.setToolTip("How strongly the ticked LoRAs apply")
        lora_row = QHBoxLayout()
        lora_row.addWidget(self.loras, 1)
        lora_row.addWidget(self.lora_scale)

        self.references = ReferencesBox("References in use", retrieve_text="Also retrieve references from the library",
                                        hint="Drag results here or use 'Pin' in the browser; Delete removes")

        self.strength = QSlider(Qt.Orientation.Horizontal)
        self.strength.setRange(0, 100)
        self.strength.setValue(60)
        self.strength_label = QLabel("0.60")
        self.strength.valueChanged.connect(lambda v: self.strength_label.setText(f"{v / 100:.2f}"))
        strength_row = QHBoxLayout()
        strength_row.addWidget(self.strength, 1)
        strength_row.addWidget(self.strength_label)
        self.seed = SeedControl()
        self.steps = QSpinBox()
        self.steps.setRange(0, 150)
        self.steps.setSpecialValueText("Auto")   # 0: the model's own (a Turbo model takes 2, SD 25)
        self.steps.setToolTip("Denoising steps of a diffusion model; Auto uses the model's own")
        self.steps.setValue(0)
        self.batch = QSpinBox()
        self.batch.setRange(1, 16)
        self.batch.setValue(1)
        self.generate_button = QPushButton("Generate")
        accent(self.generate_button, "primary")
        self.generate_button.setMinimumHeight(36)
        self.generate_button.setShortcut("Ctrl+Return")
        self.generate_button.setToolTip("Generate (Ctrl+Enter)")
        self.generate_button.clicked.connect(self.generate_requested)

        form = QFormLayout()
        form.addRow("Mode", self.mode)
        form.addRow("Engine", self.engine)
        form.addRow("LoRA", lora_row)
        form.addRow("Strength", strength_row)
        form.addRow("Seed", self.seed)
        form.addRow("Steps", self.steps)
        form.addRow("Batch", self.batch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(QLabel("Prompt"))
        layout.addWidget(self.prompt)
        layout.addWidget(self.references)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.generate_button)

    # -- engines -----------------------------------------------------------------------------------

    def set_engines(self, engines: list[tuple[str, str]]) -> None:
        """(label, engine id) pairs; keeps the current choice when still offered."""
        current = self.engine.currentData()
        self.engine.clear()
        for label, value in engines:
            self.engine.addItem(label, value)
        index = self.engine.findData(current)
        if index >= 0:
            self.engine.setCurrentIndex(index)

    # -- LoRAs -----------------------------------------------------------------------------------------

    def set_loras(self, names: list[str]) -> None:
        """The LoRAs found in the models folders (ticked ones stay ticked)."""
        ticked = {name for name, _ in self._ticked_loras()}
        self.loras.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in ticked else Qt.CheckState.Unchecked)
            self.loras.addItem(item)
        self._engine_changed()

    def _ticked_loras(self) -> list[tuple[str, float]]:
        return [(self.loras.item(i).text(), self.lora_scale.value()) for i in range(self.loras.count())
                if self.loras.item(i).checkState() == Qt.CheckState.Checked]

    def _engine_changed(self, *_: object) -> None:
        usable = (self.engine.currentData() or "builtin") != "builtin" and self.loras.count() > 0
        self.loras.setEnabled(usable)
        self.lora_scale.setEnabled(usable)

    # -- values ------------------------------------------------------------------------------------

    def form(self) -> GenerationForm:
        seed = self.seed.for_next_run()
        return GenerationForm(
            prompt=self.prompt.toPlainText().strip(),
            mode=self.mode.currentData(),
            engine=self.engine.currentData() or "builtin",
            references=list(self.references.pinned),
            retrieve=self.references.retrieve.isChecked(),
            strength=self.strength.value() / 100,
            seed=seed,
            steps=self.steps.value() or None,
            batch=self.batch.value(),
            loras=self._ticked_loras() if self.loras.isEnabled() else [],
            base=dict(self._base),
        )

    def load_request(self, request: dict) -> None:
        """Fill the panel from a stored request (history "re-run"): every value, so the same seed makes
        the same picture again (the pinned references and the retrieve setting too)."""
        self._base = dict(request)
        self.prompt.setPlainText(str(request.get("prompt", "")))
        self.references.restore(request.get("references") or [])
        self.references.retrieve.setChecked(bool(request.get("retrieve", True)))
        index = self.mode.findData(request.get("mode"))
        if index >= 0:
            self.mode.setCurrentIndex(index)
        index = self.engine.findData(request.get("engine"))
        if index >= 0:
            self.engine.setCurrentIndex(index)
        wanted = {lora["name"]: lora.get("scale", 0.8) for lora in request.get("loras") or []}
        for i in range(self.loras.count()):
            item = self.loras.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in wanted else Qt.CheckState.Unchecked)
        if wanted:
            self.lora_scale.setValue(float(next(iter(wanted.values()))))
        if "strength" in request:
            self.strength.setValue(int(round(float(request["strength"]) * 100)))
        if request.get("seed") is not None:
            self.seed.restore(int(request["seed"]))
        if "steps" in request:
            self.steps.setValue(int(request["steps"] or 0))
        if "count" in request or "batch" in request:
            self.batch.setValue(int(request.get("count", request.get("batch", 1))))
