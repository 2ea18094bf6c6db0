"""Throughput of the three built-in embedders, each against a baseline measured in the same run.

- image: descriptor on decoded 1-2 MP procedural JPEGs vs ``img.thumbnail((256, 256))`` on the same
  images; also on the <= 512 px images the importer actually hands over (JPEG draft decoding).
- text: MiniLM sentences/s at batch 32 vs batch 1.
- music: procedural MIDI pieces/s.

Run from the repository root: ``python bench/bench_embedders.py``.
"""
from __future__ import annotations

import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from ragart_desktop.core.embed.image_descriptor import ImageDescriptorEmbedder  # noqa: E402
from ragart_desktop.core.embed.music_descriptor import MusicDescriptorEmbedder  # noqa: E402
from ragart_desktop.core.embed.text_minilm import MiniLMTextEmbedder  # noqa: E402
from tests.core.embed.procedural_images import procedural_image  # noqa: E402
from tests.core.embed.procedural_midi import procedural_piece  # noqa: E402

N_IMAGES = 16
IMAGE_SIZES = ((1280, 960), (1600, 1200), (1200, 1200), (1440, 1080))  # 1.2-1.9 MP
REPEATS = 3


def _best_time(fn) -> float:
    """Fastest of REPEATS runs (seconds): the figure least disturbed by other processes."""
    best = float("inf")
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _jpeg_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _draft_decode(data: bytes) -> Image.Image:
    """JPEG draft decoding: the decoder itself scales by 1/2, 1/4 or 1/8 to the smallest size that is
    still >= 512 px, which costs a fraction of a full decode."""
    img = Image.open(io.BytesIO(data))
    img.draft("RGB", (512, 512))
    return img.convert("RGB")


def bench_images() -> None:
    files = [_jpeg_bytes(procedural_image(s, IMAGE_SIZES[s % len(IMAGE_SIZES)])) for s in range(N_IMAGES)]
    decoded = [Image.open(io.BytesIO(d)).convert("RGB") for d in files]
    embedder = ImageDescriptorEmbedder()
    mp = sum(im.width * im.height for im in decoded) / len(decoded) / 1e6

    def thumbnails():
        for im in copies:
            im.thumbnail((256, 256))

    copies_time = []
    for _ in range(REPEATS):
        copies = [im.copy() for im in decoded]  # thumbnail() works in place
        t = time.perf_counter()
        thumbnails()
        copies_time.append(time.perf_counter() - t)
    t_thumb = min(copies_time)
    t_full = _best_time(lambda: embedder.embed(decoded))
    reduced = [im.copy() for im in decoded]
    for im in reduced:
        im.thumbnail((512, 512))
    t_reduced = _best_time(lambda: embedder.embed(reduced))
    t_draft_embed = _best_time(lambda: embedder.embed([_draft_decode(d) for d in files]))
    def decode_and_thumbnail():
        for d in files:
            Image.open(io.BytesIO(d)).convert("RGB").thumbnail((256, 256))

    t_decode_thumb = _best_time(decode_and_thumbnail)
    n = len(decoded)
    print(f"image: {n} procedural JPEGs, mean {mp:.2f} MP, decoded once")
    print(f"  baseline thumbnail(256,256) on decoded:   {n / t_thumb:8.1f} img/s ({1e3 * t_thumb / n:.2f} ms)")
    print(f"  descriptor on decoded full size:          {n / t_full:8.1f} img/s ({1e3 * t_full / n:.2f} ms)"
          f"  ratio to baseline {t_full / t_thumb:.2f}x")
    print(f"  descriptor on <=512 px (importer input):  {n / t_reduced:8.1f} img/s ({1e3 * t_reduced / n:.2f} ms)"
          f"  ratio to baseline {t_reduced / t_thumb:.2f}x")
    print(f"  from file: full decode + thumbnail:       {n / t_decode_thumb:8.1f} img/s"
          f" ({1e3 * t_decode_thumb / n:.2f} ms)")
    print(f"  from file: draft decode + descriptor:     {n / t_draft_embed:8.1f} img/s"
          f" ({1e3 * t_draft_embed / n:.2f} ms)  ratio {t_draft_embed / t_decode_thumb:.2f}x")


def bench_text() -> None:
    words = "the a quiet storm over blue hills painting of music in minor key bright red fox sleeping".split()
    sentences = [" ".join(words[(i * 7 + k * 3) % len(words)] for k in range(6 + i % 12)) for i in range(128)]
    embedder = MiniLMTextEmbedder(batch_size=32)
    t_load = time.perf_counter()
    embedder.embed(["warm up"])
    t_load = time.perf_counter() - t_load
    one = MiniLMTextEmbedder(batch_size=1)
    one._tokenizer, one._model = embedder._tokenizer, embedder._model  # same loaded model, other batch size
    t32 = _best_time(lambda: embedder.embed(sentences))
    t1 = _best_time(lambda: one.embed(sentences))
    print(f"text: MiniLM, {len(sentences)} sentences of 6-17 words (first load {t_load:.2f} s)")
    print(f"  batch 1:  {len(sentences) / t1:8.1f} sentences/s")
    print(f"  batch 32: {len(sentences) / t32:8.1f} sentences/s  ({t1 / t32:.2f}x batch 1)")


def bench_music() -> None:
    pieces = [procedural_piece(s) for s in range(60)]
    embedder = MusicDescriptorEmbedder()
    t = _best_time(lambda: embedder.embed(pieces))
    notes = sum(len(i.notes) for p in pieces for i in p.instruments) / len(pieces)
    print(f"music: {len(pieces)} procedural pieces, mean {notes:.0f} notes")
    print(f"  descriptor: {len(pieces) / t:8.1f} pieces/s ({1e3 * t / len(pieces):.2f} ms)")


if __name__ == "__main__":
    bench_images()
    bench_music()
    bench_text()
