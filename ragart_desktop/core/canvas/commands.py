"""The undoable edits of a canvas document (command pattern).

Every command is created *after* its change was applied, holding just what it needs to go both
ways: changed pixel tiles for paint, fill and selection edits; the layer object for adding and
removing layers; old and new values for property changes. Commands also serialise themselves
(``to_record`` / ``command_from_record``) so a project file can carry its history.

Layers are referred to by id. A layer removed from the document stays alive inside the command
that removed it, and project files store such layers beside the history (see ``project.py``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from ragart_desktop.core.canvas.layer import Layer
from ragart_desktop.core.canvas.tiles import TilePatch, patch_nbytes
from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.undo import Command as UndoCommand

if TYPE_CHECKING:
    from ragart_desktop.core.canvas.document import CanvasDocument

SELECTION = None  # target id of pixel commands that edit the selection mask

Record = tuple[dict[str, Any], dict[str, np.ndarray]]


class Command(UndoCommand):
    """A canvas edit: also keeps removed layers alive and serialises itself into project files."""

    def layer_refs(self) -> list[Layer]:
        """Layer objects this command keeps alive (stored with the history in project files)."""
        return []

    def to_record(self) -> Record:
        raise NotImplementedError


class PixelsCommand(Command):
    """Changed tiles of a layer (``target`` = layer id) or of the selection (``target`` = None)."""

    def __init__(self, label: str, target: Optional[int], before: TilePatch, after: TilePatch):
        self.label = label
        self.target = target
        self.before = before
        self.after = after

    @property
    def nbytes(self) -> int:
        return patch_nbytes(self.before) + patch_nbytes(self.after)

    def undo(self, doc: "CanvasDocument") -> None:
        doc._write_tiles(self.target, self.before)

    def redo(self, doc: "CanvasDocument") -> None:
        doc._write_tiles(self.target, self.after)

    def to_record(self) -> Record:
        arrays = {}
        for side, patch in (("before", self.before), ("after", self.after)):
            for (ty, tx), tile in patch.items():
                arrays[f"{side}_{ty}_{tx}"] = tile
        return {"type": "pixels", "label": self.label, "target": self.target}, arrays

    @classmethod
    def from_record(cls, meta: dict, arrays: dict[str, np.ndarray], pool: dict[int, Layer]) -> "PixelsCommand":
        """``arrays`` come checked from the project reader: "before_TY_TX"/"after_TY_TX" tiles."""
        before: TilePatch = {}
        after: TilePatch = {}
        for name, tile in arrays.items():
            side, ty, tx = name.split("_")
            (before if side == "before" else after)[(int(ty), int(tx))] = tile
        target = meta.get("target")
        if target is not None:
            target = _pooled(pool, target).id
        return cls(_text(meta, "label"), target, before, after)


class AddLayerCommand(Command):
    def __init__(self, label: str, layer: Layer, index: int):
        self.label = label
        self.layer = layer
        self.index = index

    def undo(self, doc: "CanvasDocument") -> None:
        doc._detach_layer(self.layer.id)

    def redo(self, doc: "CanvasDocument") -> None:
        doc._insert_layer(self.layer, self.index)

    def layer_refs(self) -> list[Layer]:
        return [self.layer]

    def to_record(self) -> Record:
        return {"type": "add-layer", "label": self.label, "layer": self.layer.id, "index": self.index}, {}

    @classmethod
    def from_record(cls, meta: dict, arrays: dict, pool: dict[int, Layer]) -> "AddLayerCommand":
        return cls(_text(meta, "label"), _pooled(pool, meta.get("layer")), _count(meta, "index"))


class RemoveLayerCommand(Command):
    def __init__(self, label: str, layer: Layer, index: int):
        self.label = label
        self.layer = layer
        self.index = index

    @property
    def nbytes(self) -> int:
        return int(self.layer.pixels.nbytes)

    def undo(self, doc: "CanvasDocument") -> None:
        doc._insert_layer(self.layer, self.index)

    def redo(self, doc: "CanvasDocument") -> None:
        doc._detach_layer(self.layer.id)

    def layer_refs(self) -> list[Layer]:
        return [self.layer]

    def to_record(self) -> Record:
        return {"type": "remove-layer", "label": self.label, "layer": self.layer.id, "index": self.index}, {}

    @classmethod
    def from_record(cls, meta: dict, arrays: dict, pool: dict[int, Layer]) -> "RemoveLayerCommand":
        return cls(_text(meta, "label"), _pooled(pool, meta.get("layer")), _count(meta, "index"))


class MoveLayerCommand(Command):
    label = "Move layer"

    def __init__(self, layer_id: int, old_index: int, new_index: int):
        self.layer_id = layer_id
        self.old_index = old_index
        self.new_index = new_index

    def undo(self, doc: "CanvasDocument") -> None:
        doc._move_layer(self.layer_id, self.old_index)

    def redo(self, doc: "CanvasDocument") -> None:
        doc._move_layer(self.layer_id, self.new_index)

    def to_record(self) -> Record:
        return {"type": "move-layer", "label": self.label, "layer": self.layer_id,
                "old": self.old_index, "new": self.new_index}, {}

    @classmethod
    def from_record(cls, meta: dict, arrays: dict, pool: dict[int, Layer]) -> "MoveLayerCommand":
        return cls(_pooled(pool, meta.get("layer")).id, _count(meta, "old"), _count(meta, "new"))


class LayerPropertiesCommand(Command):
    """Name, opacity or visibility of one layer. Consecutive changes of the same properties of the
    same layer merge into one entry, so dragging the opacity slider is a single undo step."""

    def __init__(self, layer_id: int, before: dict[str, Any], after: dict[str, Any]):
        self.layer_id = layer_id
        self.before = before
        self.after = after
        self.label = "Layer " + ", ".join(sorted(after))

    def undo(self, doc: "CanvasDocument") -> None:
        doc._set_layer_properties(self.layer_id, self.before)

    def redo(self, doc: "CanvasDocument") -> None:
        doc._set_layer_properties(self.layer_id, self.after)

    def merge(self, later: Command) -> bool:
        if (isinstance(later, LayerPropertiesCommand) and later.layer_id == self.layer_id
                and later.after.keys() == self.after.keys()):
            self.after = dict(later.after)
            return True
        return False

    def to_record(self) -> Record:
        return {"type": "layer-properties", "label": self.label, "layer": self.layer_id,
                "before": self.before, "after": self.after}, {}

    @classmethod
    def from_record(cls, meta: dict, arrays: dict, pool: dict[int, Layer]) -> "LayerPropertiesCommand":
        before, after = _properties(meta.get("before")), _properties(meta.get("after"))
        if before.keys() != after.keys():
            raise BadInputError("the history holds a layer change whose before and after differ in kind.")
        return cls(_pooled(pool, meta.get("layer")).id, before, after)


class InvertSelectionCommand(Command):
    """Its own inverse (255 - (255 - m) == m), so it stores nothing."""

    label = "Invert selection"

    def undo(self, doc: "CanvasDocument") -> None:
        doc._invert_selection()

    def redo(self, doc: "CanvasDocument") -> None:
        doc._invert_selection()

    def to_record(self) -> Record:
        return {"type": "invert-selection", "label": self.label}, {}

    @classmethod
    def from_record(cls, meta: dict, arrays: dict, pool: dict[int, Layer]) -> "InvertSelectionCommand":
        return cls()


_TYPES = {
    "pixels": PixelsCommand,
    "add-layer": AddLayerCommand,
    "remove-layer": RemoveLayerCommand,
    "move-layer": MoveLayerCommand,
    "layer-properties": LayerPropertiesCommand,
    "invert-selection": InvertSelectionCommand,
}


def command_from_record(meta: dict, arrays: dict[str, np.ndarray], pool: dict[int, Layer]) -> Command:
    kind = _TYPES.get(meta.get("type")) if isinstance(meta.get("type"), str) else None
    if kind is None:
        raise BadInputError(f"the history holds an unknown kind of edit {meta.get('type')!r}.")
    return kind.from_record(meta, arrays, pool)


def _pooled(pool: dict[int, Layer], layer_id: Any) -> Layer:
    if type(layer_id) is not int or layer_id not in pool:
        raise BadInputError(f"the history refers to layer {layer_id!r}, which the file does not hold.")
    return pool[layer_id]


# Checks of what a loaded history entry holds (project files are untrusted input).

def _text(meta: dict, key: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str):
        raise BadInputError(f"the history holds an entry whose {key} is not text.")
    return value


def _count(meta: dict, key: str) -> int:
    value = meta.get(key)
    if type(value) is not int or value < 0:
        raise BadInputError(f"the history holds an entry whose {key} is {value!r}, not a position.")
    return value


_PROPERTY_TYPES = {"name": (str,), "opacity": (int, float), "visible": (bool,)}


def _properties(values: Any) -> dict[str, Any]:
    if not isinstance(values, dict) or not values or not all(
            k in _PROPERTY_TYPES and type(v) in _PROPERTY_TYPES[k] for k, v in values.items()):
        raise BadInputError("the history holds a layer change that is not a name, opacity or visibility.")
    if not 0.0 <= float(values.get("opacity", 0.0)) <= 1.0:
        raise BadInputError("the history holds a layer opacity outside 0..1.")
    return dict(values)
