"""From the Text tab's controls to a finished, recorded text generation job (runs on the model worker)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ragart_desktop.core.history import HistoryRecord, HistoryStore
from ragart_desktop.core.home import Home
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.generate.text.request import TextRequest


@dataclass
class TextJobResult:
    record: HistoryRecord                 # what history stores (outputs with text, scores, copy, warnings)
    provenance: list[dict[str, Any]]      # each output's full record, for an export of it
    passages: list[dict[str, Any]]        # the passages it was written from (id, path, line, weight, text)


def text_engines(home: Home, settings: Any) -> list[tuple[str, str]]:
    """(label, engine id): the built-in engine, then the text language models in the models folders."""
    from ragart_desktop.core.models.registry import ModelRegistry

    engines = [("Built-in recombination (no model needed)", "builtin")]
    for entry in ModelRegistry(home, settings).of_kind("causal-lm"):
        if entry.loadable and entry.task == "text-generation":
            engines.append((f"{entry.name} ({entry.variant or 'language model'})", entry.name))
    return engines


def text_job(request: "TextRequest", home: Home, library: Callable[[], Any],
             history: HistoryStore) -> Callable[[Task], TextJobResult]:
    """The model worker's job for one press of Write: run the pipeline (the text streams through
    ``task.preview``), save each output with its provenance, record the job in history."""

    def run(task: Task) -> TextJobResult:
        from ragart_desktop.core.generate.text.pipeline import generate

        result = generate(request, library=library(), task=task)
        result.save(home.outputs_dir / "text")
        record = result.history_record()
        history.append(record)
        return TextJobResult(record, [result.record(o) for o in result.outputs],
                             [p.to_json() for p in result.passages])

    return run
