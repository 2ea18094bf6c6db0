"""Chinese words search end to end: eight Tang poems imported as notes, as the issue reproduced it,
plus titles, tags, notes, mixed Chinese/English text, traditional forms and an older catalog."""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest

import ragart_desktop.core.library.catalog as catalog_module
from ragart_desktop.core.errors import Cancelled
from ragart_desktop.core.library.catalog import SCHEMA_VERSION, Catalog
from ragart_desktop.core.library.library import Library
from ragart_desktop.core.progress import Task
from ragart_desktop.core.retrieval.query import Query
from ragart_desktop.core.text.cjk import to_simplified

POEMS = {
    "静夜思": "床前明月光，疑是地上霜。举头望明月，低头思故乡。",
    "枫桥夜泊": "月落乌啼霜满天，江枫渔火对愁眠。姑苏城外寒山寺，夜半钟声到客船。",
    "江雪": "千山鸟飞绝，万径人踪灭。孤舟蓑笠翁，独钓寒江雪。",
    "登鹳雀楼": "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。",
    "春晓": "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。",
    "相思": "红豆生南国，春来发几枝。愿君多采撷，此物最相思。",
    "回乡偶书": "少小离家老大回，乡音无改鬓毛衰。儿童相见不相识，笑问客从何处来。",
    "鹿柴": "空山不见人，但闻人语响。返景入深林，复照青苔上。",
}


@pytest.fixture
def poems_folder(tmp_path):
    folder = tmp_path / "唐诗"
    folder.mkdir()
    for title, body in POEMS.items():
        (folder / f"{title}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")   # the title line first
    (folder / "harbour-notes.txt").write_text("harbour-notes\n\nHarbour sketch: 港口的灯塔 at dusk, fishing boats 渔船 returning.\n",
                                               encoding="utf-8")
    (folder / "故園.txt").write_text("故園\n\n舊時故鄉的雲，遠處傳來鐘聲。\n", encoding="utf-8")   # traditional characters
    return folder


def _titles(results) -> list[str]:
    return [r.item.title for r in results]


def _matching(results) -> set[str]:
    return {r.item.title for r in results if r.why.startswith("matches")}


def _holding(lib, word: str) -> set[str]:
    """Titles of the items whose title, tags, note or body holds ``word`` (simplified forms compared)."""
    wanted = to_simplified(word)
    return {it.title for it in lib.browse(limit=1000)
            if wanted in to_simplified(" ".join([it.title, *it.tags, it.note, it.body]))}


def test_tang_poems_one_and_two_character_words(make_library, poems_folder):
    lib = make_library()
    lib.import_paths([poems_folder])
    rankings = {}
    for word, poem in (("雪", "江雪"), ("故乡", "静夜思"), ("钟声", "枫桥夜泊")):
        results = lib.search(Query(text=word, k=10))
        holders = _holding(lib, word)
        assert poem in holders and _matching(results) == holders, word     # found all, and only, the holders
        assert _titles(results)[0] in holders and f'matches "{word}"' in results[0].why
        rankings[word] = _titles(results)
    assert len({tuple(r[:3]) for r in rankings.values()}) == 3        # different queries, different rankings
    for word in ("霜", "夜", "明月", "寒山", "千里", "山尽"):          # dictionary words or not
        assert _matching(lib.search(Query(text=word, k=20))) == _holding(lib, word), word


def test_titles_tags_notes_and_mixed_chinese_english(make_library, poems_folder):
    lib = make_library()
    lib.import_paths([poems_folder])
    spring = lib.resolve(str(poems_folder / "春晓.txt"))
    lib.add_tags(spring.id, ["梅", "山水画"])
    lib.set_note(lib.resolve(str(poems_folder / "鹿柴.txt")).id, "写于扬州, sketched by the river")
    assert _titles(lib.search(Query(text="夜思", k=5)))[0] == "静夜思"          # a title, two characters
    assert lib.resolve(str(poems_folder / "静夜思.txt")).title == "静夜思"
    assert _titles(lib.search(Query(text="梅", k=5)))[0] == "春晓"              # a user tag, one character
    assert _titles(lib.search(Query(text="山水", k=5)))[0] == "春晓"            # inside a tag
    assert _matching(lib.search(Query(text="唐诗", k=20))) == set(POEMS) | {"harbour-notes", "故園"}  # folder tag
    assert _titles(lib.search(Query(text="扬州", k=5)))[0] == "鹿柴"            # a note
    assert _titles(lib.search(Query(text="river", k=5)))[0] == "鹿柴"           # the note's English word
    for word in ("灯塔", "渔船", "harbour", "boats"):                          # a mixed note, either language
        results = lib.search(Query(text=word, k=5))
        assert _titles(results)[0] == "harbour-notes" and f'matches "{word}"' in results[0].why


