"""Fusion and re-ranking for hybrid retrieval, as pure numpy functions over small candidate sets.

The search pipeline gathers a few hundred candidates (BM25 hits and vector hits), fuses their ranks
with ``reciprocal_rank_fusion``, then re-orders them with ``mmr`` (diversity) and optionally
``personalized_pagerank`` over the candidates' own kNN graph (references that many good candidates
resemble rise). ``group_near_duplicates`` folds near-identical results together for display.
Vectors are the candidates' stored embeddings; rows are normalised here, so cosine = dot product.
Candidate sets are small (n <= a few hundred), so dense n x n similarity matrices are fine.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ragart_desktop.core.embed.base import l2_normalise


def reciprocal_rank_fusion(rankings: Sequence[tuple[Sequence[int], float]], k: int = 60) -> dict[int, float]:
    """Fuse ranked key lists: score(key) = sum over rankings of weight / (k + rank), rank from 1.

    Each ranking is (keys best first, weight). A key repeated within one ranking counts once, at its
    best rank. ``k`` damps the advantage of the very top ranks (60 is the value of Cormack et al.,
    2009). A negative weight pushes a ranking's keys down (e.g. similarity to an "unlike" example).
    """
    if k < 0:
        raise ValueError(f"reciprocal_rank_fusion needs k >= 0, got {k}")
    scores: dict[int, float] = {}
    for keys, weight in rankings:
        seen: set[int] = set()
        for rank, key in enumerate(keys, start=1):
            key = int(key)
            if key in seen:
                continue
            seen.add(key)
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return scores


def mmr(candidates: Sequence[int], relevance: np.ndarray, vectors: np.ndarray, lam: float, top_k: int) -> list[int]:
    """Maximal marginal relevance (Carbonell & Goldstein, 1998): pick ``top_k`` of ``candidates``.

    Each step takes the candidate maximising ``lam * rel - (1 - lam) * max cosine to those already
    picked``. ``relevance`` is min-max rescaled to [0, 1] first so that ``lam`` means the same for
    RRF scores (~0.01) and cosines (~0.5). ``lam = 1`` gives plain relevance order, ``lam = 0`` the
    most spread-out set. Ties keep candidate order.
    """
    relevance = np.asarray(relevance, dtype=np.float64).reshape(-1)
    n = len(candidates)
    _check_aligned(n, relevance, vectors)
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"mmr needs 0 <= lam <= 1, got {lam}")
    top_k = min(top_k, n)
    if top_k <= 0:
        return []
    span = relevance.max() - relevance.min()
    rel = (relevance - relevance.min()) / span if span > 0 else np.zeros(n)
    sims = _cosine_matrix(vectors)
    redundancy = np.zeros(n)  # max similarity to the picked set; 0 while it is empty
    available = np.ones(n, dtype=bool)
    picked: list[int] = []
    for step in range(top_k):
        score = np.where(available, lam * rel - (1.0 - lam) * redundancy, -np.inf)
        best = int(np.argmax(score))
        picked.append(best)
        available[best] = False
        redundancy = sims[best] if step == 0 else np.maximum(redundancy, sims[best])
    return [int(candidates[i]) for i in picked]


def knn_graph(vectors: np.ndarray, k: int) -> np.ndarray:
    """Dense (n, n) symmetric kNN graph: w[i, j] = max(cos(i, j), 0) when j is among i's ``k``
    nearest neighbours or i among j's; 0 elsewhere and on the diagonal."""
    sims = _cosine_matrix(vectors)
    n = sims.shape[0]
    k = min(k, n - 1)
    graph = np.zeros((n, n))
    if k <= 0:
        return graph
    np.fill_diagonal(sims, -np.inf)
    neighbours = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    rows = np.arange(n)[:, None]
    graph[rows, neighbours] = np.clip(sims[rows, neighbours], 0.0, None)
    return np.maximum(graph, graph.T)


def personalized_pagerank(
    vectors: np.ndarray,
    personalization: np.ndarray,
    k: int = 10,
    alpha: float = 0.85,
    iters: int = 50,
    tol: float = 1e-8,
) -> np.ndarray:
    """Personalised PageRank scores (summing to 1) over the candidates' similarity kNN graph.

    The walk follows row-normalised edge weights with probability ``alpha`` and jumps back to the
    ``personalization`` distribution otherwise (negative entries count as 0; all-zero means
    uniform). A node without edges sends its mass back to the personalization too. Power iteration
    stops after ``iters`` steps or when the L1 change falls below ``tol``.
    """
    vectors = np.asarray(vectors)
    n = vectors.shape[0]
    p = np.clip(np.asarray(personalization, dtype=np.float64).reshape(-1), 0.0, None)
    if len(p) != n:
        raise ValueError(f"personalization has {len(p)} entries for {n} vectors")
    if n == 0:
        return np.zeros(0)
    p = p / p.sum() if p.sum() > 0 else np.full(n, 1.0 / n)
    graph = knn_graph(vectors, k)
    out_weight = graph.sum(axis=1)
    dangling = out_weight == 0
    transition = graph / np.where(dangling, 1.0, out_weight)[:, None]
    rank = p.copy()
    for _ in range(iters):
        new = alpha * (rank @ transition + rank[dangling].sum() * p) + (1.0 - alpha) * p
        change = np.abs(new - rank).sum()
        rank = new
        if change < tol:
            break
    return rank


def group_near_duplicates(keys: Sequence[int], vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Greedy grouping in ``keys`` order: the first key not yet grouped leads a new group that takes
    every later ungrouped key whose cosine to the leader is >= ``threshold``. Groups come in the
    order of their leaders, members in ``keys`` order; every key lands in exactly one group."""
    n = len(keys)
    _check_aligned(n, None, vectors)
    sims = _cosine_matrix(vectors)
    grouped = np.zeros(n, dtype=bool)
    groups: list[list[int]] = []
    for leader in range(n):
        if grouped[leader]:
            continue
        members = np.flatnonzero(~grouped & (sims[leader] >= threshold))
        members = members[members > leader]
        grouped[leader] = True
        grouped[members] = True
        groups.append([int(keys[leader])] + [int(keys[m]) for m in members])
    return groups


def _cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    unit = l2_normalise(np.asarray(vectors))  # float32: half the work of float64, ample precision
    return (unit @ unit.T).astype(np.float64)


def _check_aligned(n: int, relevance: np.ndarray | None, vectors: np.ndarray) -> None:
    if np.ndim(vectors) != 2 or np.shape(vectors)[0] != n:
        raise ValueError(f"expected {n} vector rows, got shape {np.shape(vectors)}")
    if relevance is not None and len(relevance) != n:
        raise ValueError(f"expected {n} relevance scores, got {len(relevance)}")
