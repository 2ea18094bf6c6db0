"""Fusion and re-ranking functions on small hand-checkable cases."""
from __future__ import annotations

import numpy as np
import pytest

from ragart_desktop.core.retrieval.ranking import (
    group_near_duplicates,
    knn_graph,
    mmr,
    personalized_pagerank,
    reciprocal_rank_fusion,
)


def angle_vectors(*degrees: float) -> np.ndarray:
    """Unit vectors in the plane at the given angles (cosine between two = cos of the difference)."""
    radians = np.deg2rad(degrees)
    return np.stack([np.cos(radians), np.sin(radians)], axis=1)


# --------------------------------------------------------------------------------------- RRF


def test_rrf_arithmetic():
    scores = reciprocal_rank_fusion([([10, 20, 30], 1.0), ([30, 10], 2.0)], k=60)
    assert scores[10] == pytest.approx(1 / 61 + 2 / 62)
    assert scores[20] == pytest.approx(1 / 62)
    assert scores[30] == pytest.approx(1 / 63 + 2 / 61)
    assert sorted(scores, key=scores.get, reverse=True) == [30, 10, 20]


def test_rrf_k_zero_weights_and_repeats():
    scores = reciprocal_rank_fusion([([1, 2, 1], 1.0), ([2], -0.5)], k=0)
    assert scores == {1: pytest.approx(1.0), 2: pytest.approx(0.5 - 0.5)}
    assert reciprocal_rank_fusion([]) == {}
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([([1], 1.0)], k=-1)


# --------------------------------------------------------------------------------------- MMR


def test_mmr_prefers_a_diverse_item_over_a_near_duplicate():
    # 1 is the best match, 2 nearly duplicates it (1 degree away), 3 is different (90 degrees).
    vectors = angle_vectors(0, 1, 90)
    relevance = np.array([0.9, 0.89, 0.6])
    assert mmr([1, 2, 3], relevance, vectors, lam=0.5, top_k=2) == [1, 3]
    assert mmr([1, 2, 3], relevance, vectors, lam=1.0, top_k=3) == [1, 2, 3]


def test_mmr_lam_one_is_relevance_order_and_lam_zero_spreads_out():
    vectors = angle_vectors(0, 10, 20, 180)
    relevance = np.array([0.2, 0.9, 0.5, 0.1])
    assert mmr([7, 8, 9, 6], relevance, vectors, lam=1.0, top_k=4) == [8, 9, 7, 6]
    # lam = 0: first pick is arbitrary-but-first (all scores 0), then the most dissimilar
    assert mmr([7, 8, 9, 6], relevance, vectors, lam=0.0, top_k=2) == [7, 6]


def test_mmr_edge_cases():
    vectors = angle_vectors(0, 45)
    assert mmr([1, 2], np.array([0.5, 0.5]), vectors, lam=0.7, top_k=5) == [1, 2]
    assert mmr([], np.zeros(0), np.zeros((0, 2)), lam=0.5, top_k=3) == []
    with pytest.raises(ValueError):
        mmr([1, 2], np.array([1.0]), vectors, lam=0.5, top_k=1)
    with pytest.raises(ValueError):
        mmr([1, 2], np.array([1.0, 0.5]), vectors, lam=1.5, top_k=1)


# ------------------------------------------------------------------------------ graph + PPR


def test_knn_graph_links_nearest_neighbours_symmetrically():
    vectors = angle_vectors(0, 10, 80, 90)
    graph = knn_graph(vectors, k=1)
    expected = np.zeros((4, 4))
    expected[0, 1] = expected[1, 0] = np.cos(np.deg2rad(10))
    expected[2, 3] = expected[3, 2] = np.cos(np.deg2rad(10))
    np.testing.assert_allclose(graph, expected, atol=1e-6)
    assert knn_graph(angle_vectors(0), k=5).shape == (1, 1)


def test_knn_graph_keeps_an_edge_when_only_one_side_chose_it():
    # 30 deg picks 10 deg as its nearest; 10 deg picks 0 deg; the 10-30 edge must exist both ways
    graph = knn_graph(angle_vectors(0, 10, 30), k=1)
    assert graph[1, 2] == graph[2, 1] == pytest.approx(np.cos(np.deg2rad(20)))
    assert graph[0, 2] == graph[2, 0] == 0.0


def test_personalized_pagerank_favours_the_personalised_cluster():
    # two clusters of three: around 0 degrees and around 90 degrees
    vectors = angle_vectors(0, 5, 10, 85, 90, 95)
    personal = np.array([1.0, 0, 0, 0, 0, 0])
    scores = personalized_pagerank(vectors, personal, k=2, alpha=0.85)
    assert scores.sum() == pytest.approx(1.0)
    assert scores[0] == scores.max()
    assert min(scores[:3]) > max(scores[3:])
    # the neighbours of the seed inside its cluster rank above the other cluster entirely
    flipped = personalized_pagerank(vectors, personal[::-1], k=2, alpha=0.85)
    assert min(flipped[3:]) > max(flipped[:3])


def test_personalized_pagerank_hand_checked_two_nodes():
    # two linked nodes, seed on node 0: r0 = 0.15 + 0.85 r1, r1 = 0.85 r0 -> r0 = 0.15 / (1 - 0.7225)
    scores = personalized_pagerank(angle_vectors(0, 30), np.array([1.0, 0.0]), k=1, alpha=0.85, iters=500, tol=1e-12)
    r0 = 0.15 / (1 - 0.85**2)
    np.testing.assert_allclose(scores, [r0, 0.85 * r0], atol=1e-9)


def test_personalized_pagerank_uniform_fallback_and_isolated_node():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]])  # orthogonal: no positive edge, both dangling
    scores = personalized_pagerank(vectors, np.zeros(2), k=1)
    np.testing.assert_allclose(scores, [0.5, 0.5])
    with pytest.raises(ValueError):
        personalized_pagerank(vectors, np.ones(3))


# ---------------------------------------------------------------------------- near-duplicates


def test_group_near_duplicates_is_greedy_and_order_preserving():
    # cos(0,3 deg) > 0.99, cos(0, 8 deg) ~ 0.990 < 0.995 ... leader-based, not transitive
    vectors = angle_vectors(0, 90, 4, 8, 91, 180)
    groups = group_near_duplicates([10, 20, 30, 40, 50, 60], vectors, threshold=0.995)
    # 30 (4 deg) joins 10; 40 (8 deg) is too far from leader 10 (cos 0.990) and leads its own group
    assert groups == [[10, 30], [20, 50], [40], [60]]
    assert group_near_duplicates([1, 2], angle_vectors(0, 1), threshold=1.1) == [[1], [2]]
    assert group_near_duplicates([], np.zeros((0, 2)), threshold=0.9) == []
