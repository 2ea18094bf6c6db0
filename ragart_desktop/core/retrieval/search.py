"""Hybrid search over the library: BM25 and vectors, fused, then re-ranked for diversity.

1. Understand the query: words and ``-word`` negatives, examples with weights, unlike-examples,
   filters (kind, tag, folder) turned into a set of allowed item ids.
2. BM25 over the FTS5 index (names, tags, notes, metadata, bodies).
3. Vector channels: the query words in the words index; each embedder's weighted sum of the
   example vectors, searched in that embedder's index. The negatives ("not that": unlike-examples
   and ``-words``) each get a vector in their spaces; a query of negatives only searches away from
   them (the items least like them).
4. Reciprocal rank fusion of all rankings (``fusion_weight`` splits words vs vectors); then each
   negative pushes down the candidates more like it than the median candidate, in proportion: the
   one most like it loses ``NEGATIVE_WEIGHT`` of the best relevance (times the negative's weight).
5. Re-rank: MMR for diversity, optionally personalised PageRank over the candidates' kNN graph.
6. Explain: matched words and the closest example for each result; near-duplicates grouped.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np
from threadpoolctl import ThreadpoolController

from ragart_desktop.core.embed.base import Embedder, l2_normalise
from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.progress import Task
from ragart_desktop.core.retrieval.query import (
    Example, ParsedText, Query, SearchResult, SearchResults, parse_text)
from ragart_desktop.core.retrieval.ranking import (
    group_near_duplicates, mmr, personalized_pagerank, reciprocal_rank_fusion)
from ragart_desktop.core.text.cjk import has_cjk, to_simplified
from ragart_desktop.core.text.words import QueryWord, latin_words, query_words

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

log = logging.getLogger(__name__)

NEGATIVE_WEIGHT = 1.0       # relevance the candidate most like a negative loses (the best has 1)
ITEM_WORDS_WEIGHT = 0.5     # words vector of an image/music example item, relative to its content
NEAR_DUPLICATE = {"image": 0.94, "music": 0.99, "text": 0.97}  # calibrated on the demo library


@dataclass
class _Channel:
    embedder: Embedder
    vector: np.ndarray
    label: str        # "" for a channel searching away from the negatives (they explain themselves)
    weight: float
    examples: list[tuple[str, np.ndarray]]   # (label, vector) of positive examples, for "why"


@dataclass
class _Negative:
    """One thing the user does not want (an unlike-example in one space, or a -word), as a vector."""

    embedder: Embedder
    vector: np.ndarray
    label: str        # 'calm-bay.png', '"-rain"'
    weight: float


class _StoredVectors:
    """The stored vectors one search reads, each looked up once per space: the candidates' vectors
    read for re-ranking serve the negatives, the explanations and the grouping of the results too.
    It lives for one search only, so it never outlasts a change to the indexes."""

    def __init__(self, lib: "Library"):
        self._indexes = lib.indexes
        self._rows: dict[str, dict[int, Optional[np.ndarray]]] = defaultdict(dict)

    def lookup(self, eid: str, ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, found) of ``ids`` in the index of embedder ``eid``, as ``VectorIndex.lookup``."""
        known = self._rows[eid]
        missing = [i for i in dict.fromkeys(ids) if i not in known]
        if missing:
            vectors, found = self._indexes[eid].lookup(missing)
            known.update((i, row if hit else None) for i, row, hit in zip(missing, vectors, found))
        rows = [known[i] for i in ids]
        found = np.array([row is not None for row in rows], dtype=bool)
        matrix = np.zeros((len(ids), self._indexes[eid].spec.dim), dtype=np.float32)
        if found.any():
            matrix[found] = np.stack([row for row in rows if row is not None])
        return matrix, found


_THREADPOOLS: Optional[ThreadpoolController] = None


def search(lib: "Library", q: Query, task: Task) -> SearchResults:
    # The matrices here are small (a few hundred candidates): BLAS threads only add latency, and
    # a lot of it while an import keeps the other cores busy (measured: 0.4 ms vs 30-40 ms for MMR).
    # The controller is made once: finding the BLAS libraries costs ~2 ms a time.
    global _THREADPOOLS
    if _THREADPOOLS is None:
        _THREADPOOLS = ThreadpoolController()
    notices = _damaged_index_notices(lib)
    with _THREADPOOLS.limit(limits=1, user_api="blas"):
        results = _search(lib, q, task, notices)
    notices += [f"{eid} is unavailable ({why}); these results come from the other channels."
                for eid, why in lib.unavailable.items()]
    return SearchResults(results, notices)


