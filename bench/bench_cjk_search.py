"""CJK words search (issue 10): latency at 100k Chinese text items against English at the same size,
and the measured trade-off between ways of indexing Chinese for FTS5.

    python bench/bench_cjk_search.py search   [--n 100000]   # end-to-end p50/p95, Chinese vs English
    python bench/bench_cjk_search.py compare  [--n 100000]   # index options: size, build, top-100 query
                                                              # time, recall/precision of all matches

The Chinese text is generated here (no download): sentences of common words and single characters
drawn with Zipf-like frequencies, a few classical lines mixed in. Goal: Chinese words search p50
under 30 ms at 100k, like English.
"""
from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ragart_desktop.core.home import Home  # noqa: E402

ZH_WORDS = """
山水 明月 故乡 钟声 春风 秋雨 夜晚 清晨 黄昏 江南 长安 西湖 白云 青山 流水 落花 飞鸟 孤舟 渔火 客船 寒山 古寺
松树 竹林 梅花 桃花 杨柳 芦苇 荷花 菊花 兰草 月光 星空 银河 大海 河流 小溪 瀑布 雪花 冰雪 霜降 细雨 暴雨 雷声
风景 画家 诗人 音乐 琵琶 古琴 笛子 书法 水墨 油画 素描 颜色 色彩 线条 构图 光影 影子 窗前 门外 城外 楼上 桥边 路上
朋友 家人 母亲 父亲 孩子 老人 少年 姑娘 旅人 行人 渔夫 农民 学生 老师 将军 皇帝 书生 和尚 道士 商人 歌手 舞者
思念 离别 相逢 等待 回忆 梦想 希望 孤独 寂寞 快乐 悲伤 温柔 安静 热闹 自由 永远 从前 今天 明天 昨天 时间 岁月
城市 乡村 街道 市场 花园 庭院 宫殿 寺庙 山谷 草原 沙漠 森林 海边 港口 灯塔 码头 小船 渔船 火车 飞机 马车 道路
早上 中午 下午 晚上 春天 夏天 秋天 冬天 季节 节日 中秋 新年 清明 端午 元宵 重阳 月亮 太阳 星星 云彩 天空 大地
写字 画画 唱歌 跳舞 读书 喝茶 饮酒 散步 登山 远望 归来 出发 回家 送别 相见 微笑 哭泣 沉默 倾听 呼吸 拥抱
红色 蓝色 绿色 白色 黑色 金色 紫色 灰色 深蓝 浅绿 温暖 寒冷 明亮 黑暗 柔和 清澈 朦胧 遥远 宽阔 高大 渺小
博物馆 图书馆 美术馆 音乐会 交响乐 钢琴曲 水彩画 山水画 人物画 花鸟画 工作室 笔记本 明信片 照相机 万里长城
夜半钟声 千山万水 春暖花开 秋高气爽 风花雪月 山清水秀 一叶知秋 日出而作 天涯海角 青出于蓝
""".split()
ZH_CHARS = "的了在是我有和人这中大为上个国不也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从"
CLASSICAL = ["床前明月光疑是地上霜", "举头望明月低头思故乡", "姑苏城外寒山寺夜半钟声到客船", "孤舟蓑笠翁独钓寒江雪",
             "白日依山尽黄河入海流", "欲穷千里目更上一层楼", "春眠不觉晓处处闻啼鸟", "夜来风雨声花落知多少"]
EN_WORDS = ("sea harbour storm calm bay forest pine birch moss autumn city night neon rain snow portrait figure sketch "
            "ink watercolour oil abstract geometric sunset dusk dawn river mountain flower garden jazz folk waltz reel "
            "ambient piano strings flute drum bass moon bell temple boat friend home road lantern bridge window "
            "silence letter morning evening winter spring summer village market tower lighthouse").split()


def _zipf(n: int) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1)
    return w / w.sum()


def _lexicon_zh(rng: np.random.Generator) -> list[str]:
    """Function characters first (most frequent), then real words, then 4,000 two-character
    compounds and 1,500 single characters drawn from the common Han block (the long tail)."""
    block = [chr(c) for c in range(0x4E00, 0x9FA6, 7)]
    compounds = ["".join(rng.choice(block, 2)) for _ in range(4000)]
    return list(ZH_CHARS) + ZH_WORDS + compounds + list(rng.choice(block, 1500))


def _lexicon_en(rng: np.random.Generator) -> list[str]:
    syllables = "ka lo mi ne ru sa to vi der ban cor fel gan hol lin mar pet ros tan wel".split()
    made = {"".join(rng.choice(syllables, int(rng.integers(2, 4)))) for _ in range(7000)}
    return "the of and in on with at by a to".split() + EN_WORDS + sorted(made)[:5000]


