"""Writing with the library: one TextRequest in, texts with provenance out.

1. Understand the request: validate; the language (from the prompt unless given) and the form.
2. Retrieve passages: pinned notes first, then text items found by hybrid search for the theme;
   each cut into passages, and the ones that fit the theme chosen, diverse, with their source.
3. Generate each seed with the chosen engine (built-in recombination, or a language model), the
   text streaming to ``task.preview``; cancel between lines (built-in) or tokens (model).
4. Evaluate each text: closeness to the theme, form adherence, the copy guard.
5. Record: the provenance each exported file carries (front matter or sidecar) and the history.
Nothing is written unless the whole job finishes: a cancelled job leaves no output.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.generate.engine import Engine, make_engine
from ragart_desktop.core.generate.references import Reference, gather_references
from ragart_desktop.core.generate.result import GeneratedOutput
from ragart_desktop.core.generate.result import GenerationResult as _Result
from ragart_desktop.core.generate.text.evaluate import TextEvaluation, evaluate_all
from ragart_desktop.core.generate.text.forms import LANGUAGE_NAMES, form_for
from ragart_desktop.core.generate.text.inputs import TextInputs
from ragart_desktop.core.generate.text.passages import Passage, TextReference, choose_passages, load_passages
from ragart_desktop.core.generate.text.provenance import SUFFIXES, save_text
from ragart_desktop.core.generate.text.request import TextRequest
from ragart_desktop.core.generate.text.script import detect_language
from ragart_desktop.core.progress import Task, ensure_task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

ITEMS_PER_PASSAGE = 0.5     # text items retrieved per wanted passage (each gives several passages)


@dataclass
class GeneratedText(GeneratedOutput):
    text: str
    evaluation: TextEvaluation


@dataclass
class TextResult(_Result):
    kind = "text"
    suffixes = SUFFIXES

    passages: list[Passage] = field(default_factory=list)
    language: str = "en"

    def record_details(self, out: GeneratedText) -> dict[str, Any]:
        return {"language": self.language, "passages": [p.to_json() for p in self.passages],
                **out.evaluation.to_json()}

    def output_details(self, out: GeneratedText) -> dict[str, Any]:
        copy = out.evaluation.copy
        return {"text": out.text, "scores": out.evaluation.scores,
                "copy": {"longest": copy.longest, "source_id": copy.source_id, "source_path": copy.source_path},
                "warnings": out.evaluation.warnings}

    def write(self, out: GeneratedText, path: Path, record: dict[str, Any]) -> Path:
        return save_text(out.text, path, record)


def _builtin() -> Engine:
    from ragart_desktop.core.generate.text.engine_builtin import RecombinationEngine

    return RecombinationEngine()


def _language_model(name: str, library: Optional["Library"], registry) -> Engine:
    from ragart_desktop.core.generate.text.engine_lm import LanguageModelEngine

    return LanguageModelEngine(name, library, registry)


def retrieve_passages(req: TextRequest, library: Optional["Library"], task: Task) -> tuple[list[TextReference], list[Passage]]:
    """Pinned notes, then text items retrieved for the theme; their passages in the request's
    language that fit it best."""
    from ragart_desktop.core.retrieval.query import Query

    if req.retrieve and (library is None or library.count("text") == 0):
        raise UsageError("the library holds no text items to retrieve passages from.",
                         hint="Import some notes (.txt, .md), pin a file with --ref, or use --no-retrieve.")
    query = Query(text=req.prompt, kinds=("text",)) if req.retrieve and req.prompt.strip() else None
    n_items = len(req.references) + max(2, round(req.n_passages * ITEMS_PER_PASSAGE))
    refs = gather_references(req.references, library, query, n_items, load_passages, task)
    language = req.resolved_language
    for ref in refs:   # a passage in another script gives the form nothing to work with
        ref.passages = [p for p in ref.passages if detect_language(p.text) == language]
    embedder = library.words_embedder if library is not None else None
    return refs, choose_passages(req.prompt, refs, req.n_passages, embedder)


def used_references(refs: list[TextReference], passages: list[Passage]) -> list[Reference]:
    """The notes whose passages were chosen, weighted by the summed weight of those passages."""
    out = []
    for ref in refs:
        weight = sum(p.weight for p in passages if p.path == ref.path)
        if any(p.path == ref.path for p in passages):
            out.append(Reference(ref.path, round(weight, 4), ref.item_id, ref.source, ref.why, ref.terms))
    return out


def generate(req: TextRequest, library: Optional["Library"] = None, task: Optional[Task] = None) -> TextResult:
    """Run the whole pipeline (a language model is loaded once and cached)."""
    task = ensure_task(task)
    started = time.perf_counter()
    # 1. Understand the request.
    req.validate()
    language = req.resolved_language
    form = form_for(req.form, language)
    task.progress(0, 1, "Finding passages")
    # 2. Retrieve passages.
    refs, passages = retrieve_passages(req, library, task)
    task.check()
    engine = make_engine(req.engine, library, _builtin, {"causal-lm": _language_model}, "text generation")
    if not passages and req.engine == "builtin":
        raise UsageError(f"no {LANGUAGE_NAMES[language]} passages were found for the built-in engine to recombine.",
                         hint="Pin a note with --ref, or import notes on this theme.")
    inputs = TextInputs(req, form, language, req.line_count, passages)
    result = TextResult(req, engine.engine_id, engine.describe(req), used_references(refs, passages),
                        passages=passages, language=language)
    # 3. Generate.
    texts = []
    for i in range(req.count):
        seed = req.seed + i
        texts.append((seed, engine.run(inputs, seed, task.part(i, req.count))))
        task.check()
    # 4. Evaluate.
    task.progress(1, 1, "Scoring texts")
    evaluations = evaluate_all([t for _, t in texts], req.prompt, form, language, inputs.lines, refs, library)
    for (seed, text), evaluation in zip(texts, evaluations):
        result.outputs.append(GeneratedText(seed, text=text, evaluation=evaluation))
    result.seconds = time.perf_counter() - started
    return result
