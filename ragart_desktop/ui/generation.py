"""From the generation panel to a finished, recorded generation job.

``build_generation_request`` is the one place the panel's values become the pipeline's
``GenerationRequest``; ``generation_job`` returns the function the model worker runs: save the
canvas (and mask) as PNG, run the pipeline, write the outputs, append the history record.
Everything here that touches the pipeline or models is imported inside the job (worker thread).
"""
from __future__ import annotations

import datetime as _dt
import logging
from typing import TYPE_CHECKING, Any, Callable, Optional

from ragart_desktop.core.history import HistoryRecord, HistoryStore
from ragart_desktop.core.home import Home
from ragart_desktop.core.progress import Task
from ragart_desktop.core.settings import Settings
from ragart_desktop.ui.generation_panel import GenerationForm

if TYPE_CHECKING:
    from ragart_desktop.core.generate.image.request import GenerationRequest

log = logging.getLogger(__name__)


def build_generation_request(form: GenerationForm, canvas: Optional[str] = None,
                             mask: Optional[str] = None, size: tuple[int, int] = (512, 512)) -> "GenerationRequest":
    from ragart_desktop.core.generate.image.request import GenerationRequest, LoraSpec, ReferenceSpec

    width, height = (max(64, (int(v) // 8) * 8) for v in size)
    return GenerationRequest(
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


def generation_job(form: GenerationForm, canvas_image: Any, mask_image: Any, home: Home,
                   library: Callable[[], Any], history: HistoryStore) -> Callable[[Task], HistoryRecord]:
    """The model worker's job for one press of Generate (``canvas_image``/``mask_image``: PIL or None)."""

    def run(task: Task) -> HistoryRecord:
        from ragart_desktop.core.generate.image.pipeline import generate

        # 1. Save what the request refers to by path (the canvas and the selection mask).
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        work_dir = home.outputs_dir / "work"
        work_dir.mkdir(parents=True, exist_ok=True)
        canvas_path = mask_path = None
        size = (512, 512)
        if form.mode != "txt2img" and canvas_image is not None:
            canvas_path = str(work_dir / f"canvas-{stamp}.png")
            canvas_image.save(canvas_path)
            size = canvas_image.size
        if form.mode == "fill" and mask_image is not None:
            mask_path = str(work_dir / f"mask-{stamp}.png")
            mask_image.save(mask_path)
        # 2. Build and validate the request.
        request = build_generation_request(form, canvas_path, mask_path, size)
        # 3. Run the pipeline (it keeps one model in memory, reused by the next job on this worker).
        result = generate(request, library=library(), task=task)
        # 4. Write the outputs (PNG with provenance) and record the job.
        result.save(home.outputs_dir)
        record = result.history_record()
        history.append(record)
        return record

    return run
