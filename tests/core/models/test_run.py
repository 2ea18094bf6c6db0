"""Running a pipeline as a job: progress per step, cancel between steps, previews, out-of-memory."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from ragart_desktop.core.errors import Cancelled, OutOfMemoryError
from ragart_desktop.core.models.device import DevicePlan
from ragart_desktop.core.models.loaders import load_diffusion
from ragart_desktop.core.models.recognise import inspect_path
from ragart_desktop.core.models.run import latents_to_preview, run_diffusion
from ragart_desktop.core.progress import Task


@pytest.fixture(scope="module")
def pipe(zoo):
    return load_diffusion(inspect_path(zoo["sd_folder"]), DevicePlan("cpu", "float32", "fast", 0)).text2img


def _kwargs(steps=4):
    return dict(prompt="a lantern", num_inference_steps=steps, height=64, width=64,
                generator=torch.Generator().manual_seed(0), output_type="np")


def _count_calls(module):
    calls = []
    handle = module.register_forward_hook(lambda *a: calls.append(1))
    return calls, handle


def test_progress_every_step_and_same_result_as_a_bare_call(pipe):
    seen = []
    out = run_diffusion(pipe, _kwargs(), Task(on_progress=lambda d, t, m: seen.append((d, t))))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    np.testing.assert_allclose(out.images, pipe(**_kwargs()).images, atol=1e-6)


def test_previews_only_when_wanted(pipe):
    previews = []
    run_diffusion(pipe, _kwargs(steps=2), Task(on_preview=previews.append))
    assert len(previews) == 2 and previews[0].size == (32, 32) and previews[0].mode == "RGB"
    assert not Task().wants_previews  # and then no preview is computed (nothing to receive it)


def test_cancel_stops_between_steps_without_decoding_and_the_pipe_stays_usable(pipe):
    task = Task()
    unet_calls, h1 = _count_calls(pipe.unet)
    decodes, h2 = _count_calls(pipe.vae.decoder)
    task_progress = []

    def on_progress(done, total, msg):
        task_progress.append(done)
        if done == 1:
            task.cancel()

    task._on_progress = on_progress
    try:
        with pytest.raises(Cancelled):
            run_diffusion(pipe, _kwargs(steps=6), task)
    finally:
        h1.remove()
        h2.remove()
    assert task_progress == [1] and len(unet_calls) == 1 and decodes == []
    assert run_diffusion(pipe, _kwargs(steps=1)).images.shape == (1, 64, 64, 3)


def test_cancel_before_start_runs_nothing(pipe):
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        run_diffusion(pipe, _kwargs(), task)


def test_out_of_memory_becomes_a_clear_error_with_a_fix(pipe, monkeypatch):
    def exhausted(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(pipe.unet, "forward", exhausted)
    with pytest.raises(OutOfMemoryError) as info:
        run_diffusion(pipe, _kwargs(steps=1))
    assert "smaller" in info.value.hint and "low" in info.value.hint and "CPU" in info.value.hint
    monkeypatch.undo()
    assert run_diffusion(pipe, _kwargs(steps=1)).images.shape == (1, 64, 64, 3)


def test_other_errors_are_not_disguised(pipe, monkeypatch):
    monkeypatch.setattr(pipe.unet, "forward", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("shape bug")))
    with pytest.raises(RuntimeError, match="shape bug"):
        run_diffusion(pipe, _kwargs(steps=1))


def test_latent_preview_maps_channels_to_colour():
    latents = torch.zeros(1, 4, 8, 8)
    latents[0, 3] = -1.0  # the SD 1.x VAE's fourth channel reads as blue-ish when negative
    rgb = np.asarray(latents_to_preview(latents))
    assert rgb.shape == (8, 8, 3) and rgb[..., 2].mean() > rgb[..., 0].mean()
