"""Choosing the references that shape a generation: the pinned ones, then retrieved ones."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from PIL import Image

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.generate.image.request import GenerationRequest
from ragart_desktop.core.library.catalog import tokens
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

log = logging.getLogger(__name__)

# Metadata fields whose text describes the picture (earlier prompts, captions).
DESCRIPTIVE_KEYS = ("parameters", "prompt", "description", "Description", "caption", "title",
                    "image_description", "xmp_description", "comment", "Comment")


@dataclass
class Reference:
    path: str
    weight: float
    image: Image.Image
    item_id: Optional[int] = None
    source: str = "pinned"            # "pinned" | "retrieved"
    why: str = ""
    terms: list[str] = field(default_factory=list)   # words it contributes to the prompt

    def to_json(self) -> dict:
        return {"id": self.item_id, "path": self.path, "weight": round(self.weight, 4),
                "source": self.source, "why": self.why}


def reference_terms(item) -> list[str]:
    """Words a library item contributes: its tags, then title and descriptive metadata words."""
    out: list[str] = []
    for tag in item.tags:
        out.append(tag.replace("-", " ").replace("_", " ").strip())
    texts = [item.title] + [str(v) for k, v in item.metadata.items() if k in DESCRIPTIVE_KEYS and v]
    for text in texts:
        head = str(text).split("Negative prompt:")[0]
        out.extend(p.strip() for p in head.replace("\n", ",").split(",") if p.strip())
    return [t for t in out if any(ch.isalpha() for ch in t)]


def load_image(path: str) -> Image.Image:
    try:
        with Image.open(path) as im:
            im.draft("RGB", (1024, 1024))
            return im.convert("RGB")
    except (OSError, ValueError) as exc:
        raise BadInputError(f"cannot be read as an image ({exc}).", path=path) from exc


def gather_references(req: GenerationRequest, library: Optional["Library"], canvas: Optional[Image.Image],
                      task: Task) -> list[Reference]:
    """1. pinned references (exact weights), 2. retrieved ones (by prompt and canvas), diverse."""
    refs: list[Reference] = []
    pinned_ids: set[int] = set()
    for spec in req.references:
        item = None
        if spec.item_id is not None and library is not None:
            item = library.get_item(spec.item_id)
        elif spec.path and library is not None:
            try:
                item = library.resolve(spec.path)
            except Exception:   # a file outside the library is a fine reference too
                item = None
        path = item.path if item else spec.path
        if not path:
            raise BadInputError(f"reference {spec.item_id} has no readable file.")
        ref = Reference(path=path, weight=spec.weight, image=load_image(path),
                        item_id=item.id if item else None, source="pinned", why="pinned by you",
                        terms=reference_terms(item) if item else [w for w in tokens(path.rsplit('/', 1)[-1])[:-1]])
        if item:
            pinned_ids.add(item.id)
        refs.append(ref)
    task.check()
    wanted = req.n_references - len(refs)
    if req.retrieve and library is not None and wanted > 0:
        from ragart_desktop.core.retrieval.query import Example, Query

        like = (Example(content=canvas, kind="image", weight=0.5),) if canvas is not None else ()
        if req.prompt.strip() or like:
            results = library.search(Query(text=req.prompt, like=like, kinds=("image",), k=wanted + len(pinned_ids)))
            for r in results:
                if r.item.id in pinned_ids or len(refs) >= req.n_references:
                    continue
                try:
                    image = load_image(r.item.path)
                except BadInputError as exc:
                    log.info("reference skipped: %s", exc)
                    continue
                refs.append(Reference(path=r.item.path, weight=max(0.05, r.score), image=image, item_id=r.item.id,
                                      source="retrieved", why=r.why, terms=reference_terms(r.item)))
    return refs
