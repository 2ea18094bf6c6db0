"""Benchmark: Learn my style on the demo MIDI library (the pieces ``ragart demo`` imports).

1. Train with the product's defaults (model sized to the corpus, 10-minute budget, early stopping on
   validation loss) on the demo pieces, split by piece as ``ragart train music`` splits them.
   Figures: time to stop (tokenising and the baseline included), steps, why it stopped.
2. Validation loss of the transformer against the baseline measured in the same run: the built-in
   engine's model family (variable-order Markov, PPM-C, ``core/train/baseline``) fitted to the same
   training tokens, cross-entropy on the same held-out tokens (nats/token; lower is better). The
   baseline's order is chosen on those held-out tokens, which can only flatter it.
3. Sampling speed of the trained model: sampled tokens/s with the KV cache against the loop that
   recomputes the whole sequence per token (same window, masks and seed).
4. Cancel latency: cancel a running training, time until it has stopped (goal: under 1 s).
5. Continuations: each validation piece cut in half; its second half is written by the trained
   model and by the built-in Markov engine (same references: the training pieces of its folder,
   same seeds). Metrics of the new notes (in-key ratio, style match with the references, scale
   consistency, note density) beside the piece's real second half, and the near-copy rate
   (a passage of ``copyguard.NEAR_COPY_NOTES`` notes or more copied from a training piece).

The machine is shared: the load average is printed at the start and the end.
Run: ``python bench/bench_train_music.py [--minutes 10]``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.music_corpora import CORPORA, corpus_pieces  # noqa: E402

from ragart_desktop.core.errors import Cancelled  # noqa: E402
from ragart_desktop.core.generate.music import remi_vocab  # noqa: E402
from ragart_desktop.core.generate.music.plan import MusicInputs, MusicReference, fuse, make_plan  # noqa: E402
from ragart_desktop.core.generate.music.request import MusicRequest  # noqa: E402
from ragart_desktop.core.home import Home  # noqa: E402
from ragart_desktop.core.music.midi_io import read_score  # noqa: E402
from ragart_desktop.core.music.score import EPS, Score  # noqa: E402
from ragart_desktop.core.progress import Task  # noqa: E402
from ragart_desktop.core.train.corpus import Piece, make_corpus, tokenise  # noqa: E402
from ragart_desktop.core.train.trainer import Trainer, TrainingRequest, TrainingProgress  # noqa: E402

METRICS = ("in_key_ratio", "style_match", "scale_consistency", "note_density")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def cut(score: Score, start: float, end: float) -> Score:
    """The notes starting in [start, end), in a score that ends at ``end``."""
    out = score.copy()
    for t in out.tracks:
        t.notes = [n for n in t.notes if start - EPS <= n.start < end - EPS]
    out.length = end
    return out


def train(corpus, models_dir: Path, minutes: float, name: str):
    vocab = remi_vocab.RemiVocabulary(remi_vocab.new_tokenizer())
    shown = [0]

    def on_preview(p: TrainingProgress) -> None:
        if len(p.val_curve) > shown[0]:
            shown[0] = len(p.val_curve)
            step, val = p.val_curve[-1]
            train_loss = p.train_curve[-1][1] if p.train_curve else float("nan")
            print(f"    step {step:4d}  {p.seconds:6.0f} s  train {train_loss:.3f}  validation {val:.3f}  "
                  f"(Markov {p.baseline:.3f})", flush=True)

    task = Task(on_preview=on_preview)
    clock = time.perf_counter()
    tokens = tokenise(corpus, vocab, 0, task)
    tokenising = time.perf_counter() - clock
    req = TrainingRequest(name=name, minutes=minutes)
    result = Trainer(req, corpus, tokens, vocab, models_dir / ".training" / req.name, "cpu", task, clock).run(models_dir)
    return result, tokens, vocab, tokenising


def cancel_latency(corpus, tokens, vocab, models_dir: Path) -> float:
    """Start a training, cancel it 3 s into its steps; seconds from cancel() to the job's end."""
    started = threading.Event()
    task = Task(on_progress=lambda d, t, m: started.set() if m.startswith("Step") else None)
    req = TrainingRequest(name="cancel-probe", minutes=5, fresh=True)
    ended = {}

    def job() -> None:
        try:
            Trainer(req, corpus, tokens, vocab, models_dir / ".training" / req.name, "cpu", task,
                    time.perf_counter()).run(models_dir)
        except Cancelled:
            ended["at"] = time.perf_counter()

    thread = threading.Thread(target=job)
    thread.start()
    started.wait(120)
    time.sleep(3)
    asked = time.perf_counter()
    task.cancel()
    thread.join()
    return ended["at"] - asked   # (the checkpoint written on cancel is included)


