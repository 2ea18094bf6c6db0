"""Learn my style: a small music transformer trained on the user's own MIDI library, on their machine.

One job with progress, cancel and resume:

1. Corpus: the library's MIDI items (a tag or folder filter), split by piece, tokenised with REMI,
   training pieces in all twelve keys (``corpus``).
2. Baseline: the built-in engine's model family (variable-order Markov) fitted to the same training
   tokens; its cross-entropy on the validation tokens is the figure to beat (``baseline``).
3. Model: a decoder-only transformer (Llama architecture: rotary positions, so the sampler's
   sliding context keeps working) sized to the corpus, or the one in the checkpoint of an
   interrupted run on the same data and settings.
4. Train with AdamW on random windows of the training streams, on CPU threads (cores - 1, so the
   UI stays responsive) or the GPU. Cancel is checked between micro-batches (one window each) and
   before every decoder layer's forward pass, so a cancel waits at most for one layer or one
   window's backward pass. Every ``eval_every`` steps the validation loss is measured: a better one keeps its
   weights; a worse one halves the learning rate; ``patience`` worse ones in a row stop the run
   (early stopping). The time budget and an epoch cap stop it too. A checkpoint (weights, best
   weights, optimiser, random states, curves) is written at every evaluation, at least every minute
   and on cancel, so an interrupted run resumes exactly where it was.
5. Save the best weights as an ordinary model in the models folder (``store``), with the tokenizer
   and a card saying which library items it learned from, when and for how long.

Progress: ``task.progress`` carries a one-line summary; ``task.preview`` carries a
``TrainingProgress`` (both loss curves in full, the baseline, the ETA) for a live plot.
"""
from __future__ import annotations

import datetime
import logging
import math
import os
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional

import numpy as np

from ragart_desktop.core.errors import Cancelled, UsageError
from ragart_desktop.core.generate.music import remi_vocab
from ragart_desktop.core.library.lock import ImportLock
from ragart_desktop.core.progress import Task, ensure_task
from ragart_desktop.core.train import store
from ragart_desktop.core.train.baseline import MarkovBaseline
from ragart_desktop.core.train.corpus import Corpus, Tokens, library_pieces, make_corpus, tokenise, validation_chunks

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library
    from ragart_desktop.core.settings import Settings

log = logging.getLogger(__name__)

MIN_IMPROVEMENT = 1e-3      # nats/token: smaller gains count as no improvement
CHECKPOINT_EVERY_S = 60.0
DRUMS_POLICY = "kept: the drum track is learned with MidiTok's drum program and PitchDrum tokens, never transposed"
AUGMENTATION = ("each training piece in all 12 keys (12 streams; in each, every piece transposed to one scale, "
                "as the music pipeline fuses references; pieces of a folder adjacent)")


@dataclass(frozen=True)
class ModelShape:
    width: int = 128
    layers: int = 4
    heads: int = 4
    context: int = 512

    @classmethod
    def for_corpus(cls, tokens: int) -> "ModelShape":
        """Sized to the corpus (its tokens in their own keys): 0.4 M parameters for a few dozen
        pieces (the demo library's 30 pieces, 35 k tokens, converge within minutes on one CPU thread),
        about 1 M up to 150 k tokens, 3.5 M for a few hundred pieces, 5 M beyond."""
        if tokens < 50_000:
            return cls(96, 3, 4)
        if tokens < 150_000:
            return cls(128, 4, 4)
        if tokens < 1_500_000:
            return cls(192, 6, 6)
        return cls(256, 5, 8)


@dataclass(frozen=True)
class Schedule:
    batch: int = 8                      # windows per optimiser step
    micro_batch: int = 2                # windows per forward/backward (one window each ran 1.25-1.6x slower on one
                                        # CPU thread, 0.9 M parameters); cancel is checked between them
    learning_rate: float = 2e-3
    warmup: int = 20                    # steps of linear warm-up (a laptop's budget is a few hundred steps)
    weight_decay: float = 0.1
    eval_every: Optional[int] = None    # steps; None = eight times per pass over the data (10..50), so a
                                        # plateau is seen (patience) within minutes
    patience: int = 3                   # evaluations without improvement before stopping
    max_epochs: float = 20.0            # passes over the 12-key streams
    max_steps: Optional[int] = None     # overrides max_epochs


