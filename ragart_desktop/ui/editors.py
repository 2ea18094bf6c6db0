"""Editors plug into the main window as tabs.

An editor is any QWidget built as ``cls(home=home)``. The window routes menu commands to the
current editor when it has the matching method, and greys the command out when it does not:

    undo() / redo()                     or an ``undo_stack`` attribute (QUndoStack)
    zoom_in() / zoom_out() / zoom_reset()
    open_file() / save() / save_as() / export()        (each shows its own file dialog)
    current_image() -> PIL.Image | None                (enables "search with canvas" and img2img)
    current_mask() -> PIL.Image | None                 (the selection, for "fill")
    add_generated(paths)                               (results of a generation land here)
    shutdown()                                         (called when the window closes)

and listens to these signals when the editor has them:

    pin_reference_requested(int item_id, str path)     error_occurred(RagartError)
    status_message(str)                                document_changed()

``EDITOR_SPECS`` lists the editors the window tries to load; one whose package is not installed
is skipped, one that fails to build is reported and skipped, so an editor bug never stops the app.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any, Callable, Optional

from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EditorSpec:
    title: str
    module: str
    class_name: str


EDITOR_SPECS: tuple[EditorSpec, ...] = (
    EditorSpec("Canvas", "ragart_desktop.ui.canvas", "CanvasEditor"),
    EditorSpec("Text", "ragart_desktop.ui.text", "TextEditor"),
)

ROUTED_COMMANDS = ("undo", "redo", "zoom_in", "zoom_out", "zoom_reset", "open_file", "save", "save_as", "export")


def load_editors(home: Any, on_error: Callable[[BaseException, str], None],
                 specs: tuple[EditorSpec, ...] = EDITOR_SPECS) -> list[tuple[str, QWidget]]:
    editors: list[tuple[str, QWidget]] = []
    for spec in specs:
        try:
            module = importlib.import_module(spec.module)
        except ModuleNotFoundError as exc:
            if exc.name and spec.module.startswith(exc.name):
                log.info("editor %s not installed (%s)", spec.title, spec.module)
                continue
            on_error(exc, f"Loading the {spec.title} editor")
            continue
        except Exception as exc:  # an editor's import-time bug must not stop the app
            log.exception("editor %s failed to import", spec.title)
            on_error(exc, f"Loading the {spec.title} editor")
            continue
        try:
            editors.append((spec.title, getattr(module, spec.class_name)(home=home)))
        except Exception as exc:
            log.exception("editor %s failed to start", spec.title)
            on_error(exc, f"Starting the {spec.title} editor")
    return editors


def editor_command(editor: Optional[QWidget], name: str) -> Optional[Callable[[], Any]]:
    """The callable behind a routed command for ``editor``, or None when it does not offer it."""
    if editor is None:
        return None
    if name in ("undo", "redo"):
        stack = getattr(editor, "undo_stack", None)
        stack = stack() if callable(stack) and not hasattr(stack, "undo") else stack
        if stack is not None and hasattr(stack, name):
            return getattr(stack, name)
    fn = getattr(editor, name, None)
    return fn if callable(fn) else None