def _stream_texts(lexicon: list[str], n: int, lengths: np.ndarray, joiner: str, rng, punctuate: bool) -> list[str]:
    """n texts of ``lengths`` characters, words drawn from ``lexicon`` with Zipf frequencies."""
    m = int(lengths.sum()) // 2 + 1000
    stream = np.array(lexicon, dtype=object)[rng.choice(len(lexicon), m, p=_zipf(len(lexicon)))]
    if punctuate:   # a comma or full stop every ~8 pieces
        marks = rng.random(m)
        stream = np.where(marks < 0.09, stream + "，", np.where(marks < 0.12, stream + "。", stream))
    out, pos = [], 0
    for length in lengths:
        parts, size = [], 0
        while size < length:
            parts.append(stream[pos % m])
            size += len(parts[-1]) + len(joiner)
            pos += 1
        out.append(joiner.join(parts))
    return out


def chinese_texts(n: int, seed: int = 0) -> list[str]:
    """n procedural Chinese notes of 60-200 characters, a classical line in one note out of ten."""
    rng = np.random.default_rng(seed)
    texts = _stream_texts(_lexicon_zh(rng), n, rng.integers(60, 200, n), "", rng, punctuate=True)
    return [t + CLASSICAL[i % len(CLASSICAL)] if i % 10 == 0 else t for i, t in enumerate(texts)]


def english_texts(n: int, seed: int = 0) -> list[str]:
    """n procedural English notes of the same length in characters."""
    rng = np.random.default_rng(seed)
    return _stream_texts(_lexicon_en(rng), n, rng.integers(60, 200, n) * 4, " ", rng, punctuate=False)


# ---- end-to-end search -------------------------------------------------------------------------

