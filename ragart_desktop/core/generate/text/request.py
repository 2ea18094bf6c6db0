"""One frozen request holds everything that defines a text generation.

The UI builds it, the worker runs it, history and the exported file's provenance store it, the CLI
parses it: all through ``to_json``/``from_json``, so any output can be reproduced from its record.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.generate.references import ReferenceSpec
from ragart_desktop.core.generate.request import RequestJson
from ragart_desktop.core.generate.text.forms import FORMS, form_for
from ragart_desktop.core.generate.text.script import LANGUAGES, detect_language

REQUEST_VERSION = 1
MAX_LINES = 64


@dataclass(frozen=True)
class TextRequest(RequestJson):
    NESTED: ClassVar[dict[str, type]] = {"references": ReferenceSpec}

    prompt: str = ""                      # a theme or a first line
    form: str = "free"                    # free | quatrain | haiku | wujue | qijue
    lines: Optional[int] = None           # None: the form's own number of lines (free verse: 8)
    language: str = "auto"                # auto (from the prompt) | en | zh
    references: tuple[ReferenceSpec, ...] = ()
    retrieve: bool = True                 # also retrieve passages from the library
    n_passages: int = 12
    engine: str = "builtin"               # "builtin" or the name of a causal LM in the registry
    temperature: float = 0.9
    top_p: float = 0.95
    seed: int = 0
    count: int = 1
    version: int = field(default=REQUEST_VERSION)

    @property
    def resolved_language(self) -> str:
        """The language asked for, or the prompt's (Han characters: zh; otherwise en)."""
        return detect_language(self.prompt) if self.language == "auto" else self.language

    @property
    def line_count(self) -> int:
        return self.lines if self.lines is not None else FORMS[self.form].default_lines

    def validate(self) -> "TextRequest":
        """Raise a UsageError naming the bad value (never silently corrected)."""
        if self.language != "auto" and self.language not in LANGUAGES:
            raise UsageError(f"unknown language {self.language!r}; use auto, {', '.join(LANGUAGES)}.")
        form = form_for(self.form, self.resolved_language)   # unknown form / wrong language
        if self.lines is not None:
            form.check_line_count(self.lines)
        if not 1 <= self.count <= 64:
            raise UsageError(f"count {self.count} must be between 1 and 64.")
        if not 0.05 <= self.temperature <= 2.0:
            raise UsageError(f"temperature {self.temperature} must be between 0.05 and 2.")
        if not 0.0 < self.top_p <= 1.0:
            raise UsageError(f"top-p {self.top_p} must be above 0 and at most 1.")
        if not 1 <= self.n_passages <= 100:
            raise UsageError(f"passages {self.n_passages} must be between 1 and 100.")
        if not self.prompt.strip() and not self.references and not self.retrieve:
            raise UsageError("text generation needs a theme, a first line or pinned passages.")
        return self
