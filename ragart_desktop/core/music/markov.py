"""A variable-order Markov model over symbol sequences, in the spirit of Pachet's Continuator.

Every context of length 1..``max_order`` seen in the training sequences indexes the symbols that
followed it (with where they came from). To continue a sequence, the longest context that has any
continuation *passing the caller's constraints* is used; shorter contexts are tried next, then the
symbols' overall frequencies (order 0). Constraints filter the candidates before sampling, so a
continuation never breaks them (key, range, the time left in the bar ...); ``weight`` lets the
caller bend the probabilities (density, a pull towards a target) without breaking them.

A copy guard keeps the output from replaying one source too long: once the last ``max_copy``
symbols were copied in a row from one source sequence, the continuation that would extend that
run is dropped when any other candidate exists (after Papadopoulos, Roy & Pachet, "Avoiding
plagiarism in Markov sequence generation", AAAI 2014, in a simple greedy form).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Generic, Hashable, Optional, Sequence, TypeVar

import numpy as np

S = TypeVar("S", bound=Hashable)


@dataclass(frozen=True)
class Choice(Generic[S]):
    symbol: S
    order: int                 # context length that proposed it (0 = unigram)
    source: tuple[int, int]    # (sequence, position) it was copied from; (-1, -1) for order 0


class VariableOrderMarkov(Generic[S]):
    def __init__(self, sequences: Sequence[Sequence[S]], max_order: int = 4,
                 weights: Sequence[float] | None = None):
        self.max_order = max_order
        self.sequences = [list(s) for s in sequences]
        self.seq_weights = list(weights) if weights is not None else [1.0] * len(self.sequences)
        self._index: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
        self._unigram: dict[S, float] = defaultdict(float)
        for si, seq in enumerate(self.sequences):
            for pos, sym in enumerate(seq):
                self._unigram[sym] += self.seq_weights[si]
                for k in range(1, max_order + 1):
                    if pos - k < 0:
                        break
                    self._index[tuple(seq[pos - k:pos])].append((si, pos))

    def __len__(self) -> int:
        return sum(len(s) for s in self.sequences)

    @property
    def symbols(self) -> list[S]:
        return list(self._unigram)

    def choose(self, context: Sequence[S], rng: np.random.Generator, *, temperature: float = 1.0,
               accept: Callable[[S], bool] = lambda s: True,
               weight: Callable[[S, tuple[int, int]], float] = lambda s, src: 1.0,
               copied: Optional[tuple[int, int, int]] = None, max_copy: int = 0) -> Optional[Choice[S]]:
        """Sample the next symbol after ``context``; None when no known symbol passes ``accept``.

        ``weight(symbol, source)`` multiplies a candidate's count (source as in ``Choice.source``).

        ``copied`` = (sequence, next position, run length) of the current copy run (see
        ``Choice.source``); with ``max_copy`` > 0 a run may not grow past ``max_copy``.
        """
        context = list(context)[-self.max_order:] if self.max_order else []
        for k in range(len(context), -1, -1):
            if k == 0:
                options = [(s, 0, (-1, -1), w) for s, w in self._unigram.items()]
            else:
                hits = self._index.get(tuple(context[-k:]))
                if not hits:
                    continue
                options = [(self.sequences[si][pos], k, (si, pos), self.seq_weights[si]) for si, pos in hits]
            options = [o for o in options if accept(o[0])]
            if max_copy and copied is not None and copied[2] >= max_copy:
                fresh = [o for o in options if o[2] != (copied[0], copied[1])]
                options = fresh or options
            if not options:
                continue
            w = np.array([ow * max(weight(s, src), 0.0) for s, _, src, ow in options], dtype=np.float64)
            if w.sum() <= 0:
                continue
            if temperature != 1.0:
                w = w ** (1.0 / max(temperature, 1e-3))
            pick = options[int(rng.choice(len(options), p=w / w.sum()))]
            return Choice(pick[0], pick[1], pick[2])
        return None


def copy_run(previous: Optional[tuple[int, int, int]], choice: Choice) -> Optional[tuple[int, int, int]]:
    """The copy run after ``choice``: (sequence, next position, length)."""
    si, pos = choice.source
    if si < 0:
        return None
    if previous is not None and (previous[0], previous[1]) == (si, pos):
        return (si, pos + 1, previous[2] + 1)
    return (si, pos + 1, 1)
