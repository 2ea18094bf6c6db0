"""A variable-order Markov model over tokens (words, or Han characters), learned from a few passages.

``continuations(context)`` offers the next tokens of the longest context seen in the passages
first (up to ``order`` tokens), then those of shorter and shorter contexts down to the bare token
frequencies: the recombination engine tries them in that order, so it follows the passages where
it can and backs off to new combinations where the form (or the copy limit) asks for it.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Hashable, Iterator, Sequence

END = "\n"   # the token that ends a line


class VariableOrderMarkov:
    def __init__(self, lines: Sequence[Sequence[Hashable]], order: int):
        self.order = order
        self.counts: dict[tuple, Counter] = defaultdict(Counter)
        for line in lines:
            seq = list(line) + [END]
            for i, token in enumerate(seq):
                for k in range(0, order + 1):
                    if k > i:
                        break
                    self.counts[tuple(seq[i - k:i])][token] += 1
        # Line starts are the order-k contexts at position 0: the empty context already holds every
        # token, so starts get their own table.
        self.starts = Counter(line[0] for line in lines if line)

    def continuations(self, context: Sequence[Hashable]) -> Iterator[tuple[int, Counter]]:
        """(order, next-token counts) for the longest seen suffix of ``context`` first, then shorter."""
        if not context:
            yield self.order + 1, self.starts   # a line start: the passages' own first tokens first
        for k in range(min(self.order, len(context)), -1, -1):
            found = self.counts.get(tuple(context[len(context) - k:]) if k else ())
            if found:
                yield k, found