def continuation_inputs(piece: Piece, refs: list[Piece], engine: str, seed: int,
                        bars_wanted: int | None = None) -> tuple[MusicInputs, Score]:
    score = piece.score
    bars = score.bar_starts(score.end)
    half = bars[len(bars) // 2]
    phrase = cut(score, 0.0, half)
    req = MusicRequest(mode="continue", bars=bars_wanted or len(bars) - 1 - len(bars) // 2, engine=engine, seed=seed)
    key = score.effective_key()
    fused = fuse([MusicReference(path=r.path, weight=1.0, score=r.score.copy()) for r in refs], key,
                 score.time_signature.bar_beats)
    return MusicInputs(req, make_plan(req, phrase, key, fused), fused), cut(score, half, bars[-1])


def continuations(corpus, home: Home, name: str, count: int) -> dict[str, dict[str, float]]:
    """``count`` continuations per engine: held-out piece ``k % pieces`` with seed ``k // pieces + 1``.
    Prints (and returns) the mean metrics of each engine and of the pieces' real second halves."""
    from ragart_desktop.core.generate.music.engine_markov import MarkovEngine
    from ragart_desktop.core.generate.music.engine_transformer import TransformerEngine
    from ragart_desktop.core.generate.music.evaluate import evaluate_score
    from ragart_desktop.core.models.registry import ModelRegistry
    from ragart_desktop.core.music import copyguard
    from ragart_desktop.core.settings import Settings

    registry = ModelRegistry(home, Settings.load(home.settings_path))
    engines = {"trained transformer": (TransformerEngine(name, None, registry), name),
               "built-in Markov": (MarkovEngine(), "builtin")}
    training = [(p.path, p.score) for p in corpus.train]
    rows: dict[str, list] = {k: [] for k in ("real second half", *engines)}
    timing: dict[str, list[float]] = {k: [] for k in engines}
    held_out = corpus.validation
    for k in range(count):
        piece, seed = held_out[k % len(held_out)], k // len(held_out) + 1
        refs = [p for p in corpus.train if p.folder == piece.folder][:4] or corpus.train[:4]
        for label, (engine, engine_id) in engines.items():
            inputs, real = continuation_inputs(piece, refs, engine_id, seed)
            start = time.perf_counter()
            out = engine.run(inputs, seed, Task())
            timing[label].append(time.perf_counter() - start)
            new = cut(out, inputs.plan.start, inputs.plan.end)
            ref_scores = [(r.path, r.score) for r in inputs.references]
            ev = evaluate_score(new, key=inputs.plan.key, references=ref_scores)
            copy = evaluate_score(new, key=inputs.plan.key, references=training)
            rows[label].append((ev.metrics, copy.near_copy, new.note_count))
            if k < len(held_out) and label == "built-in Markov":
                ev = evaluate_score(real, key=inputs.plan.key, references=ref_scores)
                rows["real second half"].append((ev.metrics, False, real.note_count))
    print(f"  {'':22}" + "".join(f"{m:>19}" for m in METRICS) + f"{'notes':>8}{'near copies':>13}{'time':>9}")
    summary = {}
    for label, found in rows.items():
        means = {m: statistics.fmean(x.get(m, float("nan")) for x, _, _ in found) for m in METRICS}
        copies = sum(c for _, c, _ in found)
        took = f"{statistics.fmean(timing[label]):7.2f} s" if label in timing else ""
        print(f"  {label:22}" + "".join(f"{v:19.3f}" for v in means.values())
              + f"{statistics.fmean(n for _, _, n in found):8.1f}{f'{copies}/{len(found)}':>13}{took:>9}")
        summary[label] = {**means, "near_copy_rate": copies / len(found)}
    print(f"  (near copy: a passage of >= {copyguard.NEAR_COPY_NOTES} notes found in a training piece; "
          f"{count} continuations per engine over {len(held_out)} held-out pieces, seeds 1..{(count - 1) // len(held_out) + 1})")
    return summary


def sampling_speed(corpus, home: Home, name: str) -> None:
    """Two bars continuing the first validation piece, with and without the KV cache."""
    from ragart_desktop.core.generate.music.engine_transformer import Stepper, TransformerEngine, window_of
    from ragart_desktop.core.generate.music.remi_sampler import RemiSampler
    from ragart_desktop.core.models.loaders import language_model
    from ragart_desktop.core.models.registry import ModelRegistry
    from ragart_desktop.core.settings import Settings

    import torch

    torch.set_num_threads(1)   # like for like on a shared machine: one thread in both loops
    registry = ModelRegistry(home, Settings.load(home.settings_path))
    engine = TransformerEngine(name, None, registry)
    model = language_model(engine.entry, registry.settings).model
    piece = corpus.validation[0]
    inputs, _ = continuation_inputs(piece, corpus.train[:4], name, 7, bars_wanted=2)
    rates = {}
    for cache in (True, False, True):   # the first run warms up
        stepper = Stepper(model, seed=7, temperature=1.0, use_cache=cache)
        start = time.perf_counter()
        notes = RemiSampler(stepper, engine.vocabulary, window_of(inputs)).sample(Task())
        elapsed = time.perf_counter() - start
        rates[cache] = (stepper.tokens_sampled / elapsed, stepper.tokens_sampled, len(notes), elapsed)
    for cache in (False, True):
        rate, count, notes, elapsed = rates[cache]
        label = "KV cache" if cache else "no cache, full recompute (baseline)"
        print(f"  {label:<38} {count:4d} tokens ({notes} notes) in {elapsed:6.2f} s = {rate:7.1f} tokens/s")
    print(f"  speed-up {rates[True][0] / rates[False][0]:.1f}x")


def curve_summary(result) -> str:
    """The validation curve in a line: first, best (and when), last; and when it stopped."""
    curve = result.val_curve
    best = min(curve, key=lambda sv: sv[1])
    return (f"validation curve: {len(curve)} evaluations, first {curve[0][1]:.3f} (step {curve[0][0]}), best "
            f"{best[1]:.3f} (step {best[0]}), last {curve[-1][1]:.3f} (step {curve[-1][0]})")


def main() -> None:
    import torch

    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", choices=CORPORA, default="demo",
                        help="demo: the demo library; chorales: Bach chorales from the music21 corpus")
    parser.add_argument("--pieces", type=int, default=60, help="chorales: how many (default 60)")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--continuations", type=int, default=20, help="per engine (default 20)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (the trained model stays there)")
    args = parser.parse_args()
    print(f"Learn my style on the {args.corpus} corpus; {load()}; torch {torch.__version__}")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        pieces = corpus_pieces(args.corpus, Path(tmp) / "midi", args.pieces)
        corpus = make_corpus(pieces)
        home = Home(Path(tmp) / "home").ensure()
        print(f"1. Training (defaults, {args.minutes:g}-minute budget): {len(corpus.train)} training pieces, "
              f"{len(corpus.validation)} validation pieces ({', '.join(p.title for p in corpus.validation)})")
        result, tokens, vocab, tokenising = train(corpus, home.models_dir, args.minutes, f"{args.corpus}-style")
        print(f"  tokenising in 12 keys {tokenising:.0f} s; {tokens.corpus_tokens:,} tokens in the pieces' own keys, "
              f"{tokens.train_tokens:,} training tokens in 12 keys, {tokens.validation_tokens:,} validation tokens")
        print(f"  {result.parameters:,} parameters; {result.steps} steps; stopped by {result.stopped}; "
              f"{result.seconds:.0f} s in all ({result.seconds / 60:.1f} min, goal < 10 min)   {load()}")
        print(f"  {curve_summary(result)}")
        print("2. Validation loss, nats/token on the same held-out tokens (lower is better)")
        print(f"  baseline: variable-order Markov (PPM-C, order {result.baseline_order}) {result.baseline_val_loss:.3f}")
        print(f"  trained transformer                                 {result.val_loss:.3f}   "
              f"(training loss {result.train_loss:.3f}) -> {'beats' if result.beats_baseline else 'does NOT beat'} "
              f"the baseline by {result.baseline_val_loss - result.val_loss:+.3f}")
        print("3. Sampling speed of the trained model (two bars of continuation, one thread)")
        sampling_speed(corpus, home, result.name)
        latency = cancel_latency(corpus, tokens, vocab, home.models_dir)
        print(f"4. Cancel: the training stopped {latency:.2f} s after cancel() (checkpoint included; goal < 1 s)")
        print(f"5. Continuations of the held-out pieces' second halves ({args.continuations} per engine)")
        summary = continuations(corpus, home, result.name, args.continuations)
        model, markov = summary["trained transformer"], summary["built-in Markov"]
        worse = [m for m in ("in_key_ratio", "style_match", "scale_consistency") if model[m] < markov[m] - 0.01]
        worse += ["near_copy_rate"] if model["near_copy_rate"] > markov["near_copy_rate"] else []
        real = summary["real second half"]["note_density"]
        if abs(model["note_density"] - real) > abs(markov["note_density"] - real) + 0.1:
            worse.append("note_density (further from the real second half's)")
        verdict = result.beats_baseline and not worse
        print(f"6. Default engine: the trained model {'qualifies' if verdict else 'does NOT qualify'} "
              f"(beats the baseline's loss: {result.beats_baseline}; metrics worse than the built-in engine's by "
              f"more than 0.01: {', '.join(worse) or 'none'})")
        print(f"Done; {load()}")


if __name__ == "__main__":
    main()
