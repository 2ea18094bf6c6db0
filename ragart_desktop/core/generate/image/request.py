"""One frozen request holds everything that defines an image generation.

The UI builds it, the worker runs it, history and the PNG metadata store it, the CLI parses it: all
through ``to_json``/``from_json``, so any output can be reproduced from its own file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.generate.references import ReferenceSpec
from ragart_desktop.core.generate.request import RequestJson

MODES = ("txt2img", "refine", "fill", "restyle")
__all__ = ["GenerationRequest", "LoraSpec", "ReferenceSpec", "MODES"]
REQUEST_VERSION = 1


@dataclass(frozen=True)
class LoraSpec:
    """A LoRA from the models folders (by registry name) and how strongly it applies."""

    name: str
    scale: float = 0.8


@dataclass(frozen=True)
class GenerationRequest(RequestJson):
    NESTED: ClassVar[dict[str, type]] = {"references": ReferenceSpec, "loras": LoraSpec}

    prompt: str = ""
    mode: str = "txt2img"
    negative_prompt: str = ""
    canvas: Optional[str] = None          # PNG path of the canvas (refine, fill, restyle)
    mask: Optional[str] = None            # PNG path of the selection mask (fill): white = fill
    references: tuple[ReferenceSpec, ...] = ()
    retrieve: bool = True                 # also retrieve references from the library
    n_references: int = 4
    engine: str = "builtin"               # "builtin" or the name of a model in the registry
    loras: tuple[LoraSpec, ...] = ()      # style adapters for a diffusion model
    strength: float = 0.6                 # how far the result may move from the canvas
    reference_strength: float = 0.6       # how strongly references steer (IP-Adapter scale, blends)
    seed: int = 0
    # None = not set by the user: the pipeline fills in the canvas's size (refine, fill, restyle)
    # and the engine's defaults (a model's own steps, guidance and size), and records the values used.
    steps: Optional[int] = None
    guidance: Optional[float] = None
    width: Optional[int] = None
    height: Optional[int] = None
    count: int = 1
    version: int = field(default=REQUEST_VERSION)

    def validate(self) -> "GenerationRequest":
        """Raise a UsageError naming the bad value (never silently corrected)."""
        if self.mode not in MODES:
            raise UsageError(f"unknown mode {self.mode!r}; use one of {', '.join(MODES)}.")
        if self.mode != "txt2img" and not self.canvas:
            raise UsageError(f"mode {self.mode!r} needs a canvas image.")
        if self.mode == "fill" and not self.mask:
            raise UsageError("mode 'fill' needs a mask (the selection to fill).")
        for side in (self.width, self.height):
            if side is not None and not 64 <= side <= 4096:
                raise UsageError(f"size {self.width}x{self.height} is out of range (64..4096 per side).")
        if not 0.0 <= self.strength <= 1.0:
            raise UsageError(f"strength {self.strength} must be between 0 and 1.")
        if not 0.0 <= self.reference_strength <= 1.0:
            raise UsageError(f"reference strength {self.reference_strength} must be between 0 and 1.")
        if not 1 <= self.count <= 64:
            raise UsageError(f"count {self.count} must be between 1 and 64.")
        if self.steps is not None and not 1 <= self.steps <= 500:
            raise UsageError(f"steps {self.steps} must be between 1 and 500.")
        if self.loras and self.engine == "builtin":
            raise UsageError("LoRAs need a diffusion model: choose one as the engine.")
        for lora in self.loras:
            if not -2.0 <= lora.scale <= 2.0:
                raise UsageError(f"LoRA {lora.name!r}: scale {lora.scale} must be between -2 and 2.")
        if self.mode == "txt2img" and not self.prompt.strip() and not self.references and not self.retrieve:
            raise UsageError("text-to-image needs a prompt or references.")
        return self
