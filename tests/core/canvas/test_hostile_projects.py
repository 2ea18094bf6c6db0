"""Opening a hostile or damaged .ragart is bounded: sizes are capped before anything is allocated,
every entry is checked, and the answer is a "damaged file" message naming the file. Undo stays
atomic. Whatever canvas the app lets a user create, it reopens (the image reader's decompression
bomb limit is for untrusted imports, not for the project's own layers)."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from PIL import Image

from ragart_desktop.core.canvas import Autosaver, CanvasDocument, open_project, recover, save_project
from ragart_desktop.core.canvas.commands import Command
from ragart_desktop.core.errors import BadInputError
from tests.fixtures import hostile_projects
from tests.fixtures.hostile_projects import HOSTILE, real_project

PEAK_LIMIT = 64 * 2**20   # opening the real project of the same size peaks near 1 MB


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return real_project(tmp_path_factory.mktemp("real") / "real.ragart")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_project_is_refused_as_damaged_within_bounded_memory(name, source, tmp_path):
    path = HOSTILE[name](source, tmp_path / f"{name}.ragart")
    tracemalloc.start()
    try:
        with pytest.raises(BadInputError) as info:
            open_project(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.path == str(path)
    assert "damaged" in info.value.message or "not a RagArt" in info.value.message, info.value.message
    assert peak < PEAK_LIMIT, f"{name}: {peak / 2**20:.0f} MB"


def test_the_real_project_still_opens(source):
    doc = open_project(source)
    assert (doc.width, doc.height) == (96, 64) and len(doc.layers) == 3 and doc.can_undo


class _Breaks(Command):
    """An edit whose undo or redo fails (what a bad entry in a loaded history did)."""

    def __init__(self, fails: str):
        self.fails = fails
        self.label = f"breaks on {fails}"

    def undo(self, doc):
        if self.fails == "undo":
            raise BadInputError("this edit cannot be undone")

    def redo(self, doc):
        if self.fails == "redo":
            raise BadInputError("this edit cannot be redone")


def _where(doc):
    h = doc.history
    return h.undo_label, h.redo_label, h.revision, len(h.done)


def test_an_undo_or_redo_that_fails_leaves_the_history_where_it_was():
    doc = CanvasDocument.new(32, 32)
    doc.history.push(_Breaks("undo"))
    before = _where(doc)
    with pytest.raises(BadInputError):
        doc.undo()
    assert _where(doc) == before and doc.can_undo
    doc.history.push(_Breaks("redo"))
    assert doc.undo()
    before = _where(doc)
    with pytest.raises(BadInputError):
        doc.redo()
    assert _where(doc) == before and doc.can_redo


def test_a_canvas_above_the_image_readers_pixel_limit_reopens_and_recovers(tmp_path, monkeypatch):
    """PIL refuses images above twice MAX_IMAGE_PIXELS (128 MP in the app, whose image reader sets
    64 MP); a 16384 x 11000 canvas can be created. Scaled down: the limit is set below this canvas."""
    import ragart_desktop.core.library.read_image as read_image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)     # a 64 x 48 canvas is "above the limit" now
    doc = CanvasDocument.new(64, 48)
    doc.fill(5, 5, (200, 30, 30))
    path = save_project(doc, tmp_path / "big.ragart")
    reopened = open_project(path)
    assert np.array_equal(reopened.current_image(), doc.current_image())
    doc.fill(40, 40, (30, 200, 30), tolerance=0)
    autosave = Autosaver(doc, tmp_path / "autosave").save_now()
    assert np.array_equal(recover(autosave).current_image(), doc.current_image())
    doc.flattened_rgba().save(tmp_path / "untrusted.png")
    with pytest.raises(BadInputError):                        # an image from outside keeps the limit
        read_image.read_image(tmp_path / "untrusted.png")
    with pytest.raises(BadInputError):
        CanvasDocument.from_image(tmp_path / "untrusted.png")


def test_builders_cover_what_the_issue_lists():
    assert {"npy-9-tib", "npy-400-mb", "shared-layer-file", "deep-json", "bad-tile-keys"} <= set(HOSTILE)
    assert hostile_projects.png_claiming(10, 10).startswith(b"\x89PNG")
