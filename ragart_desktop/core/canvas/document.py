"""The canvas document: layers, selection, cached composite and undo history (no Qt).

Every public edit applies itself, records one undo command (``commands.py``) and notifies the
subscribers with a ``Change`` naming what moved: the composite rectangle to redraw, whether the
layer list changed, and the selection rectangle. The composite is recomputed lazily and only in the
rectangles that changed (``refresh_composite``), which is what the view calls before painting.

Pixel formats: layers are straight RGBA uint8 (``layer.py``), the composite is premultiplied RGBA
uint8 (``composite.py``), the selection is a uint8 coverage mask (``selection.py``).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
from PIL import Image

from ragart_desktop.core.canvas.brush import Brush, Stroke, StrokeMode, paint_over
from ragart_desktop.core.canvas.commands import (
    SELECTION,
    AddLayerCommand,
    Command,
    InvertSelectionCommand,
    LayerPropertiesCommand,
    MoveLayerCommand,
    PixelsCommand,
    RemoveLayerCommand,
)
from ragart_desktop.core.canvas.composite import composite_rect, flatten_on, unpremultiply
from ragart_desktop.core.canvas.fill import flood_region
from ragart_desktop.core.canvas.geometry import Rect, union_all
from ragart_desktop.core.canvas.layer import (
    Layer,
    blank_pixels,
    fit_image,
    image_to_pixels,
    place_centered,
)
from ragart_desktop.core.canvas.selection import SelectMode, combine, polygon_mask
from ragart_desktop.core.canvas.tiles import capture, changed_only, restore, tile_rect, tile_runs, tiles_in
from ragart_desktop.core.errors import BadInputError, UsageError
from ragart_desktop.core.undo import History, UndoableDocument


MAX_SIDE = 16384
_MAX_PENDING_RECTS = 32  # beyond this many dirty rectangles, recomposite the tiles they touch

ImageSource = Union[str, Path, Image.Image]


@dataclass(frozen=True)
class Change:
    """What one edit changed. ``rect``: composite pixels to redraw; ``layers``: the stack or a
    layer's properties; ``selection``: mask region; ``history``: an undo entry was recorded."""

    rect: Optional[Rect] = None
    layers: bool = False
    selection: Optional[Rect] = None
    history: bool = False


Listener = Callable[[Change], None]


