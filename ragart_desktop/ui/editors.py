"""Editors plug into the main window as tabs, all through one small interface: ``Editor``.

The window never asks an editor what it can do by probing for method names. An editor says:

    kind, title                         the kind of work it makes (core/kinds.py) and its tab's title
    document_name(), is_modified()      for the window title and tab ("RagArt — name.ragart*")
    undo_stack()                        the document's undo/redo (Edit menu), or None
    commands()                          the File/View menu commands it offers, by name
    save()                              save (asking for a name when untitled); False when cancelled
    close_document()                    the user closes without saving: drop its autosave
    recoverable_autosaves(), recover_autosave(path)   what a crash left behind
    opens, open_path(path)              the files it opens (``python main.py FILE``)
    generation_context()                what it hands to generation of its kind (canvas: image + mask)
    generation_panel()                  its own controls for the Generate dock (the piano roll's modes)
    attach(generation, settings)        the generation service, for an editor that runs its own
                                        kind's jobs (the Text tab's Write, the Music tab's Generate)
    take_results(generated)             a job it asked for finished: its outputs land here
    show_preview(payload), generation_ended()   a job's previews; its failure or cancel
    load_request(request)               History > Re-run of its kind: the request back in its controls
    set_thumbnail_source(source)        library thumbnails for the references it shows
    shutdown()                          the window is closing

and emits ``document_changed`` (contents, name or modified flag), ``pin_reference_requested``,
``reveal_requested`` (show library items in the browser), ``search_like_requested`` (search the
library for items like these files, named in words), ``error_occurred`` and ``status_message``.
The canvas (kind "image"), the Music tab's piano roll (kind "music") and the Text tab (kind "text")
are the three.

``EDITOR_SPECS`` lists the editors the window tries to load; one whose package is not installed
is skipped, one that fails to build is reported and skipped, so an editor bug never stops the app.
Only the editor on screen is built at start-up; the others' tabs hold an ``EditorPlaceholder``
until they are first shown or needed (a file to open, a History re-run of their kind).
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import (TYPE_CHECKING, Any, Callable, ClassVar, Generator, Iterator, Mapping, Optional, Protocol, TypeVar,
                    Union)

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ragart_desktop.ui.theme import secondary

if TYPE_CHECKING:
    from PIL import Image

    from ragart_desktop.core.settings import Settings
    from ragart_desktop.ui.file_dialogs import FileDialogs
    from ragart_desktop.ui.generation_service import GenerationService, Generated
    from ragart_desktop.ui.result_details import ThumbnailSource

log = logging.getLogger(__name__)


# -- what an editor hands to generation, per kind --------------------------------------------------

@dataclass(frozen=True)
class ImageContext:
    """The canvas's part of an image generation: the visible image and the selection (an "L" mask)."""

    image: "Image.Image"
    mask: Optional["Image.Image"] = None


GenerationContext = Union[ImageContext]   # a music context (score, selection) and a text one join here


# -- undo ------------------------------------------------------------------------------------------

class UndoStack(Protocol):
    can_undo: bool
    can_redo: bool
    undo_label: Optional[str]
    redo_label: Optional[str]

    def undo(self) -> bool: ...

    def redo(self) -> bool: ...


@dataclass(frozen=True)
class DocumentUndo:
    """The undo stack of a document that applies ``undo()``/``redo()`` itself and keeps a
    ``core.undo``-style ``history`` (the canvas; the score does the same)."""

    document: Any

    @property
    def can_undo(self) -> bool:
        return self.document.history.can_undo

    @property
    def can_redo(self) -> bool:
        return self.document.history.can_redo

    @property
    def undo_label(self) -> Optional[str]:
        return self.document.history.undo_label

    @property
    def redo_label(self) -> Optional[str]:
        return self.document.history.redo_label

    def undo(self) -> bool:
        return self.document.undo()

    def redo(self) -> bool:
        return self.document.redo()


# -- the interface ---------------------------------------------------------------------------------

# Commands that replace the open document: the window asks "save changes?" before them.
REPLACING_COMMANDS = ("new_document", "open_file")


_BUILT = object()


