"""The canvas editor: toolbox, tool options, canvas view, layer panel and result strip in one widget.

The main window talks to it through the ``Editor`` interface (ui/editors.py): kind "image", its
generation context is the visible image and the selection mask, results land in the result strip.
All editing state lives in the Qt-free ``CanvasDocument``; this package only binds widgets to it.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional, Union

from PIL import Image
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCursor, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ragart_desktop.core.canvas import (
    PROJECT_SUFFIX,
    Autosaver,
    CanvasDocument,
    Change,
    autosave_dir,
    find_recovery,
    open_project,
    read_png_metadata,
    recover,
    save_project,
    untitled_autosaves,
)
from ragart_desktop.core.errors import RagartError, UsageError
from ragart_desktop.core.settings import Settings
from ragart_desktop.core.canvas.document import open_image
from ragart_desktop.core.home import Home, resolve_home
from ragart_desktop.core.kinds import kind_named
from ragart_desktop.ui.canvas.drops import DroppedImage, dropped_images
from ragart_desktop.ui.canvas.layer_panel import LayerPanel
from ragart_desktop.ui.canvas.result_strip import ResultStrip, describe
from ragart_desktop.ui.canvas.tool_options import ToolOptionsBar
from ragart_desktop.ui.canvas.tools import Tool
from ragart_desktop.ui.canvas.view import CanvasView
from ragart_desktop.ui.canvas.new_canvas import NewCanvasDialog
from ragart_desktop.ui.editors import DocumentUndo, Editor, ImageContext
from ragart_desktop.ui.file_dialogs import FileDialogs
from ragart_desktop.ui.generation_service import Generated
from ragart_desktop.ui.result_details import ThumbnailSource
from ragart_desktop.ui.workers import WorkerHost

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1024, 1024)
AUTOSAVE_CHECK_MS = 5000
IMAGE_FILTER = kind_named("image").file_filter
PROJECT_FILTER = f"RagArt canvas (*{PROJECT_SUFFIX})"

DROP_AS_LAYER = "layer"
DROP_AS_REFERENCE = "pin"

PathLike = Union[str, Path]


class CanvasEditor(Editor):
    kind = "image"
    title = "Canvas"
    opens = kind_named("image").suffixes + (PROJECT_SUFFIX,)

    def __init__(self, home: Optional[Home] = None, parent: Optional[QWidget] = None, *,
                 dialogs: Optional[FileDialogs] = None, autosave_interval_s: float = 60.0, in_steps: bool = False):
        super().__init__(parent)
        self.home = home if home is not None else resolve_home()  # RAGART_HOME or the user data folder
        self.dialogs = dialogs if dialogs is not None else FileDialogs(Settings())
        self.autosave_interval_s = autosave_interval_s
        self.doc: Optional[CanvasDocument] = None
        self._autosaver: Optional[Autosaver] = None  # one per document
        self._files: Optional[WorkerHost] = None       # opens projects off the UI thread; made on first use
        self._autosave_error_shown: Optional[RagartError] = None
        self.setAcceptDrops(True)
        self._build_in_parts(self._parts(), in_steps)

    # -- construction --------------------------------------------------------------------------
    def _parts(self) -> Iterator[None]:
        """The widgets, then a blank document (see ``Editor._build_in_parts``)."""
        self.view = CanvasView()
        yield
        self.options = ToolOptionsBar(self.view.settings)
        yield
        self.layers = LayerPanel()
        self.results = ResultStrip()
        self.results.hide()
        self.status = QLabel()
        self.status.setContentsMargins(6, 0, 6, 0)
        yield
        self._build_actions()
        self._build_layout()
        self._connect()
        yield
        document = CanvasDocument.new(*DEFAULT_SIZE)
        yield
        self.set_document(document)
        self._autosave_timer = QTimer(self, interval=AUTOSAVE_CHECK_MS)
        self._autosave_timer.timeout.connect(self._autosave_tick)
        self._autosave_timer.start()

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip or text)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda *_: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        # Undo, redo and zoom keys belong to the main window's menus, which route them here; giving
        # these actions the same shortcuts would make Qt treat the keys as ambiguous and do nothing.
        self.undo_action = self._action("Undo", self.undo)
        self.redo_action = self._action("Redo", self.redo)
        self.import_action = self._action("Import image…", self.import_image_dialog, tip="Add an image file as a new layer")
        self.zoom_in_action = self._action("Zoom in", self.zoom_in)
        self.zoom_out_action = self._action("Zoom out", self.zoom_out)
        self.fit_action = self._action("Fit", self.view.fit, tip="Fit the canvas in the view")
        self.actual_size_action = self._action("100%", self.zoom_reset, tip="One image pixel per screen pixel")
        self.select_all_action = self._action("Select all", lambda: self._guarded(self.doc.select_all), "Ctrl+A")
        self.invert_action = self._action("Invert", lambda: self._guarded(self.doc.invert_selection), "Ctrl+Shift+I",
                                          "Invert the selection")
        self.deselect_action = self._action("Deselect", lambda: self._guarded(self.doc.clear_selection),
                                            "Ctrl+Shift+A", "Clear the selection")
        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[Tool, QAction] = {}
        for tool in Tool:
            action = self._action(tool.value, lambda t=tool: self.set_tool(t), tool.shortcut,
                                  f"{tool.hint} ({tool.shortcut})")
            action.setCheckable(True)
            self.tool_group.addAction(action)
            self.tool_actions[tool] = action

    def _build_layout(self) -> None:
        top = QToolBar("Canvas")
        for action in (self.undo_action, self.redo_action, None, self.import_action, None,
                       self.zoom_out_action, self.zoom_in_action, self.fit_action, self.actual_size_action, None,
                       self.select_all_action, self.invert_action, self.deselect_action):
            top.addSeparator() if action is None else top.addAction(action)
        toolbox = QToolBar("Tools")
        toolbox.setOrientation(Qt.Orientation.Vertical)
        toolbox.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in self.tool_actions.values():
            toolbox.addAction(action)

        self.layers.setMinimumWidth(210)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(self.layers)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setSizes([800, 230])

        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(toolbox)
        middle.addWidget(splitter, 1)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(top)
        box.addWidget(self.options)
        box.addLayout(middle, 1)
        box.addWidget(self.results)
        box.addWidget(self.status)

    def _connect(self) -> None:
        self.view.colour_picked.connect(self.options.set_colour)
        self.view.zoom_changed.connect(lambda *_: self._show_status())
        self.view.cursor_moved.connect(lambda x, y: self._show_status((x, y)))
        self.options.changed.connect(self.view.update)
        for source in (self.view.error, self.layers.error):
            source.connect(self._report)
        self.results.preview_changed.connect(self.view.set_preview)
        self.results.accepted.connect(self._accept_result)
        self.results.details.reveal_requested.connect(self.reveal_requested)
        self.set_tool(Tool.BRUSH)

    # -- document ------------------------------------------------------------------------------
    @property
    def document(self) -> CanvasDocument:
        return self.doc

    def set_document(self, doc: CanvasDocument) -> None:
        """Show ``doc`` instead of the open document (which the user saved or chose to drop: its
        autosave goes)."""
        if self.doc is not None:
            self.doc.unsubscribe(self._on_change)
            self._autosaver.discard()
        self.doc = doc
        doc.subscribe(self._on_change)
        self.view.set_document(doc)
        self.layers.set_document(doc)
        self._autosaver = Autosaver(doc, autosave_dir(self.home), self.autosave_interval_s)
        self._update_actions()
        self._show_status()
        self.document_changed.emit()

    def new_document(self, width: int, height: int) -> None:
        self.set_document(CanvasDocument.new(width, height))

    def new_document_dialog(self) -> None:
        """File > New: choose a size preset or a custom size."""
        dialog = NewCanvasDialog(self, (self.doc.width, self.doc.height))
        if dialog.exec() == NewCanvasDialog.DialogCode.Accepted:
            self.new_document(*dialog.size_chosen())

    def _on_change(self, change: Change) -> None:
        if not self.doc.stroking:  # mid-stroke segments change neither the history nor the title
            self._update_actions()
            self.document_changed.emit()

    def _update_actions(self) -> None:
        history = self.doc.history
        self.undo_action.setEnabled(history.can_undo)
        self.redo_action.setEnabled(history.can_redo)
        # The buttons keep their short names (a layer name can be long); what they undo is in the tip.
        self.undo_action.setToolTip(f"Undo {history.undo_label}" if history.can_undo else "Nothing to undo")
        self.redo_action.setToolTip(f"Redo {history.redo_label}" if history.can_redo else "Nothing to redo")

    def set_tool(self, tool: Tool) -> None:
        self.tool_actions[tool].setChecked(True)
        self.view.set_tool(tool)
        self.options.show_for(tool)
        self.status_message.emit(tool.hint)

    # -- the Editor interface (what the main window uses) ----------------------------------------
    def document_name(self) -> str:
        return self.doc.path.name if self.doc.path is not None else "Untitled"

    def is_modified(self) -> bool:
        return self.doc.modified

    def undo_stack(self) -> DocumentUndo:
        return DocumentUndo(self.doc)

    def commands(self) -> Mapping[str, Callable[[], Any]]:
        return {"new_document": self.new_document_dialog, "open_file": self.open_file, "save": self.save, "save_as": self.save_as, "export": self.export,
                "zoom_in": self.zoom_in, "zoom_out": self.zoom_out, "zoom_reset": self.zoom_reset}

    def generation_context(self) -> ImageContext:
        return ImageContext(self.current_image(), self.selection_mask())

    def take_results(self, generated: Generated) -> None:
        self.add_generated([o["path"] for o in generated.record.outputs if o.get("path")])

    def set_thumbnail_source(self, source: ThumbnailSource) -> None:
        self.results.details.set_thumbnails(source)

    def undo(self) -> bool:
        return self.doc.undo()

    def redo(self) -> bool:
        return self.doc.redo()

    def zoom_in(self) -> None:
        self.view.zoom_by(1.25)

    def zoom_out(self) -> None:
        self.view.zoom_by(0.8)

    def zoom_reset(self) -> None:
        """Actual size (100 %)."""
        self.view.actual_size()

    def current_image(self) -> Image.Image:
        """The visible image flattened to RGB (what generation refines)."""
        return self.doc.current_image()

    def selection_mask(self) -> Optional[Image.Image]:
        """The selection as an "L" mask (the inpaint mask), or None when nothing is selected."""
        return self.doc.selection_mask()

    def add_generated(self, paths: list[str]) -> None:
        """Offer generated PNGs in the result strip, with the provenance their "ragart" chunk holds."""
        for path in paths:
            try:
                image, _ = open_image(path)
                provenance = read_png_metadata(path) or {}
            except RagartError as exc:
                self._report(exc)
                continue
            provenance.setdefault("path", str(path))
            self.add_result(image, provenance)

    def add_result(self, image: Image.Image, provenance: dict[str, Any]) -> None:
        """Offer a generated result in the result strip to compare and accept."""
        self.results.add_result(image, provenance)
        self.results.show()

    def accept_result(self, image: Image.Image, provenance: dict[str, Any]) -> None:
        """Land a result directly as a new layer, named after what made it; a fill's layer holds
        the filled selection only (its mask is the one the request names)."""
        request = provenance.get("request") or {}
        mask = None
        if request.get("mode") == "fill" and request.get("mask"):
            try:
                mask, _ = open_image(request["mask"])
            except RagartError as exc:   # the mask is gone: the whole result lands, and the user is told
                self._report(exc)
        self.doc.add_result_layer(image, f"Result — {describe(provenance)}", provenance, mask=mask)

    def _accept_result(self, image: Image.Image, provenance: dict) -> None:
        self.accept_result(image, provenance)
        if not len(self.results):
            self.results.hide()

    def import_image(self, path: PathLike) -> None:
        """Add an image file as a new top layer (raises ``BadInputError`` for unreadable files)."""
        layer = self.doc.import_image(path)
        self.status_message.emit(f"Imported {Path(path).name} as layer {layer.name!r}.")

    def import_image_dialog(self) -> None:
        path = self.dialogs.open_file(self, "Import image as layer", IMAGE_FILTER)
        if path:
            self._guarded(self.import_image, path)

    def open_project(self, path: PathLike) -> int:
        """Open a project on the file worker (reading and checking a large one takes seconds), then
        show it; when a newer autosave of it exists (a crash), offer to recover it first. A damaged
        file is reported like any error and the open canvas stays. Returns the job id."""
        path = Path(path)
        autosave = find_recovery(autosave_dir(self.home), path)
        if autosave is not None and self._confirm_recovery(path):
            source, load = autosave, recover
        else:
            if autosave is not None:
                autosave.unlink(missing_ok=True)
            source, load = path, open_project

        def read(task):
            try:
                return load(source)
            except RagartError as exc:   # handed to the UI thread like a result, shown by _report
                return exc

        def arrived(result) -> None:
            if isinstance(result, RagartError):
                self._report(result)
            else:
                self.set_document(result)

        self.status_message.emit(f"Opening {path.name}…")
        if self._files is None:
            self._files = WorkerHost("canvas-files", self)
        return self._files.submit(f"Open {path.name}", read, on_result=arrived)

    def save_project(self, path: Optional[PathLike] = None) -> Path:
        """Save to ``path`` (or the document's own file) and drop the autosave it made obsolete."""
        target = Path(path) if path is not None else self.doc.path
        if target is None:
            raise UsageError("this canvas has not been saved yet, so it needs a file name.")
        saved = save_project(self.doc, target)
        self._autosaver.discard()  # its autosaves (untitled, old path) are now obsolete
        self.status_message.emit(f"Saved {saved.name}.")
        self.document_changed.emit()
        return saved

    def export_png(self, path: PathLike, metadata: dict[str, Any]) -> Path:
        return self.doc.export_png(path, metadata)

    # -- file commands routed from the main window's menus (each shows its own dialog) ----------
    def open_file(self) -> None:
        """Open a project, or start a new canvas from an image file."""
        path = self.dialogs.open_file(self, "Open", f"{PROJECT_FILTER};;{IMAGE_FILTER}")
        if path:
            self.open_path(path)

    def open_path(self, path: PathLike) -> None:
        """Open a project, or start a new canvas from an image file."""
        if Path(path).suffix.lower() == PROJECT_SUFFIX:
            self.open_project(path)
        else:
            self.set_document(CanvasDocument.from_image(path))

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        self.save_project()
        return True

    def save_as(self) -> bool:
        start = str(self.doc.path) if self.doc.path else f"Untitled{PROJECT_SUFFIX}"
        path = self.dialogs.save_file(self, "Save canvas as", start, PROJECT_FILTER)
        if not path:
            return False
        if Path(path).suffix.lower() != PROJECT_SUFFIX:
            path += PROJECT_SUFFIX
        self.save_project(path)
        return True

    def export(self) -> None:
        """Export the flattened image as PNG, with the layers' provenance in its metadata."""
        start = (Path(self.doc.path).with_suffix(".png").name if self.doc.path else "canvas.png")
        path = self.dialogs.save_file(self, "Export PNG", start, "PNG image (*.png)")
        if path:
            saved = self.export_png(path, self.export_metadata())
            self.status_message.emit(f"Exported {saved.name}.")

    def export_metadata(self) -> dict[str, Any]:
        """What an exported canvas records: its size and each visible layer's provenance."""
        return {
            "kind": "canvas-export",
            "size": [self.doc.width, self.doc.height],
            "project": str(self.doc.path) if self.doc.path else None,
            "layers": [{"name": layer.name, "opacity": layer.opacity, "provenance": layer.provenance}
                       for layer in self.doc.layers if layer.visible],
        }

    def close_document(self) -> None:
        """The user closes the canvas on purpose (saved, or chose to drop changes): drop its autosave."""
        self._autosaver.discard()

    def recoverable_autosaves(self) -> list[Path]:
        """Autosaves of untitled canvases left by a crash (offer them at start-up)."""
        return untitled_autosaves(autosave_dir(self.home))

    def recover_autosave(self, autosave: PathLike) -> None:
        self.set_document(recover(autosave))

    # -- drops ---------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if dropped_images(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        drops = dropped_images(event.mimeData())
        if not drops:
            return
        event.acceptProposedAction()
        global_pos = self.mapToGlobal(event.position().toPoint())
        for dropped in drops:
            choice = DROP_AS_LAYER if dropped.item_id is None else self._ask_drop_choice(dropped, global_pos)
            if choice == DROP_AS_LAYER:
                self._guarded(self.import_image, dropped.path)
            elif choice == DROP_AS_REFERENCE:
                self.pin_reference_requested.emit(dropped.item_id, dropped.path)

    def _ask_drop_choice(self, dropped: DroppedImage, global_pos: QPoint) -> Optional[str]:
        """Ask whether a library item becomes a layer or a pinned reference (None: cancelled)."""
        menu = QMenu(self)
        as_layer = menu.addAction(f"Add {Path(dropped.path).name} as a layer")
        as_reference = menu.addAction("Pin as a reference for generation")
        menu.addSeparator()
        menu.addAction("Cancel")
        chosen = menu.exec(global_pos if not global_pos.isNull() else QCursor.pos())
        return {as_layer: DROP_AS_LAYER, as_reference: DROP_AS_REFERENCE}.get(chosen)

    def _confirm_recovery(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self, "Recover unsaved work?",
            f"RagArt did not close cleanly while {path.name} had unsaved changes.\n"
            "Open the autosaved version (newer than the file)?")
        return answer == QMessageBox.StandardButton.Yes

    # -- housekeeping --------------------------------------------------------------------------
    def _autosave_tick(self) -> None:
        self._autosaver.tick()
        error = self._autosaver.last_error
        if error is not None and error is not self._autosave_error_shown:
            self._autosave_error_shown = error  # report each failure once, not every tick
            self._report(error)

    def shutdown(self) -> None:
        """Stop the autosave timer and wait for a running autosave (call before the app exits)."""
        self._autosave_timer.stop()
        if self._files is not None:
            self._files.shutdown()
        self._autosaver.wait()

    def _show_status(self, cursor: Optional[tuple[int, int]] = None) -> None:
        doc = self.doc
        if doc is None:
            return
        parts = [f"{doc.width} × {doc.height}", f"zoom {self.view.scale * 100:.0f}%"]
        if cursor is not None and doc.bounds.contains(*cursor):
            parts.append(f"x {cursor[0]}, y {cursor[1]}")
        self.status.setText("   ".join(parts))

    def _guarded(self, fn, *args) -> None:
        try:
            fn(*args)
        except RagartError as exc:
            self._report(exc)

    def _report(self, exc: RagartError) -> None:
        log.info("canvas: %s", exc.user_message())
        self.error_occurred.emit(exc)
        self.status_message.emit(exc.user_message())
