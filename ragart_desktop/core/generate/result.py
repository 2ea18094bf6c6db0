"""A finished generation of any kind: its outputs, their provenance, saved atomically, and its history.

Each kind subclasses ``GenerationResult`` with its output type, how one output is written with its
record (PNG chunk, MIDI meta event, front matter) and what its scores are; the record, the naming of
output files, the JSON the CLI prints and the history entry are shared.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Optional, Sequence

from ragart_desktop import __version__
from ragart_desktop.core.generate.references import Reference
from ragart_desktop.core.history import HistoryRecord


def output_targets(out: str | os.PathLike, seeds: Sequence[int], suffixes: Sequence[str]) -> list[Path]:
    """Where each output goes: ``out`` itself (one output, a file name with one of ``suffixes``),
    ``stem-1``, ``stem-2``… beside it (several), or timestamped files in the folder ``out``."""
    out = Path(out)
    if out.suffix.lower() in suffixes:
        if len(seeds) == 1:
            return [out]
        return [out.with_name(f"{out.stem}-{i + 1}{out.suffix}") for i in range(len(seeds))]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return [out / f"ragart-{stamp}-{seed}{suffixes[0]}" for seed in seeds]


@dataclass
class GeneratedOutput:
    seed: int
    path: Optional[Path] = field(default=None, kw_only=True)   # set once saved


@dataclass
class GenerationResult:
    """``request`` is the kind's frozen request (``to_json``, ``with_seed``)."""

    kind: ClassVar[str]                    # "image" | "music" | "text": the history record's kind
    suffixes: ClassVar[tuple[str, ...]]    # output file suffixes, the default first

    request: Any
    engine: str                      # "builtin" or the model name
    engine_name: str                 # what made it, in words
    references: list[Reference]
    outputs: list[Any] = field(default_factory=list)
    seconds: float = 0.0

    # ---- per kind -------------------------------------------------------------------------------
    def record_details(self, out: Any) -> dict[str, Any]:
        """The kind's part of an output's provenance record (scores, prompt used ...)."""
        return {}

    def output_details(self, out: Any) -> dict[str, Any]:
        """The kind's part of an output in the CLI's --json and the history."""
        return {}

    def write(self, out: Any, path: Path, record: dict[str, Any]) -> Path:
        """Write one output with its record embedded (atomically, with ``core.fileio.atomic_write``)."""
        raise NotImplementedError

    # ---- shared ---------------------------------------------------------------------------------
    def record(self, out: Any) -> dict[str, Any]:
        """The provenance of one output: enough to reproduce and trace it."""
        return {
            "app": f"RagArt Desktop {__version__}",
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "kind": self.kind,
            "request": self.request.with_seed(out.seed).to_json(),
            "seed": out.seed,
            "engine": self.engine,
            "engine_name": self.engine_name,
            "references": [r.to_json() for r in self.references],
            **self.record_details(out),
        }

    def output_json(self, out: Any) -> dict[str, Any]:
        """One output as the CLI's --json and the history store it."""
        return {"path": str(out.path) if out.path else None, "seed": out.seed,
                "references": [r.to_json() for r in self.references],
                **self.output_details(out)}

    def history_record(self) -> HistoryRecord:
        return HistoryRecord(kind=self.kind, request=self.request.to_json(),
                             outputs=[self.output_json(o) for o in self.outputs], engine=self.engine_name)

    def save(self, out: str | os.PathLike) -> list[Path]:
        """Write every output with its record: ``out`` is a file (stem for several) or a folder."""
        targets = output_targets(out, [o.seed for o in self.outputs], self.suffixes)
        for o, target in zip(self.outputs, targets):
            o.path = self.write(o, target, self.record(o))
        return [o.path for o in self.outputs]
