"""The reference browser: search as you type, filters, examples, and the virtualised thumbnail grid.

Searches run on the library reader worker (debounced; a newer search cancels the older one and its
late results are dropped). With no words, examples or tags the grid browses the whole library page
by page. An empty library shows the first-run offer (demo library, "Add folder…").
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QListView, QMenu, QPushButton,
    QSizePolicy, QSlider, QStackedWidget, QToolButton, QVBoxLayout, QWidget,
)

from ragart_desktop.core.errors import RagartError
from ragart_desktop.core.kinds import KINDS, kind_for_suffix
from ragart_desktop.ui.browser.delegate import ThumbnailDelegate
from ragart_desktop.ui.browser.model import ItemRole, ResultRow, ResultsModel, rows_from_results
from ragart_desktop.ui.browser.search_box import SearchBox
from ragart_desktop.ui.browser.thumbnails import ThumbnailCache
from ragart_desktop.ui.theme import secondary

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Item
    from ragart_desktop.ui.library_service import LibraryService

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 200
SEARCH_K = 200
TAG_FILTER_K = 2000
PAGE_SIZE = 400
CHIP_CHARS = 18     # an example's name on its chip (the whole name in its tooltip)
KIND_CHOICES = (("All kinds", None),) + tuple((kind.plural, kind.name) for kind in KINDS)


@dataclass
class ExampleRef:
    """A query example chosen in the UI; becomes a core ``Example`` when the search runs."""

    label: str
    path: Optional[str] = None
    item_id: Optional[int] = None
    content: Any = None
    kind: Optional[str] = None
    negative: bool = False

    def to_example(self):
        from ragart_desktop.core.retrieval.query import Example

        return Example(path=self.path, item_id=self.item_id, content=self.content, kind=self.kind)


class WelcomePage(QWidget):
    """First run: the library is empty."""

    def __init__(self, parent=None):
        super().__init__(parent)
        title = QLabel("<h2>Your library is empty</h2>")
        text = QLabel("Drop folders of images, MIDI files and notes anywhere on this window — they are "
                      "indexed in the background while you work. Or start with:")
        text.setWordWrap(True)
        self.demo_button = QPushButton("Try the demo library")
        self.add_button = QPushButton("Add folder…")
        self.demo_button.setMinimumHeight(34)
        self.add_button.setMinimumHeight(34)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for w in (title, text, self.demo_button, self.add_button):
            layout.addWidget(w)
        layout.addStretch(2)
        layout.setContentsMargins(24, 24, 24, 24)


class ExampleChips(QWidget):
    """The examples of the current query; click one to flip like/unlike, × to remove."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.examples: list[ExampleRef] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)   # never widens the dock
        self.hide()

    def set_examples(self, examples: list[ExampleRef]) -> None:
        self.examples = list(examples)
        self._rebuild()
        self.changed.emit()

    def add(self, example: ExampleRef) -> None:
        self.set_examples(self.examples + [example])

    def _rebuild(self) -> None:
        while self._layout.count():
            w = self._layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        for i, ex in enumerate(self.examples):
            label = ex.label if len(ex.label) <= CHIP_CHARS else ex.label[: CHIP_CHARS - 1] + "…"
            chip = QToolButton(text=("not like: " if ex.negative else "like: ") + label)
            chip.setToolTip(f"{ex.label}\nClick to switch between 'like' and 'not like'")
            chip.clicked.connect(lambda _=False, i=i: self._flip(i))
            remove = QToolButton(text="×")
            remove.setToolTip("Remove this example")
            remove.clicked.connect(lambda _=False, i=i: self._remove(i))
            self._layout.addWidget(chip)
            self._layout.addWidget(remove)
        if self.examples:
            clear = QToolButton(text="Clear examples")
            clear.clicked.connect(lambda: self.set_examples([]))
            self._layout.addWidget(clear)
        self._layout.addStretch(1)
        self.setVisible(bool(self.examples))

    def _flip(self, i: int) -> None:
        self.examples[i].negative = not self.examples[i].negative
        self.set_examples(self.examples)

    def _remove(self, i: int) -> None:
        del self.examples[i]
        self.set_examples(self.examples)


