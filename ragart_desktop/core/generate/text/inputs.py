"""What the text pipeline hands an engine: the request, its form and language, and the passages."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ragart_desktop.core.generate.text.forms import Form
from ragart_desktop.core.generate.text.passages import Passage
from ragart_desktop.core.generate.text.request import TextRequest


@dataclass(frozen=True)
class TextInputs:
    request: TextRequest
    form: Form
    language: str                   # en | zh
    lines: int                      # how many lines to write
    passages: Sequence[Passage]     # chosen for the theme, strongest first
