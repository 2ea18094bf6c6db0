"""Built-in image engines: real algorithms in numpy/scipy that need no model weights or GPU.

Each engine draws on reference images (retrieved from the library or pinned by the user):

- ``patch_synthesis``: renders the canvas's structure (or, on an empty canvas, a new composition)
  with patches of the references, PatchMatch-based image analogies / texture optimisation.
- ``palette_transfer``: recolours an image with the references' colour statistics and palette.
- ``exemplar_inpaint``: fills a selection from the rest of the image and the references.

``ENGINE_ID`` and ``ENGINE_NAMES`` label results honestly in the UI, history and PNG metadata.
"""
from __future__ import annotations

from ragart_desktop.core.generate.image.builtin.inpaint import exemplar_inpaint
from ragart_desktop.core.generate.image.builtin.palette import palette_transfer
from ragart_desktop.core.generate.image.builtin.synthesis import patch_synthesis

ENGINE_ID = "builtin"

#: Human-readable name of the algorithm behind each built-in function.
ENGINE_NAMES: dict[str, str] = {
    "patch_synthesis": "Built-in patch synthesis (PatchMatch)",
    "palette_transfer": "Built-in palette transfer",
    "exemplar_inpaint": "Built-in exemplar inpainting",
}

#: The function behind each built-in engine, by the same keys as ENGINE_NAMES.
ENGINES = {
    "patch_synthesis": patch_synthesis,
    "palette_transfer": palette_transfer,
    "exemplar_inpaint": exemplar_inpaint,
}


__all__ = [
    "ENGINE_ID",
    "ENGINE_NAMES",
    "ENGINES",
    "exemplar_inpaint",
    "palette_transfer",
    "patch_synthesis",
]
