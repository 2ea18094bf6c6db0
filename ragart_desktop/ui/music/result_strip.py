"""Generated variations side by side: a picture of each, its metrics, a near-copy warning naming the
library piece, and Audition / Accept / Discard.

Auditioning plays the score as it would be with the variation accepted, without touching the
document; accepting applies it as one undoable step. The metrics are the ones generation computed
(core/generate/music/evaluate): in-key ratio, note density, style match with the references.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QToolButton, QVBoxLayout,
                               QWidget)

from ragart_desktop.core.generate.meanings import score_meaning
from ragart_desktop.core.music.phrase import Merged, Phrase
from ragart_desktop.core.music.score import Score
from ragart_desktop.ui.music import palette
from ragart_desktop.ui.theme import accent, secondary

THUMB_W, THUMB_H = 220, 70
METRICS = (("in_key_ratio", "{:.0%}"), ("note_density", "{:.2f}/beat"), ("style_match", "{:.2f}"))


@dataclass
class Variation:
    key: int
    phrase: Phrase                 # what it was generated from
    result: Score                  # the generated piece (as its MIDI file holds it)
    merged: Merged                 # the document with it merged in, when it arrived (its picture)
    output: dict[str, Any]         # the history record's output: path, seed, metrics, warnings ...
    label: str                     # what made it: "Continue, seed 12"


def describe_metrics(output: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, value, meaning) for the metrics a musician reads first."""
    metrics = output.get("metrics") or {}
    return [(meaning.label, fmt.format(metrics[key]), meaning.short)
            for key, fmt in METRICS if key in metrics for meaning in [score_meaning(key, kind="music")]]


def near_copy_text(output: dict[str, Any]) -> Optional[str]:
    """The near-copy warning, naming the library piece, or None."""
    if not output.get("near_copy"):
        return None
    copied = next((w for w in output.get("warnings") or [] if "near copy" in w.lower()), "")
    nearest = (output.get("nearest_library_item") or {}).get("path")
    name = Path(copied.split("matches ", 1)[1].split(" up to", 1)[0]).name if "matches " in copied else \
        (Path(nearest).name if nearest else "a library piece")
    notes = int((output.get("metrics") or {}).get("longest_copy_notes") or 0)
    return f"⚠ Near copy of {name}: {notes} notes in a row match it (up to key and tempo)"


def thumbnail(score: Score, start: float, end: float, width: int = THUMB_W, height: int = THUMB_H) -> QPixmap:
    """The notes of ``score`` between beats ``start`` and ``end``, in their tracks' colours."""
    pixmap = QPixmap(width, height)
    pixmap.fill(palette.ROLL_WHITE_ROW)
    notes = [(i, n) for i, t in enumerate(score.tracks) for n in t.notes if n.end > start and n.start < end]
    if not notes or end <= start:
        return pixmap
    pitches = np.array([n.pitch for _, n in notes])
    low, high = int(pitches.min()) - 1, int(pitches.max()) + 1
    row = height / max(1, high - low + 1)
    scale = width / (end - start)
    p = QPainter(pixmap)
    p.setPen(Qt.PenStyle.NoPen)
    for i, n in notes:
        p.setBrush(palette.track_colour(score.tracks[i].colour, i))
        p.drawRect(QRectF((n.start - start) * scale, (high - n.pitch) * row, max(1.5, n.duration * scale - 0.5),
                          max(1.5, row - 0.5)))
    p.end()
    return pixmap


