"""A suffix automaton (Blumer et al., 1985) over any sequence of symbols (characters, words).

It recognises every substring of the sequence it was built from, in O(length) time and memory.
Walking another sequence through it gives, at each position, the longest suffix of what was read
that occurs in the built sequence: the tool behind the copy guard (longest verbatim span shared
with a source) and behind the recombination engine's limit on how much it may copy.
"""
from __future__ import annotations

from typing import Hashable, Iterable, Sequence


class SuffixAutomaton:
    def __init__(self, sequence: Iterable[Hashable] = ()):
        self.next: list[dict[Hashable, int]] = [{}]
        self.link: list[int] = [-1]
        self.length: list[int] = [0]
        self.end: list[int] = [-1]      # an end position (exclusive) of the state's first occurrence
        self._last = 0
        for symbol in sequence:
            self.extend(symbol)

    def _new(self, length: int, end: int, nxt: dict | None = None, link: int = -1) -> int:
        self.next.append(dict(nxt or {}))
        self.link.append(link)
        self.length.append(length)
        self.end.append(end)
        return len(self.length) - 1

    def extend(self, symbol: Hashable) -> None:
        cur = self._new(self.length[self._last] + 1, self.length[self._last] + 1)
        p = self._last
        while p != -1 and symbol not in self.next[p]:
            self.next[p][symbol] = cur
            p = self.link[p]
        if p == -1:
            self.link[cur] = 0
        else:
            q = self.next[p][symbol]
            if self.length[p] + 1 == self.length[q]:
                self.link[cur] = q
            else:
                clone = self._new(self.length[p] + 1, self.end[q], self.next[q], self.link[q])
                while p != -1 and self.next[p].get(symbol) == q:
                    self.next[p][symbol] = clone
                    p = self.link[p]
                self.link[q] = self.link[cur] = clone
        self._last = cur

    def step(self, state: int, matched: int, symbol: Hashable) -> tuple[int, int]:
        """Read ``symbol`` after (state, matched): the new state and the length of the longest
        suffix of everything read that is a substring of the built sequence."""
        while state != -1 and symbol not in self.next[state]:
            state = self.link[state]
            matched = self.length[state] if state != -1 else 0
        if state == -1:
            return 0, 0
        return self.next[state][symbol], matched + 1

    def longest_common(self, other: Sequence[Hashable]) -> tuple[int, int, int]:
        """(length, end in the built sequence, end in ``other``) of their longest common substring
        (ends exclusive; (0, 0, 0) when they share nothing)."""
        state, matched = 0, 0
        best = (0, 0, 0)
        for i, symbol in enumerate(other):
            state, matched = self.step(state, matched, symbol)
            if matched > best[0]:
                best = (matched, self.end[state], i + 1)
        return best
