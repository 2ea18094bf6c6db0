"""What every embedder is: an id, a version, a dimension, and a batch ``embed`` function.

An embedder turns the *content* of one modality into L2-normalised float32 vectors:
- ``"image"``: a PIL RGB image, already reduced by the importer (long side <= 512 px);
- ``"music"``: a ``pretty_midi.PrettyMIDI`` object;
- ``"text"``:  a ``str``.
The (id, version, dim) triple is stored beside each vector index and checked on open, so vectors of
different embedders (or of two versions of one) are never mixed.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

import numpy as np


class Embedder(ABC):
    id: str
    version: str
    dim: int
    modality: str  # "image" | "music" | "text"

    @abstractmethod
    def embed(self, contents: Sequence[Any]) -> np.ndarray:
        """Return an (n, dim) float32 array of unit-length rows, one per content, in order."""

    def embed_one(self, content: Any) -> np.ndarray:
        return self.embed([content])[0]


def l2_normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, 1e-12)
