"""Image references: the shared choice of references, each loaded as a picture."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Sequence

from PIL import Image

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.generate import references as shared
from ragart_desktop.core.generate.image.request import GenerationRequest
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library


@dataclass
class Reference(shared.Reference):
    image: Any = None   # PIL.Image.Image (RGB)


def load_image(path: str) -> Image.Image:
    try:
        with Image.open(path) as im:
            im.draft("RGB", (1024, 1024))
            return im.convert("RGB")
    except (OSError, ValueError) as exc:
        raise BadInputError(f"cannot be read as an image ({exc}).", path=path) from exc


def _load(ref: shared.Reference) -> Reference:
    """A picture; a music or text item lends only its words (title, tags, descriptions) to the prompt."""
    if ref.kind in ("music", "text"):
        return Reference(**{**vars(ref), "words_only": True})
    return Reference(**vars(ref), image=load_image(ref.path))


def pictures(refs: Sequence[Reference]) -> list[Reference]:
    """The references whose pictures an engine can use (words-only ones aside)."""
    return [r for r in refs if r.image is not None]


def gather_references(req: GenerationRequest, library: Optional["Library"], canvas: Optional[Image.Image],
                      task: Task) -> list[Reference]:
    """Pinned references, then images retrieved by the prompt and the canvas."""
    from ragart_desktop.core.retrieval.query import Example, Query

    like = (Example(content=canvas, kind="image", weight=0.5),) if canvas is not None else ()
    query = Query(text=req.prompt, like=like, kinds=("image",)) \
        if req.retrieve and (req.prompt.strip() or like) else None
    return shared.gather_references(req.references, library, query, req.n_references, _load, task)
