"""The track list: one row per track with its colour, name, instrument (General MIDI or drums), mute
and solo. Click a row to edit that track in the roll (the others show as ghost notes). Every change
is a document command, so it is undoable like a note edit."""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QCheckBox, QColorDialog, QComboBox, QFrame, QHBoxLayout, QLineEdit, QScrollArea,
                               QToolButton, QVBoxLayout, QWidget)

from ragart_desktop.core.music.gm import FAMILIES, PROGRAMS
from ragart_desktop.core.music.score import Track
from ragart_desktop.ui.music import palette
from ragart_desktop.ui.music.state import RollState

DRUMS = -1        # the instrument box's entry for a drum track (channel 10)


def instrument_box() -> QComboBox:
    """A box over the one list of instruments every track row shares (built once: a piece with many
    tracks opened 128 items per row)."""
    box = QComboBox()
    box.setModel(_instruments())
    box.setMaxVisibleItems(24)
    return box


@lru_cache(maxsize=1)
def _instruments() -> QStandardItemModel:
    """Drums, then the 128 General MIDI programs in their families (a separator between families,
    drawn as QComboBox.insertSeparator draws its own)."""
    model = QStandardItemModel()
    drums = QStandardItem("Drums (channel 10)")
    drums.setData(DRUMS, Qt.ItemDataRole.UserRole)
    model.appendRow(drums)
    for program, name in enumerate(PROGRAMS):
        if program % 8 == 0:
            separator = QStandardItem()
            separator.setData("separator", Qt.ItemDataRole.AccessibleDescriptionRole)
            separator.setFlags(Qt.ItemFlag.NoItemFlags)
            model.appendRow(separator)
        item = QStandardItem(name)
        item.setData(program, Qt.ItemDataRole.UserRole)
        item.setToolTip(f"{FAMILIES[program // 8]} · program {program + 1}")
        model.appendRow(item)
    return model


def swatch(colour: QColor) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(colour)
    return QIcon(pixmap)


class TrackRow(QFrame):
    activated = Signal(int)

    def __init__(self, state: RollState, track: Track, position: int, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.state, self.track_id = state, track.id
        self.setObjectName("TrackRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.colour = QToolButton()
        self.colour.setToolTip("Colour")
        self.colour.setAutoRaise(True)
        self.colour.clicked.connect(self._pick_colour)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Track name")
        self.name.editingFinished.connect(self._rename)
        self.instrument = instrument_box()
        self.instrument.activated.connect(self._instrument)
        self.mute = QToolButton(text="M", checkable=True)
        self.mute.setToolTip("Mute")
        self.mute.clicked.connect(lambda on: self._set(mute=on))
        self.solo = QToolButton(text="S", checkable=True)
        self.solo.setToolTip("Solo: hear only the soloed tracks")
        self.solo.clicked.connect(lambda on: self._set(solo=on))
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.colour)
        top.addWidget(self.name, 1)
        top.addWidget(self.mute)
        top.addWidget(self.solo)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 3, 4, 3)
        box.setSpacing(2)
        box.addLayout(top)
        box.addWidget(self.instrument)
        for widget in (self.name, self.instrument, self.mute, self.solo, self.colour):
            widget.installEventFilter(self)
        self.show_track(track, position)

    def show_track(self, track: Track, position: int) -> None:
        """Show the track's current properties (after an edit or an undo)."""
        self.colour.setIcon(swatch(palette.track_colour(track.colour, position)))
        if not self.name.hasFocus():
            self.name.setText(track.name)
        self.instrument.setCurrentIndex(self.instrument.findData(DRUMS if track.is_drum else track.program))
        self.mute.setChecked(track.mute)
        self.solo.setChecked(track.solo)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == event.Type.FocusIn or event.type() == event.Type.MouseButtonPress:
            self.activated.emit(self.track_id)
        return False

    def mousePressEvent(self, event) -> None:
        self.activated.emit(self.track_id)

    def set_active(self, active: bool) -> None:
        self.setStyleSheet("QFrame#TrackRow { border: 1px solid %s; background: rgba(61,123,217,40); }"
                           % palette.LOOP_BAR.name() if active else "")

    def _set(self, **values) -> None:
        self.state.doc.set_track(self.track_id, **values)

    def _rename(self) -> None:
        self._set(name=self.name.text().strip())

    def _instrument(self, index: int) -> None:
        value = self.instrument.itemData(index)
        if value == DRUMS:
            self._set(is_drum=True)
        else:
            self._set(is_drum=False, program=int(value))

    def _pick_colour(self) -> None:
        track = self.state.score.track(self.track_id)
        start = palette.track_colour(track.colour, self.state.score.tracks.index(track))
        colour = QColorDialog.getColor(start, self, f"Colour of {track.name or 'the track'}")
        if colour.isValid():
            self._set(colour=colour.name())


class TrackList(QWidget):
    def __init__(self, state: RollState, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.state = state
        self.rows: list[TrackRow] = []
        self._holder = QWidget()
        self._rows_layout = QVBoxLayout(self._holder)
        self._rows_layout.setContentsMargins(2, 2, 2, 2)
        self._rows_layout.setSpacing(3)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._holder)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.add_button = QToolButton(text="+ Track")
        self.add_button.setToolTip("Add a track")
        self.add_button.clicked.connect(self.add_track)
        self.remove_button = QToolButton(text="Remove")
        self.remove_button.setToolTip("Remove the active track (undoable)")
        self.remove_button.clicked.connect(self.remove_track)
        self.ghosts = QCheckBox("Ghost notes")
        self.ghosts.setToolTip("Show the other tracks' notes behind the active track's")
        self.ghosts.setChecked(state.show_ghosts)
        self.ghosts.toggled.connect(self._ghosts)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.ghosts)
        self.setMinimumWidth(220)
        state.layout_changed.connect(self.rebuild)
        state.active_track_changed.connect(self._show_active)
        self.rebuild()

    def rebuild(self) -> None:
        tracks = self.state.score.tracks
        if [row.track_id for row in self.rows] == [t.id for t in tracks]:
            for position, (row, track) in enumerate(zip(self.rows, tracks)):
                row.show_track(track, position)
            return
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        while self._rows_layout.count():
            self._rows_layout.takeAt(0)
        for position, track in enumerate(self.state.score.tracks):
            row = TrackRow(self.state, track, position)
            row.activated.connect(self.state.set_active_track)
            self._rows_layout.addWidget(row)
            self.rows.append(row)
        self._rows_layout.addStretch(1)
        self.remove_button.setEnabled(bool(self.rows))
        self._show_active()

    def _show_active(self) -> None:
        for row in self.rows:
            row.set_active(row.track_id == self.state.active_track_id)

    def _ghosts(self, on: bool) -> None:
        self.state.show_ghosts = on
        self.state.changed.emit()

    def add_track(self) -> None:
        track = self.state.doc.add_track(f"Track {len(self.state.score.tracks) + 1}")
        self.state.set_active_track(track.id)

    def remove_track(self) -> None:
        if self.state.active_track_id is not None:
            self.state.doc.remove_track(self.state.active_track_id)
