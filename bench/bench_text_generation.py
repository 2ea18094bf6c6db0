"""Text generation speed: the built-in engine against its 100 ms goal, the language-model path with
and without its KV cache.

1. Built-in recombination engine: 12 lines of free verse, three ABAB quatrains (12 lines) and a
   七言绝句 from passages of a dozen poems; median of 20 seeded runs each, against the 100 ms goal
   and against a baseline measured in the same run: an unconstrained order-2 Markov walk over the
   same passages (12 lines, no form, no rhyme, no copy limit), i.e. what the form search costs.
2. Language-model path: a random-weight GPT-2 (6 layers, width 256, 512 positions) saved in the
   real transformers format and loaded through the product's loader; the same seeded sampling loop
   writes 192 tokens after a 256-token prompt with the KV cache and without it (every step
   re-running the whole sequence). Both warmed; tokens/s and the speed-up are printed.

    PYTHONPATH=. python bench/bench_text_generation.py [--runs 20] [--tokens 192] [--threads N]

On a machine other jobs keep busy, ``--threads 1`` avoids torch's worker threads spinning while
they wait for a core; the thread count and load average are printed with the figures.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from ragart_desktop.core.generate.text.engine_builtin import RecombinationEngine, line_tokens
from ragart_desktop.core.generate.text.forms import FORMS
from ragart_desktop.core.generate.text.inputs import TextInputs
from ragart_desktop.core.generate.text.markov import END, VariableOrderMarkov
from ragart_desktop.core.generate.text.passages import Passage, split_passages
from ragart_desktop.core.generate.text.request import TextRequest
from ragart_desktop.core.progress import Task

GOAL_MS = 100.0
ENGLISH = """The tide returns along the shore
with salt upon the harbour stones,
the gulls above the water soar
and sing the sea in quiet tones.

The night is long, the lamps are low,
the boats are resting by the quay,
and all the winds begin to blow
across the cold and silver sea.

Snow on the roofs, the silence of white mornings,
a quiet light along the river bend,
the crows are calling out their winter warnings,
the frozen fields that have no end.

I walk alone beneath the falling snow
and count the footprints where the children go.

Neon in the puddles, the city hums after rain,
a window full of music and a distant train,
we walked beside the river in the evening light,
the bridges and the water burning in the night.

The garden sleeps beneath the moon,
the roses close, the crickets sing,
the pond is still, the night is soon,
and every leaf is listening.

The orchard keeps its apples red,
the swallows circle round the mill,
the baker sings above the bread,
the morning settles on the hill.
"""
TANG = """床前明月光，疑是地上霜。
举头望明月，低头思故乡。

白日依山尽，黄河入海流。
欲穷千里目，更上一层楼。

春眠不觉晓，处处闻啼鸟。
夜来风雨声，花落知多少。

千山鸟飞绝，万径人踪灭。
孤舟蓑笠翁，独钓寒江雪。

月落乌啼霜满天，江枫渔火对愁眠。
姑苏城外寒山寺，夜半钟声到客船。

少小离家老大回，乡音无改鬓毛衰。
儿童相见不相识，笑问客从何处来。

