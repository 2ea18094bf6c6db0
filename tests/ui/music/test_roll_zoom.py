"""Zooming the piano roll: pinch and ctrl+wheel keep the beat under the pointer, and the raster tiles
a zoomed-out view is drawn from put every note where it belongs, at every zoom, after every edit."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QNativeGestureEvent, QPainter, QPointingDevice, QWheelEvent
from PySide6.QtWidgets import QApplication, QGestureEvent, QPinchGesture

from ragart_desktop.core.music.document import ScoreDocument
from ragart_desktop.core.music.note_index import NoteIndex
from ragart_desktop.core.music.score import Note, Score, TimeSignature, Track
from ragart_desktop.ui.music import MusicEditor
from ragart_desktop.ui.music.geometry import Bars, RollGeometry
from ragart_desktop.ui.music.note_layer import TILE_PX, NoteLayer, raster_level
from ragart_desktop.ui.music.velocity import HEIGHT, PAD

WIDTH, TALL = 900, 420
SLACK_PX = 3      # a raster pixel is under two screen pixels wide (its level is a power of two below the zoom),
                  # plus the pixel a scaled image may round to


def dense_notes(count: int = 4000, seed: int = 7) -> list[Note]:
    rng = np.random.default_rng(seed)
    starts = np.sort(rng.uniform(0, 2000, count))
    lengths = rng.choice([0.05, 0.25, 0.5, 1.0, 3.0], count)
    pitches = rng.integers(44, 80, count)
    return [Note(float(s), float(s + d), int(p)) for s, d, p in zip(starts, lengths, pitches)]


def lit(image: QImage) -> np.ndarray:
    """Which pixels of ``image`` (black where nothing was drawn) were painted."""
    view = np.frombuffer(image.constBits(), np.uint32, image.sizeInBytes() // 4)
    return (view.reshape(image.height(), image.bytesPerLine() // 4)[:, :image.width()] & 0xFFFFFF) != 0


def paint_layer(layer: NoteLayer, g: RollGeometry, index: NoteIndex, key) -> np.ndarray:
    image = QImage(g.width, g.height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("black"))
    p = QPainter(image)
    layer.paint(p, g, index, key, QColor("white"), shaded=False)
    p.end()
    return lit(image)


def check_drawn_where_notes_are(mask: np.ndarray, g: RollGeometry, notes: list[Note]) -> int:
    """Each visible note has a lit pixel in its row within its span, and every lit pixel in the
    middle of a row lies on a note of that pitch (both up to ``SLACK_PX``); returns the notes checked."""
    low, high = g.visible_pitches()
    columns = np.arange(g.width)
    checked = 0
    for pitch in range(low + 1, high):       # whole rows only
        y = int(g.y(pitch) + g.row / 2)
        row = mask[y]
        allowed = np.zeros(g.width, bool)
        for n in (n for n in notes if n.pitch == pitch and n.end > g.left and n.start < g.right):
            x0, x1 = g.x(n.start) - SLACK_PX, g.x(n.end) + SLACK_PX
            span = (columns >= x0) & (columns <= x1)
            allowed |= span
            if x0 >= 0 and x1 < g.width:       # notes cut by the edge may fall between pixels
                assert row[span].any(), f"note {n} not drawn at {g.ppb} px/beat"
                checked += 1
        stray = np.nonzero(row & ~allowed)[0]
        assert not len(stray), f"pitch {pitch}: pixels {stray[:5]} lit where no note is, at {g.ppb} px/beat"
    return checked


@pytest.mark.parametrize("ppb", [0.55, 1.3, 3.0, 7.7, 20.0, 90.0])
def test_raster_tiles_draw_every_note_where_it_is_at_every_zoom(qapp, ppb):
    notes = dense_notes()
    index = NoteIndex(notes)
    g = RollGeometry(ppb=ppb, row=7.0)
    g.width, g.height = WIDTH, TALL
    span = TILE_PX / raster_level(ppb)
    g.set_view(left=max(0.0, 1.5 * span - WIDTH / ppb / 2), top=(127 - 84) * g.row)   # across a tile edge
    raster = NoteLayer(limit=0)
    mask = paint_layer(raster, g, index, "dense")
    assert raster.last_mode == "raster"
    assert check_drawn_where_notes_are(mask, g, notes) >= 10


def test_an_edit_is_drawn_at_once_when_zoomed_out(editor):
    """No stale raster: the moved notes leave their old place and appear at the new one."""
    score = Score()
    track = score.add_track(Track("Dense", notes=dense_notes()))
    editor.set_document(ScoreDocument(score))
    editor.state.set_active_track(track.id)
    editor.state.show_ghosts = False
    g = editor.geometry
    g.set_view(left=0.0, ppb=0.9, row=6.0)
    g.show_pitch(62)
    before = lit_roll(editor)
    assert editor.roll.active_layer.last_mode == "raster"
    moved = [n for n in editor.doc.score.track(track.id).notes if n.pitch == 60]
    editor.doc.move_notes({track.id: moved}, 0.0, 30)       # pitch 60 -> 90: empty before
    after = lit_roll(editor)
    assert editor.roll.active_layer.last_mode == "raster"
    row = lambda pitch: int(g.y(pitch) + g.row / 2)    # noqa: E731
    notes_only = np.s_[:, 8:]       # left of it: the cursor line at beat 0
    before, after = before[notes_only], after[notes_only]
    assert before[row(60)].sum() > 50 and before[row(90)].sum() == 0
    assert after[row(60)].sum() == 0 and after[row(90)].sum() > 50


def lit_roll(editor: MusicEditor) -> np.ndarray:
    """Pixels of the roll brighter than its background rows (the notes)."""
    image = editor.roll.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    view = np.frombuffer(image.constBits(), np.uint32, image.sizeInBytes() // 4)
    pixels = view.reshape(image.height(), image.bytesPerLine() // 4)[:, :image.width()]
    green = (pixels >> 8) & 0xFF
    return green > 110


def with_piece(editor: MusicEditor) -> None:
    score = Score()
    score.add_track(Track("Lead", notes=[Note(b, b + 1, 60) for b in range(64)]))
    editor.set_document(ScoreDocument(score))
    editor.geometry.set_view(left=60.0, ppb=40.0, row=12.0)   # room to zoom out around the pointer


def test_pinch_on_a_trackpad_zooms_time_around_the_fingers(editor):
    with_piece(editor)
    g, roll = editor.geometry, editor.roll
    anchor = QPointF(300, 200)
    beat = g.beat(anchor.x())
    device = QPointingDevice.primaryPointingDevice()
    kinds = Qt.NativeGestureType
    for kind, value in ((kinds.BeginNativeGesture, 0.0), (kinds.ZoomNativeGesture, 0.25),
                        (kinds.ZoomNativeGesture, 0.25), (kinds.ZoomNativeGesture, -0.1), (kinds.EndNativeGesture, 0.0)):
        gesture = QNativeGestureEvent(kind, device, 2, anchor, anchor, roll.mapToGlobal(anchor), value, QPointF(0, 0))
        QApplication.sendEvent(roll, gesture)
        assert gesture.isAccepted(), f"{kind.name} left to the roll's parents"
    assert g.ppb == pytest.approx(40.0 * 1.25 * 1.25 * 0.9)
    assert g.beat(anchor.x()) == pytest.approx(beat)


def test_pinch_on_a_touchscreen_zooms_time_around_the_fingers(editor):
    with_piece(editor)
    g, roll = editor.geometry, editor.roll
    anchor = QPointF(420, 150)
    beat = g.beat(anchor.x())
    pinch = QPinchGesture()
    pinch.setChangeFlags(QPinchGesture.ChangeFlag.ScaleFactorChanged)
    pinch.setScaleFactor(0.5)
    pinch.setCenterPoint(QPointF(roll.mapToGlobal(anchor)))
    QApplication.sendEvent(roll, QGestureEvent([pinch]))
    assert g.ppb == pytest.approx(20.0)
    assert g.beat(anchor.x()) == pytest.approx(beat)


def test_ctrl_wheel_zooms_time_and_keeps_the_beat_under_the_pointer(editor):
    with_piece(editor)
    g, roll = editor.geometry, editor.roll
    for x, notches in ((250.0, 2), (700.0, -3), (40.0, 1)):
        beat, ppb = g.beat(x), g.ppb
        pos = QPointF(x, 120)
        wheel = QWheelEvent(pos, roll.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(roll, wheel)
        assert (g.ppb > ppb) == (notches > 0)
        assert g.beat(x) == pytest.approx(beat)


def test_bars_give_the_beat_and_grid_lines_of_each_bar_in_its_own_meter():
    score = Score(time_signatures=[TimeSignature(0, 4, 4), TimeSignature(8, 3, 4), TimeSignature(14, 6, 8)])
    bars = Bars.of(score, 30.0)
    assert bars.starts[:7].tolist() == [0, 4, 8, 11, 14, 17, 20]
    assert bars.units[:6].tolist() == [1, 1, 1, 1, 0.5, 0.5]
    shown = bars.in_view(5.0, 15.0)
    assert shown.tolist() == [1, 2, 3, 4]
    assert bars.inner(shown, bars.units[shown]).tolist() == [5, 6, 7, 9, 10, 12, 13,
                                                              14.5, 15, 15.5, 16, 16.5]
    assert bars.inner(shown[:2], 0.75).tolist() == [4.75, 5.5, 6.25, 7.0, 7.75, 8.75, 9.5, 10.25]
    assert bars.every(ppb=2.0, min_px=24) == 3          # bars of 4 beats, 8 px apart


def test_zoomed_out_the_velocity_lane_shows_each_columns_loudest_note(editor):
    quiet = [Note(b * 0.25, b * 0.25 + 0.2, 60, velocity=20) for b in range(2000)]
    loud = [Note(100.1, 100.3, 64, velocity=127), Note(300.6, 300.8, 64, velocity=90)]
    score = Score()
    track = score.add_track(Track("Dense", notes=sorted(quiet + loud, key=lambda n: n.start)))
    editor.set_document(ScoreDocument(score))
    editor.state.set_active_track(track.id)
    g = editor.geometry
    g.set_view(left=0.0, ppb=2.0)
    image = editor.velocity.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32, image.sizeInBytes() // 4).reshape(image.height(), -1).copy()
    stem = pixels == pixels[HEIGHT - PAD - 1, int(g.x(50.0))]         # the colour at the foot of a stem
    heights = stem.sum(axis=0)[:int(g.x(499))]
    quiet_height = int(np.median(heights))
    assert heights[int(g.x(100.1))] > 3 * quiet_height
    assert quiet_height < heights[int(g.x(300.6))] < heights[int(g.x(100.1))]
    assert (heights > quiet_height).sum() == 2


@pytest.mark.parametrize("ppb", [5.0, 20.0])
def test_repeated_notes_stay_apart_in_the_raster(qapp, ppb):
    notes = [Note(float(b), float(b + 1), 60) for b in range(200)]
    g = RollGeometry(ppb=ppb, row=8.0)
    g.width, g.height = WIDTH, TALL
    g.set_view(left=10.0, top=(127 - 70) * g.row)
    mask = paint_layer(NoteLayer(limit=0), g, NoteIndex(notes), "repeated")
    row = mask[int(g.y(60) + g.row / 2)]
    for beat in range(12, 40):
        x = g.x(beat)
        assert row[int(x) - 3:int(x) + 3].any() and not row[int(x) - 3:int(x) + 3].all(), f"no gap at beat {beat}"


def test_a_new_track_colour_is_drawn_at_once(qapp):
    g = RollGeometry(ppb=1.0, row=6.0)
    g.width, g.height = WIDTH, TALL
    g.set_view(left=0.0, top=(127 - 84) * g.row)
    index, layer = NoteIndex(dense_notes()), NoteLayer(limit=0)
    for colour in ("#ff0000", "#00ff00"):
        image = QImage(g.width, g.height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor("black"))
        p = QPainter(image)
        layer.paint(p, g, index, ("active", 1, 0), QColor(colour), shaded=False)
        p.end()
        hues = {QColor(image.pixel(x, y)).hue() for x in range(0, WIDTH, 7) for y in range(0, TALL, 5)}
        assert hues - {-1} == {QColor(colour).hue()}        # -1: black, nothing drawn


def test_ctrl_shift_wheel_zooms_pitch_and_keeps_the_row_under_the_pointer(editor):
    with_piece(editor)
    g, roll = editor.geometry, editor.roll
    g.show_pitch(64)
    for y, notches in ((100.0, 1), (400.0, -1)):
        rows_above, row = (y + g.top) / g.row, g.row
        pos = QPointF(500, y)
        wheel = QWheelEvent(pos, roll.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(roll, wheel)
        assert (g.row > row) == (notches > 0)
        assert (y + g.top) / g.row == pytest.approx(rows_above)


def test_raster_tiles_shade_notes_by_velocity_as_rectangles_do(qapp):
    """Zoomed out, a soft note is still drawn darker than a loud one, in the rectangles' shades."""
    velocities = (10, 40, 70, 120)
    notes = [Note(float(b), b + 0.75, 50 + (b % 4) * 5, velocities[b % 4]) for b in range(400)]
    g = RollGeometry(ppb=12.0, row=8.0)
    g.width, g.height = WIDTH, TALL
    g.set_view(left=0.0, top=(127 - 75) * g.row)
    drawn = {}
    for mode, limit in (("raster", 0), ("vector", 10_000)):
        layer = NoteLayer(limit=limit)
        image = QImage(g.width, g.height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor("black"))
        p = QPainter(image)
        layer.paint(p, g, NoteIndex(notes), ("shaded", mode), QColor("#4da3ff"))
        p.end()
        assert layer.last_mode == mode
        drawn[mode] = [QColor(image.pixel(int(g.x(b + 0.375)), int(g.y(50 + b * 5) + g.row / 2))) for b in range(4)]
    assert [c.rgb() for c in drawn["raster"]] == [c.rgb() for c in drawn["vector"]]
    values = [c.value() for c in drawn["raster"]]
    assert values == sorted(values) and len(set(values)) == 4      # louder is brighter, four shades


def test_the_cached_background_matches_a_direct_paint_and_follows_grid_meter_ghosts_and_loop(editor):
    roll = editor.roll
    editor.geometry.set_view(left=0.0, ppb=40.0, row=12.0)
    direct, cached, copied = (roll.grab().toImage() for _ in range(3))   # painted, cached, copied from the cache
    assert direct == cached == copied
    editor.state.set_grid("1/32")
    finer = roll.grab().toImage()
    assert finer != copied and roll.grab().toImage() == finer
    editor.doc.set_score(time_signatures=[TimeSignature(0.0, 3, 4)])
    assert roll.grab().toImage() != finer
    assert editor.doc.undo() and roll.grab().toImage() == finer
    other = editor.doc.add_track("Ghost")                 # not the active track: its notes are ghosts
    before = roll.grab().toImage()
    assert roll.grab().toImage() == before
    editor.doc.add_notes(other.id, [Note(1, 3, 64)])
    ghost = roll.grab().toImage()
    assert ghost != before and roll.grab().toImage() == ghost
    editor.state.set_loop(2.0, 4.0)
    assert roll.grab().toImage() != ghost
