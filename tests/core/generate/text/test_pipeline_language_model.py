"""The text pipeline with a causal language model from the models folder: a tiny random GPT-2 in the
real transformers on-disk format (safetensors + BPE tokenizer), found by the registry and loaded
offline through the same code path users hit."""
from __future__ import annotations

import shutil

import pytest

from ragart_desktop.core.errors import Cancelled
from ragart_desktop.core.generate.text.forms import FORMS, poem_lines
from ragart_desktop.core.generate.text.inputs import TextInputs
from ragart_desktop.core.generate.text.passages import Passage
from ragart_desktop.core.generate.text.pipeline import generate
from ragart_desktop.core.generate.text.request import TextRequest
from ragart_desktop.core.models.loaders import release
from ragart_desktop.core.progress import Task
from tests.fixtures import tiny_models

MODEL = "tiny-gpt2"


@pytest.fixture(scope="module")
def lm_folder(tmp_path_factory):
    return tiny_models.make_causal_lm_folder(tmp_path_factory.mktemp("models") / MODEL)


@pytest.fixture
def lm_lib(lib, home, lm_folder):
    shutil.copytree(lm_folder, home.models_dir / MODEL)
    yield lib
    release()


def test_tokens_stream_into_the_preview_and_the_text_is_recorded_with_its_model(lm_lib):
    previews: list[str] = []
    req = TextRequest(prompt="the moon over the sea", engine=MODEL, lines=2, temperature=1.0, seed=3)
    result = generate(req, lm_lib, Task(on_preview=previews.append))
    out = result.outputs[0]
    assert result.engine == MODEL and MODEL in result.engine_name
    assert len(previews) >= 2 and all(b.startswith(a) for a, b in zip(previews, previews[1:]))   # it grew
    assert poem_lines(out.text) == poem_lines(previews[-1])[:2]
    assert "form" in out.evaluation.scores and out.evaluation.copy.longest >= 0
    assert generate(req, lm_lib).outputs[0].text == out.text            # seeded: the same text again


def test_cancel_stops_at_once_at_the_next_token(lm_lib):
    seen: list[str] = []
    task = Task()

    def on_preview(text: str) -> None:
        seen.append(text)
        if len(seen) == 3:
            task.cancel()

    task._on_preview = on_preview
    with pytest.raises(Cancelled):
        generate(TextRequest(prompt="the moon", engine=MODEL, lines=8), lm_lib, task)
    assert len(seen) == 3


def test_the_kv_cache_gives_the_same_tokens_as_recomputing_the_whole_sequence(lm_folder):
    from ragart_desktop.core.generate.text.sampling import sample
    from ragart_desktop.core.models.loaders import load_causal_lm, plan_for
    from ragart_desktop.core.models.recognise import inspect_path

    entry = inspect_path(lm_folder)
    lm = load_causal_lm(entry, plan_for(entry, device="cpu"))
    prompt = lm.tokenizer("the quiet river")["input_ids"]
    kw = dict(temperature=0.7, top_p=0.9, seed=11, task=Task())
    cached = sample(lm.model, prompt, 20, use_cache=True, **kw)
    assert cached == sample(lm.model, prompt, 20, use_cache=False, **kw)
    assert len(cached) == 20 and cached != sample(lm.model, prompt, 20, **dict(kw, seed=12))


def test_the_prompt_holds_the_strongest_passages_that_fit_the_context_window(lm_lib, home):
    from ragart_desktop.core.generate.engine import model_registry
    from ragart_desktop.core.generate.text.engine_lm import LanguageModelEngine, instruction

    engine = LanguageModelEngine(MODEL, lm_lib, model_registry(lm_lib))
    tokenizer = engine._model().tokenizer
    passages = [Passage("the moon over the sea", "a.txt", 1, 1), Passage("a quiet river of ink " * 12, "b.txt", 2, 1),
                Passage("notes on a blue evening", "c.txt", 3, 1)]
    inputs = TextInputs(TextRequest(prompt="moon"), FORMS["free"], "en", 2, passages)
    ask = instruction(inputs.form, 2, "moon")
    budget = len(engine._encode(tokenizer, [passages[0], passages[2]], ask))
    ids, used = engine.prompt_ids(tokenizer, inputs, budget)
    assert len(ids) <= budget and [p.path for p in used] == ["a.txt", "c.txt"]   # the long one did not fit
    assert "the moon over the sea" in tokenizer.decode(ids)
