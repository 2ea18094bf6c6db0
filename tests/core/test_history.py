"""The job history file: append-only JSONL that survives a half-written last line."""
from __future__ import annotations

import json

from ragart_desktop.core.history import HistoryRecord, HistoryStore


def _record(prompt: str, seed: int) -> HistoryRecord:
    return HistoryRecord(kind="image", request={"prompt": prompt, "seed": seed},
                         outputs=[{"path": f"/out/{seed}.png", "seed": seed, "scores": {"prompt": 0.3},
                                   "references": [{"id": 4, "weight": 1.0}]}], engine="builtin")


def test_records_round_trip_newest_first(tmp_path):
    store = HistoryStore.in_home(tmp_path)
    first, second = _record("a red fox", 1), _record("a blue jay", 2)
    store.append(first)
    store.append(second)
    loaded = store.load()
    assert [r.id for r in loaded] == [second.id, first.id]
    assert loaded[1] == first
    assert loaded[0].seeds == [2]
    assert store.load(limit=1)[0].id == second.id
    assert store.find(first.id) == first
    line = json.loads(store.path.read_text().splitlines()[0])
    assert set(line) == {"id", "time", "kind", "request", "outputs", "engine"}


def test_a_damaged_line_is_skipped_not_fatal(tmp_path):
    store = HistoryStore(tmp_path / "history.jsonl")
    good = _record("kept", 7)
    store.append(good)
    with open(store.path, "a", encoding="utf-8") as fh:
        fh.write('{"id": "half-writ')          # a crash in the middle of a write
    assert [r.id for r in store.load()] == [good.id]
    assert HistoryStore(tmp_path / "none.jsonl").load() == []
