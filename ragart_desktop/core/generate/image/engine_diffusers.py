"""A diffusion model from the user's models folder behind the image pipeline.

Modes map onto diffusers pipelines that share one set of loaded weights:
- txt2img: text-to-image; with references and no IP-Adapter, it starts instead from a built-in
  composition of the references (image-to-image), so their palette and layout carry over;
- refine: image-to-image from the canvas (``strength``);
- fill: inpainting of the selection;
- restyle: the canvas recoloured with the references' palette (built-in), then image-to-image.
When the user has IP-Adapter weights of the model's family, the references also go in as image
prompts (``reference_strength`` is the adapter scale).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np
from PIL import Image

from ragart_desktop.core.generate.engine import Engine, model_registry
from ragart_desktop.core.generate.image.inputs import ImageInputs
from ragart_desktop.core.generate.image.references import Reference, pictures
from ragart_desktop.core.generate.image.request import GenerationRequest
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library
    from ragart_desktop.core.models.registry import ModelRegistry

log = logging.getLogger(__name__)

COMPOSITION_SIDE = 256   # the built-in composition that seeds txt2img is made small, then upscaled


class DiffusersEngine(Engine):
    def __init__(self, model_name: str, library: Optional["Library"], registry: Optional["ModelRegistry"] = None):
        self.registry = registry or model_registry(library)
        self.settings = self.registry.settings
        self.entry = self.registry.get(model_name)
        self.engine_id = self.entry.name
        self._model = None
        self._adapter_found = False   # the IP-Adapter lookup runs once per engine
        self._adapter = None

    @property
    def model(self):
        if self._model is None:
            from ragart_desktop.core.models.loaders import diffusion_model

            self._model = diffusion_model(self.entry, self.settings)
        return self._model

    def describe(self, req: GenerationRequest) -> str:
        return f"{self.entry.family} diffusion model '{self.entry.name}' ({req.mode})"

    def defaults(self, req: GenerationRequest) -> dict:
        """The model's own: steps and guidance of its family and variant, the size it was trained at."""
        from ragart_desktop.core.models.loaders import generation_defaults

        pipe = self.model.text2img
        return generation_defaults(self.entry, native_size=pipe.unet.config.sample_size * pipe.vae_scale_factor)

    def count_tokens(self, text: str) -> int:
        tokenizer = getattr(self.model.text2img, "tokenizer", None)
        if tokenizer is None:
            from ragart_desktop.core.generate.image.prompt import approx_token_count

            return approx_token_count(text)
        return len(tokenizer(text, truncation=False).input_ids) - 2

    def run(self, inputs: ImageInputs, seed: int, task: Task) -> Image.Image:
        import torch

        from ragart_desktop.core.models.run import run_diffusion

        req, fused, canvas, mask = inputs.request, inputs.prompt, inputs.canvas, inputs.mask
        refs = pictures(inputs.references)   # words-only references are in the prompt already
        size = _multiple_of_8(req.width, req.height)   # what the model can make; scaled back at the end
        if canvas is not None and canvas.size != size:
            canvas = canvas.resize(size, Image.LANCZOS)
            mask = np.asarray(Image.fromarray(mask).resize(size, Image.NEAREST)) if mask is not None else None
        kwargs: dict[str, Any] = {
            "prompt": fused.text, "negative_prompt": req.negative_prompt or None,
            "num_inference_steps": req.steps, "guidance_scale": req.guidance,
            "generator": torch.Generator("cpu").manual_seed(seed),
        }
        init = self._init_image(req, refs, canvas, seed, size)
        if req.mode == "fill":
            pipe = self.model.pipeline("inpaint")
            kwargs.update(image=canvas, mask_image=Image.fromarray((mask * 255).astype(np.uint8)),
                          width=size[0], height=size[1], strength=max(req.strength, 0.75))
        elif init is not None:
            pipe = self.model.pipeline("img2img")
            strength = req.strength if canvas is not None else 1.0 - 0.4 * req.reference_strength
            kwargs.update(image=init, strength=strength)
            kwargs["num_inference_steps"] = _steps_for_strength(req.steps, strength)
        else:
            pipe = self.model.pipeline("text2img")
            kwargs.update(width=size[0], height=size[1])
        self._apply_image_prompts(pipe, refs, req, kwargs)
        self._apply_loras(pipe, req)
        output = run_diffusion(pipe, kwargs, task, what=f"generating with {self.entry.name}")
        image = output.images[0].convert("RGB")
        return image if image.size == (req.width, req.height) else image.resize((req.width, req.height), Image.LANCZOS)

    def _init_image(self, req: GenerationRequest, refs: Sequence[Reference], canvas: Optional[Image.Image],
                    seed: int, size: tuple[int, int]) -> Optional[Image.Image]:
        from ragart_desktop.core.generate.image import builtin
        from ragart_desktop.core.generate.image.engine_builtin import _array, _to_image

        if req.mode == "refine":
            return canvas
        if req.mode == "restyle":
            if not refs:
                return canvas
            recoloured = builtin.palette_transfer(_array(canvas), [_array(r.image) for r in refs],
                                                  req.reference_strength, seed, weights=[r.weight for r in refs])
            return _to_image(recoloured)
        if req.mode == "txt2img" and refs and req.reference_strength > 0 and not self._ip_adapter():
            w, h = size
            scale = COMPOSITION_SIDE / max(w, h)
            small = (max(8, round(w * scale)), max(8, round(h * scale)))
            comp = builtin.patch_synthesis(None, [_array(r.image) for r in refs], seed=seed, size=small,
                                           weights=[r.weight for r in refs])
            return _to_image(comp).resize((w, h), Image.BICUBIC)
        return None

    def _apply_loras(self, pipe, req: GenerationRequest) -> None:
        """Load the requested LoRAs once (the pipelines share their weights) and set their scales;
        a request without LoRAs runs with every loaded one switched off."""
        loaded = set(pipe.get_list_adapters().get("unet", [])) if hasattr(pipe, "get_list_adapters") else set()
        if not req.loras:
            if loaded:
                pipe.disable_lora()
            return
        names = []
        for spec in req.loras:
            entry = self.registry.get(spec.name)
            if entry.kind != "lora":
                from ragart_desktop.core.errors import ModelError

                raise ModelError(f"{spec.name} is not a LoRA (it is: {entry.kind}).", path=entry.path)
            adapter = _adapter_name(entry.path)
            if adapter not in loaded:
                from pathlib import Path

                from ragart_desktop.core.models.failures import loading_errors

                weights = Path(entry.path)
                with loading_errors(weights):
                    pipe.load_lora_weights(str(weights.parent), weight_name=weights.name, adapter_name=adapter,
                                           local_files_only=True)
            names.append(adapter)
        pipe.enable_lora()
        pipe.set_adapters(names, adapter_weights=[spec.scale for spec in req.loras])

    def _ip_adapter(self):
        """The user's IP-Adapter that fits this model (same cross-attention width), if any."""
        from ragart_desktop.core.models.safetensors_header import read_safetensors_header

        if not self._adapter_found:
            self._adapter_found = True
            width = self.model.text2img.unet.config.cross_attention_dim
            for e in self.registry.of_kind("ip-adapter"):
                header = read_safetensors_header(e.path)
                dims = [header.shape(k)[-1] for k in header.tensors if k.endswith("to_k_ip.weight")]
                if dims and dims[0] == width:
                    self._adapter = e
                    break
        return self._adapter

    def _apply_image_prompts(self, pipe, refs: Sequence[Reference], req: GenerationRequest,
                             kwargs: dict[str, Any]) -> None:
        adapter = self._ip_adapter() if refs else None
        loaded = _has_ip_processors(pipe.unet)
        if adapter is None:
            if loaded:   # the pipelines share one UNet: take a previous job's adapter out
                pipe.unload_ip_adapter()
            return
        if not loaded or getattr(pipe, "_ragart_ip_adapter", None) != adapter.path:
            from pathlib import Path

            from ragart_desktop.core.models.failures import loading_errors
            from ragart_desktop.core.models.loaders import load_image_encoder

            weights = Path(adapter.path)
            if getattr(pipe, "image_encoder", None) is None:   # ours: safetensors only unless trusted
                pipe.register_modules(image_encoder=load_image_encoder(adapter, pipe.device, pipe.dtype))
            with loading_errors(weights):
                pipe.load_ip_adapter(str(weights.parent), subfolder="", weight_name=weights.name,
                                     image_encoder_folder=adapter.image_encoder, local_files_only=True)
            pipe._ragart_ip_adapter = adapter.path
        pipe.set_ip_adapter_scale(req.reference_strength)
        ranked = sorted(refs, key=lambda r: -r.weight)[:4]
        kwargs["ip_adapter_image"] = [[r.image for r in ranked]]   # one adapter, several images


def _adapter_name(path: str) -> str:
    """A stable adapter name per LoRA file (PEFT names may not contain dots)."""
    import hashlib

    return "lora_" + hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def _has_ip_processors(unet) -> bool:
    return any("IPAdapter" in type(p).__name__ for p in unet.attn_processors.values())


def _multiple_of_8(width: int, height: int) -> tuple[int, int]:
    """The size a diffusion model makes (latents are an eighth of it), at least the one asked for."""
    return -(-width // 8) * 8, -(-height // 8) * 8


def _steps_for_strength(steps: int, strength: float) -> int:
    """img2img runs ``int(steps * strength)`` steps: ask for enough that at least one runs."""
    return max(steps, int(np.ceil(1.0 / max(strength, 1e-3))))
