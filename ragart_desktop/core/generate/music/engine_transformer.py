"""The transformer music engine: a causal MIDI language model from the models folders, in whichever
of the two vocabularies it declares.

The vocabulary is declared by the model, never guessed (``declared_vocabulary``):
- ``remi``: a MidiTok REMI tokenizer saved beside the weights (``tokenizer.json``), which is how
  the models RagArt trains on the user's library come (``core/train``): bars, positions, programs,
  pitches, velocities, durations, tempo and meter (``remi_vocab``, sampled by ``remi_sampler``);
- ``amt``: the Anticipatory Music Transformer's 55,028-token arrival-time vocabulary, recognised
  by its size and the absence of a tokenizer file (``amt_vocab``, sampled by ``amt_sampler``).
Anything else (another MidiTok tokenization, a text tokenizer) is refused with a plain message.

Both share the request's contract and the machinery here. A ``Window`` says, in beats, what the
model hears first (the fused references, already in the target key, then the theme of a
variation and the input before the window), which given notes it hears at their time inside the
window (the melody an accompaniment follows), where new notes go, on which tracks, in which key
and range. A ``Stepper`` feeds the model token by token with a KV cache and samples every token
under a mask on the logits *before* sampling, never a filter after: onsets on the 1/12-beat grid
inside the window, durations that end inside it (exact length), only the target tracks'
instruments, only pitches in their range and (key lock) in the key. ``_score`` places the
sampled notes into the result.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.generate.engine import Engine
from ragart_desktop.core.generate.music import amt_vocab, remi_vocab
from ragart_desktop.core.generate.music.plan import MusicInputs, Target
from ragart_desktop.core.generate.music.request import MusicRequest
from ragart_desktop.core.music.score import EPS, Note, Score, Track
from ragart_desktop.core.music.theory import Key
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library
    from ragart_desktop.core.models.registry import ModelRegistry

GRID = 12                   # onsets per beat
CONTEXT_SHARE = 0.5         # at most this share of the context for references
MAX_NOTES_PER_BEAT = 8      # per target track: a runaway model stops here


class AmtVocabulary:
    """The declaration of an Anticipatory Music Transformer model (its layout is ``amt_vocab``)."""

    title = "Anticipatory Music Transformer vocabulary"


Vocabulary = Union[AmtVocabulary, remi_vocab.RemiVocabulary]


def declared_vocabulary(folder: Path) -> Vocabulary:
    """The vocabulary a music model declares, or a ModelError saying why it has none RagArt reads."""
    if remi_vocab.is_midi_tokenizer(folder):
        return remi_vocab.load(folder)
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    if config.get("vocab_size") == amt_vocab.VOCAB_SIZE and not (folder / "tokenizer.json").is_file():
        return AmtVocabulary()
    raise ModelError("this is not a music model RagArt can run (no known MIDI vocabulary).", path=folder)


def context_length(config) -> int:
    """How many tokens the model attends to (GPT-2: n_positions; Llama: max_position_embeddings)."""
    return int(getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None) or 1024)


@dataclass
class Window:
    """What one generation asks of a MIDI language model, in beats (vocabulary-free)."""

    references: list[Score]     # heard first, most weighty first (fused into the target key)
    theme: Optional[Score]      # vary: heard after the references; the new take follows it
    given: Score                # the piece being written: notes before ``start`` open it, later ones are fed
    start: float                # new notes start in [start, end)
    end: float
    targets: list[Target]
    key: Key
    key_lock: bool

    @property
    def limit(self) -> int:
        return int(MAX_NOTES_PER_BEAT * max(1.0, self.end - self.start)) * max(1, len(self.targets))

    def pitches(self, target: Target) -> list[int]:
        """The pitches a target may get: its range, and the key under the key lock (not drums)."""
        return [p for p in range(target.low, target.high + 1)
                if target.is_drum or not self.key_lock or self.key.contains(p)]

    def opening(self) -> Score:
        """The given piece cut before the window (what the model hears of it before sampling)."""
        out = self.given.copy()
        for t in out.tracks:
            t.notes = [n for n in t.notes if n.start < self.start - EPS]
        return out

    def heard(self) -> list[tuple[Track, Note]]:
        """Given notes inside the window, in time order: fed to the model when sampling reaches them."""
        notes = [(t, n) for t in self.given.tracks for n in t.notes if n.start >= self.start - EPS]
        return sorted(notes, key=lambda tn: (tn[1].start, tn[1].pitch))


@dataclass(frozen=True)
class NewNote:
    target: Target
    note: Note


class Stepper:
    """A causal LM fed token by token: a KV cache (or, as the baseline, the whole sequence again for
    every token), and sampling under a mask with its own seeded generator."""

    def __init__(self, model, seed: int, temperature: float, use_cache: bool = True):
        import torch

        from ragart_desktop.core.generate.text.sampling import cache_argument

        self.model = model
        self.cache = cache_argument(model)
        self.context = context_length(model.config)
        self.temperature = max(temperature, 1e-3)
        self.use_cache = use_cache
        self.generator = torch.Generator().manual_seed(int(seed))
        self.device = next(model.parameters()).device
        self.size = int(model.config.vocab_size)
        self.sequence: list[int] = []
        self.tokens_sampled = 0
        self.past = None
        self.logits = None

    @property
    def room(self) -> int:
        """Tokens that still fit in the context."""
        return self.context - len(self.sequence)

    def mask(self, tokens):
        """A boolean mask over the model's logits, True at ``tokens``."""
        import torch

        mask = torch.zeros(self.size, dtype=torch.bool)
        mask[list(tokens)] = True
        return mask

    def reset(self, tokens: list[int]) -> None:
        """Start again from ``tokens`` (the cache is rebuilt)."""
        self.sequence = list(tokens)
        self.past = None
        self.logits = self._forward(self.sequence)

    def feed(self, tokens: list[int]) -> None:
        if tokens:
            self.sequence += tokens
            self.logits = self._forward(tokens)

    def draw(self, mask, events=()) -> int:
        """Sample one token under ``mask`` and feed it.

        ``events``: masks, each of the tokens that write one event (a pitched note, whichever
        instrument plays it; a drum hit). The model's whole probability of an event goes to those of
        its tokens that ``mask`` lets through, in their own proportions, so masking out the
        instruments the model would rather use never turns "a note here" into "the next onset" (left
        to renormalise, a model expecting an instrument of its other training pieces skips ahead,
        and the result comes out too sparse)."""
        import torch

        logits = self.logits.float().cpu() / self.temperature
        groups = [(event, event & mask) for event in events if bool((event & mask).any())]
        if groups:
            probs = torch.softmax(logits, dim=-1)
            for event, allowed in groups:
                probs[allowed] = torch.softmax(logits[allowed], dim=-1) * probs[event].sum()
            probs = probs.masked_fill(~mask, 0.0)
        else:
            probs = torch.softmax(logits.masked_fill(~mask, float("-inf")), dim=-1)
        token = int(torch.multinomial(probs, 1, generator=self.generator))
        self.tokens_sampled += 1
        self.feed([token])
        return token

    def _forward(self, tokens: list[int]):
        import torch

        with torch.inference_mode():
            if self.use_cache:
                ids = torch.tensor([tokens], device=self.device)
                result = self.model(input_ids=ids, use_cache=True, logits_to_keep=1, **{self.cache: self.past})
                self.past = result[self.cache]
            else:   # the baseline loop: the whole sequence again for every token (last logits only)
                ids = torch.tensor([self.sequence], device=self.device)
                result = self.model(input_ids=ids, use_cache=False, logits_to_keep=1)
        return result.logits[0, -1]


