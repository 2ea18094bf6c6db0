"""From the generation panel to a finished, recorded generation job.

``build_generation_request`` is the one place the panel's values become the image pipeline's
``GenerationRequest``; ``image_request`` hands the generation service (``generation_service``) the
step that saves the canvas and mask and builds that request on the worker. The engine lists for
the panel are found here too. Everything that touches models is imported inside the functions.
"""
from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.home import Home
from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.editors import ImageContext
from ragart_desktop.ui.generation_panel import GenerationForm

if TYPE_CHECKING:
    from ragart_desktop.core.generate.image.request import GenerationRequest

log = logging.getLogger(__name__)


def build_generation_request(form: GenerationForm, canvas: Optional[str] = None, mask: Optional[str] = None,
                             size: Optional[tuple[int, int]] = None) -> "GenerationRequest":
    """``size``: the canvas's (refine, fill, restyle); None for text-to-image, which takes a re-run's
    size or else the model's own. Fields the panel has no control for come from ``form.base``."""
    from dataclasses import replace

    from ragart_desktop.core.generate.image.request import GenerationRequest, LoraSpec, ReferenceSpec

    base = GenerationRequest.from_json(form.base) if form.base else GenerationRequest()
    width, height = size if size is not None else (base.width, base.height)
    return replace(
        base,
        prompt=form.prompt,
        mode=form.mode,
        canvas=canvas,
        mask=mask,
        references=tuple(ReferenceSpec(item_id=r.item_id, path=r.path, weight=r.weight) for r in form.references),
        retrieve=form.retrieve,
        engine=form.engine,
        loras=tuple(LoraSpec(name, scale) for name, scale in form.loras),
        strength=form.strength,
        seed=int(form.seed or 0),
        steps=form.steps,
        width=width,
        height=height,
        count=form.batch,
    ).validate()


def available_engines(home: Home, settings: Settings) -> list[tuple[str, str]]:
    """(label, engine id) for the engine menu: the built-in engines, then the user's diffusion models."""
    from ragart_desktop.core.models.registry import ModelRegistry

    engines = [("Built-in (no model needed)", "builtin")]
    for entry in ModelRegistry(home, settings).of_kind("diffusion"):
        engines.append((f"{entry.name} ({entry.family}{', ' + entry.variant if entry.variant else ''})", entry.name))
    return engines


def available_loras(home: Home, settings: Settings) -> list[str]:
    """Names of the LoRAs in the model folders, for the panel's LoRA list."""
    from ragart_desktop.core.models.registry import ModelRegistry

    return [entry.name for entry in ModelRegistry(home, settings).of_kind("lora")]


def image_request(form: GenerationForm, context: Optional[ImageContext]) -> Callable[[Path], "GenerationRequest"]:
    """What the generation service runs first for an image job (on the worker): save the canvas
    (and the selection mask, for "fill") as PNGs in ``work_dir`` and build the request around them."""
    if form.mode != "txt2img" and context is None:
        raise UsageError(f"the {form.mode!r} mode works on the canvas; open the Canvas tab first.")

    def build(work_dir: Path) -> "GenerationRequest":
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        canvas_path = mask_path = size = None
        if form.mode != "txt2img" and context is not None:
            canvas_path = str(work_dir / f"canvas-{stamp}.png")
            context.image.save(canvas_path)
            size = context.image.size
            if form.mode == "fill" and context.mask is not None:
                mask_path = str(work_dir / f"mask-{stamp}.png")
                context.mask.save(mask_path)
        return build_generation_request(form, canvas_path, mask_path, size)

    return build