class VariationCard(QFrame):
    audition = Signal(int)
    accept = Signal(int)
    discard = Signal(int)

    def __init__(self, variation: Variation, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.key = variation.key
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("VariationCard")
        merged = variation.merged
        margin = max(2.0, (merged.end - merged.start) * 0.15)
        picture = QLabel()
        picture.setPixmap(thumbnail(merged.score, max(0.0, merged.start - margin), merged.end + margin))
        picture.setToolTip(str(variation.output.get("path") or ""))
        title = QLabel(f"<b>#{variation.key}</b> {variation.label}")
        facts = QLabel(f"+{merged.added} notes" + (f", −{merged.removed}" if merged.removed else ""))
        secondary(facts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addWidget(title)
        layout.addWidget(picture)
        layout.addWidget(facts)
        for label, value, meaning in describe_metrics(variation.output):
            line = QLabel(f"{label}: <b>{value}</b>")
            line.setToolTip(meaning)
            layout.addWidget(line)
        warning = near_copy_text(variation.output)
        self.warning = QLabel(warning or "")
        self.warning.setWordWrap(True)
        accent(self.warning, "alert")
        self.warning.setVisible(warning is not None)
        self.warning.setMaximumWidth(THUMB_W)
        layout.addWidget(self.warning)
        self.play_button = QToolButton(text="▶ Audition")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Hear the score with this variation in it (nothing changes until you accept)")
        self.play_button.clicked.connect(lambda: self.audition.emit(self.key))
        accept = QPushButton("Accept")
        accept.setToolTip("Put it into the score (one undoable step)")
        accept.clicked.connect(lambda: self.accept.emit(self.key))
        discard = QToolButton(text="Discard")
        discard.clicked.connect(lambda: self.discard.emit(self.key))
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(accept)
        buttons.addWidget(discard)
        layout.addLayout(buttons)
        self.setFixedWidth(THUMB_W + 16)

    def set_playing(self, playing: bool) -> None:
        self.play_button.setChecked(playing)
        self.play_button.setText("■ Stop" if playing else "▶ Audition")


class MusicResultStrip(QWidget):
    audition_requested = Signal(object)     # Variation, or None to stop
    accepted = Signal(object)               # Variation
    changed = Signal()

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.variations: dict[int, Variation] = {}
        self.cards: dict[int, VariationCard] = {}
        self.playing: Optional[int] = None
        self._next = 1
        self._row = QHBoxLayout()
        self._row.setContentsMargins(2, 2, 2, 2)
        self._row.addStretch(1)
        holder = QWidget()
        holder.setLayout(self._row)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.title = QLabel("Variations")
        self.title.setStyleSheet("font-weight: bold;")
        clear = QToolButton(text="Discard all")
        clear.clicked.connect(self.clear)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(header)
        layout.addWidget(scroll)
        self.setFixedHeight(THUMB_H + 200)
        self.hide()

    def __len__(self) -> int:
        return len(self.variations)

    def add(self, phrase: Phrase, result: Score, merged: Merged, output: dict[str, Any], label: str) -> Variation:
        variation = Variation(self._next, phrase, result, merged, dict(output), label)
        self._next += 1
        card = VariationCard(variation)
        card.audition.connect(self._audition)
        card.accept.connect(self._accept)
        card.discard.connect(self.discard)
        self._row.insertWidget(self._row.count() - 1, card)
        self.variations[variation.key] = variation
        self.cards[variation.key] = card
        self.show()
        self.changed.emit()
        return variation

    def _audition(self, key: int) -> None:
        if self.playing == key:
            self.stop_audition()
            self.audition_requested.emit(None)
            return
        self.set_playing(key)
        self.audition_requested.emit(self.variations[key])

    def set_playing(self, key: Optional[int]) -> None:
        self.playing = key
        for k, card in self.cards.items():
            card.set_playing(k == key)

    def stop_audition(self) -> None:
        self.set_playing(None)

    def _accept(self, key: int) -> None:
        variation = self.variations.get(key)
        if variation is not None:
            self.accepted.emit(variation)

    def discard(self, key: int) -> None:
        if self.playing == key:
            self.stop_audition()
            self.audition_requested.emit(None)
        self.variations.pop(key, None)
        card = self.cards.pop(key, None)
        if card is not None:
            card.setParent(None)
            card.deleteLater()
        self.setVisible(bool(self.variations))
        self.changed.emit()

    def clear(self) -> None:
        for key in list(self.variations):
            self.discard(key)
