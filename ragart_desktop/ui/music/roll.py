"""The note grid: draws what is visible and turns mouse gestures into document edits.

Painting, back to front: pitch rows (black keys darker, the key's scale tinted), grid/beat/bar
lines, the loop range, the other tracks' notes as ghosts, the active track's notes, the selection
(moved or resized while it is dragged), the marquee, the cursor and the playhead. Only visible notes
are drawn (``NoteLayer`` asks the time index for them); a drag only moves a drawing of the
selection, and the document gets one command when the mouse is released.

Gestures: with the pencil a click draws a note (drag to set its length), with the arrow a drag
draws a marquee (shift adds to the selection); in both, dragging a note moves the selection,
dragging its left or right edge resizes it, a double click adds or deletes a note, alt disables
snapping. Right-drag with the pencil erases; right-click with the arrow opens the context menu.
Wheel scrolls (shift: sideways), ctrl+wheel zooms time, ctrl+shift+wheel zooms pitch, pinch zooms.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPen, QPixmap, QWheelEvent
from PySide6.QtWidgets import QPinchGesture, QWidget

from ragart_desktop.core.music.document import MIN_DURATION
from ragart_desktop.core.music.grid import snap, snap_down, step
from ragart_desktop.core.music.score import Note
from ragart_desktop.ui.music import palette
from ragart_desktop.ui.music.editing import RollEditing
from ragart_desktop.ui.music.geometry import Bars, RollGeometry
from ragart_desktop.ui.music.lines import dashed_vline, hline, vline
from ragart_desktop.ui.music.note_layer import NoteLayer, paint_vector, premultiplied
from ragart_desktop.ui.music.state import RollState, Tool

EDGE_PX = 5            # grab zone of a note's edge
MIN_GRID_PX = 6        # grid lines closer than this are not drawn
GHOST_ALPHA = 70
TILE_ROWS = 64         # rows of the grid's tile (each tile drawn costs a call into the paint engine)
ROWS_STRIP_PX = 64      # width of the pitch rows' strip
BLACK_KEYS = {1, 3, 6, 8, 10}
PINCH_GESTURE = (Qt.NativeGestureType.BeginNativeGesture, Qt.NativeGestureType.ZoomNativeGesture,
                 Qt.NativeGestureType.EndNativeGesture)


class DragKind(enum.Enum):
    MOVE = "move"
    RESIZE_END = "resize end"
    RESIZE_START = "resize start"
    DRAW = "draw"
    MARQUEE = "marquee"
    ERASE = "erase"


@dataclass
class Drag:
    kind: DragKind
    press: QPointF
    beat: float
    pitch: int
    anchor: Optional[Note] = None     # the note grabbed (moves and resizes snap its edge to the grid)
    beats: float = 0.0                # current offset (move, resize) or the drawn note's end
    semitones: int = 0
    current: QPointF = field(default_factory=QPointF)
    moved: bool = False
    erased: list[Note] = field(default_factory=list)
    extend: bool = False              # shift: add to the selection


def scale_rows(score) -> tuple[frozenset[int], Optional[int]]:
    """Pitch classes of the score's key (declared, else estimated) and its tonic."""
    key = score.key
    if key is None:
        return frozenset(), None
    return key.allowed_pitch_classes(), key.tonic_pc


def rows_strip(g: RollGeometry, scale: frozenset[int], tonic: Optional[int]) -> QPixmap:
    """The visible pitch rows, ``ROWS_STRIP_PX`` wide: black keys darker, the key's scale tinted, a
    line where no black key separates two white ones."""
    strip = QPixmap(ROWS_STRIP_PX, max(1, g.height))
    p = QPainter(strip)
    low, high = g.visible_pitches()
    for pitch in range(low, high + 1):
        y = g.y(pitch)
        rect = QRectF(0, y, ROWS_STRIP_PX, g.row)
        pc = pitch % 12
        p.fillRect(rect, palette.ROLL_BLACK_ROW if pc in BLACK_KEYS else palette.ROLL_WHITE_ROW)
        if pc in scale:
            p.fillRect(rect, palette.ROLL_TONIC_TINT if pc == tonic else palette.ROLL_SCALE_TINT)
        if pc in (0, 5):    # B|C and E|F: no black key between, a line instead
            hline(p, y + g.row - 0.5, 0, ROWS_STRIP_PX, palette.ROLL_OCTAVE_LINE)
    p.end()
    return strip


