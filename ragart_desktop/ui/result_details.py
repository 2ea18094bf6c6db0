"""What a generated result is made of, shown where the artist works (the result strip, history):
the references that shaped it, its scores with what each means, and a near-copy warning that names
the library item.

``explain`` reads one output's record into plain words: the provenance record a PNG carries (its
``ragart`` chunk) or the output entry of a history record; both hold ``references``, ``scores``,
``nearest_library_item`` and ``warnings``. ``ResultDetails`` shows an ``Explanation``; clicking a
reference (or the near-copy's "show it") asks the window to reveal those items in the browser.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Protocol

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ragart_desktop.core.generate.meanings import score_meaning
from ragart_desktop.ui.theme import accent, secondary

# The guards' warnings: a picture's ("near-copy of PATH: 93% of …", older records "… (similarity") and
# a piece's ("near copy: a passage of 16 notes (from beat 8) matches NAME up to key and tempo").
_PATH_IN_WARNING = re.compile(r"near-copy of (.+?)(?:: \d+% of the picture| \(similarity)|matches (.+?) up to key")


@dataclass(frozen=True)
class ShownReference:
    path: str
    weight: float
    item_id: Optional[int] = None
    source: str = ""          # "pinned" | "retrieved" (older records do not say)
    why: str = ""

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class ShownScore:
    key: str
    value: float
    label: str
    meaning: str              # a few words, on screen
    explanation: str = ""     # the whole story, in its tooltip


@dataclass(frozen=True)
class NearCopy:
    item_id: Optional[int]
    name: str                 # the library item's file name
    similarity: Optional[float]
    warning: str              # the guard's own words


@dataclass(frozen=True)
class Explanation:
    references: list[ShownReference] = field(default_factory=list)
    scores: list[ShownScore] = field(default_factory=list)
    near_copy: Optional[NearCopy] = None
    warnings: list[str] = field(default_factory=list)    # the others

    @property
    def empty(self) -> bool:
        return not (self.references or self.scores or self.near_copy or self.warnings)


def explain(record: dict[str, Any], kind: str = "image") -> Explanation:
    """The references, scores and warnings of one output record of a ``kind`` job, in words."""
    references = [ShownReference(path=str(r.get("path") or ""), weight=float(r.get("weight") or 0.0),
                                 item_id=r.get("id"), source=str(r.get("source") or ""), why=str(r.get("why") or ""))
                  for r in record.get("references") or [] if r.get("path")]
    fit_method = str(record.get("prompt_fit_method") or "")
    scores = [ShownScore(key, float(value), *score_meaning(key, fit_method, kind))
              for key, value in (record.get("scores") or record.get("metrics") or {}).items()]
    nearest = record.get("nearest_library_item") or {}
    if nearest.get("similarity") is not None:
        scores.append(ShownScore("nearest_similarity", float(nearest["similarity"]),
                                 *score_meaning("nearest_similarity", kind=kind)))
    near_copy, others = None, []
    for warning in record.get("warnings") or []:
        if near_copy is None and re.search(r"near[- ]copy", warning, re.IGNORECASE):
            near_copy = _near_copy(warning, nearest, references)
        else:
            others.append(str(warning))
    return Explanation(references, scores, near_copy, others)


def _near_copy(warning: str, nearest: dict[str, Any], references: list[ShownReference]) -> NearCopy:
    """The copied item as the warning names it. The nearest item (its id, to show it, and its
    similarity) only when it is that item: a piece's copied passage may come from another piece than
    the one nearest overall."""
    found = _PATH_IN_WARNING.search(warning)
    named = Path(found.group(1) or found.group(2)).name if found else None
    item_id = nearest.get("id")
    nearest_name = next((ref.name for ref in references if item_id is not None and ref.item_id == item_id),
                        Path(str(nearest.get("path") or "")).name)
    if named is None or named == nearest_name:
        return NearCopy(item_id, named or nearest_name or "a library item", nearest.get("similarity"), warning)
    return NearCopy(None, named, None, warning)


def unselected_icon(pixmap: QPixmap) -> QIcon:
    """An icon drawn the same when its item is selected (the style would tint a picture)."""
    icon = QIcon()
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
        icon.addPixmap(pixmap, mode)
    return icon


class ThumbnailSource(Protocol):
    """The browser's thumbnail cache: ``get`` never blocks (None until loaded, then ``loaded``)."""

    loaded: Any

    def get(self, item_id: int, kind: str = "image") -> Optional[QPixmap]: ...


REF_ICON = 40