class Editor(QWidget):
    """A tab of the main window over one document of one kind (see the module docstring)."""

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""
    opens: ClassVar[tuple[str, ...]] = ()   # suffixes of the files ``open_path`` takes ("RagArt FILE")

    document_changed = Signal()            # contents, name or modified flag changed
    pin_reference_requested = Signal(int, str)   # (library item id, path)
    error_occurred = Signal(object)        # a RagartError for the window's error panel
    status_message = Signal(str)
    reveal_requested = Signal(list, object)     # library item ids to show in the browser, the one to select
    search_like_requested = Signal(list, str)   # files (the selected notes as MIDI) and what they are, in words:
                                                # find library items like them

    def __init__(self, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self._unbuilt: Iterator[None] = iter(())

    def _build_in_parts(self, parts: Iterator[None], in_steps: bool) -> None:
        """The rest of the editor's construction: ``parts`` yields between parts of a few ms each.
        Made ``in_steps``, the window builds one part per turn of its event loop (``build_part``,
        through ``editor_in_steps``), so a tab appears without freezing the window (built at once the
        Music editor took 60-130 ms); otherwise every part is built now."""
        self._unbuilt = parts
        if not in_steps:
            for _ in parts:
                pass

    def build_part(self) -> bool:
        """Build the next part of the editor; False once it is complete."""
        return next(self._unbuilt, _BUILT) is not _BUILT

    def document_name(self) -> str:
        raise NotImplementedError

    def is_modified(self) -> bool:
        raise NotImplementedError

    def undo_stack(self) -> Optional[UndoStack]:
        return None

    def commands(self) -> Mapping[str, Callable[[], Any]]:
        """The File and View menu commands this editor offers, by name: ``new_document``,
        ``open_file``, ``save``, ``save_as``, ``export``, ``zoom_in``, ``zoom_out``, ``zoom_reset``
        (each shows its own dialogs). Undo and redo come from ``undo_stack``."""
        return {}

    def open_path(self, path: Path) -> Any:
        """Open a file with one of the ``opens`` suffixes in this editor (the command line, drops)."""
        raise NotImplementedError

    def save(self) -> bool:
        """Save the document (a file dialog when it has no file yet); False when the user cancelled."""
        raise NotImplementedError

    def close_document(self) -> None:
        """The user is done with the document without saving it: forget its autosave."""

    def recoverable_autosaves(self) -> list[Path]:
        return []

    def recover_autosave(self, autosave: Path) -> None:
        raise NotImplementedError

    def generation_context(self) -> Optional[GenerationContext]:
        """What generation of ``kind`` works on (None: nothing to offer)."""
        return None

    def generation_panel(self) -> Optional[QWidget]:
        """Its own generation controls, shown in the window's Generate dock while its tab is current
        (None: the image generation panel)."""
        return None

    def attach(self, generation: "GenerationService", settings: "Settings") -> None:
        """The generation service (and settings), for an editor that runs its own kind's jobs."""

    def take_results(self, generated: "Generated") -> None:
        """A job this editor asked for finished: offer its outputs (with their references, scores
        and warnings on show)."""

    def show_preview(self, payload: Any) -> None:
        """A step of a job it asked for: a QImage (an image's step) or str (the text so far)."""

    def generation_ended(self) -> None:
        """A job it asked for failed (the window shows why) or was cancelled."""

    def load_request(self, request: Mapping[str, Any]) -> None:
        """A stored request of its kind back in its controls (History > Re-run)."""

    def set_thumbnail_source(self, source: "ThumbnailSource") -> None:
        """Where the thumbnails of library items come from (the browser's cache)."""

    def shutdown(self) -> None:
        """The window is closing: stop timers, wait for background writes."""


# -- loading ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EditorSpec:
    module: str
    class_name: str


EDITOR_SPECS: tuple[EditorSpec, ...] = (
    EditorSpec("ragart_desktop.ui.canvas", "CanvasEditor"),
    EditorSpec("ragart_desktop.ui.music", "MusicEditor"),
    EditorSpec("ragart_desktop.ui.text", "TextEditor"),
)


def editor_classes(on_error: Callable[[BaseException, str], None],
                   specs: tuple[EditorSpec, ...] = EDITOR_SPECS) -> list[type[Editor]]:
    """The editor classes of ``specs`` whose modules import (one not installed is skipped quietly,
    one that fails to import is reported through ``on_error`` and skipped)."""
    classes = []
    for spec in specs:
        what = f"the {spec.class_name} editor"
        try:
            classes.append(getattr(importlib.import_module(spec.module), spec.class_name))
        except ModuleNotFoundError as exc:
            if not (exc.name and spec.module.startswith(exc.name)):
                on_error(exc, f"Loading {what}")
            else:
                log.info("%s not installed (%s)", what, spec.module)
        except Exception as exc:  # an editor's import-time bug must not stop the app
            log.exception("%s failed to import", what)
            on_error(exc, f"Loading {what}")
    return classes


def editor_in_steps(cls: type[Editor], home: Any, dialogs: "FileDialogs",
                    on_error: Callable[[BaseException, str], None]) -> Generator[None, None, Optional[Editor]]:
    """Build ``cls(home=home, dialogs=dialogs)`` (dialogs: ui/file_dialogs.py) a part at a time: it
    yields after each part (the window turns its event loop there) and returns the editor, or None
    when it failed to build (reported through ``on_error``)."""
    editor = None
    try:
        editor = cls(home=home, dialogs=dialogs, in_steps=True)
        while editor.build_part():
            yield
    except Exception as exc:
        log.exception("the %s editor failed to start", cls.__name__)
        on_error(exc, f"Starting the {cls.__name__} editor")
        if editor is not None:
            _discard(editor)
        return None
    return editor


def _discard(editor: Editor) -> None:
    """Stop what a half-built editor started (its threads) and delete it."""
    try:
        editor.shutdown()
    except Exception:   # parts it never built: nothing of theirs to stop
        log.debug("shutting down a half-built %s", type(editor).__name__, exc_info=True)
    editor.deleteLater()


T = TypeVar("T")


def run_to_end(steps: Generator[None, None, T]) -> T:
    """What ``steps`` returns, running all its steps now."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


class EditorPlaceholder(QWidget):
    """The tab of an editor that is not built yet: the window builds it (and puts it in this
    widget's place) when the tab is first shown (in steps) or something needs it (at once), so
    start-up pays only for the editor on screen."""

    def __init__(self, editor_class: type[Editor]):
        super().__init__()
        self.editor_class = editor_class
        note = secondary(QLabel(f"Opening {editor_class.title}…"))    # on screen while it is built
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        QVBoxLayout(self).addWidget(note)