def _search(lib: "Library", q: Query, task: Task, notices: list[str]) -> list[SearchResult]:
    settings = lib.settings
    fusion_weight = settings.fusion_weight if q.fusion_weight is None else q.fusion_weight
    mmr_lambda = settings.mmr_lambda if q.mmr_lambda is None else q.mmr_lambda
    use_pagerank = settings.use_pagerank if q.use_pagerank is None else q.use_pagerank

    # 1. Understand the query.
    text = parse_text(q.text)
    allowed = lib.catalog.filter_ids(q.kinds, q.tags, q.folder)
    if allowed is not None and not allowed:
        return []
    # The examples themselves are not results: the liked ones are known, the unliked ones unwanted.
    example_ids = {i for i in (_example_item_id(lib, ex) for ex in q.like + q.unlike) if i is not None}
    if not (text.positive or q.like or text.negative or q.unlike):
        return [SearchResult(it, 0.0, "recently added") for it in
                lib.catalog.items(_browse_ids(lib, allowed, q.k))]
    n_cand = max(q.k * 5, 100)
    rankings: list[tuple[list[int], float]] = []

    # 2. BM25, on the library's query thread while this one embeds the query (both release the GIL).
    bm25 = lib.query_pool.submit(lib.catalog.fts_search, _fts_expression(text), n_cand, allowed) \
        if text.positive else None

    # 3. Vector channels; the negatives' vectors.
    negatives = _negatives(lib, q, text)
    channels = _channels(lib, q, text) or _away_channels(negatives)
    if bm25 is not None:
        rankings.append(([i for i, _ in bm25.result()], 1.0 - fusion_weight))
    task.check()
    for ch in channels:
        hits = lib.indexes[ch.embedder.id].search(ch.vector, n_cand + len(example_ids), allowed)
        rankings.append(([k for k, _ in hits if k not in example_ids], fusion_weight * ch.weight))
    task.check()

    # 4. Fuse, then push down what is like a negative.
    stored = _StoredVectors(lib)
    fused = reciprocal_rank_fusion(rankings)
    for i in example_ids:
        fused.pop(i, None)
    if not fused:
        return []
    ranked = sorted(fused, key=fused.__getitem__, reverse=True)[:n_cand]
    relevance = np.array([fused[i] for i in ranked], dtype=np.float32)
    relevance /= max(float(relevance.max()), 1e-12)
    if negatives:
        relevance -= sum(_push_down(stored, neg, ranked) for neg in negatives)
        order = np.argsort(-relevance, kind="stable")
        ranked, relevance = [ranked[i] for i in order], relevance[order]
        relevance -= min(float(relevance.min()), 0.0)

    # 5. Re-rank.
    space = _rerank_space(lib, channels)
    vectors, lacking = _vectors(lib, stored, space, ranked)
    if lacking and not lib.indexes[lib.words_embedder.id].rebuild_reason:   # else already said
        notices.append(f"{lacking} of the candidates have no vector in the {space.id} index yet (an "
                       "interrupted import or a damaged index); they are ranked by their words until the "
                       "next import or rescan repairs it.")
    if use_pagerank and len(ranked) > 2:
        ppr = personalized_pagerank(vectors, relevance)
        relevance = 0.5 * relevance + 0.5 * (ppr / max(float(ppr.max()), 1e-12))
    order = mmr(ranked, relevance, vectors, mmr_lambda, q.k)
    score_of = dict(zip(ranked, relevance.tolist()))
    items = lib.catalog.items(order)

    # 6. Explain and group.
    ids = [it.id for it in items]
    spaces = {ch.embedder.id for ch in channels if ch.label} | {neg.embedder.id for neg in negatives}
    result_vectors = {eid: stored.lookup(eid, ids) for eid in spaces}
    words = [w for p in text.positive for w in query_words(p)]
    results = [SearchResult(it, float(score_of[it.id]), _why(row, it, words, channels, negatives, result_vectors))
               for row, it in enumerate(items)]
    _group(lib, stored, results)
    return results


def _browse_ids(lib: "Library", allowed: Optional[set[int]], k: int) -> list[int]:
    ids = lib.catalog.browse(None, 0, k if allowed is None else max(k * 50, 1000))
    return [i for i in ids if allowed is None or i in allowed][:k]


def _fts_expression(text: ParsedText) -> str:
    """Any positive word (OR: BM25 ranks items holding more of them first), none of the negatives."""
    words = [w for p in text.positive for w in query_words(p)]
    if not words:   # punctuation only: let FTS5 judge it as typed
        words = [QueryWord(p, p, (p,)) for p in text.positive]
    terms = [_fts_word(w) for w in words]
    if words[-1].latin and words[-1].text.isalnum():
        terms[-1] += "*"   # the word being typed
    expr = "(" + " OR ".join(terms) + ")"
    for n in text.negative:
        for w in query_words(n) if has_cjk(n) else [QueryWord(n, n, (n,))]:
            expr += " NOT " + _fts_word(w)
    return expr


