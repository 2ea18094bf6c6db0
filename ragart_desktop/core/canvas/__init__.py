"""Qt-free canvas document model: layers, brush strokes, selection, undo history, project files.

Map of the package:
  document.py   CanvasDocument: the public editing API; applies edits, records undo, notifies
  layer.py      Layer (straight RGBA uint8) and image <-> pixel conversions
  composite.py  layers -> premultiplied RGBA display buffer, rectangle by rectangle
  brush.py      Brush and Stroke: round soft dabs stamped along segments, tile-local work
  fill.py       flood-fill region (scipy.ndimage.label)
  selection.py  lasso/rectangle masks and how they combine (uint8 coverage mask)
  tiles.py      64 x 64 tile patches: what undo entries keep
  commands.py   the undoable edits; history.py the bounded undo/redo list
  project.py    .ragart zip files (manifest + PNG per layer + selection + history)
  autosave.py   periodic background autosave and crash recovery; export.py PNG + "ragart" metadata
"""
from ragart_desktop.core.canvas.autosave import Autosaver, autosave_dir, find_recovery, recover, untitled_autosaves
from ragart_desktop.core.canvas.brush import Brush, StrokeMode
from ragart_desktop.core.canvas.document import CanvasDocument, Change
from ragart_desktop.core.canvas.export import METADATA_KEY, read_png_metadata
from ragart_desktop.core.canvas.geometry import Rect
from ragart_desktop.core.canvas.layer import Layer
from ragart_desktop.core.canvas.project import SUFFIX as PROJECT_SUFFIX
from ragart_desktop.core.canvas.project import open_project, save_project
from ragart_desktop.core.canvas.selection import SelectMode

__all__ = [
    "Autosaver", "Brush", "CanvasDocument", "Change", "Layer", "METADATA_KEY", "PROJECT_SUFFIX", "Rect",
    "SelectMode", "StrokeMode", "autosave_dir", "find_recovery", "open_project", "read_png_metadata",
    "recover", "save_project", "untitled_autosaves",
]