class ResultDetails(QWidget):
    """The near-copy warning, the scores with their meanings and the references of one result."""

    reveal_requested = Signal(list, object)    # library item ids to show in the browser, the one to select

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.thumbnails: Optional[ThumbnailSource] = None
        self.explanation = Explanation()
        self.near_copy = QLabel()
        accent(self.near_copy, "alert")
        self.near_copy.setWordWrap(True)
        self.near_copy.setTextFormat(Qt.TextFormat.RichText)
        self.near_copy.linkActivated.connect(lambda _: self._reveal(self.explanation.near_copy.item_id))
        self.near_copy.hide()
        self.other_warnings = QLabel()
        self.other_warnings.setWordWrap(True)
        self.other_warnings.hide()
        self.scores = QGridLayout()
        self.scores.setContentsMargins(0, 0, 0, 0)
        self.scores.setHorizontalSpacing(8)
        self.scores.setVerticalSpacing(1)
        self.references_title = QLabel("References")
        secondary(self.references_title)
        self.references = QHBoxLayout()
        self.references.setContentsMargins(0, 0, 0, 0)
        self.reference_buttons: list[QToolButton] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.near_copy)
        layout.addWidget(self.other_warnings)
        layout.addLayout(self.scores)
        layout.addWidget(self.references_title)
        layout.addLayout(self.references)
        layout.addStretch(1)
        self.show_explanation(Explanation())

    def set_thumbnails(self, source: Optional[ThumbnailSource]) -> None:
        self.thumbnails = source
        if source is not None:
            source.loaded.connect(lambda _: self.refresh_thumbnails())
        self.refresh_thumbnails()

    def show_record(self, record: dict[str, Any], kind: str = "image") -> None:
        self.show_explanation(explain(record, kind))

    def show_explanation(self, explanation: Explanation) -> None:
        self.explanation = explanation
        near = explanation.near_copy
        self.near_copy.setVisible(near is not None)
        if near is not None:
            similarity = f" (similarity {near.similarity:.2f})" if near.similarity is not None else ""
            show = ' <a href="show">Show it</a>' if near.item_id is not None else ""
            self.near_copy.setText(f"<b>⚠ Near-copy of {html.escape(near.name)}</b>{similarity}: too close to "
                                   f"one library item to count as a new work.{show}")
            self.near_copy.setToolTip(near.warning)
        self.other_warnings.setVisible(bool(explanation.warnings))
        self.other_warnings.setText("\n".join(f"⚠ {w}" for w in explanation.warnings))
        self._fill_scores(explanation.scores)
        self._fill_references(explanation.references)

    def _fill_scores(self, scores: list[ShownScore]) -> None:
        _clear(self.scores)
        for row, score in enumerate(scores):
            label, value, meaning = QLabel(score.label), QLabel(f"{score.value:.2f}"), QLabel(score.meaning)
            secondary(meaning)
            for widget in (label, value, meaning):
                widget.setToolTip(f"{score.label} ({score.key} = {score.value:.4f}): "
                                  f"{score.explanation or score.meaning}")
            self.scores.addWidget(label, row, 0)
            self.scores.addWidget(value, row, 1)
            self.scores.addWidget(meaning, row, 2)
        self.scores.setColumnStretch(2, 1)

    def _fill_references(self, references: list[ShownReference]) -> None:
        _clear(self.references)
        self.reference_buttons = []
        self.references_title.setVisible(bool(references))
        for ref in references:
            button = QToolButton()
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setIconSize(QSize(REF_ICON, REF_ICON))
            button.setAutoRaise(True)
            button.setText(f"{_short(Path(ref.path).stem)} {ref.weight:.2f}")
            source = f"{ref.source}: " if ref.source else ""
            button.setToolTip(f"{ref.path}\n{source}{ref.why or 'weight ' + format(ref.weight, '.2f')}"
                              + ("\nClick to show it in the browser" if ref.item_id is not None else ""))
            button.setEnabled(ref.item_id is not None)
            button.clicked.connect(lambda _=False, item_id=ref.item_id: self._reveal(item_id))
            self.references.addWidget(button)
            self.reference_buttons.append(button)
        self.references.addStretch(1)
        self.refresh_thumbnails()

    def refresh_thumbnails(self) -> None:
        if self.thumbnails is None:
            return
        for ref, button in zip(self.explanation.references, self.reference_buttons):
            pixmap = self.thumbnails.get(ref.item_id) if ref.item_id is not None else None
            if isinstance(pixmap, QPixmap) and not pixmap.isNull():
                button.setIcon(QIcon(pixmap))

    def _reveal(self, focus: Optional[int]) -> None:
        ids = [r.item_id for r in self.explanation.references if r.item_id is not None]
        near = self.explanation.near_copy
        if near is not None and near.item_id is not None and near.item_id not in ids:
            ids.append(near.item_id)
        if focus is not None:
            self.reveal_requested.emit(ids, focus)


def _clear(layout) -> None:
    while layout.count():
        widget = layout.takeAt(0).widget()
        if widget is not None:
            widget.deleteLater()


def _short(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
