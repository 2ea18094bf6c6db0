import json
import os
import time
import zipfile

import numpy as np
import pytest
from PIL import Image

from tests.core.canvas.canvas_state import assert_same_state, doc_state
from ragart_desktop.core.canvas import (
    Autosaver,
    Brush,
    CanvasDocument,
    Rect,
    StrokeMode,
    find_recovery,
    open_project,
    read_png_metadata,
    recover,
    save_project,
    untitled_autosaves,
)
from ragart_desktop.core.errors import BadInputError, Cancelled
from ragart_desktop.core.progress import Task


def _edited_doc() -> CanvasDocument:
    doc = CanvasDocument.new(96, 64)
    doc.begin_stroke(10, 10, Brush(size=12, hardness=0.3, opacity=0.6, colour=(200, 10, 90)))
    doc.stroke_to(80, 50)
    doc.end_stroke()
    removed = doc.add_layer("to remove", pixels=np.full((64, 96, 4), (1, 2, 3, 40), np.uint8))
    doc.remove_layer(removed.id)
    doc.add_result_layer(Image.new("RGB", (96, 64), (20, 40, 60)), "Result", {"engine": "palette", "seed": 3})
    doc.set_layer_properties(doc.layers[-1].id, opacity=0.5, name="Result (50%)")
    doc.select_polygon([(5, 5), (60, 8), (30, 60)])
    doc.begin_stroke(70, 30, Brush(size=8), StrokeMode.MASK_ADD)
    doc.end_stroke()
    doc.set_active_layer(doc.layers[1].id)
    return doc


def test_project_round_trip_is_exact_and_keeps_history(tmp_path):
    doc = _edited_doc()
    path = save_project(doc, tmp_path / "art.ragart")
    assert not doc.modified
    loaded = open_project(path)
    assert_same_state(doc_state(loaded), doc_state(doc))
    assert loaded.active_layer_id == doc.active_layer_id
    assert loaded.layers[-1].provenance == {"engine": "palette", "seed": 3}
    assert np.array_equal(loaded.current_image(), doc.current_image())
    assert loaded.path == path and not loaded.modified
    # The history came along: undoing in both documents gives the same states, step by step,
    # including bringing back the removed layer.
    steps = 0
    while doc.undo():
        assert loaded.undo()
        assert_same_state(doc_state(loaded), doc_state(doc))
        steps += 1
    assert steps == len(doc.history) and not loaded.can_undo
    while doc.redo():
        assert loaded.redo()
    assert_same_state(doc_state(loaded), doc_state(doc))
    # New ids never collide with ids that live in the history.
    assert loaded.add_layer("new").id == doc.add_layer("new").id


def test_damaged_or_foreign_files_are_refused_with_the_file_named(tmp_path):
    broken = tmp_path / "broken.ragart"
    broken.write_bytes(b"not a zip at all")
    with pytest.raises(BadInputError) as err:
        open_project(broken)
    assert "broken.ragart" in str(err.value)
    foreign = tmp_path / "foreign.ragart"
    with zipfile.ZipFile(foreign, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "something-else"}))
    with pytest.raises(BadInputError):
        open_project(foreign)
    truncated = tmp_path / "truncated.ragart"
    save_project(_edited_doc(), truncated)
    with zipfile.ZipFile(truncated) as zf, zipfile.ZipFile(tmp_path / "t2.ragart", "w") as out:
        for item in zf.infolist():
            if not item.filename.startswith("layers/"):
                out.writestr(item, zf.read(item))
    with pytest.raises(BadInputError):
        open_project(tmp_path / "t2.ragart")
    with pytest.raises(BadInputError):
        open_project(tmp_path / "missing.ragart")


def test_a_cancelled_save_leaves_the_previous_file_intact(tmp_path):
    path = tmp_path / "keep.ragart"
    doc = _edited_doc()
    save_project(doc, path)
    original = path.read_bytes()
    doc.fill(0, 0, (0, 0, 0), tolerance=255)
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        save_project(doc, path, task=task)
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.ragart"]  # no temporary left behind
    assert doc.modified


def test_autosave_writes_only_when_due_and_recovery_finds_it(tmp_path):
    folder = tmp_path / "home" / "autosave"
    now = [1000.0]
    doc = CanvasDocument.new(64, 48)
    saver = Autosaver(doc, folder, interval_s=30, clock=lambda: now[0])
    assert not saver.tick()                      # nothing edited yet
    doc.begin_stroke(5, 5, Brush(size=6)); doc.stroke_to(50, 40); doc.end_stroke()
    assert not saver.tick()                      # edited, but the interval has not passed
    now[0] += 31
    assert saver.tick()
    saver.wait()
    assert saver.last_error is None
    [written] = untitled_autosaves(folder)
    assert not saver.tick()                      # nothing new since the autosave

    # The app "crashes" here: the untitled document is recovered from its autosave.
    recovered = recover(written)
    assert_same_state(doc_state(recovered), doc_state(doc))
    assert recovered.modified and recovered.path is None
    assert recovered.session_id == doc.session_id


def test_a_newer_autosave_of_a_project_is_offered_on_open_and_cleared_by_saving(tmp_path):
    folder = tmp_path / "autosave"
    path = tmp_path / "work.ragart"
    doc = CanvasDocument.new(64, 48)
    save_project(doc, path)
    saver = Autosaver(doc, folder, interval_s=0)
    assert find_recovery(folder, path) is None
    doc.fill(1, 1, (255, 0, 0))
    autosave = saver.save_now()
    old = time.time() - 60
    os.utime(path, (old, old))                   # the project file predates the autosave
    assert find_recovery(folder, path) == autosave
    recovered = recover(autosave)
    assert recovered.path == path and recovered.modified
    assert recovered.current_image().getpixel((1, 1)) == (255, 0, 0)
    assert open_project(path).current_image().getpixel((1, 1)) == (255, 255, 255)
    save_project(doc, path)
    saver.discard()
    assert find_recovery(folder, path) is None and not autosave.exists()


def test_export_png_carries_metadata_and_the_flattened_image(tmp_path):
    doc = CanvasDocument.new(40, 30)
    doc.select_rect(Rect(0, 0, 40, 30))
    doc.fill(3, 3, (10, 20, 30))
    metadata = {"request": {"prompt": "a red fox", "seed": 42, "mode": "refine"},
                "engine": "builtin-patch", "references": [{"id": 7, "path": "/lib/fox.png", "weight": 0.8}]}
    path = doc.export_png(tmp_path / "out.png", metadata)
    with Image.open(path) as image:
        assert json.loads(image.text["ragart"]) == metadata
        assert image.size == (40, 30) and image.convert("RGB").getpixel((5, 5)) == (10, 20, 30)
    assert read_png_metadata(path) == metadata
