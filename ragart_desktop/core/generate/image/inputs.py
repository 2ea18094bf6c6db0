"""What the image pipeline hands an engine: the request with everything it refers to, loaded."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from PIL import Image

from ragart_desktop.core.generate.image.prompt import FusedPrompt
from ragart_desktop.core.generate.image.references import Reference
from ragart_desktop.core.generate.image.request import GenerationRequest


@dataclass(frozen=True)
class ImageInputs:
    request: GenerationRequest
    prompt: FusedPrompt                    # the prompt with the references' words folded in
    references: Sequence[Reference]
    canvas: Optional[Image.Image] = None   # at the requested size (refine, fill, restyle)
    mask: Optional[np.ndarray] = None      # bool, True = fill (fill)