def _build_library(root: Path, texts: list[str]):
    """A library of text items with these bodies (catalog + FTS through the product's own path) and
    clustered random vectors in every index (the query itself is embedded for real)."""
    from ragart_desktop.core.library.library import Library

    n = len(texts)
    rng = np.random.default_rng(1)
    lib = Library.open(Home(root).ensure())
    t0 = time.perf_counter()
    with lib.catalog.transaction() as c:
        for i, body in enumerate(texts):
            item_id = lib.catalog.insert_item(c, content_hash=f"{i:032x}", kind="text", size=len(body),
                                              title=body[:12], words="", body=body, metadata={})
            lib.catalog.upsert_path(c, path=f"/lib/notes-{i // 1000}/note-{i}.txt", item_id=item_id,
                                    root_id=None, size=1, mtime_ns=0, folders=f"notes-{i // 1000}")
        lib.catalog.refresh_fts(c, range(1, n + 1))
    build = time.perf_counter() - t0
    centers = rng.normal(size=(200, lib.words_embedder.dim)).astype(np.float32)
    vecs = centers[rng.integers(0, 200, n)] + 0.6 * rng.normal(size=(n, lib.words_embedder.dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    lib.indexes[lib.words_embedder.id].add(np.arange(1, n + 1, dtype=np.uint64), vecs)
    lib.catalog.mark_words_clean(list(range(1, n + 1)))
    lib.save_indexes()
    return lib, build


def _latency(lib, queries: list[str]) -> tuple[list[float], list[float], int]:
    from ragart_desktop.core.retrieval.query import Query
    from ragart_desktop.core.retrieval.search import _fts_expression
    from ragart_desktop.core.retrieval.query import parse_text

    lib.search(Query(text=queries[0]))   # warm: model loaded, caches filled
    total, bm25, found = [], [], 0
    for q in queries:
        t0 = time.perf_counter()
        results = lib.search(Query(text=q, k=20))
        total.append((time.perf_counter() - t0) * 1000)
        found += sum(1 for r in results if r.why.startswith("matches"))
        t0 = time.perf_counter()
        lib.catalog.fts_search(_fts_expression(parse_text(q)), 100)
        bm25.append((time.perf_counter() - t0) * 1000)
    return total, bm25, found


def _fmt(ms: list[float]) -> str:
    return f"p50 {statistics.median(ms):6.1f} ms, p95 {np.percentile(ms, 95):6.1f} ms"


def _by_frequency(texts: list[str], candidates: list[str], low: float, high: float, count: int,
                  contains) -> list[str]:
    """Up to ``count`` candidates found in a share of the texts between ``low`` and ``high``."""
    sample = texts[::10]
    chosen = []
    for q in dict.fromkeys(candidates):
        share = sum(1 for t in sample if contains(q, t)) / len(sample)
        if low <= share <= high:
            chosen.append(q)
        if len(chosen) == count:
            break
    return chosen


def bench_search(n: int) -> None:
    rng = np.random.default_rng(7)
    zh, en = chinese_texts(n), english_texts(n)
    zh_lex, en_lex = _lexicon_zh(np.random.default_rng(0)), _lexicon_en(np.random.default_rng(0))
    in_zh = lambda q, t: q in t                                     # noqa: E731
    in_en = lambda q, t: all(f" {w} " in f" {t} " for w in q.split())   # noqa: E731
    singles = [w for w in zh_lex if len(w) == 1]
    pairs = [w for w in zh_lex if len(w) == 2]
    longer = [w for w in ZH_WORDS if len(w) >= 3] + CLASSICAL[:4]
    # What people search: words found in 0.05% to 5% of the notes (1-4 characters / 1-2 words).
    zh_queries = (_by_frequency(zh, list(rng.permutation(singles)), 0.0005, 0.05, 20, in_zh)
                  + _by_frequency(zh, list(rng.permutation(pairs)), 0.0005, 0.05, 20, in_zh)
                  + _by_frequency(zh, longer, 0.0005, 0.2, 10, in_zh) + ["故乡的雪", "钟声 月光", "鐘聲", "山水画家"])
    en_words = _by_frequency(en, list(rng.permutation(en_lex)), 0.0005, 0.05, 60, in_en)
    en_queries = en_words[:40] + [f"{a} {b}" for a, b in zip(en_words[40:50], en_words[50:60])]
    # The worst case: the most frequent characters / words, found in 10% to 90% of the notes.
    zh_common = _by_frequency(zh, list(ZH_CHARS), 0.1, 0.9, 10, in_zh)
    en_common = _by_frequency(en, en_lex[:60], 0.1, 0.9, 10, in_en)
    with tempfile.TemporaryDirectory() as tmp:
        zh_lib, zh_build = _build_library(Path(tmp) / "zh", zh)
        en_lib, en_build = _build_library(Path(tmp) / "en", en)
        print(f"built {n:,} Chinese notes in {zh_build:.1f} s, {n:,} English notes in {en_build:.1f} s "
              f"(catalog + FTS, one transaction)")
        # Chinese and English take turns, so both see the same machine (other processes come and go).
        zh_total, zh_bm25, en_total, en_bm25, zh_found, en_found = [], [], [], [], 0, 0
        for part in range(5):
            t, b, f = _latency(zh_lib, zh_queries[part::5])
            zh_total, zh_bm25, zh_found = zh_total + t, zh_bm25 + b, zh_found + f
            t, b, f = _latency(en_lib, en_queries[part::5])
            en_total, en_bm25, en_found = en_total + t, en_bm25 + b, en_found + f
        zh_worst, zh_worst_bm25, _ = _latency(zh_lib, zh_common)
        en_worst, en_worst_bm25, _ = _latency(en_lib, en_common)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end of the run")
        print(f"words search at {n:,} text items, end to end (embed, BM25, vectors, RRF, MMR, why), k=20:")
        print(f"  Chinese, {len(zh_queries)} queries of 1-4 characters in 0.05-5% of notes: {_fmt(zh_total)}"
              f"   (goal p50 < 30 ms)")
        print(f"  English, {len(en_queries)} queries of 1-2 words in 0.05-5% of notes (baseline): {_fmt(en_total)}")
        print(f"  BM25 part alone: Chinese {_fmt(zh_bm25)}; English {_fmt(en_bm25)}")
        print(f"  results naming a matched word: Chinese {zh_found / len(zh_queries):.1f} of 20 per query, "
              f"English {en_found / len(en_queries):.1f}")
        print(f"  worst case, the most frequent characters/words (in 10-90% of notes): Chinese {_fmt(zh_worst)} "
              f"(BM25 {_fmt(zh_worst_bm25)}); English {_fmt(en_worst)} (BM25 {_fmt(en_worst_bm25)})")
        zh_lib.close()
        en_lib.close()


# ---- index options -----------------------------------------------------------------------------

def _option_a_dictionary(text: str) -> str:
    """(a) dictionary words only: jieba search mode plus single characters (no character pairs)."""
    from ragart_desktop.core.text.cjk import CJK_RUN, dictionary_words, to_simplified

    return CJK_RUN.sub(lambda m: " " + " ".join(list(m.group()) + dictionary_words(m.group())) + " ",
                       to_simplified(text))


def _option_chosen(text: str) -> str:
    from ragart_desktop.core.text.words import index_text

    return index_text(text)


def _build(db: Path, texts: list[str], tokenize: str, transform) -> tuple[float, float, sqlite3.Connection]:
    c = sqlite3.connect(db)
    c.execute(f"CREATE VIRTUAL TABLE fts USING fts5(body, tokenize = '{tokenize}')")
    t0 = time.perf_counter()
    with c:
        c.executemany("INSERT INTO fts(rowid, body) VALUES (?, ?)",
                      ((i + 1, transform(t)) for i, t in enumerate(texts)))
    c.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    c.commit()
    build = time.perf_counter() - t0
    c.execute("VACUUM")
    return build, db.stat().st_size / 2 ** 20, c


def _match_expression(option: str, q: str) -> str:
    from ragart_desktop.core.text.words import query_words

    if option in ("trigram", "dictionary"):   # the query is one index term
        return f'"{q}"'
    w = query_words(q)[0]   # the whole run comes first (in simplified form)
    return f'"{w.text}"' if w.terms == (w.text,) else \
        f'("{w.text}" OR ({" AND ".join(chr(34) + t + chr(34) for t in w.terms)}))'


def _query(c: sqlite3.Connection, option: str, q: str, limit: Optional[int]) -> list[int]:
    """Ids an option returns for ``q``: the best ``limit`` by BM25, as a search asks (the trigram
    fallback under 3 characters scans the stored text and cannot rank); all of them when no limit."""
    tail = "" if limit is None else f" LIMIT {limit}"
    if option == "trigram" and len(q) < 3:
        # The trigram index cannot answer (SQLite 3.40's LIKE on the table finds nothing under 3
        # characters): scan the stored text, as a fallback in the product would scan the catalog.
        sql, arg = "SELECT id FROM fts_content WHERE c0 LIKE ?" + tail, f"%{q}%"
    else:
        order = "" if limit is None else " ORDER BY rank"
        sql, arg = "SELECT rowid FROM fts WHERE fts MATCH ?" + order + tail, _match_expression(option, q)
    return [r[0] for r in c.execute(sql, (arg,))]


def bench_compare(n: int) -> None:
    texts = chinese_texts(n, seed=3)
    rng = np.random.default_rng(11)
    spans = []
    while len(spans) < 30:   # two characters read at random from the texts: words or not
        t = texts[rng.integers(len(texts))]
        i = int(rng.integers(0, len(t) - 2))
        if re.fullmatch(r"[\u4e00-\u9fff]{2}", t[i:i + 2]):
            spans.append(t[i:i + 2])
    sets = {
        "1 character": [ZH_CHARS[i] for i in rng.integers(0, 60, 20)] + ["雪", "霜", "钟", "舟", "梅"],
        "2-character words": [w for w in ZH_WORDS if len(w) == 2][:60:2],
        "2 characters from the text": spans,
        "3-4 character words": [w for w in ZH_WORDS if len(w) >= 3][:15],
    }
    truth = {q: {i + 1 for i, t in enumerate(texts) if q in t} for qs in sets.values() for q in qs}
    options = {   # name: (FTS5 tokenizer, text transform, how a query is matched)
        "(a) jieba words + characters": ("unicode61", _option_a_dictionary, "dictionary"),
        "(a+) chosen: characters + pairs + jieba words": ("unicode61", _option_chosen, "words"),
        "(b) FTS5 trigram, LIKE scan of the text under 3 chars (no ranking)": ("trigram", lambda t: t, "trigram"),
    }
    print(f"{n:,} procedural Chinese notes, {sum(map(len, texts)) / n:.0f} characters each on average")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (tokenize, transform, option) in options.items():
            build, size, c = _build(Path(tmp) / f"{option}.db", texts, tokenize, transform)
            print(f"{name}: build {build:.1f} s (segmenting included), index {size:.0f} MiB")
            for label, queries in sets.items():
                times, recall, precision = [], [], []
                for q in queries:
                    t0 = time.perf_counter()
                    _query(c, option, q, 100)
                    times.append((time.perf_counter() - t0) * 1000)
                    got = set(_query(c, option, q, None))
                    if truth[q]:
                        recall.append(len(got & truth[q]) / len(truth[q]))
                    if got:
                        precision.append(len(got & truth[q]) / len(got))
                print(f"  {label:<27} p50 {statistics.median(times):6.1f} ms, p95 {np.percentile(times, 95):6.1f} ms,"
                      f" recall {np.mean(recall):.3f} (worst query {min(recall):.3f}),"
                      f" precision {np.mean(precision) if precision else 0:.3f}")
            c.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["search", "compare", "all"])
    ap.add_argument("--n", type=int, default=100_000)
    a = ap.parse_args()
    for what in (["search", "compare"] if a.what == "all" else [a.what]):
        globals()[f"bench_{what}"](a.n)
