"""Scoring a result: does it fit the prompt, is it close to its references, is it a near-copy?

- ``reference_similarity``: weighted mean cosine (image descriptor space) to the references.
- ``prompt_fit``: cosine of the image and the prompt in a joint image/text space when the library
  has one (CLIP); otherwise, honestly named "library-words": the prompt's words embedding against the
  words of the library items that look most like the result.
- near-copy guard: the nearest library image and its similarity; above ``NEAR_COPY`` the result is
  flagged as a near-copy of that item.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np
from PIL import Image

from ragart_desktop.core.embed.base import Embedder, l2_normalise
from ragart_desktop.core.generate.image.references import Reference

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

NEAR_COPY = 0.95
WORDS_NEIGHBOURS = 5


@dataclass
class Evaluation:
    scores: dict[str, float] = field(default_factory=dict)
    prompt_fit_method: str = ""
    nearest_item: Optional[int] = None
    nearest_similarity: Optional[float] = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"scores": self.scores, "prompt_fit_method": self.prompt_fit_method,
                "nearest_library_item": {"id": self.nearest_item, "similarity": self.nearest_similarity},
                "warnings": self.warnings}


def _image_embedder(library: Optional["Library"]) -> Embedder:
    if library is not None:
        for e in library.content_embedders_for("image"):
            if not hasattr(e, "embed_text"):
                return e
    from ragart_desktop.core.embed.image_descriptor import ImageDescriptorEmbedder

    return ImageDescriptorEmbedder()


def evaluate(image: Image.Image, prompt: str, references: Sequence[Reference],
             library: Optional["Library"]) -> Evaluation:
    ev = Evaluation()
    desc = _image_embedder(library)
    v = desc.embed_one(image)
    if references:
        ref_vecs = desc.embed([r.image for r in references])
        sims = ref_vecs @ v
        w = np.array([r.weight for r in references], dtype=np.float32)
        ev.scores["reference_similarity"] = round(float((sims * w).sum() / max(w.sum(), 1e-9)), 4)
        ev.scores["max_reference_similarity"] = round(float(sims.max()), 4)
    if library is None:
        return ev
    index = library.indexes[desc.id]
    nearest = index.search(v, WORDS_NEIGHBOURS)
    if nearest:
        ev.nearest_item, sim = nearest[0][0], round(float(nearest[0][1]), 4)
        ev.nearest_similarity = sim
        if sim >= NEAR_COPY:
            item = library.get_item(ev.nearest_item)
            ev.warnings.append(f"near-copy of {item.path} (similarity {sim:.2f}): consider a lower strength "
                               f"or more references")
    if prompt.strip():
        joint = [e for e in library.embedders if hasattr(e, "embed_text") and e.modality == "image"]
        if joint:
            e = joint[0]
            ev.scores["prompt_fit"] = round(float(e.embed_one(image) @ e.embed_text([prompt])[0]), 4)
            ev.prompt_fit_method = e.id
        elif nearest:
            words = library.indexes[library.words_embedder.id]
            ids = [k for k, _ in nearest if k in words]
            if ids:
                p = library.words_embedder.embed_one(prompt)
                weights = np.array([max(s, 0.0) for k, s in nearest if k in words], dtype=np.float32) + 1e-6
                centroid = l2_normalise((words.get_vectors(ids) * weights[:, None]).sum(0))
                ev.scores["prompt_fit"] = round(float(centroid @ p), 4)
                ev.prompt_fit_method = "library-words"
    return ev