class TransformerEngine(Engine):
    def __init__(self, name: str, library: Optional["Library"], registry: "ModelRegistry"):
        self.entry = registry.get(name)
        if self.entry.task != "music-generation":
            raise ModelError(f"{name} is a {self.entry.task} model, not a music model.", path=self.entry.path)
        self.vocabulary = declared_vocabulary(Path(self.entry.path))
        self.settings = registry.settings
        self.engine_id = name

    def describe(self, request: MusicRequest) -> str:
        return f"MIDI language model '{self.entry.name}' ({self.vocabulary.title})"

    def run(self, inputs: MusicInputs, seed: int, task: Task) -> Score:
        from ragart_desktop.core.models.loaders import language_model

        lm = language_model(self.entry, self.settings)
        stepper = Stepper(lm.model, seed, inputs.request.temperature)
        window = window_of(inputs)
        if isinstance(self.vocabulary, AmtVocabulary):
            from ragart_desktop.core.generate.music.amt_sampler import sample_window
            notes = sample_window(stepper, window, task)
        else:
            from ragart_desktop.core.generate.music.remi_sampler import RemiSampler
            notes = RemiSampler(stepper, self.vocabulary, window).sample(task)
        return place(inputs, notes)


def window_of(inputs: MusicInputs) -> Window:
    plan, req = inputs.plan, inputs.request
    refs = [r.score for r in sorted(inputs.references, key=lambda r: -r.weight)]
    return Window(refs, plan.theme, plan.base, plan.start, plan.end, list(plan.targets), plan.key, req.key_lock)


def place(inputs: MusicInputs, notes: list[NewNote]) -> Score:
    """The result: the plan's base with the new notes on their target tracks (new tracks added for
    targets that have none), onsets on the grid, every note inside the window."""
    plan = inputs.plan
    out = plan.base.copy()
    tracks: dict[Target, Track] = {t: out.track(t.track_id) for t in plan.targets if t.track_id is not None}
    for new in notes:
        n = new.note
        start = max(plan.start, round(n.start * GRID) / GRID)
        end = min(plan.end, max(start + 1 / (2 * GRID), n.end))
        if start >= plan.end - EPS:
            continue
        track = tracks.get(new.target)
        if track is None:
            target = new.target
            track = tracks[target] = out.add_track(Track(target.name, target.program, target.is_drum))
        track.notes.append(Note(start, end, n.pitch, n.velocity))
    for track in tracks.values():
        track.sort()
    return out