def _fts_word(w: QueryWord) -> str:
    """A query word as an FTS5 expression: the word, or (for longer CJK words) all its character pairs."""
    def quote(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    if w.terms == (w.text,):
        return quote(w.text)
    return f"({quote(w.text)} OR ({' AND '.join(quote(t) for t in w.terms)}))"


def _channels(lib: "Library", q: Query, text: ParsedText) -> list[_Channel]:
    channels: list[_Channel] = []
    words = lib.words_embedder
    if text.positive:
        vec = words.embed_one(text.positive_text)
        channels.append(_Channel(words, vec, f'words close to "{text.positive_text}"', 1.0, []))
        for e in lib.embedders:   # image+text embedders (CLIP) also read the words
            if e is not words and hasattr(e, "embed_text"):
                vec = lib.optional_embed(e, lambda: e.embed_text([text.positive_text])[0])
                if vec is not None:
                    channels.append(_Channel(e, l2_normalise(vec), f'pictures of "{text.positive_text}"', 1.0, []))
    if not q.like:
        return channels
    sums: dict[str, np.ndarray] = {}
    weights: dict[str, float] = defaultdict(float)
    examples: dict[str, list[tuple[str, np.ndarray]]] = defaultdict(list)
    for ex in q.like:
        for eid, vec, w in _example_vectors(lib, ex):
            sums[eid] = sums.get(eid, 0) + ex.weight * w * vec
            weights[eid] += ex.weight * w
            examples[eid].append((ex.label(), vec))
    top = max(weights.values(), default=1.0)
    by_id = {e.id: e for e in lib.embedders}
    for eid, vec in sums.items():
        channels.append(_Channel(by_id[eid], l2_normalise(vec), "like the examples", weights[eid] / top,
                                 examples[eid]))
    return channels


def _negatives(lib: "Library", q: Query, text: ParsedText) -> list[_Negative]:
    """A vector per -word (in the words space) and per unlike-example and space it lives in."""
    by_id = {e.id: e for e in lib.embedders}
    out = [_Negative(lib.words_embedder, lib.words_embedder.embed_one(w), f'"-{w}"', 1.0) for w in text.negative]
    for ex in q.unlike:
        out += [_Negative(by_id[eid], vec, ex.label(), ex.weight * w) for eid, vec, w in _example_vectors(lib, ex)]
    return out


def _away_channels(negatives: list[_Negative]) -> list[_Channel]:
    """For a query of negatives only: in each of their spaces, search away from them."""
    away: dict[str, _Channel] = {}
    for neg in negatives:
        ch = away.setdefault(neg.embedder.id, _Channel(neg.embedder, np.zeros_like(neg.vector), "", 1.0, []))
        ch.vector = ch.vector - neg.weight * neg.vector
    for ch in away.values():
        ch.vector = l2_normalise(ch.vector)
    return list(away.values())


def _push_down(stored: _StoredVectors, neg: _Negative, ids: list[int]) -> np.ndarray:
    """How much relevance each candidate loses to one negative: 0 up to the median candidate's
    closeness to it, rising to ``NEGATIVE_WEIGHT`` (times its weight) for the closest one."""
    vectors, found = stored.lookup(neg.embedder.id, ids)
    at = np.flatnonzero(found)
    loss = np.zeros(len(ids), dtype=np.float32)
    if len(at) < 2:
        return loss
    sims = vectors[at] @ neg.vector
    middle, top = float(np.median(sims)), float(sims.max())
    loss[at] = NEGATIVE_WEIGHT * neg.weight * np.clip((sims - middle) / max(top - middle, 1e-6), 0.0, 1.0)
    return loss


def _example_item_id(lib: "Library", ex: Example) -> Optional[int]:
    """The library item an example is (given by id, or a file of the library), else None."""
    if ex.item_id is not None or not ex.path:
        return ex.item_id
    rec = lib.catalog.path_record(ex.path)
    return rec.item_id if rec else None


def _example_vectors(lib: "Library", ex: Example) -> list[tuple[str, np.ndarray, float]]:
    """(embedder id, unit vector, relative weight) for each space the example lives in."""
    item_id = _example_item_id(lib, ex)
    if item_id is not None:
        item = lib.get_item(item_id)
        out = []
        for e in lib.embedders:
            vectors, found = lib.indexes[e.id].lookup([item_id])
            if found[0]:
                w = 1.0 if (e.modality == item.kind or item.kind == "text") else ITEM_WORDS_WEIGHT
                out.append((e.id, vectors[0], w))
        return out
    if ex.content is not None:
        kind, content = ex.kind, ex.content
    elif ex.path:
        from ragart_desktop.core.library.readers import analyze_file

        a = analyze_file(ex.path)
        kind, content = a.kind, (a.body if a.kind == "text" else a.content)
    else:
        raise BadInputError("an example needs a file, a library item or content.")
    if kind == "text":
        return [(lib.words_embedder.id, lib.words_embedder.embed_one(str(content)), 1.0)]
    vectors = [(e.id, lib.optional_embed(e, lambda: e.embed_one(content))) for e in lib.content_embedders_for(kind)]
    return [(eid, vec, 1.0) for eid, vec in vectors if vec is not None]


def _rerank_space(lib: "Library", channels: list[_Channel]) -> Embedder:
    """Diversity is judged in the space of the strongest example channel, else in words."""
    example_channels = [c for c in channels if c.examples]
    if example_channels:
        return max(example_channels, key=lambda c: c.weight).embedder
    return lib.words_embedder


def _vectors(lib: "Library", stored: _StoredVectors, e: Embedder, ids: list[int]) -> tuple[np.ndarray, int]:
    """Vectors of ``ids`` in ``e``'s space, or all in the words space when some are outside it, and
    how many the words index lacks too: those get zero rows, so MMR and PageRank judge them by
    relevance alone."""
    vectors, found = stored.lookup(e.id, ids)
    if found.all():
        return vectors, 0
    vectors, found = stored.lookup(lib.words_embedder.id, ids)
    return vectors, int((~found).sum())


def _damaged_index_notices(lib: "Library") -> list[str]:
    return [f"The {e.id} index is damaged and is being repaired: these results come from the words and "
            "the other indexes until the next import or rescan rebuilds it."
            for e in lib.embedders if lib.indexes[e.id].rebuild_reason]


def _why(row: int, item, words: list[QueryWord], channels: list[_Channel], negatives: list[_Negative],
         stored: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
    """Why result number ``row`` came up: ``words`` are the query's positive words, ``stored``
    holds the results' vectors in each space the explanations need."""
    reasons: list[str] = []
    if words:
        matched = _matched_words(words, " ".join([item.title, " ".join(item.tags), item.words, item.note, item.body]))
        if matched:
            reasons.append("matches " + ", ".join(f'"{w}"' for w in sorted(matched)))
    for ch in channels:
        if not ch.label:   # searching away from the negatives: they explain it below
            continue
        vectors, found = stored[ch.embedder.id]
        if not found[row]:
            continue
        v = vectors[row]
        if ch.examples:
            label, best = max(((lbl, float(v @ ev)) for lbl, ev in ch.examples), key=lambda t: t[1])
            reasons.append(f"similar to {label} ({best:.2f}, {ch.embedder.id})")
        else:
            reasons.append(f"{ch.label} ({float(v @ ch.vector):.2f})")
    away: dict[str, float] = {}
    for neg in negatives:
        vectors, found = stored[neg.embedder.id]
        if found[row]:
            sim = float(vectors[row] @ neg.vector)
            away[neg.label] = max(sim, away.get(neg.label, -1.0))
    reasons += [f"away from {label} ({sim:.2f})" for label, sim in away.items()]
    return "; ".join(reasons) or "related"


def _matched_words(words: list[QueryWord], item_text: str) -> list[str]:
    """The query words the item holds, as the user wrote them: Latin words (or the start of one,
    from three letters), CJK words as written in either form; a CJK word inside a longer matched
    one is not named again (故乡的雪 matched, not also 故乡 and 雪)."""
    latin = latin_words(item_text)
    simple = to_simplified(item_text) if any(not w.latin for w in words) else ""
    found = [w for w in words if (w.text in simple if not w.latin else
                                  w.text in latin or (len(w.text) >= 3 and any(h.startswith(w.text) for h in latin)))]
    return sorted({w.shown for w in found if not any(w.text in o.text and w.text != o.text for o in found)})


def _group(lib: "Library", stored: _StoredVectors, results: list[SearchResult]) -> None:
    by_kind: dict[str, list[SearchResult]] = defaultdict(list)
    for r in results:
        by_kind[r.item.kind].append(r)
    next_group = 0
    for kind, rs in by_kind.items():
        embedders = lib.content_embedders_for(kind) or [lib.words_embedder]
        vectors, found = stored.lookup(embedders[0].id, [r.item.id for r in rs])
        rs = [r for r, f in zip(rs, found) if f]
        if len(rs) < 2:
            continue
        keys = [r.item.id for r in rs]
        groups = group_near_duplicates(keys, vectors[found], NEAR_DUPLICATE.get(kind, 0.97))
        by_id = {r.item.id: r for r in rs}
        for g in groups:
            if len(g) > 1:
                for key in g:
                    by_id[key].group = next_group
                next_group += 1
