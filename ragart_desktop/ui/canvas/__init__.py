"""The canvas editor widgets (PySide6) over the Qt-free ``ragart_desktop.core.canvas`` document."""
from ragart_desktop.ui.canvas.editor import CanvasEditor
from ragart_desktop.ui.canvas.result_strip import ResultStrip

__all__ = ["CanvasEditor", "ResultStrip"]
