"""The list model behind the thumbnail grid: search results, or the whole library page by page.

Rows are plain ``ResultRow`` records (an ``Item`` plus score, why and near-duplicate group), so the
model answers ``rowCount``/``data`` in constant time at 100,000 rows. In browse mode (empty query)
the rows arrive in pages through ``canFetchMore``/``fetchMore`` as the user scrolls. Thumbnails come
from a ``ThumbnailCache``; a missing one is requested and the row repainted when it arrives.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt, QUrl

from ragart_desktop.ui.browser.thumbnails import ThumbnailCache
from ragart_desktop.ui.mime import ITEM_MIME

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Item
    from ragart_desktop.core.retrieval.query import SearchResult


ItemRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2
GroupSizeRole = Qt.ItemDataRole.UserRole + 3
PinnedRole = Qt.ItemDataRole.UserRole + 4
ScoreRole = Qt.ItemDataRole.UserRole + 5
SnippetRole = Qt.ItemDataRole.UserRole + 6    # what a music/text cell shows instead of a thumbnail

_Index = QModelIndex | QPersistentModelIndex


@dataclass
class ResultRow:
    item: "Item"
    score: Optional[float] = None       # None in browse mode
    why: str = ""
    group: Optional[int] = None         # near-duplicate group id
    group_size: int = 1                 # members of the group folded under this row (itself included)
    group_titles: tuple[str, ...] = ()  # the other members, for the tooltip


def rows_from_results(results: Sequence["SearchResult"], fold_groups: bool) -> list[ResultRow]:
    """Rows in result order; with ``fold_groups`` each near-duplicate group shows only its best member."""
    if not fold_groups:
        return [ResultRow(r.item, r.score, r.why, r.group) for r in results]
    rows: list[ResultRow] = []
    leader: dict[int, ResultRow] = {}
    for r in results:
        if r.group is not None and r.group in leader:
            head = leader[r.group]
            head.group_size += 1
            head.group_titles += (r.item.title or Path(r.item.path).name,)
            continue
        row = ResultRow(r.item, r.score, r.why, r.group)
        if r.group is not None:
            leader[r.group] = row
        rows.append(row)
    return rows


def item_mime_data(items: Sequence["Item"]) -> QMimeData:
    """Drag payload: file URLs (for other apps and editors) plus the item ids (for RagArt)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(it.path) for it in items])
    payload = [{"id": it.id, "path": it.path, "kind": it.kind, "title": it.title} for it in items]
    mime.setData(ITEM_MIME, json.dumps(payload).encode("utf-8"))
    return mime


def items_from_mime(mime: QMimeData) -> list[dict[str, Any]]:
    if not mime.hasFormat(ITEM_MIME):
        return []
    try:
        return list(json.loads(bytes(mime.data(ITEM_MIME)).decode("utf-8")))
    except ValueError:
        return []


def snippet(item: "Item") -> str:
    """The text a cell shows for items without a picture: a note's opening words, a piece's facts."""
    meta = item.metadata or {}
    if item.kind == "text":
        body = item.body or item.words or ""
        if body.startswith("---"):                       # skip YAML front matter
            end = body.find("\n---", 3)
            body = body[end + 4:] if end >= 0 else body
        lines = [ln.strip().lstrip("#>*- ").strip() for ln in body.splitlines()]
        return " ".join(ln for ln in lines if ln)[:240]
    if item.kind == "music":
        facts = []
        if meta.get("key") and meta.get("key") != "unknown":
            facts.append(str(meta["key"]))
        tempo = f"{float(meta['tempo']):.0f} bpm" if meta.get("tempo") else ""
        signature = meta.get("time_signature") or ""
        facts.append(" · ".join(x for x in (tempo, str(signature)) if x))
        length = float(meta.get("length") or 0)
        parts = [f"{int(length // 60)}:{int(length % 60):02d}"] if length else []
        instruments = meta.get("instruments") or []
        if instruments:
            parts.append(f"{len(instruments)} track{'s' if len(instruments) != 1 else ''}")
        facts.append(" · ".join(parts))
        return "\n".join(f for f in facts if f)
    return ""