def grid_strip(width: int, lines: tuple[tuple[list[float], QColor], ...]) -> QPixmap:
    """One pixel row with the vertical lines at their x positions (later colours drawn over earlier
    ones), tiled down the roll: a thousand-pixel-tall line drawn on its own costs a span per row,
    which made the grid the slowest part of a frame."""
    row = np.zeros(max(1, width), np.uint32)
    for xs, colour in lines:
        x = np.floor(np.asarray(xs, np.float64) + 0.5).astype(np.int64)   # half up, as lines.py
        row[x[(x >= 0) & (x < width)]] = premultiplied(colour)
    tile = np.ascontiguousarray(np.broadcast_to(row, (TILE_ROWS, len(row))))   # fewer, taller tiles
    image = QImage(tile.data, len(row), TILE_ROWS, len(row) * 4, QImage.Format.Format_ARGB32_Premultiplied)
    return QPixmap.fromImage(image)


class PianoRollView(QWidget):
    note_sounded = Signal(int)                 # a note was drawn or grabbed: let it be heard
    context_menu_requested = Signal(QPoint)    # global position

    def __init__(self, state: RollState, geometry: RollGeometry, editing: RollEditing,
                 parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.state, self.g, self.editing = state, geometry, editing
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.grabGesture(Qt.GestureType.PinchGesture)
        self.setMinimumSize(200, 120)
        self.active_layer = NoteLayer()
        self.ghost_layer = NoteLayer()
        self.selection_layer = NoteLayer()
        self._drag: Optional[Drag] = None
        self._bars: Optional[Bars] = None
        self._rows: Optional[tuple[tuple, QPixmap]] = None     # (what they show, the rows' strip)
        self._background: Optional[tuple[tuple, Optional[QPixmap]]] = None    # (the view, rows and grid of it)
        self._bars_version = 0
        state.changed.connect(self.update)
        state.properties_changed.connect(self._forget_bars)
        geometry.changed.connect(self.update)

    # -- geometry -----------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        self.g.width, self.g.height = self.width(), self.height()
        self.g.set_view()
        super().resizeEvent(event)

    def _forget_bars(self) -> None:
        self._bars = None
        self._bars_version += 1

    def bar_lines(self, until: float) -> Bars:
        """Bars from 0 past ``until`` (cached until tempo/meter change)."""
        if self._bars is None or self._bars.end < until:
            self._bars = Bars.of(self.state.score, max(until * 1.5, self.state.index.end, 16.0))
        return self._bars

    # -- painting -----------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        g, state = self.g, self.state
        self._paint_background(p)
        tracks = state.score.tracks
        active = state.active_track()
        if active is not None:
            colour = palette.track_colour(active.colour, tracks.index(active))
            self._paint_active(p, active.id, colour)
            self._paint_selection(p)
        self._paint_drag_overlay(p)
        self._paint_line(p, state.cursor, palette.CURSOR, dashed=True)
        if state.playhead is not None:
            self._paint_line(p, state.playhead, palette.PLAYHEAD)
        p.end()

    def _paint_background(self, p: QPainter) -> None:
        """What lies under the active track: pitch rows, grid, loop range, the other tracks' ghost
        notes. While none of it changes (a drag, its drop, playback between pages) it is one cached
        opaque pixmap, copied in: painting it cost two to three milliseconds more per frame. While
        the view moves it is painted directly, and cached once a second frame shows the same."""
        g, state, ratio = self.g, self.state, self.devicePixelRatioF()
        active = state.active_track()
        ghosts = tuple((position, track.id, state.index.version(track.id), track.colour)
                       for position, track in enumerate(state.score.tracks)
                       if state.show_ghosts and track is not active and track.notes)
        view = (g.left, g.ppb, g.top, g.row, g.width, g.height, ratio, state.grid, scale_rows(state.score),
                self._bars_version, state.loop_start, state.loop_end, state.loop_enabled, ghosts)
        cached = self._background
        if cached is None or cached[0] != view:
            self._background = (view, None)
            self._paint_under(p, ghosts)
            return
        if cached[1] is None:
            pixmap = QPixmap(max(1, round(g.width * ratio)), max(1, round(g.height * ratio)))
            pixmap.setDevicePixelRatio(ratio)      # as sharp as a direct paint on a high-DPI screen
            painter = QPainter(pixmap)
            self._paint_under(painter, ghosts)
            painter.end()
            self._background = cached = (view, pixmap)
        p.drawPixmap(0, 0, cached[1])

    def _paint_under(self, p: QPainter, ghosts: tuple[tuple[int, int, int, Optional[str]], ...]) -> None:
        g, state = self.g, self.state
        self._paint_rows(p)
        self._paint_grid(p)
        if state.loop_end > state.loop_start:
            p.fillRect(QRectF(g.x(state.loop_start), 0, (state.loop_end - state.loop_start) * g.ppb, g.height),
                       palette.LOOP_SHADE if state.loop_enabled else QColor(255, 255, 255, 8))
        for position, track_id, version, colour in ghosts:
            self.ghost_layer.paint(p, g, state.index.track(track_id), ("ghost", track_id, version),
                                   palette.track_colour(colour, position), alpha=GHOST_ALPHA, shaded=False)

    def _paint_rows(self, p: QPainter) -> None:
        """The pitch rows, from a strip ``ROWS_STRIP_PX`` wide tiled across: painted again only when
        the rows move (vertical scroll or zoom) or the key changes, not at every horizontal step."""
        g = self.g
        scale, tonic = scale_rows(self.state.score)
        key = (g.row, g.top, g.height, scale, tonic)
        if self._rows is None or self._rows[0] != key:
            self._rows = (key, rows_strip(g, scale, tonic))
        p.drawTiledPixmap(QRectF(0, 0, g.width, g.height), self._rows[1])

    def _paint_grid(self, p: QPainter) -> None:
        g, grid = self.g, self.state.grid
        bars = self.bar_lines(g.right)
        shown = bars.in_view(g.left, g.right)
        strong = shown[shown % bars.every(g.ppb, 24) == 0]      # thin out bar lines when zoomed far out
        beats = shown[bars.units[shown] * g.ppb >= MIN_GRID_PX]
        fine = shown[grid * g.ppb >= MIN_GRID_PX] if grid else shown[:0]
        fine = fine[grid < bars.units[fine]]
        x = lambda beat: ((beat - g.left) * g.ppb).tolist()     # noqa: E731
        p.drawTiledPixmap(QRectF(0, 0, g.width, g.height),
                          grid_strip(g.width, ((x(bars.inner(fine, grid or 1.0)), palette.GRID_LINE),
                                               (x(bars.inner(beats, bars.units[beats])), palette.BEAT_LINE),
                                               (x(bars.starts[strong]), palette.BAR_LINE))))

    def _paint_active(self, p: QPainter, track_id: int, colour: QColor) -> None:
        index = self.state.index.track(track_id)
        drag = self._drag
        hide_selected = drag is not None and drag.kind in (DragKind.MOVE, DragKind.RESIZE_END,
                                                           DragKind.RESIZE_START, DragKind.ERASE)
        g = self.g
        low, high = g.visible_pitches()
        visible = index.visible(g.left, g.right, low, high)
        if len(visible) > self.active_layer.limit:
            self.active_layer.paint(p, g, index, ("active", track_id, self.state.index.version(track_id)), colour)
            return
        self.active_layer.last_mode = "vector"
        if hide_selected and len(visible):
            selection, erased = self.state.selection, drag.erased
            keep = np.fromiter((n not in selection and n not in erased for n in index.take(visible)), bool,
                               len(visible))
            visible = visible[keep]
        paint_vector(p, g, index.starts[visible], index.ends[visible], index.pitches[visible],
                     index.velocities[visible], colour)

    def _selection_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The selection as drawn now: moved or resized while a drag is on (clamped as the document
        will clamp it)."""
        starts, ends, pitches, velocities = self.state.selection.arrays()
        drag = self._drag
        if drag is None or not len(starts):
            return starts, ends, pitches, velocities
        if drag.kind is DragKind.MOVE:
            beats, semitones = self._clamped_move(drag.beats, drag.semitones)
            return starts + beats, ends + beats, pitches + semitones, velocities
        if drag.kind is DragKind.RESIZE_END:
            return starts, np.maximum(ends + drag.beats, starts + MIN_DURATION), pitches, velocities
        if drag.kind is DragKind.RESIZE_START:
            return np.minimum(np.maximum(0.0, starts + drag.beats), ends - MIN_DURATION), ends, pitches, velocities
        return starts, ends, pitches, velocities

    def _clamped_move(self, beats: float, semitones: int) -> tuple[float, int]:
        starts, _, pitches, _ = self.state.selection.arrays()
        beats = max(beats, -float(starts.min()))
        semitones = max(min(semitones, 127 - int(pitches.max())), -int(pitches.min()))
        return beats, semitones

    def _paint_selection(self, p: QPainter) -> None:
        if not len(self.state.selection):
            return
        g = self.g
        starts, ends, pitches, velocities = self._selection_arrays()
        low, high = g.visible_pitches()
        on = (ends > g.left) & (starts < g.right) & (pitches >= low) & (pitches <= high)
        count = int(on.sum())
        if count > self.selection_layer.limit:
            dx, dy = 0.0, 0
            if self._drag is not None and self._drag.kind is DragKind.MOVE:
                dx, dy = self._clamped_move(self._drag.beats, self._drag.semitones)
            base = self.state.selection.arrays()
            self.selection_layer.paint_raster(p, g, ("selection", self.state.selection.version), base[0], base[1],
                                              base[2], (palette.SELECTED,), dx=dx, dy=dy)
            return
        edge = palette.SELECTED_EDGE if count <= 400 else None
        paint_vector(p, g, starts[on], ends[on], pitches[on], None, palette.SELECTED, edge=edge)

    def _paint_drag_overlay(self, p: QPainter) -> None:
        drag = self._drag
        if drag is None:
            return
        g = self.g
        if drag.kind is DragKind.DRAW:
            active = self.state.active_track()
            colour = palette.track_colour(active.colour if active else None,
                                          self.state.score.tracks.index(active) if active else 0)
            paint_vector(p, g, np.array([drag.beat]), np.array([drag.beats]), np.array([drag.pitch]), None,
                         colour, edge=palette.SELECTED_EDGE)
        elif drag.kind is DragKind.MARQUEE and drag.moved:
            rect = QRectF(drag.press, drag.current).normalized()
            p.setPen(QPen(palette.MARQUEE_EDGE, 1))
            p.setBrush(palette.MARQUEE_FILL)
            p.drawRect(rect)

    def _paint_line(self, p: QPainter, beat: float, colour: QColor, dashed: bool = False) -> None:
        x = self.g.x(beat)
        if -2 <= x <= self.g.width + 2:
            (dashed_vline if dashed else vline)(p, x, 0, self.g.height, colour)

    # -- hit testing ------------------------------------------------------------------------------------
    def note_at(self, pos: QPointF) -> Optional[Note]:
        track = self.state.active_track()
        if track is None:
            return None
        index = self.state.index.track(track.id)
        i = index.at(self.g.beat(pos.x()), self.g.pitch(pos.y()))
        return index.notes[i] if i is not None else None

    def _edge(self, note: Note, x: float) -> Optional[DragKind]:
        x0, x1 = self.g.x(note.start), self.g.x(note.end)
        zone = min(EDGE_PX, (x1 - x0) / 4)
        if zone < 2:
            return None
        if x >= x1 - zone:
            return DragKind.RESIZE_END
        if x <= x0 + zone:
            return DragKind.RESIZE_START
        return None

    def _snap(self, beat: float, free: bool) -> float:
        return beat if free else snap(beat, self.state.grid)

    # -- mouse ------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        pos = event.position()
        beat, pitch = self.g.beat(pos.x()), self.g.pitch(pos.y())
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        free = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        note = self.note_at(pos)
        if event.button() == Qt.MouseButton.RightButton:
            if self.state.tool is Tool.DRAW:
                self._drag = Drag(DragKind.ERASE, pos, beat, pitch, current=pos)
                self._erase_at(pos)
            else:
                if note is not None and note not in self.state.selection:
                    self.state.select([note])
                self.context_menu_requested.emit(event.globalPosition().toPoint())
            return
        if event.button() != Qt.MouseButton.LeftButton or self.state.active_track() is None:
            return
        if note is not None:
            if shift:
                chosen = [n for n in self.state.selection.notes if n != note] if note in self.state.selection \
                    else self.state.selection.notes + [note]
                self.state.select(chosen)
                if note not in self.state.selection:
                    return
            elif note not in self.state.selection:
                self.state.select([note])
            kind = self._edge(note, pos.x()) or DragKind.MOVE
            self._drag = Drag(kind, pos, beat, pitch, anchor=note, current=pos)
            if kind is DragKind.MOVE:
                self.note_sounded.emit(note.pitch)
            return
        if self.state.tool is Tool.DRAW:
            start = max(0.0, beat if free else snap_down(beat, self.state.grid))
            self._drag = Drag(DragKind.DRAW, pos, start, pitch, beats=start + self.state.new_note_length,
                              current=pos)
            self.note_sounded.emit(pitch)
            self.update()
        else:
            self._drag = Drag(DragKind.MARQUEE, pos, beat, pitch, current=pos, extend=shift)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        drag = self._drag
        if drag is None:
            self._hover(pos)
            return
        drag.current = pos
        drag.moved = drag.moved or (pos - drag.press).manhattanLength() >= 3
        free = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        beat = self.g.beat(pos.x())
        if drag.kind is DragKind.MOVE and drag.moved:
            target = self._snap(drag.anchor.start + beat - drag.beat, free)
            semitones = self.g.pitch(pos.y()) - drag.pitch
            if semitones != drag.semitones:
                self.note_sounded.emit(drag.anchor.pitch + semitones)
            drag.beats, drag.semitones = target - drag.anchor.start, semitones
        elif drag.kind is DragKind.RESIZE_END:
            drag.beats = self._snap(drag.anchor.end + beat - drag.beat, free) - drag.anchor.end
        elif drag.kind is DragKind.RESIZE_START:
            drag.beats = self._snap(drag.anchor.start + beat - drag.beat, free) - drag.anchor.start
        elif drag.kind is DragKind.DRAW:
            end = self._snap(beat, free)
            drag.beats = max(drag.beat + step(None if free else self.state.grid), end)
        elif drag.kind is DragKind.ERASE:
            self._erase_at(pos)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None:
            return
        doc, state = self.state.doc, self.state
        if drag.kind is DragKind.MOVE and drag.moved and (drag.beats or drag.semitones):
            state.follow(lambda selected: doc.move_notes(selected, drag.beats, drag.semitones))
        elif drag.kind is DragKind.RESIZE_END and drag.beats:
            state.follow(lambda selected: doc.resize_notes(selected, drag.beats))
        elif drag.kind is DragKind.RESIZE_START and drag.beats:
            state.follow(lambda selected: doc.resize_notes(selected, -drag.beats, from_start=True))
        elif drag.kind is DragKind.DRAW:
            length = drag.beats - drag.beat
            state.new_note_length = length
            self.editing.add_note(drag.beat, drag.pitch, length)
        elif drag.kind is DragKind.MARQUEE:
            self._finish_marquee(drag)
        elif drag.kind is DragKind.ERASE and drag.erased:
            doc.delete_notes({state.active_track_id: drag.erased})
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.state.active_track() is None:
            return
        pos = event.position()
        note = self.note_at(pos)
        self._drag = None
        if note is not None:
            self.state.doc.delete_notes({self.state.active_track_id: [note]})
            self.state.select([])
        elif self.state.tool is Tool.SELECT:
            start = max(0.0, snap_down(self.g.beat(pos.x()), self.state.grid))
            self.editing.add_note(start, self.g.pitch(pos.y()))

    def _finish_marquee(self, drag: Drag) -> None:
        state = self.state
        if not drag.moved:
            if not drag.extend:
                state.select([])
            state.set_cursor(max(0.0, snap(drag.beat, state.grid)))
            return
        g = self.g
        rect = QRectF(drag.press, drag.current).normalized()
        b0, b1 = g.beat(rect.left()), g.beat(rect.right())
        low, high = g.pitch(rect.bottom()), g.pitch(rect.top())
        index = state.index.track(state.active_track_id)
        found = index.take(index.visible(b0, b1, low, high))
        if drag.extend:
            have = set(state.selection.notes)
            found = state.selection.notes + [n for n in found if n not in have]
        state.select(found)

    def _erase_at(self, pos: QPointF) -> None:
        note = self.note_at(pos)
        if note is not None and note not in self._drag.erased:
            self._drag.erased.append(note)
            self.update()

    def _hover(self, pos: QPointF) -> None:
        note = self.note_at(pos)
        if note is not None and self._edge(note, pos.x()) is not None:
            self.setCursor(Qt.CursorShape.SizeHorCursor)
        elif note is not None:
            self.setCursor(Qt.CursorShape.SizeAllCursor)
        elif self.state.tool is Tool.DRAW:
            self.setCursor(Qt.CursorShape.CrossCursor)
        else:
            self.setCursor(Qt.CursorShape.ArrowCursor)

    # -- keys, wheel, pinch ------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        edit = self.editing
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            edit.delete()
        elif key == Qt.Key.Key_Left:
            edit.nudge(steps=-1)
        elif key == Qt.Key.Key_Right:
            edit.nudge(steps=1)
        elif key == Qt.Key.Key_Up:
            edit.nudge(semitones=12 if shift else 1)
        elif key == Qt.Key.Key_Down:
            edit.nudge(semitones=-12 if shift else -1)
        elif key == Qt.Key.Key_Escape:
            self._drag = None
            edit.select_none()
        else:
            super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        mods = event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if ctrl:
            factor = 1.0015 ** (delta.y() or delta.x())
            if shift:
                self.g.zoom_y(factor, event.position().y())
            else:
                self.g.zoom_x(factor, event.position().x())
        elif shift:
            self.g.scroll(dx_pixels=-(delta.y() or delta.x()) / 2)
        else:
            self.g.scroll(dx_pixels=-delta.x() / 2, dy_pixels=-delta.y() / 2)
        event.accept()

    def event(self, event) -> bool:
        """Pinch zooms time around the fingers: a trackpad's native zoom gesture (macOS, libinput)
        or a touchscreen's two-finger pinch (``QPinchGesture``)."""
        kind = event.type()
        if kind == QEvent.Type.NativeGesture and event.gestureType() in PINCH_GESTURE:
            if event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
                self.g.zoom_x(1.0 + event.value(), event.position().x())
            event.accept()      # the begin and end too: the pinch is the roll's, not its parents'
            return True
        if kind == QEvent.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if pinch is not None:
                if pinch.changeFlags() & QPinchGesture.ChangeFlag.ScaleFactorChanged:
                    self.g.zoom_x(pinch.scaleFactor(), self.mapFromGlobal(pinch.centerPoint()).x())
                event.accept(pinch)
                return True
        return super().event(event)