@dataclass(frozen=True)
class TrainingRequest:
    name: str = "my-style"
    tag: Optional[str] = None
    folder: Optional[str] = None
    minutes: float = 10.0               # time budget of this run (everything included)
    fresh: bool = False                 # ignore the checkpoint of an earlier run
    seed: int = 0
    shape: Optional[ModelShape] = None  # None: sized to the corpus
    schedule: Schedule = field(default_factory=Schedule)

    def validate(self) -> "TrainingRequest":
        store.check_name(self.name)
        if not 0 < self.minutes <= 24 * 60:
            raise UsageError(f"--minutes {self.minutes:g} must be more than 0 and at most a day (1440).")
        s = self.schedule
        if s.micro_batch < 1 or s.batch % s.micro_batch:
            raise UsageError(f"batch {s.batch} must be a multiple of the micro-batch {s.micro_batch}.")
        return self


@dataclass
class TrainingProgress:
    """What a live view shows: both curves in full (so a dropped preview loses nothing)."""

    step: int
    max_steps: int
    seconds: float                       # this run so far
    eta: float                           # seconds left, at most (early stopping may come sooner)
    train_curve: list[tuple[int, float]]
    val_curve: list[tuple[int, float]]
    baseline: float
    message: str


@dataclass
class TrainingResult:
    name: str
    path: str
    pieces: int
    tokens: int
    parameters: int
    train_loss: Optional[float]
    val_loss: float
    baseline_val_loss: float
    baseline_order: int
    seconds: float
    steps: int
    stopped: str                 # early stopping | time budget | epoch cap
    resumed_from: int            # the step a checkpoint gave (0 = a fresh run)
    skipped: list[dict]
    val_curve: list[tuple[int, float]] = field(default_factory=list)   # (step, validation loss) of every run

    @property
    def beats_baseline(self) -> bool:
        return self.val_loss < self.baseline_val_loss

    def to_json(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in ("pieces", "tokens", "parameters", "train_loss", "val_loss",
                                               "baseline_val_loss", "seconds")}
        return {"model": self.name, "path": self.path, **out, "steps": self.steps, "stopped": self.stopped,
                "baseline_order": self.baseline_order, "beats_baseline": self.beats_baseline,
                "resumed_from": self.resumed_from, "skipped": self.skipped}


@dataclass
class State:
    """Everything a checkpoint carries besides tensors (JSON in its metadata)."""

    fingerprint: str
    step: int = 0
    lr_scale: float = 1.0
    best_val: float = math.inf
    best_step: int = 0
    worse: int = 0
    train_curve: list = field(default_factory=list)
    val_curve: list = field(default_factory=list)
    seconds: float = 0.0                 # training time over every run
    runs: int = 0
    started_at: str = ""
    window_rng: dict = field(default_factory=dict)


# ---------------------------------------------------------------- the job

def train_music(req: TrainingRequest, library: "Library", task: Optional[Task] = None) -> TrainingResult:
    """Train on the library's MIDI items (``req.tag``/``req.folder`` filter) and save the model."""
    task = ensure_task(task)
    clock = time.perf_counter()
    req.validate()
    models_dir = library.home.models_dir
    work = store.work_dir(models_dir, req.name)
    work.mkdir(parents=True, exist_ok=True)
    with ImportLock(work / "lock", task, timeout_s=0, activity=f"training the model {req.name!r}"):
        # 1. Corpus.
        pieces, skipped = library_pieces(library, req.tag, req.folder, task)
        corpus = make_corpus(pieces, skipped)
        return train_corpus(req, corpus, models_dir, library.settings, task, clock=clock)


