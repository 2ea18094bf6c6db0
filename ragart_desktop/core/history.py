"""Job history: one JSON record per finished job, appended to ``history.jsonl`` in the home folder.

Record format (shared with the generation pipeline and the UI)::

    {"id": str, "time": ISO-8601 str, "kind": "image" | "music" | "text" | ...,
     "request": {...GenerationRequest as JSON...},
     "outputs": [{"path": str, "seed": int, "scores": {...}, "references": [...]}, ...],
     "engine": str}

Append-only and line-oriented so a crash can at worst leave one half-written last line, which
``load`` skips with a warning instead of losing the whole history.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from ragart_desktop.core.errors import StorageError

log = logging.getLogger(__name__)

HISTORY_FILE_NAME = "history.jsonl"


@dataclass
class HistoryRecord:
    kind: str
    request: dict[str, Any]
    outputs: list[dict[str, Any]]
    engine: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    time: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "HistoryRecord":
        return cls(
            kind=str(data.get("kind", "")),
            request=dict(data.get("request") or {}),
            outputs=[dict(o) for o in data.get("outputs") or []],
            engine=str(data.get("engine", "")),
            id=str(data["id"]),
            time=str(data.get("time", "")),
        )

    @property
    def seeds(self) -> list[int]:
        return [int(o["seed"]) for o in self.outputs if o.get("seed") is not None]


class HistoryStore:
    """Thread-safe append/load of the history file (jobs finish on worker threads)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    @classmethod
    def in_home(cls, home_root: Path) -> "HistoryStore":
        return cls(Path(home_root) / HISTORY_FILE_NAME)

    def append(self, record: HistoryRecord) -> None:
        line = json.dumps(record.to_json(), ensure_ascii=False, default=str)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise StorageError(f"the history could not be written ({exc.strerror or exc}).", path=self.path) from exc

    def load(self, limit: Optional[int] = None) -> list[HistoryRecord]:
        """Records newest first (at most ``limit``); damaged lines are skipped and logged."""
        if not self.path.exists():
            return []
        try:
            with self._lock:
                lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise StorageError(f"the history could not be read ({exc.strerror or exc}).", path=self.path) from exc
        records: list[HistoryRecord] = []
        for number in range(len(lines) - 1, -1, -1):
            text = lines[number].strip()
            if not text:
                continue
            try:
                records.append(HistoryRecord.from_json(json.loads(text)))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("%s line %d skipped (%s)", self.path, number + 1, exc)
                continue
            if limit is not None and len(records) >= limit:
                break
        return records

    def find(self, record_id: str) -> Optional[HistoryRecord]:
        return next((r for r in self.load() if r.id == record_id), None)
