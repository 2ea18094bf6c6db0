"""Models the user brings: find them, check them, load them offline, run them as cancellable jobs.

Importing this package is cheap (no torch); the heavy libraries load inside the functions.

Find (``registry``, ``recognise``)::

    registry = ModelRegistry(home, settings)        # roots: repo models/, <home>/models, settings.model_paths
    registry.entries() -> list[ModelEntry]          # name, family, task, kind, format, size, dtype, path,
                                                    # loadable, reason, variant, config, image_encoder
    registry.of_kind("diffusion") / registry.get("name or path") -> ModelEntry (ModelError if unknown)
    inspect_path(path, trusted=()) -> ModelEntry | None   # one file or folder

Load (``loaders``, ``device``)::

    model = diffusion_model(entry, settings)        # cached: one model per kind, reused across jobs
    pipe = model.pipeline("text2img" | "img2img" | "inpaint")   # img2img/inpaint share the weights
    model.plan -> DevicePlan(device, dtype, memory_mode, free_bytes); model.set_memory_mode("low")
    generation_defaults(entry) -> {"steps", "guidance", "width", "height"}   # turbo/LCM aware
    language_model(entry, settings) -> LanguageModel(model, tokenizer | None, ...)
    release(kind=None)                              # free the cached model(s)

Run (``run``)::

    output = run_diffusion(pipe, {"prompt": ..., "num_inference_steps": ...}, task)
    # task.progress(step, total) per step; task.cancel() -> Cancelled between steps (result discarded);
    # task.preview(PIL image) per step when task.wants_previews (cheap latent -> RGB approximation).

Failures are ``ModelError`` (naming the file: pickle refused, truncated, unsupported) and
``OutOfMemoryError`` (with a hint: smaller size, memory mode 'low', CPU).
"""
from ragart_desktop.core.models.recognise import ModelEntry, inspect_path
from ragart_desktop.core.models.registry import ModelRegistry, model_roots, scan

__all__ = ["ModelEntry", "ModelRegistry", "inspect_path", "model_roots", "scan"]