class ResultsModel(QAbstractListModel):
    """Rows of the reference grid. ``fetch_page(offset)`` is set by the browser in browse mode."""

    def __init__(self, thumbnails: ThumbnailCache, parent=None):
        super().__init__(parent)
        self.thumbnails = thumbnails
        self._rows: list[ResultRow] = []
        self._row_of: dict[int, int] = {}
        self._total = 0                 # rows available (browse mode may know more than loaded)
        self._fetching = False
        self.generation = 0             # bumped by every reset; late pages of older ones are dropped
        self.fetch_page: Optional[Callable[[int, int], None]] = None   # (generation, offset)
        self.pinned_ids: set[int] = set()
        thumbnails.loaded.connect(self._thumbnails_loaded)

    # -- filling ----------------------------------------------------------------------------------

    def set_rows(self, rows: list[ResultRow], total: Optional[int] = None) -> None:
        self.beginResetModel()
        self.generation += 1
        self._rows = list(rows)
        self._row_of = {r.item.id: i for i, r in enumerate(self._rows)}
        self._total = max(len(self._rows), total or 0)
        self._fetching = False
        self.endResetModel()

    def append_page(self, generation: int, offset: int, rows: list[ResultRow], total: int) -> None:
        """A browse page arrived; ignored when the model was reset since it was asked for."""
        if generation != self.generation or offset != len(self._rows):
            return
        self._fetching = False
        self._total = max(total, len(self._rows) + len(rows))
        if not rows:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        for i, row in enumerate(rows, start=first):
            self._rows.append(row)
            self._row_of[row.item.id] = i
        self.endInsertRows()

    @property
    def total(self) -> int:
        return self._total

    def row(self, i: int) -> ResultRow:
        return self._rows[i]

    def rows(self) -> list[ResultRow]:
        return self._rows

    def index_of_item(self, item_id: int) -> QModelIndex:
        i = self._row_of.get(item_id)
        return self.index(i) if i is not None else QModelIndex()

    def set_pinned(self, ids: set[int]) -> None:
        changed = self.pinned_ids ^ set(ids)
        self.pinned_ids = set(ids)
        for item_id in changed:
            idx = self.index_of_item(item_id)
            if idx.isValid():
                self.dataChanged.emit(idx, idx, [PinnedRole])

    # -- Qt model API -----------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:
        return (not parent.isValid() and self.fetch_page is not None and not self._fetching
                and len(self._rows) < self._total)

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self.fetch_page(self.generation, len(self._rows))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        item = row.item
        if role == Qt.ItemDataRole.DisplayRole:
            return item.title or Path(item.path).name
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnails.get(item.id, item.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
        if role == ItemRole:
            return item
        if role == KindRole:
            return item.kind
        if role == GroupSizeRole:
            return row.group_size
        if role == PinnedRole:
            return item.id in self.pinned_ids
        if role == ScoreRole:
            return row.score
        if role == SnippetRole:
            return snippet(item)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", ITEM_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        items = [self._rows[i.row()].item for i in indexes if i.isValid()]
        return item_mime_data(items)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    # -- internals ---------------------------------------------------------------------------------

    @staticmethod
    def _tooltip(row: ResultRow) -> str:
        item = row.item
        from html import escape

        lines = [f"<b>{escape(item.title or Path(item.path).name)}</b>", escape(item.path)]
        if row.why:
            lines.append(f"<i>Why:</i> {escape(row.why)}")
        if row.score is not None:
            lines.append(f"Score {row.score:.3f}")
        if item.tags:
            lines.append("Tags: " + escape(", ".join(item.tags)))
        if item.note:
            lines.append("Note: " + escape(item.note[:200]))
        if row.group_size > 1:
            lines.append(f"{row.group_size - 1} near-duplicate(s) folded: " + escape(", ".join(row.group_titles[:6])))
        return "<br>".join(lines)

    def _thumbnails_loaded(self, ids: list[int]) -> None:
        rows = [self._row_of[i] for i in ids if i in self._row_of]
        if not rows:
            return
        first, last = min(rows), max(rows)
        self.dataChanged.emit(self.index(first), self.index(last), [Qt.ItemDataRole.DecorationRole])
