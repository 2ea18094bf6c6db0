"""The Text tab: write with the library.

Left, what to write (theme or first line, form, lines, language, engine, temperature, seed,
variations, retrieval) and Write/Cancel. Middle, the artist's own text (a plain-text editor; CJK
input methods and fonts work as in any Qt text field), the box where a generation streams in as it
is written, the variations to choose from with their scores and copy warnings, and Insert at
cursor / Replace selection. Right, the passages it was written from (a click shows the note in the
browser, a double-click opens it) and the text jobs of the history (click one to see its variations
again). Export writes the text as .md (front matter) or .txt (sidecar) with the provenance of the
variation it came from.

It is an ``Editor`` (ui/editors.py) of kind "text": Write hands the request to the generation
service, which runs the text pipeline on the model worker, streams the text so far back through
``show_preview`` and the variations through ``take_results``. File > New empties the text, Open
reads a .txt/.md (with the record it carries), Save writes it back; the window asks "save changes?"
before New, Open and quit.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont, QTextCursor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QSpinBox, QSplitter,
                               QVBoxLayout, QWidget)

from ragart_desktop.core.errors import RagartError
from ragart_desktop.core.history import HistoryRecord
from ragart_desktop.core.home import Home
from ragart_desktop.core.kinds import kind_named
from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.editors import Editor
from ragart_desktop.ui.file_dialogs import FileDialogs
from ragart_desktop.ui.generation_service import Generated, GenerationService
from ragart_desktop.ui.text.engines import text_engines

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


@dataclass(frozen=True)
class TextUndo:
    """The undo stack of the text being written (the Edit menu's Undo and Redo)."""

    edit: QPlainTextEdit

    @property
    def can_undo(self) -> bool:
        return self.edit.document().isUndoAvailable()

    @property
    def can_redo(self) -> bool:
        return self.edit.document().isRedoAvailable()

    undo_label = redo_label = None

    def undo(self) -> bool:
        self.edit.undo()
        return True

    def redo(self) -> bool:
        self.edit.redo()
        return True


class TextEditor(Editor):
    kind = "text"
    title = "Text"

    def __init__(self, home: Home, parent: Optional[QWidget] = None, *, dialogs: Optional[FileDialogs] = None,
                 in_steps: bool = False):
        super().__init__(parent)
        self.home = home
        self.dialogs = dialogs if dialogs is not None else FileDialogs(Settings())
        self._generation: Optional[GenerationService] = None
        self._exported: Optional[Path] = None   # where Save/Export last wrote the text
        self._job_id: Optional[int] = None
        self._outputs: list[dict[str, Any]] = []
        self._provenance: list[Optional[dict[str, Any]]] = []
        # The text and provenance record the document came from: the variation last put into it,
        # or the file opened (None: the user's own words).
        self._source: Optional[tuple[str, dict[str, Any]]] = None
        self._build_in_parts(self._parts(), in_steps)

    # -- layout ------------------------------------------------------------------------------------
    def _parts(self) -> Iterator[None]:
        """The controls, the document and its variations, the passages and history (see
        ``Editor._build_in_parts``)."""
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
        for box in (self.form_box, self.language, self.engine):   # long names are elided, not widening
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
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
        yield

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
        yield

        self.passages = QListWidget()
        self.passages.setWordWrap(True)
        self.passages.setTextElideMode(Qt.TextElideMode.ElideNone)   # the source line stays visible
        self.passages.itemDoubleClicked.connect(self._open_source)
        self.passages.itemClicked.connect(self._reveal_source)
        self.history_list = QListWidget()
        self.history_list.itemClicked.connect(self._show_history_item)
        right = QWidget()
        side = QVBoxLayout(right)
        heading = QLabel("Passages it was written from (click: show in the library; double-click: open)")
        heading.setWordWrap(True)       # never widens the window
        side.addWidget(heading)
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

    # -- the Editor interface -----------------------------------------------------------------------
    def document_name(self) -> str:
        return self._exported.name if self._exported is not None else "Untitled"

    def is_modified(self) -> bool:
        return self.document.document().isModified()

    def undo_stack(self) -> TextUndo:
        return TextUndo(self.document)

    def commands(self) -> Mapping[str, Callable[[], Any]]:
        return {"new_document": self.new_document, "open_file": self.open_file, "save": self.save,
                "save_as": lambda: self.export(), "export": lambda: self.export()}

    def save(self) -> bool:
        return self.export(self._exported) is not None

    def attach(self, generation: GenerationService, settings: Settings) -> None:
        """Write runs on ``generation``; its engines (models in the folders) and the text jobs of
        history are read on its worker."""
        self._generation = generation
        home, history = self.home, generation.history

        def read(task) -> tuple[list[tuple[str, str]], list[HistoryRecord]]:
            return text_engines(home, settings), [r for r in history.load(HISTORY_LIMIT) if r.kind == "text"]

        generation.worker.submit("Text engines and history", read, visible=False, on_result=self._attached)

    def _attached(self, found: tuple[list[tuple[str, str]], list[HistoryRecord]]) -> None:
        engines, records = found
        self.engine.clear()
        for label, name in engines:
            self.engine.addItem(label, name)
        self.history_list.clear()
        for record in records:
            self._add_history(record)

    def take_results(self, generated: Generated) -> None:
        result = generated.result
        self._set_running(False)
        self._add_history(generated.record, first=True)
        self.show_record(generated.record, [result.record(o) for o in result.outputs],
                         [p.to_json() for p in result.passages])
        self.status_message.emit(f"Wrote {len(generated.record.outputs)} variation(s) in {result.seconds:.1f} s")

    def show_preview(self, payload: Any) -> None:
        if isinstance(payload, str):
            self.stream.setPlainText(payload)
            self.stream.moveCursor(QTextCursor.MoveOperation.End)

    def generation_ended(self) -> None:
        self._set_running(False)

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

    def load_request(self, request: Mapping[str, Any]) -> None:
        """A text job's request back in the controls (History > Re-run): Write makes it again."""
        self.prompt.setText(str(request.get("prompt", "")))
        for box, key in ((self.form_box, "form"), (self.language, "language"), (self.engine, "engine")):
            index = box.findData(request.get(key))
            if index >= 0:
                box.setCurrentIndex(index)
        self.lines.setValue(int(request.get("lines") or 0))
        self.temperature.setValue(float(request.get("temperature", 0.9)))
        self.seed.setValue(int(request.get("seed", 0)))
        self.count.setValue(int(request.get("count", 1)))
        self.retrieve.setChecked(bool(request.get("retrieve", True)))

    def write(self) -> Optional[int]:
        if self._generation is None or self._job_id is not None:
            return None
        try:
            req = self.request()
        except RagartError as exc:
            self.error_occurred.emit(exc)
            return None
        self.stream.clear()
        self._set_running(True)
        self.status_message.emit("Writing…")
        self._job_id = self._generation.generate("text", lambda work_dir: req, f"Write: {req.prompt[:40]}",
                                                 target=self)
        return self._job_id

    def cancel(self) -> None:
        if self._generation is not None and self._job_id is not None:
            self._generation.cancel(self._job_id)

    def _set_running(self, running: bool) -> None:
        if not running:
            self._job_id = None
        self.write_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

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

    def _reveal_source(self, item: QListWidgetItem) -> None:
        """Show the passages' notes in the browser, this one selected."""
        focus = (item.data(Qt.ItemDataRole.UserRole) or {}).get("id")
        shown = (self.passages.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.passages.count()))
        ids = [p["id"] for p in shown if p and p.get("id") is not None]
        if focus is not None:
            self.reveal_requested.emit(list(dict.fromkeys(ids)), focus)

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
            self._took_in_current()

    def replace_selection(self) -> None:
        text = self.selected_text()
        if text:
            self.document.textCursor().insertText(text)   # a selection is replaced; none: inserted
            self._took_in_current()

    def _took_in_current(self) -> None:
        row = self.variations.currentRow()
        record = self._provenance[row] if 0 <= row < len(self._provenance) else None
        if record:
            self._source = (self.selected_text(), record)

    def new_document(self) -> None:
        """An empty text (the window asked "save changes?" first)."""
        self._load("", None, None)

    def open_file(self) -> bool:
        """A .txt or .md into the text, with the RagArt record it carries (kept when it is saved)."""
        from ragart_desktop.core.generate.text.provenance import read_text_file

        path = self.dialogs.open_file(self, "Open text", kind_named("text").file_filter)
        if not path:
            return False
        text, record = read_text_file(path)
        self._load(text, Path(path), record)
        return True

    def _load(self, text: str, path: Optional[Path], record: Optional[dict[str, Any]]) -> None:
        self.document.setPlainText(text)
        self.document.document().setModified(False)
        self._exported = path
        self._source = (text, record) if record else None
        self.document_changed.emit()

    def export(self, path: Optional[str | Path] = None) -> Optional[Path]:
        """Write the text as .md (front matter) or .txt (sidecar) with the provenance of the
        variation it took in (marked ``edited`` when the text is no longer exactly that)."""
        from ragart_desktop.core.generate.text.provenance import save_text

        if path is None:
            path = self.dialogs.save_file(self, "Export text", "untitled.md",
                                          "Markdown with provenance (*.md);;Plain text + sidecar (*.txt)")
            if not path:
                return None
        text = self.document.toPlainText()
        record: dict[str, Any] = {"app": "RagArt Desktop", "kind": "text"}
        if self._source is not None:
            taken, record = self._source[0], dict(self._source[1])
            record["edited"] = bool(record.get("edited")) or text.strip() != taken.strip()
        try:
            written = save_text(text, path, record)
        except RagartError as exc:
            self.error_occurred.emit(exc)
            return None
        self._exported = Path(written)
        self.document.document().setModified(False)
        self.document_changed.emit()
        self.status_message.emit(f"Exported {written}")
        return written

    def shutdown(self) -> None:
        self.cancel()
