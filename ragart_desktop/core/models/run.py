"""Run a diffusers pipeline as a job: progress per step, cancel between steps, cheap previews.

Cancel raises ``Cancelled`` from the step callback, so the pipeline stops at once (no further
denoising, no VAE decode) and its partial result is discarded. Previews map the latents to RGB with
a fixed 4x3 linear approximation of the VAE decoder (a matrix product on a 64x64 grid, far cheaper
than decoding), and are only computed when the task asks for them.
"""
from __future__ import annotations

import logging
from typing import Any

import numpy as np

from ragart_desktop.core.models.failures import running_errors
from ragart_desktop.core.progress import Task, ensure_task

log = logging.getLogger(__name__)

# Least-squares fits of decoded RGB (in [-1, 1]) to the 4 latent channels, as published by the
# ComfyUI / Krita AI Diffusion previewers for the SD 1.x/2.x VAE and the SDXL VAE.
LATENT_RGB_SD = (np.array([[0.3512, 0.2297, 0.3227],
                           [0.3250, 0.4974, 0.2350],
                           [-0.2829, 0.1762, 0.2721],
                           [-0.2120, -0.2616, -0.7177]], dtype=np.float32),
                 np.zeros(3, dtype=np.float32))
LATENT_RGB_SDXL = (np.array([[0.3651, 0.4232, 0.4341],
                             [-0.2533, -0.0042, 0.1068],
                             [0.1076, 0.1111, -0.0362],
                             [-0.3165, -0.2492, -0.2188]], dtype=np.float32),
                   np.array([0.1084, -0.0175, -0.0011], dtype=np.float32))


def latents_to_preview(latents, sdxl: bool = False):
    """A small PIL RGB image approximating the first latent of a batch (shape (B, 4, h, w))."""
    from PIL import Image

    factors, bias = LATENT_RGB_SDXL if sdxl else LATENT_RGB_SD
    lat = latents[0].detach().float().cpu().numpy()  # (4, h, w)
    rgb = np.einsum("chw,cr->hwr", lat, factors) + bias
    return Image.fromarray(np.clip((rgb + 1.0) * 127.5, 0, 255).astype(np.uint8), "RGB")


def run_diffusion(pipe: Any, kwargs: dict, task: Task | None = None, *, what: str = "generating") -> Any:
    """Call ``pipe(**kwargs)`` with per-step progress, cancel and previews; return its output.

    Raises ``Cancelled`` (result discarded) and ``OutOfMemoryError`` (with a hint) as expected failures.
    """
    task = ensure_task(task)
    task.check()
    sdxl = "XL" in type(pipe).__name__
    wants_previews = task.wants_previews

    def on_step_end(p, step: int, timestep, tensors: dict) -> dict:
        total = getattr(p, "num_timesteps", None) or kwargs.get("num_inference_steps", 0)
        task.progress(step + 1, total, f"step {step + 1}/{total}")
        task.check()  # Cancelled propagates out of the pipeline call: no more steps, no decode
        if wants_previews and "latents" in tensors:
            task.preview(latents_to_preview(tensors["latents"], sdxl))
        return {}

    call = dict(kwargs, callback_on_step_end=on_step_end,
                callback_on_step_end_tensor_inputs=["latents"] if wants_previews else [])
    with running_errors(what):
        result = pipe(**call)
    task.check()
    return result
