"""Model loading and running speed on this machine, with real architectures and random weights.

Speed does not depend on weight values, so the models are built from the shipped real-size configs
(SD-Turbo = the SD 2.1-base architecture; CLIP ViT-B/32) with random weights, saved to a temporary
folder in the on-disk format users have, and loaded through the app's registry and loaders.

Figures (each against a baseline measured in the same run):
  1. cold load of the diffusers folder (registry entry -> loaded pipeline on the CPU);
  2. seconds for one 512x512 denoising step (between progress callbacks of a 3-step generate);
  3. our generate call (run_diffusion: progress, cancel checks, previews) / a bare pipeline call on
     the same inputs (goal: under 5% overhead);
  4. "Generate" to first step with the model loaded (text encoding + first UNet step);
  5. CLIP image embedding, images/s: ClipEmbedder (batched + preprocessing thread) vs a plain
     one-image-at-a-time loop, like with like: the same precision (the one the app picks for the
     device) and both warmed (goal: at least 1.5x). The precision gain (bfloat16 on a CPU that
     computes it natively) is reported on its own: the plain loop in float32 vs in bfloat16.

    python bench/bench_models.py [--quick]      # --quick: 256x256 and fewer CLIP images
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ragart_desktop  # noqa: E402,F401  (offline environment before any hub import)


def build_sd_turbo_folder(dest: Path) -> Path:
    """SD 2.1-base architecture (what SD-Turbo is), random weights, saved as an fp16 diffusers folder
    with SD-Turbo's scheduler (Euler, trailing spacing)."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from ragart_desktop.core.models.loaders import clip_tokenizer, model_configs_dir

    cfg = model_configs_dir() / "sd2-base"
    torch.manual_seed(0)
    pipe = StableDiffusionPipeline(
        unet=UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(str(cfg / "unet"))),
        vae=AutoencoderKL.from_config(AutoencoderKL.load_config(str(cfg / "vae"))),
        text_encoder=CLIPTextModel(CLIPTextConfig.from_pretrained(str(cfg / "text_encoder"))),
        tokenizer=clip_tokenizer(cfg / "tokenizer"),
        scheduler=EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                         timestep_spacing="trailing", steps_offset=1),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.to(torch.float16).save_pretrained(str(dest), safe_serialization=True)
    return dest


def bench_diffusion(root: Path, size: int) -> dict:
    import torch

    from ragart_desktop.core.models.device import DevicePlan
    from ragart_desktop.core.models.loaders import load_diffusion
    from ragart_desktop.core.models.recognise import inspect_path
    from ragart_desktop.core.models.run import run_diffusion
    from ragart_desktop.core.progress import Task

    t = time.perf_counter()
    folder = build_sd_turbo_folder(root / "sd-turbo-arch")
    print(f"  built + saved random SD-Turbo-architecture folder in {time.perf_counter() - t:.1f}s", flush=True)
    entry = inspect_path(folder)
    assert entry.loadable and entry.variant == "turbo", entry

    t = time.perf_counter()
    model = load_diffusion(entry, DevicePlan("cpu", "float32", "fast", 0))
    cold_load = time.perf_counter() - t
    pipe = model.text2img

    def kwargs(steps: int, output: str = "latent") -> dict:
        return dict(prompt="ink wash landscape, misty mountains", num_inference_steps=steps, guidance_scale=0.0,
                    height=size, width=size, generator=torch.Generator().manual_seed(0), output_type=output)

    def bare(steps: int) -> float:
        t0 = time.perf_counter()
        pipe(**kwargs(steps))
        return time.perf_counter() - t0

    def ours(steps: int, output: str = "latent") -> tuple[float, list[float]]:
        t0 = time.perf_counter()
        marks: list[float] = []
        task = Task(on_progress=lambda d, n, m: marks.append(time.perf_counter() - t0), on_preview=lambda img: None)
        run_diffusion(pipe, kwargs(steps, output), task)
        return time.perf_counter() - t0, marks

    bare(1)  # warm-up (allocator, kernels)
    # Overhead: 1-step calls returning latents (no VAE decode), so the wrapper's share is not diluted;
    # interleaved, so drifting machine load hits both alike.
    bare_times, our_times, first_step = [], [], []
    for _ in range(3):
        bare_times.append(bare(1))
        total, marks = ours(1)
        our_times.append(total)
        first_step.append(marks[0])
    full, marks = ours(3, output="pil")  # a real generate: 3 steps + decode, step times from progress marks
    steps = [b - a for a, b in zip(marks, marks[1:])]
    return {
        "size": size,
        "cold_load_s": round(cold_load, 2),
        "one_step_s": round(statistics.median(steps), 2),
        "generate_3_steps_with_decode_s": round(full, 2),
        "bare_call_1step_s": round(statistics.median(bare_times), 2),
        "our_call_1step_s": round(statistics.median(our_times), 2),
        "overhead_ratio": round(statistics.median(our_times) / statistics.median(bare_times), 3),
        "generate_to_first_step_s": round(statistics.median(first_step), 2),
    }


