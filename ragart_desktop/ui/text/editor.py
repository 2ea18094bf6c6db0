"""The Text tab: write with the library.

Left, what to write (theme or first line, form, lines, language, engine, temperature, seed,
variations, retrieval) and Write/Cancel. Middle, the artist's own text (a plain-text editor; CJK
input methods and fonts work as in any Qt text field), the box where a generation streams in as it
is written, the variations to choose from with their scores and copy warnings, and Insert at
cursor / Replace selection. Right, the passages it was written from (double-click opens the source
note) and the text jobs of the history (click one to see its variations again). Export writes the
text as .md (front matter) or .txt (sidecar) with the provenance of the variation it came from.

The generation runs on the model worker (``job.text_job``); widgets only listen to its signals.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QTextCursor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton,
                               QSpinBox, QSplitter, QVBoxLayout, QWidget)

from ragart_desktop.core.errors import RagartError
from ragart_desktop.core.history import HistoryRecord, HistoryStore
from ragart_desktop.core.home import Home
from ragart_desktop.ui.text.job import TextJobResult, text_engines, text_job

FORM_CHOICES = (("Free verse", "free"), ("Quatrain (ABAB)", "quatrain"), ("Haiku (5-7-5)", "haiku"),
                ("五言绝句 (wujue)", "wujue"), ("七言绝句 (qijue)", "qijue"))
LANGUAGE_CHOICES = (("From the prompt", "auto"), ("English", "en"), ("中文 (Chinese)", "zh"))
# Serif faces that hold Latin and Han; Qt falls back per character to any installed CJK font.
TEXT_FONTS = ["Noto Serif CJK SC", "Noto Serif", "Source Han Serif SC", "Songti SC", "SimSun", "serif"]
HISTORY_LIMIT = 200


def text_font() -> QFont:
    font = QFont()
    font.setFamilies(TEXT_FONTS)
    font.setPointSize(13)
    return font


def describe_scores(output: dict[str, Any]) -> str:
    scores = output.get("scores") or {}
    parts = [f"{name} {value:.2f}" for name, value in scores.items() if name != "copy_longest"]
    copy = output.get("copy") or {}
    if copy.get("source_path"):
        parts.append(f"longest copied span {copy.get('longest', 0)} characters "
                     f"({Path(copy['source_path']).name})")
    return " · ".join(parts)


class TextEditor(QWidget):
    kind = "text"
    title = "Text"

    document_changed = Signal()
    error_occurred = Signal(object)        # a RagartError for the window's error panel
    status_message = Signal(str)

    def __init__(self, home: Home, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.home = home
        self._library: Optional[Callable[[], Any]] = None
        self._worker = None
        self._history: Optional[HistoryStore] = None
        self._job_id: Optional[int] = None
        self._outputs: list[dict[str, Any]] = []
        self._provenance: list[Optional[dict[str, Any]]] = []
        self._chosen: Optional[int] = None     # the variation last put into the text
        self._build()

    # -- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("A theme or a first line — 雪夜, the harbour at dawn …")
        self.form_box = QComboBox()
        for label, name in FORM_CHOICES:
            self.form_box.addItem(label, name)
        self.lines = QSpinBox()
        self.lines.setRange(0, 64)
        self.lines.setSpecialValueText("the form's")
        self.language = QComboBox()
        for label, code in LANGUAGE_CHOICES:
            self.language.addItem(label, code)
        self.engine = QComboBox()
        self.engine.addItem("Built-in recombination (no model needed)", "builtin")
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.1, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(0.9)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.count = QSpinBox()
        self.count.setRange(1, 8)
        self.count.setValue(3)
        self.retrieve = QCheckBox("Retrieve passages from the library")
        self.retrieve.setChecked(True)
        self.write_button = QPushButton("Write")
        self.write_button.clicked.connect(self.write)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        controls = QWidget()
        form = QFormLayout(controls)
        form.addRow("Theme", self.prompt)
        form.addRow("Form", self.form_box)
        form.addRow("Lines", self.lines)
        form.addRow("Language", self.language)
        form.addRow("Engine", self.engine)
        form.addRow("Temperature", self.temperature)
        form.addRow("Seed", self.seed)
        form.addRow("Variations", self.count)
        form.addRow(self.retrieve)
        buttons = QHBoxLayout()
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.cancel_button)
        form.addRow(buttons)

        self.document = QPlainTextEdit()
        self.document.setFont(text_font())
        self.document.setPlaceholderText("Your text. Generated lines go in at the cursor or over the selection.")
        self.document.textChanged.connect(self.document_changed)
        self.stream = QPlainTextEdit()
        self.stream.setReadOnly(True)
        self.stream.setFont(text_font())
        self.stream.setPlaceholderText("A generation appears here as it is written.")
        self.variations = QListWidget()
        self.variations.currentRowChanged.connect(self._show_variation)
        self.scores = QLabel("")
        self.scores.setWordWrap(True)
        self.warnings = QLabel("")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #c0392b;")
        self.insert_button = QPushButton("Insert at cursor")
        self.insert_button.clicked.connect(self.insert_at_cursor)
        self.replace_button = QPushButton("Replace selection")
        self.replace_button.clicked.connect(self.replace_selection)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(lambda: self.export())
        actions = QHBoxLayout()
        for b in (self.insert_button, self.replace_button, self.export_button):
            actions.addWidget(b)
        middle = QWidget()
        mid = QVBoxLayout(middle)
        mid.addWidget(self.document, 3)
        mid.addWidget(QLabel("Being written"))
        mid.addWidget(self.stream, 1)
        mid.addWidget(QLabel("Variations"))
        mid.addWidget(self.variations, 1)
        mid.addWidget(self.scores)
        mid.addWidget(self.warnings)
        mid.addLayout(actions)

        self.passages = QListWidget()
        self.passages.setWordWrap(True)
        self.passages.setTextElideMode(Qt.TextElideMode.ElideNone)   # the source line stays visible
        self.passages.itemDoubleClicked.connect(self._open_source)
        self.history_list = QListWidget()
        self.history_list.itemClicked.connect(self._show_history_item)
        right = QWidget()
        side = QVBoxLayout(right)
        side.addWidget(QLabel("Passages it was written from (double-click opens the note)"))
        side.addWidget(self.passages, 2)
        side.addWidget(QLabel("History"))
        side.addWidget(self.history_list, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        for w, stretch in ((controls, 0), (middle, 1), (right, 0)):
            splitter.addWidget(w)
            splitter.setStretchFactor(splitter.count() - 1, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._set_running(False)

    # -- services ----------------------------------------------------------------------------------
    def use_services(self, library: Callable[[], Any], worker: Any, history: HistoryStore, settings: Any) -> None:
        """The library (a callable run on the worker), the model worker and the history store."""
        self._library, self._worker, self._history = library, worker, history
        worker.preview.connect(self._on_preview)
        self.engine.clear()
        for label, name in text_engines(self.home, settings):
            self.engine.addItem(label, name)
        self.reload_history()

    def reload_history(self) -> None:
        self.history_list.clear()
        if self._history is None:
            return
        try:
            records = [r for r in self._history.load(HISTORY_LIMIT) if r.kind == "text"]
        except RagartError as exc:
            self.error_occurred.emit(exc)
            return
        for record in records:
            self._add_history(record)

    def _add_history(self, record: HistoryRecord, first: bool = False) -> None:
        prompt = str(record.request.get("prompt", ""))[:40]
        item = QListWidgetItem(f"{record.time[:16].replace('T', ' ')}  {record.request.get('form', '')}  {prompt}")
        item.setData(Qt.ItemDataRole.UserRole, record)
        if first:
            self.history_list.insertItem(0, item)
        else:
            self.history_list.addItem(item)

    # -- generation --------------------------------------------------------------------------------
    def request(self):
        from ragart_desktop.core.generate.text.request import TextRequest

        return TextRequest(prompt=self.prompt.text().strip(), form=self.form_box.currentData(),
                           lines=self.lines.value() or None, language=self.language.currentData(),
                           retrieve=self.retrieve.isChecked(), engine=self.engine.currentData() or "builtin",
                           temperature=round(self.temperature.value(), 2), seed=self.seed.value(),
                           count=self.count.value()).validate()

    def write(self) -> Optional[int]:
        if self._worker is None or self._job_id is not None:
            return None
        try:
            req = self.request()
        except RagartError as exc:
            self.error_occurred.emit(exc)
            return None
        self.stream.clear()
        self._set_running(True)
        self.status_message.emit("Writing…")
        started = time.perf_counter()
        self._job_id = self._worker.submit(
            f"Write: {req.prompt[:40]}", text_job(req, self.home, self._library, self._history),
            on_result=lambda result: self._done(result, time.perf_counter() - started),
            on_error=self._failed, on_cancel=lambda: self._set_running(False))
        return self._job_id

    def cancel(self) -> None:
        if self._worker is not None and self._job_id is not None:
            self._worker.cancel(self._job_id)

    def _set_running(self, running: bool) -> None:
        if not running:
            self._job_id = None
        self.write_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _on_preview(self, job_id: int, payload: Any) -> None:
        if job_id == self._job_id and isinstance(payload, str):
            self.stream.setPlainText(payload)
            self.stream.moveCursor(QTextCursor.MoveOperation.End)

    def _failed(self, report: Any) -> None:
        self._set_running(False)
        self.error_occurred.emit(report)

    def _done(self, result: TextJobResult, seconds: float) -> None:
        self._set_running(False)
        self._add_history(result.record, first=True)
        self.show_record(result.record, result.provenance, result.passages)
        self.status_message.emit(f"Wrote {len(result.record.outputs)} variation(s) in {seconds:.1f} s")

    # -- variations, passages, history -------------------------------------------------------------
    def show_record(self, record: HistoryRecord, provenance: Optional[list[dict[str, Any]]] = None,
                    passages: Optional[list[dict[str, Any]]] = None) -> None:
        """Offer a job's outputs as variations (and, when known, the passages it was written from)."""
        self._outputs = list(record.outputs)
        self._provenance = list(provenance) if provenance else [None] * len(self._outputs)
        self.variations.clear()
        for out in self._outputs:
            first = next((line for line in str(out.get("text", "")).splitlines() if line.strip()), "")
            flag = "  ⚠" if out.get("warnings") else ""
            self.variations.addItem(f"seed {out.get('seed')}: {first}{flag}")
        if passages is not None:
            self.passages.clear()
            for p in passages:
                item = QListWidgetItem(f"{p['text']}\n— {Path(p['path']).name}, line {p['line']} "
                                       f"(weight {p['weight']:.2f})")
                item.setData(Qt.ItemDataRole.UserRole, p)
                item.setToolTip(p["path"])
                self.passages.addItem(item)
        if self._outputs:
            self.variations.setCurrentRow(0)

    def _show_variation(self, row: int) -> None:
        if not 0 <= row < len(self._outputs):
            self.scores.setText("")
            self.warnings.setText("")
            return
        out = self._outputs[row]
        self.stream.setPlainText(str(out.get("text", "")))
        self.scores.setText(describe_scores(out))
        self.warnings.setText("\n".join(f"⚠ {w}" for w in out.get("warnings") or []))

    def _show_history_item(self, item: QListWidgetItem) -> None:
        record: HistoryRecord = item.data(Qt.ItemDataRole.UserRole)
        self.show_record(record)

    def _open_source(self, item: QListWidgetItem) -> None:
        passage = item.data(Qt.ItemDataRole.UserRole)
        if passage and passage.get("path"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(passage["path"]))

    def selected_text(self) -> str:
        row = self.variations.currentRow()
        return str(self._outputs[row].get("text", "")) if 0 <= row < len(self._outputs) else ""

    # -- editing -----------------------------------------------------------------------------------
    def insert_at_cursor(self) -> None:
        text = self.selected_text()
        if text:
            cursor = self.document.textCursor()
            cursor.clearSelection()
            cursor.insertText(text)
            self._chosen = self.variations.currentRow()

    def replace_selection(self) -> None:
        text = self.selected_text()
        if text:
            self.document.textCursor().insertText(text)   # a selection is replaced; none: inserted
            self._chosen = self.variations.currentRow()

    def export(self, path: Optional[str] = None) -> Optional[Path]:
        """Write the text as .md (front matter) or .txt (sidecar) with the provenance of the
        variation it took in (marked ``edited`` when the text is no longer exactly that)."""
        from ragart_desktop.core.generate.text.provenance import save_text

        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export text", str(self.home.outputs_dir),
                                                  "Markdown with provenance (*.md);;Plain text + sidecar (*.txt)")
            if not path:
                return None
        text = self.document.toPlainText()
        record: dict[str, Any] = {"app": "RagArt Desktop", "kind": "text"}
        if self._chosen is not None and self._chosen < len(self._provenance) and self._provenance[self._chosen]:
            record = dict(self._provenance[self._chosen])
            record["edited"] = text.strip() != str(self._outputs[self._chosen].get("text", "")).strip()
        try:
            written = save_text(text, path, record)
        except RagartError as exc:
            self.error_occurred.emit(exc)
            return None
        self.status_message.emit(f"Exported {written}")
        return written

    def shutdown(self) -> None:
        self.cancel()
