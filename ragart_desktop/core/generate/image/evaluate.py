"""Scoring a picture: does it fit the prompt, is it close to its references, is it a near-copy?

- ``reference_similarity`` (weighted mean) and ``max_reference_similarity``: cosines to the
  reference pictures in the image descriptor space: how close the look is to the references.
- ``prompt_fit``: the cosine of the picture and the prompt in a joint image/text space (CLIP), when
  the library has one. Without one nothing here can tell whether a picture shows "a stormy
  harbour", so there is no prompt fit; ``prompt_words_in_references`` says instead which share of
  the prompt's words the references' words hold (tags, titles, descriptions): a statement about the
  references, not about the pixels. ``prompt_fit_method`` says which of the two was computed.
- the near-copy guard (``near_copy``): the library picture the result is most copied from, the
  share copied, and a warning naming it at ``NEAR_COPY`` and above.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np
from PIL import Image

from ragart_desktop.core.embed.base import Embedder
from ragart_desktop.core.generate.image.near_copy import NEAR_COPY, CopyMatch, nearest_copy
from ragart_desktop.core.generate.image.references import Reference, load_image, pictures
from ragart_desktop.core.generate.prompt import NOISE_WORDS
from ragart_desktop.core.text.words import words

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

WORDS_METHOD = "reference-words"

@dataclass
class Evaluation:
    scores: dict[str, float] = field(default_factory=dict)
    prompt_fit_method: str = ""           # the image+text model's id, or WORDS_METHOD
    nearest: Optional[CopyMatch] = None   # the library picture this one is most copied from
    warnings: list[str] = field(default_factory=list)

    @property
    def near_copy(self) -> bool:
        return self.nearest is not None and self.nearest.near_copy

    def nearest_json(self) -> dict:
        return self.nearest.to_json() if self.nearest else {"id": None, "path": None, "similarity": None}

    def to_json(self) -> dict:
        return {"kind": "image", "scores": self.scores, "prompt_fit_method": self.prompt_fit_method,
                "nearest_library_item": self.nearest_json(), "near_copy": self.near_copy,
                "warnings": self.warnings}


def _image_embedder(library: Optional["Library"]) -> Embedder:
    if library is not None:
        for e in library.content_embedders_for("image"):
            if not hasattr(e, "embed_text"):
                return e
    from ragart_desktop.core.embed.image_descriptor import ImageDescriptorEmbedder

    return ImageDescriptorEmbedder()


def prompt_words_in_references(prompt: str, references: Sequence[Reference]) -> Optional[float]:
    """The share of the prompt's words (noise words aside) that the references' words contain."""
    wanted = {w for w in words(prompt) if w not in NOISE_WORDS}
    if not wanted or not references:
        return None
    have = {w for r in references for term in r.terms for w in words(term)}
    return round(len(wanted & have) / len(wanted), 4)


def evaluate(image: Image.Image, prompt: str, references: Sequence[Reference],
             library: Optional["Library"], exclude: Sequence[int] = ()) -> Evaluation:
    """Score ``image``; ``exclude``: library items it may not be called a copy of (itself)."""
    ev = Evaluation()
    shown = pictures(references)
    # 1. Closeness to the reference pictures.
    if shown:
        desc = _image_embedder(library)
        sims = desc.embed([r.image for r in shown]) @ desc.embed_one(image)
        w = np.array([r.weight for r in shown], dtype=np.float32)
        ev.scores["reference_similarity"] = round(float((sims * w).sum() / max(w.sum(), 1e-9)), 4)
        ev.scores["max_reference_similarity"] = round(float(sims.max()), 4)
    # 2. Prompt fit, or what the words can honestly say.
    joint = [e for e in library.embedders if hasattr(e, "embed_text") and e.modality == "image"] \
        if library is not None else []
    if prompt.strip() and joint:
        e = joint[0]
        ev.scores["prompt_fit"] = round(float(e.embed_one(image) @ e.embed_text([prompt])[0]), 4)
        ev.prompt_fit_method = e.id
    elif (shared := prompt_words_in_references(prompt, references)) is not None:
        ev.scores["prompt_words_in_references"] = shared
        ev.prompt_fit_method = WORDS_METHOD
    # 3. The near-copy guard: the references first (what a result is most likely to copy), then the
    #    library pictures nearest to it.
    ev.nearest = nearest_copy(image, library, also=[(r.item_id, r.path, r.image) for r in shown],
                              exclude=exclude)
    if ev.near_copy:
        alone = " One reference is not enough to make something new from: pin or retrieve more." \
            if len(shown) == 1 else ""
        ev.warnings.append(f"near-copy of {ev.nearest.path}: {ev.nearest.similarity:.0%} of the picture is "
                           f"copied from it (flagged from {NEAR_COPY:.0%}).{alone}")
    return ev


def evaluate_file(path: str, library: Optional["Library"], prompt: str = "") -> Evaluation:
    """Score any picture file, in the library or not ("is this too close to something I own?"): a
    library item is compared with the other items, never with itself."""
    image = load_image(path)
    own = library.catalog.path_record(os.path.abspath(path)) if library is not None else None
    return evaluate(image, prompt, (), library, exclude=(own.item_id,) if own else ())
