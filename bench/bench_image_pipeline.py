"""Image pipeline overhead (issue 5): our whole generate call vs a bare diffusers call.

    python bench/bench_image_pipeline.py [--size 512] [--reps 3]

A random-weight SD-Turbo-architecture model (SD 2.1 base; speed does not depend on weight values)
is put in a fresh home's models folder, the demo library imported, then, interleaved:
- bare: ``pipe(prompt, 1 step)`` with the prompt our pipeline produced;
- ours: ``generate(GenerationRequest(...))`` with retrieval, prompt fusion, scoring and provenance,
  with ``reference_strength=0`` so the diffusion work is the same text-to-image step;
- ours with references as a built-in composition (the default without an IP-Adapter), for reference.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_models import build_sd_turbo_folder  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()

    import torch

    from ragart_desktop.core.demo import build_demo_library
    from ragart_desktop.core.generate.image.pipeline import generate
    from ragart_desktop.core.generate.image.request import GenerationRequest
    from ragart_desktop.core.home import Home
    from ragart_desktop.core.library.library import Library
    from ragart_desktop.core.models.loaders import diffusion_model
    from ragart_desktop.core.models.registry import ModelRegistry

    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp) / "home").ensure()
        build_sd_turbo_folder(home.models_dir / "sd-turbo-arch")
        build_demo_library(home.demo_dir)
        lib = Library.open(home)
        lib.import_paths([home.demo_dir])
        entry = ModelRegistry(home, lib.settings).get("sd-turbo-arch")
        t0 = time.perf_counter()
        pipe = diffusion_model(entry, lib.settings).text2img
        print(f"cold load of the model: {time.perf_counter() - t0:.1f} s")
        req = GenerationRequest(prompt="a stormy harbour at dusk", engine="sd-turbo-arch", steps=1, guidance=0.0,
                                width=a.size, height=a.size, reference_strength=0.0, seed=1)
        fused = generate(req, lib).fused_prompt.text   # warm-up, and the prompt both sides use

        def bare() -> float:
            t = time.perf_counter()
            pipe(prompt=fused, num_inference_steps=1, guidance_scale=0.0, width=a.size, height=a.size,
                 generator=torch.Generator("cpu").manual_seed(1))
            return time.perf_counter() - t

        def ours(r: GenerationRequest) -> float:
            t = time.perf_counter()
            generate(r, lib)
            return time.perf_counter() - t

        bare_t, ours_t, refs_t = [], [], []
        for _ in range(a.reps):
            bare_t.append(bare())
            ours_t.append(ours(req))
            refs_t.append(ours(GenerationRequest(**{**req.to_json(), "references": (), "reference_strength": 0.6})))
        b, o, r = statistics.median(bare_t), statistics.median(ours_t), statistics.median(refs_t)
        print(f"{a.size}x{a.size}, 1 step, CPU, median of {a.reps}:")
        print(f"  bare diffusers call:                           {b:6.2f} s")
        print(f"  our generate (retrieve, fuse, generate, score): {o:6.2f} s  overhead {100 * (o / b - 1):+.1f}% "
              f"(goal < 5%)")
        print(f"  our generate, references as composition init:   {r:6.2f} s")
        lib.close()


if __name__ == "__main__":
    main()
