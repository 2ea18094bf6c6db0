"""What was dropped on the canvas: library items from the reference browser, or image files."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QMimeData

from ragart_desktop.core.kinds import kind_for_suffix
from ragart_desktop.ui.mime import ITEM_MIME as RAGART_ITEM_MIME

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class DroppedImage:
    path: str
    item_id: Optional[int] = None  # set when it comes from the library (it can be pinned)


def dropped_images(mime: QMimeData) -> list[DroppedImage]:
    """Library items (``application/x-ragart-item``: a JSON object or list of {"id", "path"})
    first, then local image files from URLs not already named by an item."""
    found: list[DroppedImage] = []
    if mime.hasFormat(RAGART_ITEM_MIME):
        raw = bytes(mime.data(RAGART_ITEM_MIME)).decode("utf-8", "replace")
        try:
            payload = json.loads(raw)
        except ValueError:
            log.warning("ignored a malformed %s drop: %r", RAGART_ITEM_MIME, raw[:200])
            payload = []
        for entry in payload if isinstance(payload, list) else [payload]:
            if isinstance(entry, dict) and entry.get("path"):
                item_id = entry.get("id")
                found.append(DroppedImage(str(entry["path"]), int(item_id) if item_id is not None else None))
    known = {d.path for d in found}
    for url in mime.urls() if mime.hasUrls() else []:
        if url.isLocalFile():
            path = url.toLocalFile()
            if kind_for_suffix(Path(path).suffix) == "image" and path not in known:
                found.append(DroppedImage(path))
    return found
