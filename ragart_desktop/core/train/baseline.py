"""The baseline a trained model must beat: a variable-order Markov model of the same tokens.

The built-in music engine is a variable-order Markov model (``core/music/markov``, Continuator
style: the longest context seen wins, shorter ones are the fallback). To compare it with a
transformer on the *same held-out tokens*, it needs a probability for every token, including ones
never seen after a context, so here the same model family is fitted to the training tokens with
the escape method of PPM-C in its interpolated form (Cleary & Witten 1984; Moffat 1990; Pearce &
Wiggins' IDyOM uses it for melody): for a context seen ``n`` times with ``d`` distinct successors,

    p_k(s | context) = (count(context, s) + d * p_{k-1}(s | shorter context)) / (n + d)

down to order 0 (token frequencies) and a uniform distribution below it. Cross-entropy is the mean
negative log-likelihood in nats per token, the unit of the transformer's loss. Counting is
vectorised: each context is hashed (64-bit) together with its order, so a few million training
tokens take seconds; collisions at that size are negligible (~1e-6).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

ORDERS = (1, 2, 3, 4, 6, 8, 12, 16)   # tried on the validation tokens; the best is reported
_MUL = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a well-spread 64-bit hash of each value."""
    x = x.copy()
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def context_hashes(seq: np.ndarray, order: int) -> list[np.ndarray]:
    """For k = 0..order, the hash of the k tokens before each position (position i >= k only
    meaningful; earlier ones are masked by the caller)."""
    tokens = seq.astype(np.uint64) + np.uint64(1)
    h = np.zeros(len(seq), dtype=np.uint64)
    out = [h]
    for k in range(1, order + 1):
        shifted = np.zeros(len(seq), dtype=np.uint64)
        shifted[k:] = tokens[:-k]
        with np.errstate(over="ignore"):
            h = _mix(h * _MUL + shifted + np.uint64(k))
        out.append(h)
    return out


@dataclass
class _Table:
    pairs: np.ndarray        # sorted hashes of (context, token)
    pair_counts: np.ndarray
    contexts: np.ndarray     # sorted context hashes
    totals: np.ndarray       # times each context was seen
    distinct: np.ndarray     # distinct tokens seen after it


def _pair(ctx: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return _mix(ctx * _MUL + tokens.astype(np.uint64) + np.uint64(0x5851F42D4C957F2D))


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    idx = np.clip(np.searchsorted(keys, query), 0, max(len(keys) - 1, 0))
    found = (keys[idx] == query) if len(keys) else np.zeros(len(query), dtype=bool)
    return np.where(found, values[idx] if len(values) else 0, 0)


class MarkovBaseline:
    """Counts of every context up to ``max_order`` in the training sequences."""

    def __init__(self, train: Sequence[np.ndarray], vocab_size: int, max_order: int = max(ORDERS)):
        self.vocab_size = vocab_size
        self.max_order = max_order
        self.tables: list[_Table] = []
        hashes = [context_hashes(s, max_order) for s in train]
        for k in range(max_order + 1):
            ctx = np.concatenate([h[k][k:] for h, s in zip(hashes, train)] or [np.zeros(0, np.uint64)])
            nxt = np.concatenate([s[k:] for s in train] or [np.zeros(0, np.int64)])
            pairs, first, pair_counts = np.unique(_pair(ctx, nxt), return_index=True, return_counts=True)
            contexts, totals = np.unique(ctx, return_counts=True)
            seen, distinct = np.unique(ctx[first], return_counts=True)
            self.tables.append(_Table(pairs, pair_counts, contexts, totals, _lookup(seen, distinct, contexts)))

    def log_likelihoods(self, seq: np.ndarray, order: int) -> np.ndarray:
        """ln p of each token of ``seq`` after the first, given at most ``order`` tokens before it
        within ``seq``."""
        hashes = context_hashes(seq, order)
        positions = np.arange(len(seq))
        p = np.full(len(seq), 1.0 / self.vocab_size)
        for k in range(order + 1):
            table = self.tables[k]
            ctx = hashes[k]
            n = _lookup(table.contexts, table.totals, ctx).astype(np.float64)
            d = _lookup(table.contexts, table.distinct, ctx).astype(np.float64)
            c = _lookup(table.pairs, table.pair_counts, _pair(ctx, seq)).astype(np.float64)
            usable = (positions >= k) & (n > 0)
            p = np.where(usable, (c + d * p) / np.maximum(n + d, 1.0), p)
        return np.log(p[1:])

    def cross_entropy(self, sequences: Sequence[np.ndarray], order: int) -> float:
        """Mean negative log-likelihood (nats per token) of every token but each sequence's first."""
        nll = np.concatenate([-self.log_likelihoods(s, order) for s in sequences if len(s) > 1] or [np.zeros(0)])
        return float(nll.mean()) if len(nll) else float("nan")

    def best(self, sequences: Sequence[np.ndarray]) -> tuple[float, int]:
        """The lowest cross-entropy over ``ORDERS`` on ``sequences``, and its order (chosen on the
        held-out tokens themselves, which can only flatter the baseline)."""
        scores = [(self.cross_entropy(sequences, k), k) for k in ORDERS if k <= self.max_order]
        return min(scores)
