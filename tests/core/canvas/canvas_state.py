"""Comparable snapshots of a canvas document's whole state, for the canvas tests."""
from __future__ import annotations

import numpy as np

from ragart_desktop.core.canvas import CanvasDocument


def doc_state(doc: CanvasDocument) -> dict:
    return {
        "layers": [(l.id, l.name, l.opacity, l.visible, l.pixels.copy()) for l in doc.layers],
        "selection": doc.selection.copy(),
    }


def assert_same_state(a: dict, b: dict) -> None:
    assert [x[:4] for x in a["layers"]] == [x[:4] for x in b["layers"]]
    for la, lb in zip(a["layers"], b["layers"]):
        np.testing.assert_array_equal(la[4], lb[4], err_msg=f"pixels of layer {la[1]!r} differ")
    np.testing.assert_array_equal(a["selection"], b["selection"], err_msg="selection differs")
