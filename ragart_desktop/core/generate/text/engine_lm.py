"""The language-model engine: a causal LM from the user's models folders writes the text.

The prompt holds the retrieved passages (strongest first, as many as fit the model's context
window beside the room kept for the new lines) and an instruction naming the form, the number of
lines and the theme; instruction-tuned models get it through their chat template. Tokens are
sampled with a KV cache (``sampling``), streamed to the caller through ``task.preview`` as the
text so far, and generation stops once the poem has its lines, at end-of-text, or at once on cancel.
"""
from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any, Optional, Sequence

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.generate.engine import Engine
from ragart_desktop.core.generate.text.forms import Form, poem_lines
from ragart_desktop.core.generate.text.inputs import TextInputs
from ragart_desktop.core.generate.text.passages import Passage
from ragart_desktop.core.generate.text.request import TextRequest
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library
    from ragart_desktop.core.models.registry import ModelRegistry

TOKENS_PER_LINE = {"en": 16, "zh": 16}
DEFAULT_CONTEXT = 2048
SYSTEM = "You are a poet. You write new lines in the voice of the passages you are shown, never copying them."
FORM_WORDS = {
    "free": "a free-verse poem",
    "quatrain": "a rhyming quatrain (ABAB)",
    "haiku": "a haiku (5, 7 and 5 syllables)",
    "wujue": "一首五言绝句（四句，每句五字，二、四句押韵）",
    "qijue": "一首七言绝句（四句，每句七字，二、四句押韵）",
}


def instruction(form: Form, lines: int, theme: str) -> str:
    about = f" about: {theme.strip()}" if theme.strip() else ""
    return f"Write {FORM_WORDS[form.name]} of {lines} lines{about}. Only the poem, one line per line."


def readable(text: str) -> str:
    """Decoded text without control characters (line breaks kept) and without a last character
    still half-way through its bytes."""
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc").rstrip("\ufffd")


def context_window(model: Any, tokenizer: Any) -> int:
    config = model.config
    for name in ("max_position_embeddings", "n_positions", "seq_length"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    limit = getattr(tokenizer, "model_max_length", None)
    return limit if isinstance(limit, int) and 0 < limit < 10**6 else DEFAULT_CONTEXT


class LanguageModelEngine(Engine):
    def __init__(self, name: str, library: Optional["Library"], registry: "ModelRegistry"):
        self.engine_id = name
        self.entry = registry.get(name)
        if self.entry.task != "text-generation":
            raise ModelError(f"{name} generates {self.entry.task.replace('-generation', '')}, not text.",
                             path=self.entry.path)
        self.settings = registry.settings

    def describe(self, request: TextRequest) -> str:
        return f"Language model '{self.entry.name}' ({self.entry.variant or self.entry.family})"

    def _model(self):
        from ragart_desktop.core.models.loaders import language_model

        lm = language_model(self.entry, self.settings)
        if lm.tokenizer is None:
            raise ModelError(f"{self.entry.name} has no text tokenizer.", path=self.entry.path)
        return lm

    def prompt_ids(self, tokenizer: Any, inputs: TextInputs, budget: int) -> tuple[list[int], list[Passage]]:
        """The prompt's token ids within ``budget`` tokens, and the passages it holds (strongest
        first; a passage that does not fit is left out whole)."""
        ask = instruction(inputs.form, inputs.lines, inputs.request.prompt)
        used: list[Passage] = []
        ids = self._encode(tokenizer, [], ask)
        for p in inputs.passages:
            candidate = self._encode(tokenizer, used + [p], ask)
            if len(candidate) <= budget:
                used, ids = used + [p], candidate
        return ids[-budget:], used

    @staticmethod
    def _encode(tokenizer: Any, passages: Sequence[Passage], ask: str) -> list[int]:
        context = "\n\n".join(p.text for p in passages)
        if getattr(tokenizer, "chat_template", None):
            user = (f"Passages from my notebooks:\n\n{context}\n\n{ask}" if context else ask)
            messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
            ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
            return list(ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids)
        text = (f"Passages from my notebooks:\n\n{context}\n\n" if context else "") + f"{ask}\n\n"
        return tokenizer(text)["input_ids"]

    def run(self, inputs: TextInputs, seed: int, task: Task, use_cache: bool = True) -> str:
        from ragart_desktop.core.generate.text.sampling import sample
        from ragart_desktop.core.models.failures import running_errors

        lm = self._model()
        tokenizer, req = lm.tokenizer, inputs.request
        window = context_window(lm.model, tokenizer)
        max_new = min(TOKENS_PER_LINE[inputs.language] * inputs.lines, window // 2)
        prompt, _ = self.prompt_ids(tokenizer, inputs, window - max_new)
        eos = tokenizer.eos_token_id
        new: list[int] = []

        def on_token(token: int) -> bool:
            new.append(token)
            text = readable(tokenizer.decode(new, skip_special_tokens=True))
            task.progress(len(new), max_new, f"token {len(new)}/{max_new}")
            task.preview(text)
            done_lines = len(poem_lines(text.rsplit("\n", 1)[0])) if "\n" in text else 0
            return token == eos or done_lines >= inputs.lines

        with running_errors("writing text", self.entry.path):
            sample(lm.model, prompt, max_new, temperature=req.temperature, top_p=req.top_p, seed=seed,
                   task=task, on_token=on_token, use_cache=use_cache)
        text = readable(tokenizer.decode(new, skip_special_tokens=True))
        return "\n".join(poem_lines(text)[:inputs.lines])