class ReferenceBrowser(QWidget):
    pin_requested = Signal(list)          # [Item]
    demo_requested = Signal()
    add_folder_requested = Signal()
    search_finished = Signal(int)         # number of rows shown (tests and status)
    items_shown = Signal(int)             # show_items answered: number of items shown

    def __init__(self, service: Optional["LibraryService"], parent=None):
        super().__init__(parent)
        self.service = service
        self.canvas_image: Optional[Callable[[], Any]] = None   # set when a canvas editor exists
        self.thumbnails = ThumbnailCache(service, parent=self)
        self.model = ResultsModel(self.thumbnails, self)
        self._mode = "browse"
        self._library_empty = False

        # -- controls
        self.search_box = SearchBox()
        self.kind_box = QComboBox()
        for label, _ in KIND_CHOICES:
            self.kind_box.addItem(label)
        self.tags_box = QLineEdit()
        self.tags_box.setPlaceholderText("tags, comma separated")
        self.tags_box.setClearButtonEnabled(True)
        self.fold_box = QCheckBox("Group duplicates")
        self.fold_box.setToolTip("Show each group of near-duplicates as one result (with a ≈ +n badge)")
        self.fold_box.setChecked(True)
        self.canvas_button = QToolButton(text="Search with canvas")
        self.canvas_button.setToolTip("Find references that look like the current canvas")
        self.canvas_button.setEnabled(False)
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(72, 256)
        self.size_slider.setValue(120)
        self.size_slider.setFixedWidth(90)
        self.size_slider.setToolTip("Thumbnail size")
        self.examples = ExampleChips()

        # -- grid
        self.view = QListView()
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(500)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setMouseTracking(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setSpacing(2)
        self.delegate = ThumbnailDelegate(self.size_slider.value(), self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setModel(self.model)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(lambda idx: self._open_file(idx.data(ItemRole)))
        self.welcome = WelcomePage()
        self.welcome.demo_button.clicked.connect(self.demo_requested)
        self.welcome.add_button.clicked.connect(self.add_folder_requested)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.welcome)
        self.summary = QLabel(" ")
        secondary(self.summary)
        # Its text changes with every search: it must never widen the dock (and with it the window).
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary.setWordWrap(True)   # notices (an index being repaired) can be long
        self.show_all_button = QToolButton(text="Show all")
        self.show_all_button.setToolTip("Back to your whole library")
        self.show_all_button.clicked.connect(self.run_search)
        self.show_all_button.hide()

        filters = QHBoxLayout()
        filters.addWidget(self.kind_box)
        filters.addWidget(self.tags_box, 1)
        filters.addWidget(self.canvas_button)
        footer = QHBoxLayout()
        footer.addWidget(self.summary, 1)
        footer.addWidget(self.show_all_button)
        footer.addWidget(self.fold_box)
        footer.addWidget(self.size_slider)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search_box)
        layout.addLayout(filters)
        layout.addWidget(self.examples)
        layout.addWidget(self.stack, 1)
        layout.addLayout(footer)

        # -- behaviour
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)
        self.search_box.textChanged.connect(lambda _: self._debounce.start())
        self.tags_box.textChanged.connect(lambda _: self._debounce.start())
        self.kind_box.currentIndexChanged.connect(lambda _: self.run_search())
        self.fold_box.toggled.connect(lambda _: self.run_search())
        self.examples.changed.connect(self.run_search)
        self.search_box.example_files_dropped.connect(self.search_like_files)
        self.search_box.example_items_dropped.connect(self._items_as_examples)
        self.search_box.returnPressed.connect(self.run_search)
        self.canvas_button.clicked.connect(self.search_with_canvas)
        self.size_slider.valueChanged.connect(self.set_thumbnail_size)
        self.model.fetch_page = self._fetch_page

    # -- public ------------------------------------------------------------------------------------

    def set_canvas_provider(self, provider: Optional[Callable[[], Any]]) -> None:
        self.canvas_image = provider
        self.canvas_button.setEnabled(provider is not None)

    def set_thumbnail_size(self, size: int) -> None:
        self.delegate.thumb_size = int(size)
        self.size_slider.blockSignals(True)
        self.size_slider.setValue(int(size))
        self.size_slider.blockSignals(False)
        self.view.doItemsLayout()

    def zoom(self, steps: int) -> None:
        self.set_thumbnail_size(max(72, min(256, self.delegate.thumb_size + 24 * steps)))

    def show_library_empty(self, empty: bool) -> None:
        self._library_empty = empty
        self._update_page()

    def find_similar(self, item: "Item") -> None:
        self._find_like([ExampleRef(item.title or Path(item.path).name, item_id=item.id, kind=item.kind)])

    def find_similar_files(self, paths: list[str], label: str = "") -> None:
        """An editor's "find similar" (the selected notes as a MIDI file): items like these files,
        the chip named ``label`` (else by the file's name)."""
        self._find_like([ExampleRef(label or Path(p).name, path=p, kind=kind_for_suffix(Path(p).suffix))
                         for p in paths])

    def _find_like(self, examples: list[ExampleRef]) -> None:
        """A new query by example alone: earlier words go, and a kind filter that would hide the
        examples' kind shows all kinds (a phrase's search must not come back empty of MIDI)."""
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        kind = KIND_CHOICES[self.kind_box.currentIndex()][1]
        if kind is not None and any(e.kind not in (None, kind) for e in examples):
            self.kind_box.blockSignals(True)
            self.kind_box.setCurrentIndex(0)
            self.kind_box.blockSignals(False)
        self.examples.set_examples(examples)

    def search_with_canvas(self) -> None:
        image = self.canvas_image() if self.canvas_image is not None else None
        if image is None:
            return
        self.examples.set_examples([ExampleRef("canvas", content=image, kind="image")])

    def selected_items(self) -> list["Item"]:
        return [idx.data(ItemRole) for idx in self.view.selectionModel().selectedIndexes()]

    def set_pinned(self, ids: set[int]) -> None:
        self.model.set_pinned(ids)

    # -- searching ---------------------------------------------------------------------------------

    def current_query(self):
        """The core ``Query`` for the current controls, or None for browsing the whole library.

        Browsing imports nothing: at start-up the library workers are importing the core modules,
        and an import here would wait for theirs (Python's import lock), freezing the window."""
        text = self.search_box.text().strip()
        tags = tuple(t.strip() for t in self.tags_box.text().split(",") if t.strip())
        if not (text or tags or self.examples.examples):
            return None
        from ragart_desktop.core.retrieval.query import Query

        kind = KIND_CHOICES[self.kind_box.currentIndex()][1]
        like = tuple(e.to_example() for e in self.examples.examples if not e.negative)
        unlike = tuple(e.to_example() for e in self.examples.examples if e.negative)
        k = SEARCH_K if (text or like or unlike) else TAG_FILTER_K
        return Query(text=text, like=like, unlike=unlike, kinds=(kind,) if kind else (), tags=tags, k=k)

    def run_search(self) -> None:
        self._debounce.stop()
        self.show_all_button.hide()
        if self.service is None:
            return
        self.thumbnails.clear_pending()
        query = self.current_query()
        if query is None:
            self._mode = "browse"
            self.model.fetch_page = self._fetch_page
            self.model.set_rows([], total=1)   # one page is asked for at once; its answer sets the total
            self.model.fetchMore()
            return
        self._mode = "search"
        self.model.fetch_page = None
        self.summary.setText("Searching…")
        fold = self.fold_box.isChecked()
        self.service.search(query, lambda results: self._show_results(results, fold),
                            on_error=self._search_failed)

    def _show_results(self, results, fold: bool) -> None:
        rows = rows_from_results(results, fold)
        self.model.set_rows(rows)
        folded = len(results) - len(rows)
        text = f"{len(rows):,} result{'s' if len(rows) != 1 else ''}"
        if folded:
            text += f" · {folded} near-duplicate{'s' if folded != 1 else ''} grouped"
        notices = getattr(results, "notices", [])
        self.summary.setText(" · ".join([text, *notices]))
        self.summary.setToolTip("\n".join(notices))
        self._update_page()
        self.search_finished.emit(len(rows))

    def _search_failed(self, report) -> None:
        self.summary.setText("Search failed: " + report.message)
        error_sink = getattr(self.window(), "report_error", None)
        if callable(error_sink):
            error_sink(report)

    def _fetch_page(self, generation: int, offset: int) -> None:
        kind = KIND_CHOICES[self.kind_box.currentIndex()][1]

        def arrived(result) -> None:
            total, items = result
            self.model.append_page(generation, offset, [ResultRow(it) for it in items], total)
            if generation == self.model.generation:
                self.summary.setText(f"{total:,} item{'s' if total != 1 else ''} in the library"
                                     if kind is None else f"{total:,} {kind} item{'s' if total != 1 else ''}")
                if offset == 0:
                    if kind is None:
                        self._library_empty = total == 0
                    self._update_page()
                    self.search_finished.emit(self.model.rowCount())

        self.service.browse(kind, offset, PAGE_SIZE, arrived)

    def show_items(self, ids: list[int], focus: Optional[int] = None) -> None:
        """Show exactly these library items (say, the references of a result), ``focus`` selected."""
        if self.service is None or not ids:
            return
        self._debounce.stop()
        self.thumbnails.clear_pending()
        self._mode = "items"
        self.model.fetch_page = None
        self.summary.setText("Finding…")

        def items(lib) -> list["Item"]:
            found = []
            for item_id in ids:
                try:
                    found.append(lib.get_item(item_id))
                except RagartError:          # removed from the library since the result was made
                    continue
            return found

        def arrived(found: list["Item"]) -> None:
            if self._mode != "items":
                return                       # the user searched meanwhile
            self.model.set_rows([ResultRow(item, why="shaped a generated result") for item in found])
            self.summary.setText(f"{len(found)} of {len(ids)} item{'s' if len(ids) != 1 else ''} "
                                 "(the rest left the library)" if len(found) < len(ids) else
                                 f"{len(found)} item{'s' if len(found) != 1 else ''} of a result")
            self.show_all_button.show()
            self._update_page()
            index = self.model.index_of_item(focus) if focus is not None else self.model.index(0)
            if index.isValid():
                self.view.setCurrentIndex(index)
                self.view.scrollTo(index)
            self.items_shown.emit(len(found))

        self.service.call("Show items", items, arrived)

    def _update_page(self) -> None:
        welcome = self._library_empty and self._mode == "browse" and self.model.rowCount() == 0
        self.stack.setCurrentWidget(self.welcome if welcome else self.view)

    # -- examples ----------------------------------------------------------------------------------

    def search_like_files(self, paths: list[str]) -> None:
        """Search for library items like these files, dropped on the search box (with the words
        and the kind filter as they are)."""
        self.examples.set_examples([ExampleRef(Path(p).name, path=p, kind=kind_for_suffix(Path(p).suffix))
                                    for p in paths])

    def _items_as_examples(self, items: list[dict]) -> None:
        self.examples.set_examples([ExampleRef(d.get("title") or Path(d["path"]).name, item_id=int(d["id"]),
                                               kind=d.get("kind")) for d in items])

    # -- context menu ------------------------------------------------------------------------------

    def _context_menu(self, pos) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        item = index.data(ItemRole)
        selected = self.selected_items() or [item]
        menu = QMenu(self)
        pin = menu.addAction(f"Pin for next generation ({len(selected)})" if len(selected) > 1
                             else "Pin for next generation")
        pin.triggered.connect(lambda: self.pin_requested.emit(selected))
        menu.addAction("Find similar", lambda: self.find_similar(item))
        menu.addAction("Add to query as example",
                       lambda: self.examples.add(ExampleRef(item.title or Path(item.path).name,
                                                            item_id=item.id, kind=item.kind)))
        menu.addAction("Add to query as counter-example",
                       lambda: self.examples.add(ExampleRef(item.title or Path(item.path).name,
                                                            item_id=item.id, kind=item.kind, negative=True)))
        menu.addSeparator()
        menu.addAction("Tags and note…", lambda: self.edit_item(item))
        menu.addAction("Open file", lambda: self._open_file(item))
        menu.addAction("Show in folder",
                       lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(item.path).parent))))
        menu.addAction("Copy path", lambda: QGuiApplication.clipboard().setText(item.path))
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def edit_item(self, item: "Item") -> None:
        from ragart_desktop.ui.browser.item_dialog import ItemDialog

        dialog = ItemDialog(item, self)
        if dialog.exec() != ItemDialog.DialogCode.Accepted or self.service is None:
            return
        added, removed, note = dialog.changes()

        def apply(lib) -> None:
            if added:
                lib.add_tags(item.id, added)
            if removed:
                lib.remove_tags(item.id, removed)
            if note is not None:
                lib.set_note(item.id, note)

        self.service.call(f"Edit {item.title}", apply, changes=True)

    @staticmethod
    def _open_file(item: Optional["Item"]) -> None:
        if item is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(item.path))
