"""Retrieval-augmented image generation: one GenerationRequest in, results with provenance out.

1. Understand the request: validate; what the user left unset takes the canvas's size and the
   engine's defaults (a model's own steps, guidance, size), so the recorded request is complete;
   load canvas and mask at that size.
2. Retrieve references: pinned ones first, then diverse ones from the library.
3. Fuse: the references' words into the prompt; their images to the engine.
4. Generate each seed with the chosen engine (built-in, or a diffusers model), cancel between steps.
5. Evaluate each result (prompt fit, closeness to references, near-copy guard).
6. Record: the provenance record each output carries (PNG chunk, history).
Nothing is written unless the whole job finishes: a cancelled job leaves no output.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from PIL import Image

from ragart_desktop.core.generate.engine import Engine, make_engine, with_defaults
from ragart_desktop.core.generate.image.evaluate import Evaluation, evaluate
from ragart_desktop.core.generate.image.inputs import ImageInputs
from ragart_desktop.core.generate.image.prompt import FusedPrompt, fuse_prompt
from ragart_desktop.core.generate.image.provenance import save_png
from ragart_desktop.core.generate.image.references import gather_references, load_image
from ragart_desktop.core.generate.image.request import GenerationRequest
from ragart_desktop.core.generate.result import GeneratedOutput
from ragart_desktop.core.generate.result import GenerationResult as _Result
from ragart_desktop.core.progress import Task, ensure_task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library


@dataclass
class GeneratedImage(GeneratedOutput):
    image: Image.Image
    evaluation: Evaluation


@dataclass
class GenerationResult(_Result):
    kind = "image"
    suffixes = (".png",)

    fused_prompt: FusedPrompt = field(default_factory=lambda: FusedPrompt("", []))

    def record_details(self, out: GeneratedImage) -> dict[str, Any]:
        return {"prompt_used": self.fused_prompt.text, "prompt_terms_added": self.fused_prompt.added,
                **out.evaluation.to_json()}

    def output_details(self, out: GeneratedImage) -> dict[str, Any]:
        ev = out.evaluation
        return {"scores": ev.scores, "prompt_fit_method": ev.prompt_fit_method,
                "nearest_library_item": ev.nearest_json(), "near_copy": ev.near_copy, "warnings": ev.warnings}

    def write(self, out: GeneratedImage, path: Path, record: dict[str, Any]) -> Path:
        return save_png(out.image, path, record)


def _complete(req: GenerationRequest, engine: Engine, canvas: Optional[Image.Image]) -> GenerationRequest:
    """The request with every field the user left unset filled: the canvas's size, then the engine's."""
    if canvas is not None:
        req = with_defaults(req, {"width": canvas.width, "height": canvas.height})
    return with_defaults(req, engine.defaults(req)).validate()


def _at_size(req: GenerationRequest, canvas: Optional[Image.Image]) -> tuple[Optional[Image.Image], Optional[np.ndarray]]:
    """The canvas and the mask (True = fill) at the request's size."""
    size = (req.width, req.height)
    if canvas is not None and canvas.size != size:
        canvas = canvas.resize(size, Image.LANCZOS)
    mask = None
    if req.mask:
        m = load_image(req.mask).convert("L").resize(size, Image.NEAREST)
        mask = np.asarray(m) > 127
    return canvas, mask


def _keep_outside(image: Image.Image, canvas: Image.Image, mask: np.ndarray) -> Image.Image:
    """A fill changes the selection only: every pixel outside it is the canvas's, exactly."""
    out = np.asarray(image.convert("RGB")).copy()
    out[~mask] = np.asarray(canvas)[~mask]
    return Image.fromarray(out)


def _builtin() -> Engine:
    from ragart_desktop.core.generate.image.engine_builtin import BuiltinEngine

    return BuiltinEngine()


def _diffusers(name: str, library: Optional["Library"], registry) -> Engine:
    from ragart_desktop.core.generate.image.engine_diffusers import DiffusersEngine

    return DiffusersEngine(name, library, registry)


def generate(req: GenerationRequest, library: Optional["Library"] = None,
             task: Optional[Task] = None) -> GenerationResult:
    """Run the whole pipeline (the model of a non-built-in engine is loaded once and cached)."""
    task = ensure_task(task)
    started = time.perf_counter()
    # 1. Understand the request.
    req.validate()
    engine = make_engine(req.engine, library, _builtin, {"diffusion": _diffusers}, "image generation")
    canvas = load_image(req.canvas) if req.canvas else None
    req = _complete(req, engine, canvas)
    canvas, mask = _at_size(req, canvas)
    task.progress(0, 1, "Finding references")
    # 2. Retrieve.
    refs = gather_references(req, library, canvas, task)
    task.check()
    # 3. Fuse.
    fused = fuse_prompt(req.prompt, refs, count_tokens=engine.count_tokens)
    inputs = ImageInputs(req, fused, refs, canvas, mask)
    result = GenerationResult(req, engine.engine_id, engine.describe(req), refs, fused_prompt=fused)
    # 4. Generate.
    images = []
    for i in range(req.count):
        seed = req.seed + i
        image = engine.run(inputs, seed, task.part(i, req.count))
        images.append((seed, _keep_outside(image, canvas, mask) if req.mode == "fill" else image))
        task.check()
    # 5. Evaluate.
    for seed, image in images:
        task.progress(1, 1, "Scoring results")
        result.outputs.append(GeneratedImage(seed, image=image, evaluation=evaluate(image, req.prompt, refs, library)))
    result.seconds = time.perf_counter() - started
    return result