class CanvasDocument(UndoableDocument):
    def __init__(self, width: int, height: int, *, history: Optional[History] = None):
        if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
            raise UsageError(f"a canvas of {width} x {height} pixels is not possible.",
                             hint=f"Each side must be between 1 and {MAX_SIDE} pixels.")
        self.width = int(width)
        self.height = int(height)
        self.bounds = Rect(0, 0, self.width, self.height)
        self.layers: list[Layer] = []  # bottom to top
        self.active_layer_id: Optional[int] = None
        self.selection = np.full((self.height, self.width), 0, np.uint8)
        self._selection_bbox: Optional[Rect] = None  # conservative: no selected pixel outside it
        self.composite = np.zeros((self.height, self.width, 4), np.uint8)  # premultiplied
        self._pending: list[Rect] = []
        self.history = history if history is not None else History()
        self.path: Optional[Path] = None        # the project file, once saved or opened
        self.session_id = uuid.uuid4().hex      # names the autosave of an untitled document
        self.next_layer_id = 1
        self.mark_saved()
        self._listeners: list[Listener] = []
        self._stroke: Optional[Stroke] = None
        self._stroke_target: Optional[int] = None

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def new(cls, width: int, height: int,
            background: Optional[tuple[int, int, int, int]] = (255, 255, 255, 255)) -> "CanvasDocument":
        """A canvas with an opaque "Background" layer (unless ``background`` is None) and an
        empty "Layer 1" on top, which is active.

        Both layers are one colour each, so the composite is one colour too: it is worked out for one
        pixel and filled, rather than each layer scanned for its content and the whole canvas
        composited (35 ms of the UI thread's start-up for the 1024 px canvas the app opens with)."""
        doc = cls(width, height)
        if background is not None:
            doc.layers.append(doc._make_layer("Background", blank_pixels(width, height, background)))
        doc.layers.append(doc._make_layer("Layer 1", blank_pixels(width, height)))
        doc.active_layer_id = doc.layers[-1].id
        composite_rect(doc.layers, Rect(0, 0, 1, 1), doc.composite)
        doc.composite.view(np.uint32).fill(doc.composite[:1, :1].view(np.uint32)[0, 0, 0])
        return doc

    @classmethod
    def from_image(cls, source: ImageSource) -> "CanvasDocument":
        """A canvas the size of the image, holding it as its only layer."""
        image, name = open_image(source)
        doc = cls(image.width, image.height)
        doc._insert_layer(doc._make_layer(name, image_to_pixels(image)), 0)
        doc.refresh_composite()
        return doc

    # -- observers --------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _notify(self, change: Change, dirty: Optional[list[Rect]] = None) -> None:
        """Tell subscribers; the composite is marked stale in ``dirty`` (default: ``change.rect``)."""
        if dirty is not None:
            self._pending.extend(dirty)
        elif change.rect is not None and not change.rect.empty:
            self._pending.append(change.rect)
        for listener in list(self._listeners):
            listener(change)

    # -- layers -----------------------------------------------------------------------------
    def layer(self, layer_id: int) -> Layer:
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        raise UsageError(f"there is no layer {layer_id} in this canvas.")

    def index_of(self, layer_id: int) -> int:
        return self.layers.index(self.layer(layer_id))

    @property
    def active_layer(self) -> Optional[Layer]:
        return self.layer(self.active_layer_id) if self.active_layer_id is not None else None

    def set_active_layer(self, layer_id: int) -> None:
        self.layer(layer_id)
        if layer_id != self.active_layer_id:
            self.active_layer_id = layer_id
            self._notify(Change(layers=True))

    def add_layer(self, name: Optional[str] = None, pixels: Optional[np.ndarray] = None,
                  index: Optional[int] = None, provenance: Optional[dict[str, Any]] = None) -> Layer:
        """Add a layer (empty unless ``pixels``, straight RGBA of the canvas size) above the active one."""
        if pixels is None:
            pixels = blank_pixels(self.width, self.height)
        elif pixels.shape != (self.height, self.width, 4) or pixels.dtype != np.uint8:
            raise UsageError(f"layer pixels of shape {pixels.shape} ({pixels.dtype}) do not fit a "
                             f"{self.width} x {self.height} canvas (uint8 RGBA expected).")
        if index is None:
            index = self.index_of(self.active_layer_id) + 1 if self.active_layer_id is not None else len(self.layers)
        layer = self._make_layer(name or f"Layer {self.next_layer_id}", pixels, provenance)
        self._insert_layer(layer, index)
        self._record(AddLayerCommand(f"Add layer {layer.name!r}", layer, index))
        return layer

    def remove_layer(self, layer_id: int) -> None:
        layer = self.layer(layer_id)
        index = self.layers.index(layer)
        self._detach_layer(layer_id)
        self._record(RemoveLayerCommand(f"Remove layer {layer.name!r}", layer, index))

    def move_layer(self, layer_id: int, new_index: int) -> None:
        old_index = self.index_of(layer_id)
        new_index = max(0, min(len(self.layers) - 1, new_index))
        if new_index == old_index:
            return
        self._move_layer(layer_id, new_index)
        self._record(MoveLayerCommand(layer_id, old_index, new_index))

    def duplicate_layer(self, layer_id: int) -> Layer:
        source = self.layer(layer_id)
        copy = self._make_layer(f"{source.name} copy", source.pixels.copy(), dict(source.provenance))
        copy.opacity, copy.visible = source.opacity, source.visible
        index = self.layers.index(source) + 1
        self._insert_layer(copy, index)
        self._record(AddLayerCommand(f"Duplicate layer {source.name!r}", copy, index))
        return copy

    def set_layer_properties(self, layer_id: int, *, name: Optional[str] = None,
                             opacity: Optional[float] = None, visible: Optional[bool] = None) -> None:
        layer = self.layer(layer_id)
        after: dict[str, Any] = {}
        if name is not None and name != layer.name:
            after["name"] = name
        if opacity is not None:
            if not 0.0 <= opacity <= 1.0:
                raise UsageError(f"layer opacity {opacity} is outside 0..1.")
            if opacity != layer.opacity:
                after["opacity"] = float(opacity)
        if visible is not None and bool(visible) != layer.visible:
            after["visible"] = bool(visible)
        if not after:
            return
        before = {key: getattr(layer, key) for key in after}
        self._set_layer_properties(layer_id, after)
        self._record(LayerPropertiesCommand(layer_id, before, after))

    def import_image(self, source: ImageSource, name: Optional[str] = None) -> Layer:
        """Add an image file (or PIL image) as a new top layer, centred, scaled down to fit."""
        image, default_name = open_image(source)
        pixels = place_centered(image_to_pixels(fit_image(image, self.width, self.height)),
                                self.width, self.height)
        return self.add_layer(name or default_name, pixels, index=len(self.layers))

    def add_result_layer(self, image: Image.Image, name: str, provenance: dict[str, Any],
                         mask: Optional[Image.Image] = None) -> Layer:
        """Land a generated result as a new top layer; ``provenance`` is kept with the layer
        (and in project files). A result of another size is scaled to fit and centred. With
        ``mask`` (a fill's selection, white = filled) the layer holds the filled region only,
        transparent elsewhere, so the layers under it stay as they were."""
        image = fit_image(image, self.width, self.height, enlarge=True)
        if mask is not None:
            image = image.convert("RGBA")
            alpha = np.asarray(image)[..., 3] * (np.asarray(mask.convert("L").resize(image.size, Image.NEAREST)) > 127)
            image.putalpha(Image.fromarray(alpha.astype(np.uint8)))
        pixels = place_centered(image_to_pixels(image), self.width, self.height)
        return self.add_layer(name, pixels, index=len(self.layers), provenance=dict(provenance))

    # -- painting ---------------------------------------------------------------------------
    def begin_stroke(self, x: float, y: float, brush: Brush, mode: StrokeMode = StrokeMode.PAINT) -> Optional[Rect]:
        """Start a brush, eraser or mask-brush stroke at (x, y); returns the changed rectangle."""
        self.end_stroke()
        if mode.targets_selection:
            target, self._stroke_target, clip = self.selection, SELECTION, None
        else:
            layer = self.active_layer
            if layer is None:
                raise UsageError("there is no layer to paint on.", hint="Add a layer first.")
            target, self._stroke_target = layer.pixels, layer.id
            clip = self.selection if self.has_selection else None
        self._stroke = Stroke(target, brush, mode, clip)
        return self._stroke_changed(self._stroke.move_to(x, y))

    def stroke_to(self, x: float, y: float) -> Optional[Rect]:
        """Extend the current stroke by one segment; returns the changed rectangle (or None)."""
        if self._stroke is None:
            raise UsageError("stroke_to was called with no stroke in progress.")
        return self._stroke_changed(self._stroke.line_to(x, y))

    @property
    def stroking(self) -> bool:
        return self._stroke is not None

    def end_stroke(self) -> None:
        """Finish the current stroke (if any) and record it as one undo entry."""
        stroke, target = self._stroke, self._stroke_target
        if stroke is None:
            return
        self._stroke = self._stroke_target = None
        before, after = stroke.finish()
        if not before:
            return
        labels = {StrokeMode.PAINT: "Brush stroke", StrokeMode.ERASE: "Eraser stroke",
                  StrokeMode.MASK_ADD: "Mask brush", StrokeMode.MASK_REMOVE: "Mask eraser"}
        self._record(PixelsCommand(labels[stroke.mode], target, before, after))

    def _stroke_changed(self, rect: Optional[Rect]) -> Optional[Rect]:
        if rect is None:
            return None
        if self._stroke_target is SELECTION:
            self._selection_bbox = rect.union(self._selection_bbox)
            self._notify(Change(selection=rect))
        else:
            self._notify(Change(rect=rect))
        return rect

    def fill(self, x: int, y: int, colour: tuple[int, int, int], *, tolerance: int = 32,
             opacity: float = 1.0, sample_all_layers: bool = False) -> Optional[Rect]:
        """Flood-fill the active layer from (x, y) with ``colour``, inside the selection if any.

        The region is found on the active layer, or on the visible image when ``sample_all_layers``
        (fill an empty layer inside line art drawn on another layer)."""
        layer = self._require_point_on_layer(x, y)
        if not 0 <= tolerance <= 255:
            raise UsageError(f"fill tolerance {tolerance} is outside 0..255.")
        if not 0.0 <= opacity <= 1.0:
            raise UsageError(f"fill opacity {opacity} is outside 0..1.")
        if sample_all_layers:
            self.refresh_composite()
        source = self.composite if sample_all_layers else layer.pixels
        rect, region = flood_region(source, int(x), int(y), tolerance)
        coverage = region.astype(np.float32) * np.float32(opacity)
        if self.has_selection:
            coverage *= self.selection[rect.slices] * np.float32(1.0 / 255.0)

        def apply(view: np.ndarray) -> None:
            view[...] = paint_over(view, coverage, colour)

        return self._edit_region(layer.id, rect, apply, "Fill")

    def pick_colour(self, x: int, y: int, *, sample_all_layers: bool = True) -> tuple[int, int, int, int]:
        """Straight RGBA at (x, y) of the visible image, or of the active layer only."""
        if not self.bounds.contains(x, y):
            raise UsageError(f"point ({x}, {y}) is outside the {self.width} x {self.height} canvas.")
        if sample_all_layers:
            self.refresh_composite()
            px = unpremultiply(self.composite[int(y):int(y) + 1, int(x):int(x) + 1])[0, 0]
        else:
            layer = self.active_layer
            if layer is None:
                raise UsageError("there is no layer to pick a colour from.")
            px = layer.pixels[int(y), int(x)]
        return tuple(int(v) for v in px)

    # -- selection --------------------------------------------------------------------------
    @property
    def has_selection(self) -> bool:
        bbox = self._selection_bbox
        return bbox is not None and bool(self.selection[bbox.slices].any())

    @property
    def selection_bounds(self) -> Optional[Rect]:
        """A rectangle no selected pixel lies outside of (None: nothing selected)."""
        return self._selection_bbox if self.has_selection else None

    def select_rect(self, rect: Rect, mode: SelectMode = SelectMode.REPLACE) -> Optional[Rect]:
        rect = rect.intersect(self.bounds)
        shape = np.full((rect.height, rect.width), 255, np.uint8) if not rect.empty else None
        return self._select_shape(rect, shape, mode, "Select rectangle")

    def select_polygon(self, points: Sequence[tuple[float, float]],
                       mode: SelectMode = SelectMode.REPLACE) -> Optional[Rect]:
        rect, shape = polygon_mask(points, self.bounds)
        return self._select_shape(rect, shape if not rect.empty else None, mode, "Lasso selection")

    def select_all(self) -> Optional[Rect]:
        return self.select_rect(self.bounds, SelectMode.REPLACE)

    def clear_selection(self) -> Optional[Rect]:
        bbox = self._selection_bbox
        if bbox is None:
            return None
        changed = self._edit_region(SELECTION, bbox, lambda view: view.fill(0), "Deselect")
        self._selection_bbox = None
        return changed

    def invert_selection(self) -> None:
        self._invert_selection()
        self._record(InvertSelectionCommand())

    def _select_shape(self, rect: Rect, shape: Optional[np.ndarray], mode: SelectMode, label: str) -> Optional[Rect]:
        old = self._selection_bbox
        if mode is SelectMode.REPLACE:
            region = union_all([old, rect])
        elif mode is SelectMode.ADD:
            region = rect
        else:
            region = rect.intersect(old) if old is not None else None
        if region is None or region.empty or shape is None and mode is not SelectMode.REPLACE:
            return None

        def apply(view: np.ndarray) -> None:
            new_shape = np.zeros(view.shape, np.uint8)
            if shape is not None:
                inner = rect.intersect(region)
                new_shape[inner.y0 - region.y0:inner.y1 - region.y0, inner.x0 - region.x0:inner.x1 - region.x0] = \
                    shape[inner.y0 - rect.y0:inner.y1 - rect.y0, inner.x0 - rect.x0:inner.x1 - rect.x0]
            view[...] = combine(view, new_shape, mode)

        changed = self._edit_region(SELECTION, region, apply, label)
        if mode is SelectMode.REPLACE:
            self._selection_bbox = rect if shape is not None else None
        elif mode is SelectMode.ADD:
            self._selection_bbox = rect.union(old)
        return changed

    def selection_mask(self) -> Optional[Image.Image]:
        """The selection as a canvas-sized "L" image (255 = selected), or None when nothing is."""
        if not self.has_selection:
            return None
        return Image.fromarray(self.selection.copy(), "L")

    # -- output -----------------------------------------------------------------------------
    def refresh_composite(self) -> list[Rect]:
        """Recompute the composite where it is out of date; returns the rectangles recomputed."""
        pending, self._pending = self._pending, []
        if len(pending) > _MAX_PENDING_RECTS:
            pending = tile_runs(pending, self.height, self.width)
        done = []
        for rect in pending:
            rect = rect.intersect(self.bounds)
            if not rect.empty:
                composite_rect(self.layers, rect, self.composite)
                done.append(rect)
        return done

    def flattened_rgba(self) -> Image.Image:
        """All visible layers merged, straight RGBA (transparency kept)."""
        self.refresh_composite()
        return Image.fromarray(unpremultiply(self.composite), "RGBA")

    def current_image(self, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
        """All visible layers merged onto an opaque background: the RGB image generation reads."""
        self.refresh_composite()
        return Image.fromarray(flatten_on(self.composite, background), "RGB")

    def export_png(self, path: Union[str, Path], metadata: dict[str, Any]) -> Path:
        """Write the flattened image (RGBA) with ``metadata`` as JSON in a "ragart" text chunk."""
        from ragart_desktop.core.canvas.export import write_png_with_metadata

        return write_png_with_metadata(self.flattened_rgba(), Path(path), metadata)

    # -- history ----------------------------------------------------------------------------
    def _before_history_step(self) -> None:
        self.end_stroke()

    def mark_unsaved(self) -> None:
        self._saved_revision = -1

    def _record(self, command: Command) -> None:
        self.history.push(command)
        self._notify(Change(history=True))

    def _install(self, layers: list[Layer], active_layer_id: Optional[int], selection: Optional[np.ndarray],
                 next_layer_id: int, history: list[Command]) -> None:
        """Fill a fresh document with loaded state (project files)."""
        self.layers = list(layers)
        ids = {layer.id for layer in self.layers}
        self.active_layer_id = active_layer_id if active_layer_id in ids else (
            self.layers[-1].id if self.layers else None)
        if selection is not None:
            self.selection[...] = selection
            self._selection_bbox = self.bounds
        self.next_layer_id = next_layer_id
        self.history.replace_done(history)
        self.mark_saved()
        self._notify(Change(rect=self.bounds, layers=True, selection=self.bounds))
        self.refresh_composite()

    # -- primitive mutators (used by the public edits and by undo/redo) ----------------------
    def _make_layer(self, name: str, pixels: np.ndarray, provenance: Optional[dict] = None) -> Layer:
        layer = Layer(self.next_layer_id, name, pixels, provenance=provenance or {})
        self.next_layer_id += 1
        return layer

    def _insert_layer(self, layer: Layer, index: int) -> None:
        self.layers.insert(index, layer)
        self.active_layer_id = layer.id
        self._notify(Change(rect=self._visible_content(layer), layers=True))

    def _detach_layer(self, layer_id: int) -> None:
        layer = self.layer(layer_id)
        index = self.layers.index(layer)
        self.layers.remove(layer)
        if self.active_layer_id == layer_id:
            self.active_layer_id = self.layers[max(0, index - 1)].id if self.layers else None
        self._notify(Change(rect=self._visible_content(layer), layers=True))

    def _move_layer(self, layer_id: int, index: int) -> None:
        layer = self.layer(layer_id)
        self.layers.remove(layer)
        self.layers.insert(index, layer)
        self._notify(Change(rect=self._visible_content(layer), layers=True))

    def _set_layer_properties(self, layer_id: int, values: dict[str, Any]) -> None:
        layer = self.layer(layer_id)
        was_shown = layer.visible and layer.opacity > 0
        for key, value in values.items():
            setattr(layer, key, value)
        pixels_changed = {"opacity", "visible"} & values.keys() and (was_shown or layer.visible)
        self._notify(Change(rect=_content_rect(layer) if pixels_changed else None, layers=True))

    def _write_tiles(self, target: Optional[int], patch) -> None:
        if target is SELECTION:
            rect = restore(self.selection, patch)
            self._selection_bbox = union_all([rect, self._selection_bbox])
            self._notify(Change(selection=rect))
        else:
            layer = self.layer(target)
            rect = restore(layer.pixels, patch)
            shown = layer.visible and layer.opacity > 0
            dirty = [tile_rect(key, self.height, self.width) for key in patch] if shown else []
            self._notify(Change(rect=rect if shown else None), dirty=dirty)

    def _invert_selection(self) -> None:
        np.subtract(255, self.selection, out=self.selection)
        self._selection_bbox = self.bounds
        self._notify(Change(selection=self.bounds))

    def _edit_region(self, target: Optional[int], rect: Rect, apply: Callable[[np.ndarray], None],
                     label: str) -> Optional[Rect]:
        """Run ``apply`` on ``array[rect]`` of a layer or the selection, record the changed tiles."""
        array = self.selection if target is SELECTION else self.layer(target).pixels
        before = capture(array, tiles_in(rect, self.height, self.width))
        apply(array[rect.slices])
        before, after = changed_only(before, array)
        if not before:
            return None
        self._record(PixelsCommand(label, target, before, after))
        if target is SELECTION:
            self._notify(Change(selection=rect))
        else:
            self._notify(Change(rect=rect))
        return rect

    def _visible_content(self, layer: Layer) -> Optional[Rect]:
        return _content_rect(layer) if layer.visible and layer.opacity > 0 else None

    def _require_point_on_layer(self, x: int, y: int) -> Layer:
        layer = self.active_layer
        if layer is None:
            raise UsageError("there is no layer to fill.", hint="Add a layer first.")
        if not self.bounds.contains(x, y):
            raise UsageError(f"point ({x}, {y}) is outside the {self.width} x {self.height} canvas.")
        return layer


def _content_rect(layer: Layer) -> Optional[Rect]:
    """Bounding rectangle of the layer's non-transparent pixels (None when it is empty)."""
    alpha = layer.pixels[..., 3]
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(alpha[rows[0]:rows[-1] + 1].any(axis=0))
    return Rect(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


def open_image(source: ImageSource) -> tuple[Image.Image, str]:
    """(loaded image, a layer name for it); unreadable files raise ``BadInputError`` naming them."""
    if isinstance(source, Image.Image):
        return source, "Image"
    path = Path(source)
    try:
        with Image.open(path) as image:
            image.load()
            return image.copy(), path.stem
    except FileNotFoundError:
        raise BadInputError("the image file does not exist.", path=path) from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise BadInputError(f"the file cannot be read as an image ({exc}).", path=path,
                            hint="Use a PNG, JPEG, WebP, TIFF or BMP file.") from None
