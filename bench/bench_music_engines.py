"""Benchmark: the music engines, each against a baseline measured in the same run (one core).

1. Built-in Markov engine: 16 bars of 4-part accompaniment (chords, bass, arpeggio, drums) for the
   melody of a demo lofi piece, learned from 6 demo pieces (goal: under 200 ms).
   Baseline: the demo library's hand-written arranger making a 16-bar 4-part piece (no learning).
2. Transformer engine: masked sampling from a random GPT-2 with the Anticipatory Music Transformer
   vocabulary (4 layers, 256 wide, 1024 context), 600 tokens of context, tokens/s with the KV
   cache against the loop that recomputes the whole sequence per token (same masks, same seed,
   last-position logits only in both; goal: at least 5x).

Run: ``python bench/bench_music_engines.py``.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from ragart_desktop.core.demo.music import PIECES, arrange, render_piece  # noqa: E402
from ragart_desktop.core.generate.music.engine_markov import Material, MarkovEngine  # noqa: E402
from ragart_desktop.core.generate.music.plan import MusicInputs, MusicReference, fuse, make_plan  # noqa: E402
from ragart_desktop.core.generate.music.request import MusicRequest  # noqa: E402
from ragart_desktop.core.music.midi_io import score_from_bytes  # noqa: E402
from ragart_desktop.core.progress import Task  # noqa: E402

REFERENCES = ("late-night-study", "coffee-steam", "city-bus-window", "tape-hiss-sunday", "sleepy-cat-groove",
              "blue-hour-ii-v-i")


def best_of(fn, repeat: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def markov() -> None:
    specs = {p.name: p for p in PIECES}
    phrase = score_from_bytes(render_piece(specs["rainy-window-loop"]))
    phrase.tracks = phrase.tracks[:1]   # the melody alone
    req = MusicRequest(mode="accompany", parts=("chords", "bass", "arpeggio", "drums"), seed=1)
    key = phrase.key

    def inputs() -> MusicInputs:
        refs = [MusicReference(path=n, weight=1.0, score=score_from_bytes(render_piece(specs[n]))) for n in REFERENCES]
        refs = fuse(refs, key, phrase.time_signature.bar_beats)
        return MusicInputs(req, make_plan(req, phrase, key, refs), refs)

    engine = MarkovEngine()
    fresh = [inputs() for _ in range(6)]
    first = best_of(lambda: engine.run(fresh.pop(), 1, Task()))    # learns from the references, then composes
    prepared = inputs()
    prepared.learned = Material(prepared)
    engine.run(prepared, 0, Task())
    seeds = iter(range(1, 10_000))
    again = best_of(lambda: engine.run(prepared, next(seeds), Task()))   # another seed of the same job
    out = engine.run(prepared, 1, Task())
    new = sum(len(t.notes) for t in out.tracks[1:])
    base = best_of(lambda: arrange(np.random.default_rng(0), specs["rainy-window-loop"]))
    print("Built-in Markov engine: 16 bars, 4 new parts, learned from 6 references")
    print(f"  baseline: hand-written demo arranger (16 bars, 4 parts)   {base * 1000:7.1f} ms")
    print(f"  learn + generate ({new} new notes)                       {first * 1000:7.1f} ms   goal < 200 ms")
    print(f"  another seed of the same job (learned once)               {again * 1000:7.1f} ms")


def transformer() -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from ragart_desktop.core.generate.music.amt_sampler import AmtSampler, Event, Masks
    from ragart_desktop.core.generate.music.engine_transformer import Stepper

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=55028, n_positions=1024, n_embd=256, n_layer=4, n_head=4)).eval()
    prompt = [Event(12 * i, 24, 0, 60 + (i * 5) % 12) for i in range(200)]           # 600 tokens
    heard = [Event(2400 + 30 * i, 20, 0, 72) for i in range(60)]                     # keeps it sampling
    c_major = [p for p in range(48, 85) if p % 12 in (0, 2, 4, 5, 7, 9, 11)]
    rates = {}
    for cache in (False, True):
        stepper = Stepper(model, seed=3, temperature=1.0, use_cache=cache)
        start = time.perf_counter()
        AmtSampler(stepper).sample(prompt, heard, 2400, 4200, list(range(2400, 4200, 5)), Masks(stepper, {0: c_major}),
                                   40, Task())
        elapsed = time.perf_counter() - start
        rates[cache] = stepper.tokens_sampled / elapsed
        label = "KV cache" if cache else "no cache, full recompute (baseline)"
        print(f"  {label:<38} {stepper.tokens_sampled:4d} tokens in {elapsed:6.2f} s = {rates[cache]:7.1f} tokens/s")
    print(f"  speed-up {rates[True] / rates[False]:.1f}x   goal >= 5x")


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    markov()
    print("Transformer engine: random GPT-2 (4 x 256, AMT vocabulary), 600-token context")
    transformer()