def test_traditional_and_simplified_forms_find_each_other(make_library, poems_folder):
    lib = make_library()
    lib.import_paths([poems_folder])
    assert _matching(lib.search(Query(text="钟声", k=10))) == {"枫桥夜泊", "故園"}
    results = lib.search(Query(text="鐘聲", k=10))
    assert _matching(results) == {"枫桥夜泊", "故園"} and 'matches "鐘聲"' in results[0].why
    assert _matching(lib.search(Query(text="故园", k=10))) == {"故園"}


# ---- an older catalog -------------------------------------------------------------------------

def _write_version_1(db_path) -> None:
    """Rewrite the catalog as version 1 wrote it: raw text in the FTS rows, schema_version 1."""
    cat = Catalog(db_path)
    with cat.transaction() as c:
        for r in c.execute("SELECT id, title, words, body, note FROM items").fetchall():
            tags = " ".join(Catalog._all_tags(c, r["id"]))
            c.execute("DELETE FROM fts WHERE rowid=?", (r["id"],))
            c.execute("INSERT INTO fts(rowid, title, words, tags, note, body) VALUES (?,?,?,?,?,?)",
                      (r["id"], r["title"], r["words"], tags, r["note"], r["body"]))
        c.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    cat.close()


def _snapshot(lib: Library) -> dict:
    ids = sorted(lib.catalog.ids())
    return {"items": [(it.id, it.content_hash, it.title, tuple(it.tags), it.note, tuple(it.paths))
                      for it in lib.catalog.items(ids)],
            "vectors": {e.id: lib.indexes[e.id].get_vectors([i for i in ids if i in lib.indexes[e.id]])
                        for e in lib.embedders},
            "dirty": lib.catalog.words_dirty_ids()}


def _fts_finds(db_path, term: str) -> bool:
    with sqlite3.connect(db_path) as c:
        return bool(c.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (f'"{term}"',)).fetchall())


def test_an_older_catalog_is_migrated_on_open_with_nothing_lost(home, shared_embedders, poems_folder):
    lib = Library.open(home, embedders=shared_embedders)
    lib.import_paths([poems_folder])
    lib.add_tags(lib.resolve(str(poems_folder / "江雪.txt")).id, ["冬天", "favourite"])
    lib.set_note(lib.resolve(str(poems_folder / "相思.txt")).id, "红豆 for the autumn series")
    before = _snapshot(lib)
    lib.close()
    _write_version_1(home.catalog_path)
    assert not _fts_finds(home.catalog_path, "雪")          # the bug the issue reported

    seen = []
    lib = Library.open(home, embedders=shared_embedders, task=Task(on_progress=lambda d, t, m: seen.append((d, t, m))))
    try:
        assert seen and seen[-1][0] == seen[-1][1] == lib.count() and "Chinese" in seen[-1][2]
        assert not lib.catalog.needs_migration()
        after = _snapshot(lib)
        assert after["items"] == before["items"] and after["dirty"] == before["dirty"] == []
        for eid, vectors in before["vectors"].items():
            assert np.array_equal(after["vectors"][eid], vectors)      # nothing re-embedded, nothing lost
        assert _titles(lib.search(Query(text="雪", k=3)))[0] == "江雪"
        assert _titles(lib.search(Query(text="冬天", k=3)))[0] == "江雪"
        assert _titles(lib.search(Query(text="红豆", k=3)))[0] == "相思"
    finally:
        lib.close()


def test_a_migration_stopped_mid_way_is_finished_by_the_next_open(home, shared_embedders, poems_folder, monkeypatch):
    lib = Library.open(home, embedders=shared_embedders)
    lib.import_paths([poems_folder])
    lib.close()
    _write_version_1(home.catalog_path)
    monkeypatch.setattr(catalog_module, "MIGRATION_BATCH", 3)

    task = Task(on_progress=lambda done, total, message: task.cancel())   # stops after the first batch
    with pytest.raises(Cancelled):
        Library.open(home, embedders=shared_embedders, task=task)
    with sqlite3.connect(home.catalog_path) as c:
        meta = dict(c.execute("SELECT key, value FROM meta").fetchall())
    assert meta["schema_version"] == "1" and int(meta["fts_migrated_upto"]) >= 3   # one batch kept, the rest to do

    lib = Library.open(home, embedders=shared_embedders)
    try:
        with sqlite3.connect(home.catalog_path) as c:
            meta = dict(c.execute("SELECT key, value FROM meta").fetchall())
        assert meta["schema_version"] == str(SCHEMA_VERSION) and "fts_migrated_upto" not in meta
        assert _matching(lib.search(Query(text="钟声", k=10))) == {"枫桥夜泊", "故園"}
        assert _titles(lib.search(Query(text="雪", k=3)))[0] == "江雪"
    finally:
        lib.close()
