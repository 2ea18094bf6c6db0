"""Thumbnails for the grid: read and scaled off the UI thread, kept in an LRU of pixmaps.

``get`` never blocks: a thumbnail not in the cache is queued and ``None`` returned (the delegate
paints a placeholder). Queued ids are sent in batches as one job on the library reader worker; the
newest requests go first, because what the view painted last is what is on screen now.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap

from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.ui.library_service import LibraryService

log = logging.getLogger(__name__)

BATCH_SIZE = 48
MAX_PENDING = 512
THUMB_SIZE = 256


class ThumbnailCache(QObject):
    loaded = Signal(list)    # item ids whose thumbnail (or lack of one) is now known

    def __init__(self, service: Optional["LibraryService"], capacity: int = 3000, parent=None):
        super().__init__(parent)
        self.service = service
        self.capacity = capacity
        self._cache: OrderedDict[int, Optional[QPixmap]] = OrderedDict()
        self._pending: OrderedDict[int, None] = OrderedDict()
        self._in_flight = False
        self._flush_timer = QTimer(self, singleShot=True, interval=0)
        self._flush_timer.timeout.connect(self._flush)

    def get(self, item_id: int, kind: str = "image") -> Optional[QPixmap]:
        if item_id in self._cache:
            self._cache.move_to_end(item_id)
            return self._cache[item_id]
        if self.service is not None:
            self._pending[item_id] = None
            self._pending.move_to_end(item_id)
            while len(self._pending) > MAX_PENDING:
                self._pending.popitem(last=False)
            if not self._in_flight:
                self._flush_timer.start()
        return None

    def put(self, item_id: int, pixmap: Optional[QPixmap]) -> None:
        self._cache[item_id] = pixmap
        self._cache.move_to_end(item_id)
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)

    def clear_pending(self) -> None:
        self._pending.clear()

    def forget_missing(self) -> None:
        """Ask again for items that had no thumbnail (an import may have made it since)."""
        for item_id in [k for k, v in self._cache.items() if v is None]:
            del self._cache[item_id]

    def invalidate(self) -> None:
        self._cache.clear()
        self._pending.clear()

    def _flush(self) -> None:
        if self._in_flight or not self._pending or self.service is None or self.service.reader.is_shut_down:
            return   # (a shut-down worker: the window is closing)
        batch: list[int] = []
        while self._pending and len(batch) < BATCH_SIZE:
            item_id, _ = self._pending.popitem(last=True)
            batch.append(item_id)
        service = self.service

        def load(task: Task) -> dict[int, Optional[QImage]]:
            lib = service.library()
            images: dict[int, Optional[QImage]] = {}
            for item_id in batch:
                task.check()
                images[item_id] = read_thumbnail(lib.thumbnail_path(item_id))
            return images

        self._in_flight = True
        service.reader.submit("Thumbnails", load, visible=False, on_result=self._arrived,
                              on_error=self._failed, on_cancel=self._done)

    def _arrived(self, images: dict[int, Optional[QImage]]) -> None:
        for item_id, image in images.items():
            self.put(item_id, QPixmap.fromImage(image) if image is not None else None)
        self._done()
        self.loaded.emit(list(images))

    def _failed(self, report) -> None:
        log.warning("thumbnails could not be loaded: %s", report.headline)
        self._done()

    def _done(self) -> None:
        self._in_flight = False
        if self._pending:
            self._flush_timer.start()


def read_thumbnail(path) -> Optional[QImage]:
    """Read a thumbnail file into a QImage no larger than THUMB_SIZE (worker thread)."""
    if path is None:
        return None
    image = QImage(str(path))
    if image.isNull():
        log.warning("thumbnail %s unreadable", path)
        return None
    if max(image.width(), image.height()) > THUMB_SIZE:
        image = image.scaled(THUMB_SIZE, THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image
