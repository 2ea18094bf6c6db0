"""Retrieval-augmented image generation: one GenerationRequest in, results with provenance out.

1. Understand the request (validate; load canvas and mask at the requested size).
2. Retrieve references: pinned ones first, then diverse ones from the library.
3. Fuse: the references' words into the prompt; their images to the engine.
4. Generate each seed with the chosen engine (built-in, or a diffusers model), cancel between steps.
5. Evaluate each result (prompt fit, closeness to references, near-copy guard).
6. Record: the provenance record each output carries (PNG chunk, history).
Nothing is written unless the whole job finishes: a cancelled job leaves no output.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from PIL import Image

from ragart_desktop import __version__
from ragart_desktop.core.history import HistoryRecord
from ragart_desktop.core.generate.image.evaluate import Evaluation, evaluate
from ragart_desktop.core.generate.image.prompt import FusedPrompt, fuse_prompt
from ragart_desktop.core.generate.image.provenance import save_png
from ragart_desktop.core.generate.image.references import Reference, gather_references, load_image
from ragart_desktop.core.generate.image.request import GenerationRequest
from ragart_desktop.core.progress import Task, ensure_task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

log = logging.getLogger(__name__)


@dataclass
class GeneratedImage:
    image: Image.Image
    seed: int
    evaluation: Evaluation
    path: Optional[Path] = None


@dataclass
class GenerationResult:
    request: GenerationRequest
    engine: str                      # "builtin" or the model name
    engine_name: str                 # what made it, in words ("Built-in palette transfer", "SD 1.x: name")
    fused_prompt: FusedPrompt
    references: list[Reference]
    outputs: list[GeneratedImage] = field(default_factory=list)
    seconds: float = 0.0

    def record(self, out: GeneratedImage) -> dict[str, Any]:
        """The provenance of one output: enough to reproduce and trace it."""
        return {
            "app": f"RagArt Desktop {__version__}",
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "request": self.request.with_seed(out.seed).to_json(),
            "seed": out.seed,
            "engine": self.engine,
            "engine_name": self.engine_name,
            "prompt_used": self.fused_prompt.text,
            "prompt_terms_added": self.fused_prompt.added,
            "references": [r.to_json() for r in self.references],
            **out.evaluation.to_json(),
        }

    def output_json(self, out: GeneratedImage) -> dict[str, Any]:
        """One output as the CLI's --json and the history store it."""
        return {"path": str(out.path) if out.path else None, "seed": out.seed,
                "scores": out.evaluation.scores,
                "references": [{"id": r.item_id, "path": r.path, "weight": round(r.weight, 4)}
                               for r in self.references],
                "nearest_library_item": {"id": out.evaluation.nearest_item,
                                         "similarity": out.evaluation.nearest_similarity},
                "warnings": out.evaluation.warnings}

    def history_record(self) -> HistoryRecord:
        return HistoryRecord(kind="image", request=self.request.to_json(),
                             outputs=[self.output_json(o) for o in self.outputs], engine=self.engine_name)

    def save(self, out: str | Path) -> list[Path]:
        """Write every output as PNG with its record: ``out`` is a file (one output) or a folder / stem."""
        out = Path(out)
        paths = []
        for i, o in enumerate(self.outputs):
            if out.suffix.lower() == ".png" and len(self.outputs) == 1:
                target = out
            elif out.suffix.lower() == ".png":
                target = out.with_name(f"{out.stem}-{i + 1}.png")
            else:
                target = out / f"ragart-{time.strftime('%Y%m%d-%H%M%S')}-{o.seed}.png"
            o.path = save_png(o.image, target, self.record(o))
            paths.append(o.path)
        return paths


def _canvas_and_mask(req: GenerationRequest) -> tuple[Optional[Image.Image], Optional[np.ndarray]]:
    size = (req.width, req.height)
    canvas = load_image(req.canvas).resize(size, Image.LANCZOS) if req.canvas else None
    mask = None
    if req.mask:
        m = load_image(req.mask).convert("L").resize(size, Image.NEAREST)
        mask = np.asarray(m) > 127
    return canvas, mask


def generate(req: GenerationRequest, library: Optional["Library"] = None,
             task: Optional[Task] = None) -> GenerationResult:
    """Run the whole pipeline (the model of a non-built-in engine is loaded once and cached)."""
    task = ensure_task(task)
    started = time.perf_counter()
    # 1. Understand the request.
    req.validate()
    canvas, mask = _canvas_and_mask(req)
    task.progress(0, 1, "Finding references")
    # 2. Retrieve.
    refs = gather_references(req, library, canvas, task)
    task.check()
    # 3-4. Fuse and generate.
    if req.engine == "builtin":
        from ragart_desktop.core.generate.image.engine_builtin import BuiltinEngine

        engine = BuiltinEngine()
    else:
        from ragart_desktop.core.generate.image.engine_diffusers import DiffusersEngine

        engine = DiffusersEngine(req.engine, library)
    fused = fuse_prompt(req.prompt, refs, count_tokens=engine.count_tokens)
    result = GenerationResult(req, engine.engine_id, engine.describe(req), fused, refs)
    images = []
    for i in range(req.count):
        seed = req.seed + i
        part = task.part(i, req.count)
        images.append((seed, engine.run(req, fused, refs, canvas, mask, seed, part)))
        task.check()
    # 5. Evaluate.
    for seed, image in images:
        task.progress(1, 1, "Scoring results")
        result.outputs.append(GeneratedImage(image, seed, evaluate(image, req.prompt, refs, library)))
    result.seconds = time.perf_counter() - started
    return result