def bench_clip(root: Path, n_images: int) -> dict:
    import numpy as np
    import torch
    from PIL import Image
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    from ragart_desktop.core.embed.clip import ClipEmbedder
    from ragart_desktop.core.models.device import dtype_for
    from ragart_desktop.core.models.loaders import clip_tokenizer, model_configs_dir, model_cache

    folder = root / "clip-vit-b-32-arch"
    torch.manual_seed(0)
    CLIPModel(CLIPConfig()).eval().save_pretrained(str(folder), safe_serialization=True)  # defaults = ViT-B/32
    CLIPProcessor(image_processor=CLIPImageProcessor(), tokenizer=clip_tokenizer(
        model_configs_dir() / "sd1" / "tokenizer")).save_pretrained(str(folder))

    # JPEG files on disk, as the library holds them: both sides decode, preprocess and embed.
    rng = np.random.default_rng(0)
    images = []
    for i in range(n_images):
        smooth = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
        images.append(root / f"img{i}.jpg")
        Image.fromarray(smooth).resize((512, 384), Image.BICUBIC).save(images[-1], quality=90)

    processor = CLIPImageProcessor.from_pretrained(str(folder), local_files_only=True)

    def plain_loop(dtype: torch.dtype) -> float:
        """The one-image-at-a-time loop an app would write first, warmed on two images first."""
        model = CLIPModel.from_pretrained(str(folder), local_files_only=True, dtype=dtype).eval()

        def embed(paths) -> None:
            for path in paths:
                with Image.open(path) as img, torch.inference_mode():
                    pixels = processor(images=img.convert("RGB"), return_tensors="pt")["pixel_values"]
                    model.visual_projection(model.vision_model(pixel_values=pixels.to(dtype)).pooler_output)
        embed(images[:2])
        t = time.perf_counter()
        embed(images)
        return time.perf_counter() - t

    app_dtype = dtype_for("cpu")
    loop_app = plain_loop(getattr(torch, app_dtype))
    loop_f32 = loop_app if app_dtype == "float32" else plain_loop(torch.float32)

    embedder = ClipEmbedder(folder, device="cpu")
    device, dtype = embedder.load()
    assert dtype == app_dtype, (dtype, app_dtype)
    embedder.embed(images[:2])  # warm-up, as for the loop
    t = time.perf_counter()
    embedder.embed(images)
    ours = time.perf_counter() - t
    model_cache.release("clip")
    return {"images": n_images, "dtype": app_dtype,
            "loop_images_per_s": round(n_images / loop_app, 1), "ours_images_per_s": round(n_images / ours, 1),
            "speedup_same_dtype_both_warm": round(loop_app / ours, 2),
            "loop_float32_images_per_s": round(n_images / loop_f32, 1),
            "precision_gain_loop": round(loop_f32 / loop_app, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, load average "
          f"{open('/proc/loadavg').read().split()[0] if Path('/proc/loadavg').exists() else '?'}", flush=True)
    with tempfile.TemporaryDirectory(prefix="ragart-bench-") as tmp:
        root = Path(tmp)
        print("CLIP ViT-B/32 architecture, random weights (ours vs a plain loop: same dtype, both warmed;"
              " precision gain: the plain loop in float32 vs the app's dtype):", flush=True)
        clip = bench_clip(root, 16 if args.quick else 32)
        print("  " + json.dumps(clip), flush=True)
        print("SD-Turbo architecture (SD 2.1-base), random weights, CPU float32:", flush=True)
        diffusion = bench_diffusion(root, 256 if args.quick else 512)
        print("  " + json.dumps(diffusion), flush=True)
    print(json.dumps({"clip": clip, "diffusion": diffusion, "load_average_after": open("/proc/loadavg").read().split()[0]
                      if Path("/proc/loadavg").exists() else "?"}))


if __name__ == "__main__":
    main()