def train_corpus(req: TrainingRequest, corpus: Corpus, models_dir: Path, settings: Optional["Settings"] = None,
                 task: Optional[Task] = None, *, clock: Optional[float] = None) -> TrainingResult:
    """Steps 1 (tokenise) to 5 on a corpus already read and split."""
    from ragart_desktop.core.models.device import choose_device

    task = ensure_task(task)
    clock = clock if clock is not None else time.perf_counter()
    vocab = remi_vocab.RemiVocabulary(remi_vocab.new_tokenizer())
    tokens = tokenise(corpus, vocab, req.seed, task)
    device = choose_device(settings.device if settings is not None else "auto")
    trainer = Trainer(req, corpus, tokens, vocab, store.work_dir(models_dir, req.name), device, task, clock)
    return trainer.run(models_dir)


@contextmanager
def torch_threads(device: str) -> Iterator[int]:
    """On the CPU, train on all cores but one (the UI keeps one); restore the setting after."""
    import torch

    before = torch.get_num_threads()
    if device == "cpu":
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
        torch.set_num_threads(max(1, cores - 1))
    try:
        yield torch.get_num_threads()
    finally:
        torch.set_num_threads(before)


def model_config(shape: ModelShape, vocab: remi_vocab.RemiVocabulary):
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab.size, hidden_size=shape.width, intermediate_size=(shape.width * 8 // 3 + 31) // 32 * 32,
        num_hidden_layers=shape.layers, num_attention_heads=shape.heads, num_key_value_heads=shape.heads,
        max_position_embeddings=shape.context, tie_word_embeddings=True,   # no dropout: early stopping regularises
        bos_token_id=vocab.bos, eos_token_id=vocab.eos, pad_token_id=vocab.tokenizer.vocab["PAD_None"])