朝辞白帝彩云间，千里江陵一日还。
两岸猿声啼不住，轻舟已过万重山。
"""


def passages(text: str, name: str) -> list[Passage]:
    return [Passage(t, name, None, line) for line, t in split_passages(text)]


def median_ms(fn, runs: int) -> float:
    fn(0)  # warm (CMUdict and pinyin tables load on first use)
    times = []
    for seed in range(1, runs + 1):
        start = time.perf_counter()
        fn(seed)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def unconstrained_walk(chosen: list[Passage], lines: int, seed: int) -> list[list[str]]:
    """The baseline: an order-2 Markov walk, no form, no rhyme, no copy limit."""
    corpus = [t for p in chosen for line in p.text.splitlines() if (t := line_tokens(line, "en"))]
    model = VariableOrderMarkov(corpus, 2)
    rng = random.Random(seed)
    out = []
    for _ in range(lines):
        tokens: list[str] = []
        while len(tokens) < 14:
            _, counts = next(model.continuations(tokens[-2:]))
            token = rng.choices(list(counts), weights=list(counts.values()))[0]
            if token == END:
                break
            tokens.append(token)
        out.append(tokens)
    return out


def bench_builtin(runs: int) -> None:
    engine = RecombinationEngine()
    english, tang = passages(ENGLISH, "english.txt"), passages(TANG, "tang.txt")
    cases = [("free verse, 12 lines", TextRequest(prompt="the sea at night", lines=12), "en", english),
             ("quatrains, 12 lines", TextRequest(prompt="the sea at night", form="quatrain", lines=12), "en", english),
             ("七言绝句, 4 lines", TextRequest(prompt="夜 江 月", form="qijue"), "zh", tang)]
    baseline = median_ms(lambda seed: unconstrained_walk(english, 12, seed), runs)
    print(f"built-in engine (median of {runs} seeded runs; goal < {GOAL_MS:.0f} ms)")
    print(f"  baseline: unconstrained order-2 walk, 12 lines   {baseline:7.2f} ms")
    for label, req, language, chosen in cases:
        inputs = TextInputs(req, FORMS[req.form], language, req.line_count, chosen)
        ms = median_ms(lambda seed: engine.run(inputs, seed, Task()), runs)
        verdict = "ok" if ms < GOAL_MS else "OVER GOAL"
        print(f"  {label:<24} {ms:7.2f} ms  ({ms / baseline:5.1f}x baseline)  {verdict}")


def bench_language_model(tokens: int, threads: int) -> None:
    import os

    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    from ragart_desktop.core.generate.text.sampling import sample
    from ragart_desktop.core.models.loaders import load_causal_lm, plan_for
    from ragart_desktop.core.models.recognise import inspect_path

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "gpt2-bench"
        folder.mkdir()
        bpe = ByteLevelBPETokenizer()
        bpe.train_from_iterator(ENGLISH.splitlines() * 10, vocab_size=2000, min_frequency=1,
                                special_tokens=["<|endoftext|>"])
        bpe.save_model(str(folder))
        tok = GPT2TokenizerFast(vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"))
        GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_positions=512, n_embd=256, n_layer=6, n_head=8)) \
            .eval().save_pretrained(str(folder), safe_serialization=True)
        tok.save_pretrained(str(folder))
        entry = inspect_path(folder)
        lm = load_causal_lm(entry, plan_for(entry, device="cpu"))
        prompt = (lm.tokenizer(ENGLISH)["input_ids"] * 4)[:256]
        print(f"\nlanguage-model path: GPT-2 6x256 random weights, {lm.plan.device}/{lm.plan.dtype}, "
              f"{len(prompt)}-token prompt, {tokens} new tokens, same seed; {torch.get_num_threads()} threads, "
              f"load average {os.getloadavg()[0]:.1f}")
        rates = {}
        for use_cache in (False, True):
            run = lambda: sample(lm.model, prompt, tokens, temperature=0.9, top_p=0.95, seed=1,  # noqa: E731
                                 task=Task(), use_cache=use_cache)
            sample(lm.model, prompt, 8, temperature=0.9, top_p=0.95, seed=1, task=Task(), use_cache=use_cache)
            start = time.perf_counter()
            run()
            rates[use_cache] = tokens / (time.perf_counter() - start)
        print(f"  baseline: no cache (whole sequence each step)  {rates[False]:8.1f} tokens/s")
        print(f"  KV cache                                       {rates[True]:8.1f} tokens/s  "
              f"({rates[True] / rates[False]:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--tokens", type=int, default=192)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = parser.parse_args()
    bench_builtin(args.runs)
    bench_language_model(args.tokens, args.threads)


if __name__ == "__main__":
    main()
