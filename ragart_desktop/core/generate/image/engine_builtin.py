"""The built-in engines (no weights) behind the image pipeline: one per mode."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.generate.engine import Engine
from ragart_desktop.core.generate.image.inputs import ImageInputs
from ragart_desktop.core.generate.image.references import pictures
from ragart_desktop.core.generate.image.request import GenerationRequest
from ragart_desktop.core.progress import Task

MODE_ENGINE = {"txt2img": "patch_synthesis", "refine": "patch_synthesis",
               "restyle": "palette_transfer", "fill": "exemplar_inpaint"}


def _array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0


def _to_image(array: np.ndarray) -> Image.Image:
    return Image.fromarray((np.clip(array, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))


DEFAULT_SIZE = 512   # text-to-image without a size (the other modes take the canvas's)


class BuiltinEngine(Engine):
    count_tokens = None   # the built-in engines do not read the prompt's tokens

    def defaults(self, req: GenerationRequest) -> dict:
        return {"width": DEFAULT_SIZE, "height": DEFAULT_SIZE}   # no steps or guidance: not used

    def describe(self, req: GenerationRequest) -> str:
        from ragart_desktop.core.generate.image.builtin import ENGINE_NAMES

        name = ENGINE_NAMES[MODE_ENGINE[req.mode]]
        return f"{name} from references" if req.mode == "txt2img" else name

    def run(self, inputs: ImageInputs, seed: int, task: Task) -> Image.Image:
        from ragart_desktop.core.generate.image import builtin

        req, canvas, mask = inputs.request, inputs.canvas, inputs.mask
        refs = pictures(inputs.references)
        if not refs and req.mode != "fill":
            lent = [Path(r.path).name for r in inputs.references if r.words_only]
            why = f" ({', '.join(lent)} lend only their words)" if lent else ""
            raise UsageError(f"the built-in engines paint from reference pictures, and none were found{why}.",
                             hint="Pin a picture, let the library retrieve some, or use a prompt that matches it.")
        # Long sides above 1024 px are synthesised at 1024 and scaled: the engines are O(pixels).
        images = [_array(_limit(r.image, 1024)) for r in refs]
        weights = [r.weight for r in refs]
        size = (req.width, req.height)
        if req.mode == "txt2img":
            out = builtin.patch_synthesis(None, images, seed=seed, size=size, weights=weights, task=task)
        elif req.mode == "refine":
            out = builtin.patch_synthesis(_array(canvas), images, req.strength, seed, weights=weights, task=task)
        elif req.mode == "restyle":
            out = builtin.palette_transfer(_array(canvas), images, req.strength, seed, weights=weights, task=task)
        else:
            out = builtin.exemplar_inpaint(_array(canvas), mask, images, seed, weights=weights, task=task)
        image = _to_image(out)
        return image if image.size == size else image.resize(size, Image.LANCZOS)


def _limit(image: Image.Image, side: int) -> Image.Image:
    if max(image.size) <= side:
        return image
    scale = side / max(image.size)
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.LANCZOS)