class Trainer:
    def __init__(self, req: TrainingRequest, corpus: Corpus, tokens: Tokens, vocab: remi_vocab.RemiVocabulary,
                 work: Path, device: str, task: Task, clock: float):
        self.req, self.corpus, self.tokens, self.vocab = req, corpus, tokens, vocab
        self.work, self.device, self.task, self.clock = work, device, task, clock
        self.shape = req.shape or ModelShape.for_corpus(tokens.corpus_tokens)
        self.schedule = s = req.schedule
        self.data = np.concatenate(tokens.streams)
        if len(self.data) <= self.shape.context:
            raise UsageError(f"the pieces hold {len(self.data)} tokens in 12 keys, too few for a context of "
                             f"{self.shape.context}: import more music.")
        self.chunks = validation_chunks(tokens.validation, self.shape.context)
        per_epoch = max(1, len(self.data) // (s.batch * self.shape.context))
        self.max_steps = s.max_steps or max(1, int(s.max_epochs * per_epoch))
        self.eval_every = s.eval_every or int(np.clip(per_epoch // 8, 10, 50))
        self.budget = req.minutes * 60.0
        self.settings_key = {"shape": asdict(self.shape), "schedule": asdict(s), "seed": req.seed}

    # -- 2.-5. ------------------------------------------------------------------------------------
    def run(self, models_dir: Path) -> TrainingResult:
        import torch
        from transformers import LlamaForCausalLM

        task = self.task
        # 2. Baseline.
        task.progress(0, 1, "Fitting the Markov baseline")
        base_loss, base_order = MarkovBaseline(self.tokens.streams, self.vocab.size).best(self.chunks)
        task.check()
        # 3. Model, or the interrupted run's.
        torch.manual_seed(self.req.seed)
        model = LlamaForCausalLM(model_config(self.shape, self.vocab)).to(self.device)
        for layer in model.model.layers:   # cancel inside a forward pass, not only between them
            layer.register_forward_pre_hook(lambda module, args: task.check())
        optimiser = torch.optim.AdamW(model.parameters(), lr=self.schedule.learning_rate,
                                      weight_decay=self.schedule.weight_decay)
        self.rng = np.random.default_rng(self.req.seed)
        state = State(fingerprint=self.corpus.fingerprint(), started_at=_now())
        best = {k: v.detach().clone() for k, v in model.state_dict().items()}
        resumed = 0 if self.req.fresh else self._resume(model, optimiser, state, best)
        state.runs += 1
        # 4. Train.
        stopped = ""
        last_saved = time.perf_counter()
        mark = (self.rng.bit_generator.state, torch.get_rng_state())   # the state at the last step's end
        run_start = time.perf_counter()
        speed = None
        try:
            with torch_threads(self.device):
                if state.step and state.step % self.eval_every == 0 and not _evaluated(state):
                    self._evaluate(model, state, best, base_loss)
                while not stopped:
                    if state.step >= self.max_steps:
                        stopped = "epoch cap"
                        break
                    if state.step > resumed and time.perf_counter() - self.clock >= self.budget:
                        stopped = "time budget"   # (after one step at least)
                        break
                    began = time.perf_counter()
                    loss = self._step(model, optimiser, state)
                    state.step += 1
                    state.train_curve.append((state.step, round(loss, 5)))
                    took = time.perf_counter() - began
                    state.seconds += took
                    speed = took if speed is None else 0.9 * speed + 0.1 * took
                    mark = (self.rng.bit_generator.state, torch.get_rng_state())
                    if state.step % self.eval_every == 0:
                        if self._evaluate(model, state, best, base_loss):
                            stopped = "early stopping"
                    if state.step % self.eval_every == 0 or time.perf_counter() - last_saved > CHECKPOINT_EVERY_S:
                        self._checkpoint(model, optimiser, state, best, mark)
                        last_saved = time.perf_counter()
                    self._report(state, base_loss, speed)
                if not _evaluated(state):
                    self._evaluate(model, state, best, base_loss)
        except Cancelled:
            self._checkpoint(model, optimiser, state, best, mark)
            raise
        # 5. Save the best weights.
        task.progress(1, 1, "Saving the model")
        model.load_state_dict(best)
        train_loss = _train_loss_at(state, self.eval_every)
        parameters = int(model.num_parameters())
        card = self._card(state, stopped, base_loss, base_order, parameters, train_loss)
        path = store.write_model(models_dir, self.req.name, model.cpu(), self.vocab.tokenizer, card, _readme(card))
        if stopped == "time budget":   # keep the checkpoint: a later run continues
            self._checkpoint(model.to(self.device), optimiser, state, best, mark)
        else:
            store.drop_checkpoint(self.work)
        return TrainingResult(
            self.req.name, str(path), len(self.corpus.pieces), self.tokens.corpus_tokens, parameters,
            train_loss, round(state.best_val, 5), round(base_loss, 5), base_order,
            round(time.perf_counter() - self.clock, 2), state.step, stopped, resumed, self.corpus.skipped,
            list(state.val_curve))

    def _step(self, model, optimiser, state: State) -> float:
        """One optimiser step over ``batch`` random windows, in micro-batches."""
        import torch

        s, length = self.schedule, self.shape.context
        lr = s.learning_rate * state.lr_scale * min(1.0, (state.step + 1) / max(1, s.warmup))
        for group in optimiser.param_groups:
            group["lr"] = lr
        model.train()
        parts = s.batch // s.micro_batch
        total = 0.0
        for _ in range(parts):
            self.task.check()
            starts = self.rng.integers(0, len(self.data) - length, size=s.micro_batch)
            ids = torch.from_numpy(np.stack([self.data[i:i + length] for i in starts])).to(self.device)
            loss = model(input_ids=ids, labels=ids).loss
            (loss / parts).backward()
            total += loss.item() / parts
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        optimiser.zero_grad(set_to_none=True)
        return total

    def _evaluate(self, model, state: State, best: dict, base_loss: float) -> bool:
        """Measure the validation loss; keep the best weights; True when it is time to stop."""
        loss = validation_loss(model, self.chunks, self.device, self.task)
        state.val_curve.append((state.step, round(loss, 5)))
        if loss < state.best_val - MIN_IMPROVEMENT:
            state.best_val, state.best_step, state.worse = loss, state.step, 0
            for k, v in model.state_dict().items():
                best[k].copy_(v)
        else:
            state.worse += 1
            state.lr_scale *= 0.5
        self._report(state, base_loss, None)
        return state.worse >= self.schedule.patience

    def _report(self, state: State, base_loss: float, speed: Optional[float]) -> None:
        elapsed = time.perf_counter() - self.clock
        left = max(0.0, self.budget - elapsed)
        eta = min(left, (self.max_steps - state.step) * speed) if speed else left
        train = state.train_curve[-1][1] if state.train_curve else math.nan
        val = state.val_curve[-1][1] if state.val_curve else math.nan
        message = (f"Step {state.step}: loss {train:.3f}, validation {val:.3f} (Markov baseline {base_loss:.3f}); "
                   f"at most {_minutes(eta)} left")
        done = max(state.step / self.max_steps, elapsed / self.budget)
        self.task.progress(min(999, int(done * 1000)), 1000, message)
        self.task.preview(TrainingProgress(state.step, self.max_steps, elapsed, eta, list(state.train_curve),
                                           list(state.val_curve), base_loss, message))

    # -- checkpoints ------------------------------------------------------------------------------
    def _checkpoint(self, model, optimiser, state: State, best: dict, mark) -> None:
        rng_state, torch_state = mark
        state.window_rng = rng_state
        tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
        tensors.update({f"best.{k}": v for k, v in best.items()})
        tensors["rng.torch"] = torch_state
        saved = optimiser.state_dict()
        for index, slots in saved["state"].items():
            for slot, value in slots.items():
                tensors[f"optim.{index}.{slot}"] = value if hasattr(value, "detach") else _tensor(value)
        meta = {"state": asdict(state), "settings": self.settings_key, "param_groups": saved["param_groups"]}
        store.save_checkpoint(self.work, _untied(tensors), meta)

    def _resume(self, model, optimiser, state: State, best: dict) -> int:
        """Load the checkpoint of an earlier run on the same data and settings; the step it gives."""
        import torch

        found = store.load_checkpoint(self.work)
        if found is None:
            return 0
        tensors, meta = found
        saved = meta.get("state", {})
        if saved.get("fingerprint") != state.fingerprint or meta.get("settings") != _jsonable(self.settings_key):
            log.info("checkpoint of %s is for other pieces or settings; starting again", self.req.name)
            return 0
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")}, strict=False)
        model.tie_weights()
        for k in best:
            if f"best.{k}" in tensors:
                best[k].copy_(tensors[f"best.{k}"])
            else:
                best[k].copy_(model.state_dict()[k])
        slots: dict[int, dict] = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, index, slot = key.split(".", 2)
                slots.setdefault(int(index), {})[slot] = value
        optimiser.load_state_dict({"state": slots, "param_groups": meta["param_groups"]})
        for k, v in saved.items():
            setattr(state, k, [tuple(p) for p in v] if k in ("train_curve", "val_curve") else v)
        self.rng.bit_generator.state = state.window_rng
        torch.set_rng_state(tensors["rng.torch"])
        return state.step

    # -- the card -----------------------------------------------------------------------------------
    def _card(self, state: State, stopped: str, base_loss: float, base_order: int, parameters: int,
              train_loss: Optional[float]) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "name": self.req.name, "kind": "music-generation", "made_by": "RagArt: Learn from my library",
            "architecture": "LlamaForCausalLM", "parameters": parameters, "shape": asdict(self.shape),
            "tokenizer": f"REMI (MidiTok {version('miditok')}), {self.vocab.size} tokens",
            "started_at": state.started_at, "trained_at": _now(), "training_seconds": round(state.seconds, 1),
            "runs": state.runs, "device": self.device, "steps": state.step, "best_step": state.best_step,
            "stopped": stopped, "train_loss": train_loss, "val_loss": round(state.best_val, 5),
            "baseline": {"val_loss": round(base_loss, 5), "model": f"variable-order Markov (PPM-C), order {base_order}"},
            "beats_baseline": state.best_val < base_loss,
            "filter": {"tag": self.req.tag, "folder": self.req.folder},
            "pieces": {"train": [p.to_json() for p in self.corpus.train],
                       "validation": [p.to_json() for p in self.corpus.validation]},
            "skipped": self.corpus.skipped,
            "tokens": {"corpus": self.tokens.corpus_tokens, "train_12_keys": self.tokens.train_tokens,
                       "validation": self.tokens.validation_tokens},
            "augmentation": AUGMENTATION, "drums": DRUMS_POLICY, "schedule": asdict(self.schedule),
            "curves": {"train": state.train_curve, "validation": state.val_curve},
        }


def validation_loss(model, chunks: list[np.ndarray], device: str, task: Task) -> float:
    """Mean negative log-likelihood (nats/token) of every chunk token but the first."""
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.inference_mode():
        for chunk in chunks:
            task.check()
            ids = torch.from_numpy(chunk[None, :]).to(device)
            loss = model(input_ids=ids, labels=ids).loss
            total += float(loss) * (len(chunk) - 1)
            count += len(chunk) - 1
    return total / max(count, 1)


# ---------------------------------------------------------------- small helpers

def _evaluated(state: State) -> bool:
    return bool(state.val_curve) and state.val_curve[-1][0] == state.step


def _train_loss_at(state: State, span: int) -> Optional[float]:
    """The mean training loss over the ``span`` steps up to the best evaluation (None before any step)."""
    losses = [loss for step, loss in state.train_curve if state.best_step - span < step <= state.best_step]
    losses = losses or [loss for _, loss in state.train_curve[-span:]]
    return round(float(np.mean(losses)), 5) if losses else None


def _tensor(value):
    import torch

    return torch.tensor(value)


def _untied(tensors: dict) -> dict:
    """safetensors refuses tensors that share memory (tied embeddings): store copies."""
    seen, out = set(), {}
    for k, v in tensors.items():
        ptr = v.data_ptr()
        out[k] = v.clone() if ptr in seen else v
        seen.add(ptr)
    return out


def _jsonable(value):
    import json

    return json.loads(json.dumps(value))


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _readme(card: dict[str, Any]) -> str:
    pieces = card["pieces"]
    lines = [
        f"# {card['name']}", "",
        "A music model RagArt trained on your own MIDI library (\"Learn from my library\"). It learned only "
        "from the pieces listed below.", "",
        f"- Trained: {card['started_at']} to {card['trained_at']}, {card['training_seconds'] / 60:.1f} min of training "
        f"in {card['runs']} run(s) on {card['device']}; {card['steps']} steps, stopped by {card['stopped']}.",
        f"- Model: {card['architecture']}, {card['parameters']:,} parameters; tokenizer {card['tokenizer']}.",
        f"- Validation loss {card['val_loss']:.3f} nats/token against {card['baseline']['val_loss']:.3f} for the "
        f"built-in engine's model ({card['baseline']['model']}) on the same held-out tokens: "
        + ("better." if card["beats_baseline"] else "NOT better, so the built-in engine stays the default."),
        f"- Data: {len(pieces['train'])} training and {len(pieces['validation'])} validation pieces; "
        f"{card['augmentation']}; drums {card['drums']}.", "",
        "## Training pieces", *[f"- {p['title'] or p['path']} ({p['path']})" for p in pieces["train"]], "",
        "## Validation pieces", *[f"- {p['title'] or p['path']} ({p['path']})" for p in pieces["validation"]], "",
    ]
    return "\n".join(lines)
