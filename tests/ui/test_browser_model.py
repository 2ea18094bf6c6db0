"""The thumbnail grid's model: constant-time rows at 100,000 items, paging, grouping, drag payload."""
from __future__ import annotations

import json
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListView

from ragart_desktop.core.library.catalog import Item
from ragart_desktop.core.retrieval.query import SearchResult
from ragart_desktop.ui.browser.delegate import ThumbnailDelegate
from ragart_desktop.ui.browser.model import (
    ITEM_MIME, GroupSizeRole, ItemRole, ResultRow, ResultsModel, items_from_mime, rows_from_results,
)
from ragart_desktop.ui.browser.thumbnails import ThumbnailCache

KINDS = ("image", "music", "text")


def fake_item(i: int) -> Item:
    kind = KINDS[i % 3]
    suffix = {"image": "png", "music": "mid", "text": "md"}[kind]
    return Item(id=i + 1, content_hash=f"{i:064x}", kind=kind, path=f"/library/{kind}/file_{i:06d}.{suffix}",
                paths=[f"/library/{kind}/file_{i:06d}.{suffix}"], title=f"file {i:06d}", tags=["demo"],
                note="", metadata={}, size=1000 + i)


def test_model_stays_fast_at_100k_rows(qtbot):
    rows = [ResultRow(fake_item(i), score=1.0 - i * 1e-6, why="words: file") for i in range(100_000)]
    model = ResultsModel(ThumbnailCache(None))
    t0 = time.perf_counter()
    model.set_rows(rows)
    reset_s = time.perf_counter() - t0
    assert model.rowCount() == 100_000
    assert reset_s < 0.5, f"reset took {reset_s:.3f} s"

    # What a view asks for when it paints one screen of ~60 cells deep in the list (after one
    # warm-up call: the first lookup of each role enum is slow in PySide6).
    model.data(model.index(0), GroupSizeRole)
    t0 = time.perf_counter()
    for r in range(70_000, 70_060):
        index = model.index(r)
        model.data(index, Qt.ItemDataRole.DisplayRole)
        model.data(index, Qt.ItemDataRole.DecorationRole)
        model.data(index, GroupSizeRole)
        model.data(index, ItemRole)
    screen_s = time.perf_counter() - t0
    assert screen_s < 0.02, f"one screen of data() took {screen_s * 1000:.1f} ms"
    assert model.data(model.index(70_000), Qt.ItemDataRole.DisplayRole) == "file 070000"
    assert model.index_of_item(70_001).row() == 70_000


def test_grid_scrolls_through_100k_rows_without_stalling(qtbot):
    model = ResultsModel(ThumbnailCache(None))
    model.set_rows([ResultRow(fake_item(i)) for i in range(100_000)])
    view = QListView()
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setUniformItemSizes(True)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setLayoutMode(QListView.LayoutMode.Batched)
    view.setItemDelegate(ThumbnailDelegate(120, view))
    view.setModel(model)
    view.resize(800, 600)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > 100_000, timeout=10_000)  # laid out
    worst = 0.0
    for target in (25_000, 50_000, 99_999, 10):
        t0 = time.perf_counter()
        view.scrollTo(model.index(target))
        view.viewport().repaint()
        worst = max(worst, time.perf_counter() - t0)
    assert worst < 0.25, f"scrolling to a far row took {worst * 1000:.0f} ms"


def test_browse_pages_arrive_through_fetch_more_and_stale_pages_are_dropped(qtbot):
    asked = []
    model = ResultsModel(ThumbnailCache(None))
    model.fetch_page = lambda generation, offset: asked.append((generation, offset))
    model.set_rows([], total=1)
    model.fetchMore()
    generation, offset = asked[-1]
    model.append_page(generation, offset, [ResultRow(fake_item(i)) for i in range(400)], total=1000)
    assert model.rowCount() == 400 and model.canFetchMore()
    model.fetchMore()
    assert asked[-1] == (generation, 400)
    model.set_rows([], total=1)            # the user typed: a new generation
    model.append_page(generation, 400, [ResultRow(fake_item(i)) for i in range(400, 800)], total=1000)
    assert model.rowCount() == 0


def test_near_duplicates_fold_under_their_best_member():
    items = [fake_item(i) for i in range(5)]
    results = [SearchResult(items[0], 0.9, "a", group=7), SearchResult(items[1], 0.8, "b"),
               SearchResult(items[2], 0.7, "c", group=7), SearchResult(items[3], 0.6, "d", group=7),
               SearchResult(items[4], 0.5, "e", group=9)]
    folded = rows_from_results(results, fold_groups=True)
    assert [r.item.id for r in folded] == [1, 2, 5]
    assert folded[0].group_size == 3 and folded[0].group_titles == ("file 000002", "file 000003")
    assert len(rows_from_results(results, fold_groups=False)) == 5


def test_drag_payload_carries_file_urls_and_item_ids(qtbot):
    model = ResultsModel(ThumbnailCache(None))
    model.set_rows([ResultRow(fake_item(i)) for i in range(3)])
    mime = model.mimeData([model.index(0), model.index(2)])
    assert [u.toLocalFile() for u in mime.urls()] == ["/library/image/file_000000.png", "/library/text/file_000002.md"]
    payload = json.loads(bytes(mime.data(ITEM_MIME)).decode())
    assert [p["id"] for p in payload] == [1, 3]
    assert items_from_mime(mime) == payload


def test_thumbnails_wanted_while_the_library_worker_shuts_down_ask_it_for_nothing_more(qtbot):
    """Shutting down cancels the queued thumbnail job; the cache must not then submit the thumbnails
    still wanted to the closed worker (a RuntimeError in a timer slot at every quit)."""
    import threading

    from ragart_desktop.ui.workers import WorkerHost

    host = WorkerHost("library")
    gate = threading.Event()
    host.submit("busy", lambda task: gate.wait(5))       # the worker is busy: the next job waits queued

    class Service:
        reader = host

    cache = ThumbnailCache(Service())
    cache.get(1)
    qtbot.waitUntil(lambda: cache._in_flight)             # item 1's job is queued behind "busy"
    cache.get(2)                                          # item 2 waits for that job
    threading.Timer(0.2, gate.set).start()
    assert host.shutdown()
    qtbot.wait(50)                                        # the flush timer has had its chance
    assert cache._pending                                 # still wanted, never sent to a closed worker
