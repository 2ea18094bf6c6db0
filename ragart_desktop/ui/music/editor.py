"""The Music tab: a piano roll over the Qt-free score document, with playback and generation.

Layout: the transport and edit bar on top; the track list on the left; the ruler (with the loop
range), the keyboard, the note grid and the velocity lane in the middle; generated variations in a
strip below. All editing state lives in ``core/music`` (``ScoreDocument``: every edit one command
on the shared undo history); this package only binds widgets to it (``RollState``).

The window talks to it through the editor interface: kind "music", the document's name and
modified flag, its undo stack, the File/View commands, the generation context (a phrase of the
score) and the results of a generation (``take_results``: they become variations to audition and
accept). Files are read and WAV files rendered on the "music files" worker; bars are rendered for
playback on the player's own worker, so neither waits on the other.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QGridLayout, QLabel, QMenu,
                               QScrollBar, QSplitter, QToolBar, QToolButton, QVBoxLayout, QWidget)

from ragart_desktop.core.errors import RagartError, UsageError
from ragart_desktop.core.home import Home, resolve_home
from ragart_desktop.core.kinds import kind_named
from ragart_desktop.core.music.document import ScoreDocument
from ragart_desktop.core.music.grid import GRIDS
from ragart_desktop.core.music.midi_io import read_score, write_score
from ragart_desktop.core.music.phrase import Phrase, continuation_start, make_phrase, merge
from ragart_desktop.core.music.score import EPS, Score, TempoChange, TimeSignature, Track
from ragart_desktop.core.music.theory import MODES, NOTE_NAMES, Key, parse_key
from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.editors import DocumentUndo, Editor
from ragart_desktop.ui.file_dialogs import FileDialogs
from ragart_desktop.ui.music.editing import RollEditing
from ragart_desktop.ui.music.generation import MusicContext, music_engines, music_request, work_file
from ragart_desktop.ui.music.generation_panel import MusicForm, MusicGenerationPanel
from ragart_desktop.ui.music.geometry import RollGeometry
from ragart_desktop.ui.music.keyboard import PianoKeyboard
from ragart_desktop.ui.music.player import Player
from ragart_desktop.ui.music.result_strip import MusicResultStrip, Variation
from ragart_desktop.ui.music.roll import PianoRollView
from ragart_desktop.ui.music.ruler import Ruler
from ragart_desktop.ui.music.state import RollState, Tool
from ragart_desktop.ui.music.tracks import TrackList
from ragart_desktop.ui.music.velocity import VelocityLane
from ragart_desktop.ui.theme import secondary
from ragart_desktop.ui.workers import WorkerHost

log = logging.getLogger(__name__)

MIDI_FILTER = kind_named("music").file_filter
WAV_FILTER = "WAV audio (*.wav)"
METERS = ("4/4", "3/4", "2/4", "6/8", "5/4", "7/8", "9/8", "12/8")
NEW_BARS = 8
CONTEXT_BARS = 8          # bars of context around an infill, or before a continuation from the end
DEFAULT_PPB, DEFAULT_ROW = 48.0, 12.0


def new_score() -> Score:
    """An empty piece: one piano track, 4/4 at 120 bpm in C major, eight bars long."""
    score = Score(tempos=[TempoChange(0.0, 120.0)], time_signatures=[TimeSignature(0.0, 4, 4)],
                  key=Key("C", "major"), length=NEW_BARS * 4.0)
    score.add_track(Track("Piano", program=0))
    return score


def key_choices() -> list[tuple[str, Optional[str]]]:
    keys: list[tuple[str, Optional[str]]] = [("No key", None)]
    for mode in ("major", "minor"):
        keys += [(Key(tonic, mode).name, Key(tonic, mode).short) for tonic in NOTE_NAMES]
    for mode in MODES:
        if mode not in ("major", "minor"):
            keys += [(Key(tonic, mode).name, Key(tonic, mode).name) for tonic in NOTE_NAMES]
    return keys


class MusicEditor(Editor):
    kind = "music"
    title = "Music"
    opens = kind_named("music").suffixes

    document_loaded = Signal()                 # an opened file is on screen (tests, benchmarks)

    def __init__(self, home: Optional[Home] = None, parent: Optional[QWidget] = None, *, dialogs: Any = None,
                 in_steps: bool = False):
        super().__init__(parent)
        self.home = home if home is not None else resolve_home()
        self.dialogs = dialogs if dialogs is not None else FileDialogs(Settings())
        self.settings: Any = None
        self.generation: Any = None            # the GenerationService, once the window hands it over
        self._scope_timer = QTimer(self, singleShot=True, interval=0, timeout=self._show_scope)
        self._phrase: Optional[Phrase] = None    # what the running job was asked to work on
        self._job_id: Optional[int] = None
        self._metronome = False
        self.doc = ScoreDocument(new_score())
        self.state = RollState(self.doc, self)
        self.geometry = RollGeometry(DEFAULT_PPB, DEFAULT_ROW, self)
        self.editing = RollEditing(self.state)
        self.files = WorkerHost("music files", self)
        self.files.unhandled_error.connect(lambda report: self.error_occurred.emit(report))
        self.player = Player(self._soundfont_path, self)
        self.setAcceptDrops(True)
        self._build_in_parts(self._parts(), in_steps)

    # -- construction -----------------------------------------------------------------------------------
    def _parts(self) -> Iterator[None]:
        """The roll and its rulers, the track list, the panels, then the layout (see
        ``Editor._build_in_parts``)."""
        self.roll = PianoRollView(self.state, self.geometry, self.editing)
        self.ruler = Ruler(self.state, self.geometry, self.roll.bar_lines)
        self.keyboard = PianoKeyboard(self.state, self.geometry)
        self.velocity = VelocityLane(self.state, self.geometry)
        self.hbar, self.vbar = QScrollBar(Qt.Orientation.Horizontal), QScrollBar(Qt.Orientation.Vertical)
        yield
        self.tracks = TrackList(self.state)
        yield
        self.results = MusicResultStrip()
        self.panel = MusicGenerationPanel()
        self.status = QLabel()
        self.status.setContentsMargins(6, 0, 6, 0)
        yield
        self._build_actions()
        yield
        self._build_layout()
        yield
        self._connect()
        self.geometry.show_pitch(66)
        self._sync_controls()

    def _action(self, text: str, slot: Callable[[], Any], shortcut: Optional[str] = None, tip: str = "",
                checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setToolTip(f"{tip or text}" + (f" ({shortcut})" if shortcut else ""))
        action.setCheckable(checkable)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda *_: self._guarded(slot))
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        e = self.editing
        self.play_action = self._action("▶ Play", self.play, tip="Play from the start (or the loop's start)")
        self.play_cursor_action = self._action("▶ From cursor", self.play_from_cursor, "Space",
                                               "Play from the cursor; Space again stops")
        self.stop_action = self._action("■ Stop", self.stop)
        self.loop_action = self._action("⟲ Loop", lambda: self.state.set_loop_enabled(self.loop_action.isChecked()),
                                        "L", "Loop the range marked on the ruler (drag on the ruler to mark it)",
                                        checkable=True)
        self.metronome_action = self._action("Metronome", self._toggle_metronome, tip="Click on every beat",
                                             checkable=True)
        self.draw_action = self._action("✎ Draw", lambda: self.state.set_tool(Tool.DRAW), "B",
                                        "Pencil: click to draw a note, drag to set its length", checkable=True)
        self.select_action = self._action("⬚ Select", lambda: self.state.set_tool(Tool.SELECT), "V",
                                          "Arrow: drag a marquee to select notes", checkable=True)
        tools = QActionGroup(self)
        for action in (self.draw_action, self.select_action):
            tools.addAction(action)
        self.draw_action.setChecked(True)
        self.select_all_action = self._action("Select all", e.select_all, "Ctrl+A")
        self.copy_action = self._action("Copy", e.copy, "Ctrl+C")
        self.cut_action = self._action("Cut", e.cut, "Ctrl+X")
        self.paste_action = self._action("Paste at the playhead", e.paste, "Ctrl+V")
        self.duplicate_action = self._action("Duplicate", e.duplicate, "Ctrl+D", "A copy right after the selection")
        self.quantize_action = self._action("Quantize", lambda: e.quantize(self.strength.value() / 100), "Q",
                                            "Pull the selected notes towards the grid by the strength")
        self.delete_action = self._action("Delete", e.delete)
        self.similar_action = self._action("Find similar in the library", self.find_similar,
                                           tip="Search the library for pieces like the selected notes")

    def _build_layout(self) -> None:
        bar = QToolBar("Transport")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.play_action, self.play_cursor_action, self.stop_action, self.loop_action,
                       self.metronome_action):
            bar.addAction(action)
        self.position = QLabel("1.1")
        self.position.setMinimumWidth(64)
        self.position.setToolTip("Bar.beat of the playhead (or the cursor)")
        self.position.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bar.addWidget(self.position)
        bar.addSeparator()
        self.tempo = QDoubleSpinBox()
        self.tempo.setRange(20.0, 400.0)
        self.tempo.setDecimals(1)
        self.tempo.setSuffix(" bpm")
        self.tempo.setToolTip("Tempo at the start of the piece")
        self.tempo.setKeyboardTracking(False)
        self.meter = QComboBox()
        self.meter.setEditable(True)
        self.meter.addItems(METERS)
        self.meter.setToolTip("Time signature at the start (write e.g. 5/4)")
        self.key_box = QComboBox()
        for label, value in key_choices():
            self.key_box.addItem(label, value)
        self.key_box.setToolTip("The key: its scale is highlighted and generation keeps to it")
        self.key_box.setMaxVisibleItems(26)
        for label, widget in (("Tempo", self.tempo), ("Meter", self.meter), ("Key", self.key_box)):
            bar.addWidget(QLabel(f" {label} "))
            bar.addWidget(widget)
        bar.addSeparator()
        bar.addAction(self.draw_action)
        bar.addAction(self.select_action)
        self.grid_box = QComboBox()
        for label, _ in GRIDS:
            self.grid_box.addItem(label)
        self.grid_box.setCurrentText(self.state.grid_label)
        self.grid_box.setToolTip("Snap grid (hold Alt while dragging to place freely)")
        bar.addWidget(QLabel(" Grid "))
        bar.addWidget(self.grid_box)
        self.strength = QDoubleSpinBox()
        self.strength.setRange(0.0, 100.0)
        self.strength.setValue(100.0)
        self.strength.setSuffix(" %")
        self.strength.setDecimals(0)
        self.strength.setToolTip("Quantize strength: 100 % puts notes on the grid, 50 % half way")
        bar.addAction(self.quantize_action)
        bar.addWidget(self.strength)
        self.tools_button = QToolButton(text="Tools")
        self.tools_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.tools_menu = self._tools_menu()
        self.tools_button.setMenu(self.tools_menu)
        bar.addSeparator()
        bar.addWidget(self.tools_button)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        corner = QLabel()
        corner.setFixedHeight(self.ruler.height())
        grid.addWidget(corner, 0, 0)
        grid.addWidget(self.ruler, 0, 1)
        grid.addWidget(self.keyboard, 1, 0)
        grid.addWidget(self.roll, 1, 1)
        grid.addWidget(self.vbar, 1, 2)
        lane_label = QLabel("Velocity")
        lane_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        secondary(lane_label)
        grid.addWidget(lane_label, 2, 0)
        grid.addWidget(self.velocity, 2, 1)
        grid.addWidget(self.hbar, 3, 1)
        grid.setRowStretch(1, 1)
        grid.setColumnStretch(1, 1)
        middle = QWidget()
        middle.setLayout(grid)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tracks)
        splitter.addWidget(middle)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.results)
        layout.addWidget(self.status)

    def _tools_menu(self) -> QMenu:
        """Edits on the selection, and the place later tools (learning from the library) join."""
        menu = QMenu(self)
        for action in (self.select_all_action, self.copy_action, self.cut_action, self.paste_action,
                       self.duplicate_action, self.delete_action):
            menu.addAction(action)
        menu.addSeparator()
        transpose = menu.addMenu("Transpose")
        for label, semitones in (("Up a semitone", 1), ("Down a semitone", -1), ("Up an octave", 12),
                                 ("Down an octave", -12)):
            transpose.addAction(label, lambda s=semitones: self._guarded(lambda: self.editing.transpose(s)))
        velocity = menu.addMenu("Velocity")
        for label, value in (("Soft (40)", 40), ("Medium (80)", 80), ("Loud (110)", 110)):
            velocity.addAction(label, lambda v=value: self._guarded(lambda: self.editing.set_velocity(v)))
        velocity.addAction("Louder (+10)", lambda: self._guarded(lambda: self.editing.set_velocity(delta=10)))
        velocity.addAction("Softer (−10)", lambda: self._guarded(lambda: self.editing.set_velocity(delta=-10)))
        menu.addAction(self.quantize_action)
        menu.addSeparator()
        menu.addAction(self.similar_action)
        return menu

    def _connect(self) -> None:
        state = self.state
        for signal in (state.history_changed, state.layout_changed):
            signal.connect(self.document_changed)
        state.history_changed.connect(self._show_status)
        state.selection_changed.connect(self._show_status)
        state.selection_changed.connect(self._update_scope)
        state.active_track_changed.connect(self._update_scope)
        state.loop_changed.connect(self._update_scope)
        state.loop_changed.connect(lambda: self.loop_action.setChecked(state.loop_enabled))
        state.cursor_changed.connect(self._cursor_moved)
        state.properties_changed.connect(self._sync_controls)
        for signal in (state.notes_changed, state.layout_changed, state.properties_changed):
            signal.connect(self.player.edited)
        state.notes_changed.connect(self._update_scrollbars)
        self.geometry.changed.connect(self._update_scrollbars)
        self.hbar.valueChanged.connect(lambda v: self.geometry.set_view(left=v / self.geometry.ppb))
        self.vbar.valueChanged.connect(lambda v: self.geometry.set_view(top=float(v)))
        self.tempo.valueChanged.connect(self._set_tempo)
        self.meter.activated.connect(lambda _: self._set_meter(self.meter.currentText()))
        self.meter.lineEdit().editingFinished.connect(lambda: self._set_meter(self.meter.currentText()))
        self.key_box.activated.connect(lambda _: self._set_key(self.key_box.currentData()))
        self.grid_box.currentTextChanged.connect(state.set_grid)
        self.keyboard.key_pressed.connect(self.sound_key)
        self.roll.note_sounded.connect(self.sound_key)
        self.roll.context_menu_requested.connect(lambda pos: self.tools_menu.popup(pos))
        self.player.position_changed.connect(self._playhead_moved)
        self.player.playing_changed.connect(self._playing_changed)
        self.player.notice.connect(self._notice)
        self.results.audition_requested.connect(self.audition)
        self.results.accepted.connect(self.accept_variation)
        self.panel.generate_requested.connect(lambda: self._guarded(self.generate))
        self.panel.cancel_requested.connect(self.cancel_generation)
        self.panel.find_similar_requested.connect(self.find_similar)
        self.panel.mode.currentIndexChanged.connect(lambda _: self._update_scope())
        self.panel.source.currentIndexChanged.connect(lambda _: self._update_scope())

    # -- the editor interface -----------------------------------------------------------------------------
    def document_name(self) -> str:
        return self.doc.path.name if self.doc.path is not None else "Untitled.mid"

    def is_modified(self) -> bool:
        return self.doc.modified

    def undo_stack(self) -> DocumentUndo:
        return DocumentUndo(self.doc)

    def commands(self) -> Mapping[str, Callable[[], Any]]:
        return {"new_document": self.new_document, "open_file": self.open_file, "save": self.save,
                "save_as": self.save_as, "export": self.export, "zoom_in": self.zoom_in, "zoom_out": self.zoom_out,
                "zoom_reset": self.zoom_reset}

    def close_document(self) -> None:
        """Nothing to clean up: the score has no autosave."""

    def generation_panel(self) -> MusicGenerationPanel:
        return self.panel

    def load_request(self, request: Mapping[str, Any]) -> None:
        self.panel.load_request(dict(request))

    def shutdown(self) -> None:
        self.player.shutdown()
        self.files.shutdown()

    # -- documents ------------------------------------------------------------------------------------------
    def set_document(self, doc: ScoreDocument) -> None:
        self.player.stop()
        self.results.clear()
        self.doc = doc
        self.state.set_document(doc)
        self.roll.active_layer.forget()
        self.roll.ghost_layer.forget()
        self._frame_notes()
        self._sync_controls()
        self._show_status()
        self.document_changed.emit()

    def new_document(self) -> None:
        self.set_document(ScoreDocument(new_score()))

    def open_file(self) -> None:
        path = self.dialogs.open_file(self, "Open a MIDI file", MIDI_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> int:
        """Read a MIDI file on the files worker; the roll shows it when it is read."""
        path = Path(path)
        self.status_message.emit(f"Opening {path.name}…")

        def opened(score: Score) -> None:
            doc = ScoreDocument(score)
            doc.mark_saved(path)
            self.set_document(doc)
            self.status_message.emit(f"Opened {path.name}: {score.note_count:,} notes on {len(score.tracks)} tracks")
            self.document_loaded.emit()

        return self.files.submit(f"Open {path.name}", lambda task: read_score(path), on_result=opened,
                                 on_error=lambda report: self.error_occurred.emit(report))

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._write(self.doc.path)

    def save_as(self) -> bool:
        path = self.dialogs.save_file(self, "Save the piece", self._suggested(self.document_name()), MIDI_FILTER)
        if not path:
            return False
        path = Path(path) if Path(path).suffix.lower() in (".mid", ".midi") else Path(path + ".mid")
        return self._write(path)

    def _write(self, path: Path) -> bool:
        try:
            write_score(self.doc.score, path)
        except RagartError as exc:
            self.error_occurred.emit(exc)
            return False
        self.doc.mark_saved(path)
        self.status_message.emit(f"Saved {path.name}")
        self.document_changed.emit()
        return True

    def export(self) -> Optional[int]:
        """Export as WAV (rendered on the files worker) or, given a .mid name, as MIDI (the file only)."""
        base = self._suggested(Path(self.document_name()).stem + ".wav")
        path = self.dialogs.save_file(self, "Export as WAV audio or MIDI", base, f"{WAV_FILTER};;{MIDI_FILTER}")
        if not path:
            return None
        return self.export_to(Path(path), wav=Path(path).suffix.lower() not in kind_named("music").suffixes)

    def export_to(self, path: Path, *, wav: bool) -> Optional[int]:
        if not wav:
            write_score(self.doc.score, path if path.suffix.lower() in (".mid", ".midi") else path.with_suffix(".mid"))
            self.status_message.emit(f"Exported {path.name}")
            return None
        path = path if path.suffix.lower() == ".wav" else path.with_suffix(".wav")
        score = self.doc.score.copy()
        if score.note_count == 0:
            raise UsageError("the piece has no notes to render.")

        def render(task):
            from ragart_desktop.core.music.audio import render_wav

            return render_wav(score, path, soundfont=self._soundfont_path(), task=task)

        return self.files.submit(f"Export {path.name}", render,
                                 on_result=lambda r: self.status_message.emit(
                                     f"Exported {Path(r.path).name} ({r.seconds:.1f} s of audio)"),
                                 on_error=lambda report: self.error_occurred.emit(report))

    def _suggested(self, name: str) -> str:
        """A name for a save dialog: beside the open file, else in the dialogs' last folder."""
        return str(self.doc.path.parent / name) if self.doc.path is not None else name

    def _soundfont_path(self) -> Path:
        """The largest SoundFont in the models folders, else the bundled one (runs on a worker)."""
        from ragart_desktop.core.music.audio import soundfont_path
        from ragart_desktop.core.models.registry import ModelRegistry

        return soundfont_path(ModelRegistry(self.home, self.settings or Settings()))

    # -- view ---------------------------------------------------------------------------------------------
    def zoom_in(self) -> None:
        self.geometry.zoom_x(1.25)

    def zoom_out(self) -> None:
        self.geometry.zoom_x(0.8)

    def zoom_reset(self) -> None:
        self._frame_notes()

    def _frame_notes(self) -> None:
        """Show the whole piece across the roll, its notes centred vertically."""
        score, g = self.doc.score, self.geometry
        end = max(self.state.index.end, 16.0)
        pitches = [n.pitch for _, n in score.all_notes(drums=False)] or [60]
        g.set_view(left=0.0, ppb=max(4.0, min(DEFAULT_PPB, (g.width - 20) / end)))
        g.show_pitch((min(pitches) + max(pitches)) // 2)

    def _update_scrollbars(self) -> None:
        g = self.geometry
        g.content_beats = max(self.state.index.end, g.right) + 16
        for bar, total, value, page in ((self.hbar, g.content_beats * g.ppb, g.left * g.ppb, g.width),
                                        (self.vbar, g.content_height, g.top, g.height)):
            bar.blockSignals(True)
            bar.setRange(0, max(0, int(total - page)))
            bar.setPageStep(int(page))
            bar.setSingleStep(max(1, int(page / 20)))
            bar.setValue(int(value))
            bar.blockSignals(False)

    # -- score properties ---------------------------------------------------------------------------------
    def _sync_controls(self) -> None:
        score = self.doc.score
        for widget in (self.tempo, self.meter, self.key_box):
            widget.blockSignals(True)
        self.tempo.setValue(score.tempo)
        self.meter.setCurrentText(score.time_signature.text)
        index = self.key_box.findData(self._key_value(score.key))
        self.key_box.setCurrentIndex(max(0, index))
        for widget in (self.tempo, self.meter, self.key_box):
            widget.blockSignals(False)
        self._update_scrollbars()

    @staticmethod
    def _key_value(key: Optional[Key]) -> Optional[str]:
        if key is None:
            return None
        return key.short if key.mode in ("major", "minor") else key.name

    def _set_tempo(self, bpm: float) -> None:
        tempos = sorted(self.doc.score.tempos, key=lambda t: t.beat)
        if abs(tempos[0].bpm - bpm) > 1e-6:
            self._guarded(lambda: self.doc.set_score(tempos=[TempoChange(tempos[0].beat, bpm)] + tempos[1:]))

    def _set_meter(self, text: str) -> None:
        try:
            numerator, denominator = (int(v) for v in text.strip().split("/"))
            if not (1 <= numerator <= 32 and denominator in (1, 2, 4, 8, 16, 32)):
                raise ValueError
        except ValueError:
            self.error_occurred.emit(UsageError(f"meter {text!r}: write it like 4/4, 3/4 or 6/8."))
            self._sync_controls()
            return
        sigs = sorted(self.doc.score.time_signatures, key=lambda s: s.beat)
        if (sigs[0].numerator, sigs[0].denominator) != (numerator, denominator):
            self.doc.set_score(time_signatures=[TimeSignature(0.0, numerator, denominator)] + sigs[1:])

    def _set_key(self, value: Optional[str]) -> None:
        key = parse_key(value) if value else None
        if key != self.doc.score.key:
            self.doc.set_score(key=key)

    # -- playback -----------------------------------------------------------------------------------------
    def play(self) -> None:
        loop = self.state.loop
        self._start(loop[0] if loop else 0.0)

    def play_from_cursor(self) -> None:
        if self.player.playing:
            self.stop()
        else:
            self._start(self.state.cursor)

    def _start(self, beat: float, score_of: Optional[Callable[[], Score]] = None) -> None:
        self.results.stop_audition()
        doc = self.doc
        self.player.play(score_of or (lambda: doc.score), beat, loop=self.state.loop, metronome=self._metronome,
                         index=self.state.index if score_of is None else None)

    def stop(self) -> None:
        self.player.stop()
        self.results.stop_audition()

    def _toggle_metronome(self) -> None:
        self._metronome = self.metronome_action.isChecked()
        self.player.set_metronome(self._metronome)

    def _playhead_moved(self, beat: float) -> None:
        self.state.set_playhead(beat)
        self.geometry.ensure_visible(beat)
        self._show_position(beat)

    def _cursor_moved(self, beat: float) -> None:
        if not self.player.playing:
            self._show_position(beat)

    def _show_position(self, beat: float) -> None:
        score = self.doc.score
        bar_start = score.bar_line_before(beat)
        unit = 4.0 / score.meter_at(bar_start).denominator
        self.position.setText(f"{score.bar_number(beat)}.{int((beat - bar_start) / unit + EPS) + 1}")

    def _playing_changed(self, playing: bool) -> None:
        self.play_cursor_action.setText("■ Stop" if playing else "▶ From cursor")
        if not playing:
            self.state.set_playhead(None)
            self.results.stop_audition()
            self._show_position(self.state.cursor)

    def sound_key(self, pitch: int) -> None:
        track = self.state.active_track()
        self.player.sound_note(pitch, track.program if track else 0, bool(track and track.is_drum),
                               tempo=self.doc.score.tempo)

    def _notice(self, text: str) -> None:
        self.status.setText(text)
        self.status_message.emit(text)

    # -- generation ----------------------------------------------------------------------------------------
    def attach(self, generation: Any, settings: Any) -> None:
        """The generation service (jobs on the model worker, history) and the settings (models folders)."""
        self.generation, self.settings = generation, settings
        generation.worker.progress.connect(self._job_progress)
        self.refresh_engines()

    def refresh_engines(self) -> int:
        """The built-in engine and the music models of the models folders (scanned on the files worker)."""
        home, settings = self.home, self.settings or Settings()
        return self.files.submit("Find music models", lambda task: music_engines(home, settings), visible=False,
                                 on_result=self.panel.set_engines,
                                 on_error=lambda report: self.error_occurred.emit(report))

    def generation_context(self, form: Optional[MusicForm] = None) -> MusicContext:
        """The phrase the chosen mode works on (see ``MusicGenerationPanel``), and the document's file."""
        form = form or self.panel.form()
        source = str(self.doc.path) if self.doc.path is not None else None
        return replace(self._phrase_context(form), source=source)

    def _phrase_context(self, form: MusicForm) -> MusicContext:
        state, score = self.state, self.doc.score
        selected = state.selected()
        track = state.active_track()
        scope = self._scope_text(form)
        if form.mode == "continue":
            if form.from_selection and selected:
                return MusicContext("continue", make_phrase(score, selected), scope)
            end = continuation_start(score)       # after the last note, not after the piece's empty bars
            phrase = make_phrase(score, self._notes_in(max(0.0, self._bars_back(end, CONTEXT_BARS)), end))
            return MusicContext("continue", phrase, scope, tempo=score.tempo, meter=score.time_signature.text)
        if form.mode == "infill":
            start, end = self._infill_range()
            phrase = make_phrase(score, self._notes_in(self._bars_back(start, CONTEXT_BARS),
                                                       self._bars_on(end, CONTEXT_BARS)))
            return MusicContext("infill", phrase, scope, from_bar=phrase.bar_of(start), to_bar=phrase.bar_of(end - EPS))
        if form.mode == "accompany":
            return MusicContext("accompany", make_phrase(score, {track.id: track.notes}, from_bar_line=False), scope)
        notes = selected or ({track.id: track.notes} if track is not None else {})
        return MusicContext("vary", make_phrase(score, notes), scope)

    def _scope_text(self, form: MusicForm) -> str:
        """What a job of ``form``'s mode would work on, in words (cheap: the panel shows it on every
        selection change); raises UsageError when there is nothing for it to work on."""
        state, score = self.state, self.doc.score
        track = state.active_track()
        count = len(state.selection)
        if form.mode == "continue":
            if form.from_selection and count:
                start = continuation_start(score, state.selection.notes)
                return f"the {count} selected notes (new bars from bar {score.bar_number(start)})"
            return f"the end of the piece (new bars from bar {score.bar_number(continuation_start(score))})"
        if form.mode == "infill":
            start, end = self._infill_range()
            return f"bars {score.bar_number(start)}–{score.bar_number(end - EPS)} (every track)"
        if form.mode == "accompany":
            if track is None or not track.notes:
                raise UsageError("accompany needs a track with notes: choose one in the track list.")
            return f"track {track.name!r} ({len(track.notes)} notes)"
        return f"the {count} selected notes" if count else f"track {track.name if track else ''!r}"

    def _notes_in(self, start: float, end: float) -> dict[int, list]:
        out = {}
        for t in self.doc.score.tracks:
            index = self.state.index.track(t.id)
            notes = index.take(index.starting(start, end))
            if notes:
                out[t.id] = notes
        return out

    def _bars_back(self, beat: float, bars: int) -> float:
        """The start of the ``bars``-th bar back, counting the bar that ``beat`` ends or falls in as the first."""
        return self.doc.score.bar_line_offset(beat - 2 * EPS, 1 - bars)

    def _bars_on(self, beat: float, bars: int) -> float:
        return self.doc.score.bar_line_offset(beat, bars)

    def _infill_range(self) -> tuple[float, float]:
        """The loop range, else the bars of the selection, rounded out to bar lines."""
        state, score = self.state, self.doc.score
        if state.loop_end - state.loop_start > EPS:
            start, end = state.loop_start, state.loop_end
        elif state.selection.notes:
            start, end = state.selection.span()
        else:
            raise UsageError("infill needs a range: drag on the ruler to mark the bars, or select notes.")
        return score.bar_line_before(start), score.bar_line_after(end - EPS)

    def _update_scope(self) -> None:
        """Say in the panel what the next job would work on (once per burst of changes)."""
        self._scope_timer.start()

    def _show_scope(self) -> None:
        form = MusicForm(mode=self.panel.mode.currentData(), from_selection=bool(self.panel.source.currentData()))
        try:
            self.panel.set_scope(f"Works on {self._scope_text(form)}.")
        except RagartError as exc:
            self.panel.set_scope(exc.user_message())

    def generate(self) -> Optional[int]:
        """Queue a music job for what the panel describes (one at a time: its phrase is kept here)."""
        if self.generation is None:
            raise UsageError("generation is not ready yet.")
        if self._job_id is not None:
            raise UsageError("a music job is running: wait for its variations or cancel it.")
        form = self.panel.form()
        context = self.generation_context(form)
        path = None if context.phrase.empty else work_file(self.home.outputs_dir / "work")
        step = music_request(form, context, path)
        self._phrase = context.phrase
        self.panel.set_running(True)
        self._job_id = self.generation.generate("music", step, f"Music: {form.mode} {context.scope}"[:60], target=self)
        return self._job_id

    def cancel_generation(self) -> None:
        if self.generation is not None and self._job_id is not None:
            self.generation.cancel(self._job_id)

    def generation_ended(self) -> None:
        """The job failed (the window shows why) or was cancelled."""
        self._job_id = None
        self.panel.set_running(False)

    def _job_progress(self, job_id: int, done: int, total: int, message: str) -> None:
        if job_id == self._job_id:
            self.panel.show_progress(done, total, message)

    def take_results(self, generated: Any) -> None:
        """The job finished: its pieces become variations to audition, accept or discard, with
        their metrics and warnings; the references it used are listed in the panel."""
        self.generation_ended()
        phrase = self._phrase if self._phrase is not None else make_phrase(Score(), {})
        self._phrase = None
        record, result = generated.record, generated.result
        mode = str(record.request.get("mode", "continue")).capitalize()
        self.panel.references.show_used([r.to_json() for r in result.references])
        for piece, output in zip(result.outputs, record.outputs):
            merged = merge(self.doc.score, phrase, piece.score)
            self.results.add(phrase, piece.score, merged, output, f"{mode}, seed {piece.seed}")
        self.status_message.emit(f"{len(result.outputs)} variation(s) ready: audition, then accept or discard")

    def audition(self, variation: Optional[Variation]) -> None:
        if variation is None:
            self.player.stop()
            return
        merged = merge(self.doc.score, variation.phrase, variation.result)
        start = max(0.0, self._bars_back(merged.start, 1))
        self.player.play(lambda: merged.score, start, metronome=self._metronome)
        self.results.set_playing(variation.key)

    def accept_variation(self, variation: Variation) -> None:
        self.player.stop()
        merged = merge(self.doc.score, variation.phrase, variation.result)
        self.doc.apply_result(merged.score, f"Generate: {variation.label}")
        self.results.discard(variation.key)
        self.status_message.emit(f"Accepted variation #{variation.key}: +{merged.added} notes"
                                 + (f", −{merged.removed}" if merged.removed else "") + " (Undo takes it back)")

    def find_similar(self) -> Optional[int]:
        """Ask the browser for library pieces like the selection (or the active track)."""
        notes = self.state.selected()
        label = f"the {sum(len(ns) for ns in notes.values())} selected notes"
        track = self.state.active_track()
        if not notes and track is not None and track.notes:
            notes, label = {track.id: track.notes}, f"track {track.name!r}"
        if not notes:
            raise UsageError("select some notes first: the library is searched for pieces like them.")
        phrase = make_phrase(self.doc.score, notes)
        path = work_file(self.home.outputs_dir / "work", "similar")

        def write(task) -> str:
            path.parent.mkdir(parents=True, exist_ok=True)
            return str(write_score(phrase.score, path))

        return self.files.submit("Find similar", write, visible=False,
                                 on_result=lambda p: self.search_like_requested.emit([p], label),
                                 on_error=lambda report: self.error_occurred.emit(report))

    # -- status -------------------------------------------------------------------------------------------
    def _show_status(self) -> None:
        track = self.state.active_track()
        parts = [f"{self.doc.score.note_count:,} notes", f"{len(self.doc.score.tracks)} tracks"]
        if track is not None:
            parts.append(f"editing {track.name or 'a track'}")
        if len(self.state.selection):
            parts.append(f"{len(self.state.selection)} selected")
        undo = self.doc.history.undo_label
        if undo:
            parts.append(f"undo: {undo}")
        self.status.setText(" · ".join(parts))

    def _guarded(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except RagartError as exc:
            self.error_occurred.emit(exc)
            return None

    # -- drops: a MIDI file or library piece onto the roll ---------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if self._dropped_midi(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if self._dropped_midi(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        found = self._dropped_midi(event.mimeData())
        if not found:
            return
        event.acceptProposedAction()
        self.drop_menu(found).popup(self.mapToGlobal(event.position().toPoint()))

    @staticmethod
    def _dropped_midi(mime) -> list[dict]:
        """MIDI items ({"id"?, "path", "title"}) dragged from the browser, or MIDI files."""
        from ragart_desktop.ui.browser.model import items_from_mime

        items = [d for d in items_from_mime(mime) if d.get("kind") == "music"]
        if items:
            return items
        return [{"path": u.toLocalFile(), "title": Path(u.toLocalFile()).name} for u in (mime.urls() if mime.hasUrls() else [])
                if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in (".mid", ".midi")]

    def drop_menu(self, found: list[dict]) -> QMenu:
        first = found[0]
        name = first.get("title") or Path(first["path"]).name
        menu = QMenu(self)
        menu.addAction(f"Open {name}", lambda: self.open_path(first["path"]))
        menu.addAction("Insert at the cursor", lambda: self.insert_file(first["path"]))
        library = [d for d in found if d.get("id") is not None]
        if library:
            menu.addAction("Pin as a reference for generation", lambda: self.panel.references.pin_dicts(library))
        return menu

    def insert_file(self, path: str | Path) -> int:
        """Put a MIDI file's notes in at the cursor: one track into the active track, several as new
        tracks (one undo step)."""
        path = Path(path)

        def inserted(piece: Score) -> None:
            at = self.state.playhead if self.state.playhead is not None else self.state.cursor
            offset = at - piece.bar_line_before(min((n.start for _, n in piece.all_notes()), default=0.0))
            merged = self.doc.score.copy()
            active = self.state.active_track()
            if len(piece.tracks) == 1 and active is not None and active.is_drum == piece.tracks[0].is_drum:
                target = merged.track(active.id)
                target.notes = target.notes + [n.shifted(offset) for n in piece.tracks[0].notes]
                target.sort()
            else:
                for t in piece.tracks:
                    merged.add_track(Track(t.name, t.program, t.is_drum, [n.shifted(offset) for n in t.notes]))
            if merged.length is not None:
                merged.length = max(merged.length, merged.notes_end)
            self.doc.apply_result(merged, f"Insert {path.name}")
            self.status_message.emit(f"Inserted {path.name} at the cursor")

        return self.files.submit(f"Read {path.name}", lambda task: read_score(path), on_result=inserted,
                                 on_error=lambda report: self.error_occurred.emit(report))

