"""The near-copy guard's curve on the demo library: edited copies flagged vs different pictures flagged.

    PYTHONPATH=. python bench/bench_near_copy.py [--step 1] [--json FILE]

The demo library's pictures are imported into a fresh home. Every picture (every ``--step``-th)
gets each edit below; each edited copy is evaluated twice with the guard as the product runs it
(``nearest_copy``: candidates from the image index, keypoint alignment, dense check):
- as a copy: with the whole library; a true positive when the guard flags it *and* names the
  picture it came from (or that picture's own near-duplicate in the demo);
- as a different picture: with that picture (and its near-duplicate) left out, so the nearest item
  is some other picture, of the same style more often than not; flagging it is a false alarm.
The baseline, measured in the same run, is the guard the app had before: the cosine of the built-in
image descriptor to the nearest library picture. Both curves are printed over thresholds, with
the true-positive rate per edit and the seconds per evaluation.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

THRESHOLDS = (0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def _crop(im: Image.Image, share: float, ax: float = 0.5, ay: float = 0.5) -> Image.Image:
    w, h = im.size
    cw, ch = int(w * share), int(h * share)
    x0, y0 = int((w - cw) * ax), int((h - ch) * ay)
    return im.crop((x0, y0, x0 + cw, y0 + ch))


def _rotate(im: Image.Image, degrees: float) -> Image.Image:
    return _crop(im.rotate(degrees, resample=Image.BICUBIC), 0.86)   # without the black corners


def _hue(im: Image.Image, turn: float) -> Image.Image:
    hsv = np.asarray(im.convert("HSV")).copy()
    hsv[..., 0] = (hsv[..., 0].astype(int) + int(turn * 255)) % 256
    return Image.fromarray(hsv, "HSV").convert("RGB")


def _jpeg(im: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


EDITS = {
    "crop 80%": lambda im: _crop(im, 0.8, 0.3, 0.6),
    "crop 60%": lambda im: _crop(im, 0.6, 0.2, 0.7),
    "scale 50%": lambda im: im.resize((im.width // 2, im.height // 2), Image.LANCZOS),
    "scale 150%": lambda im: im.resize((im.width * 3 // 2, im.height * 3 // 2), Image.LANCZOS),
    "mirror": ImageOps.mirror,
    "rotate 5": lambda im: _rotate(im, 5),
    "rotate -10": lambda im: _rotate(im, -10),
    "hue +30": lambda im: _hue(im, 30 / 360),
    "hue +120": lambda im: _hue(im, 120 / 360),
    "brighter 30%": lambda im: ImageEnhance.Brightness(im).enhance(1.3),
    "darker 30%": lambda im: ImageEnhance.Brightness(im).enhance(0.7),
    "saturation 30%": lambda im: ImageEnhance.Color(im).enhance(0.3),
    "contrast 140%": lambda im: ImageEnhance.Contrast(im).enhance(1.4),
    "jpeg q30": lambda im: _jpeg(im, 30),
    "mirror+crop 80%+hue": lambda im: _hue(_crop(ImageOps.mirror(im), 0.8, 0.6, 0.4), 0.1),
    "rotate 5+square 300px+brighter": lambda im: ImageEnhance.Brightness(_rotate(im, 5).resize((300, 300))).enhance(1.2),
}


def _curve(positives: list[float], negatives: list[float]) -> list[dict]:
    p, n = np.asarray(positives), np.asarray(negatives)
    return [{"threshold": t, "tpr": float(np.mean(p >= t)), "fpr": float(np.mean(n >= t))} for t in THRESHOLDS]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--step", type=int, default=1, help="use every N-th demo picture")
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args()

    from ragart_desktop.core.demo import build_demo_library
    from ragart_desktop.core.demo.paintings import PAINTINGS
    from ragart_desktop.core.generate.image.near_copy import NEAR_COPY, nearest_copy
    from ragart_desktop.core.home import Home
    from ragart_desktop.core.library.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp) / "home").ensure()
        build_demo_library(home.demo_dir)
        lib = Library.open(home)
        lib.import_paths([home.demo_dir / "images"])
        items = sorted(lib.browse("image", 0, 1000), key=lambda it: it.path)
        by_name = {Path(it.path).stem: it for it in items}
        twins: dict[int, set[int]] = {it.id: {it.id} for it in items}
        for spec in PAINTINGS:
            if spec.crop_of:   # the demo's deliberate near-duplicate: a copy of its original, and back
                a_id, b_id = by_name[spec.name].id, by_name[spec.crop_of].id
                twins[a_id] |= {b_id}
                twins[b_id] |= {a_id}
        descriptor = lib.content_embedders_for("image")[0]
        index = lib.indexes[descriptor.id]

        ours = {e: ([], []) for e in EDITS}
        base = {e: ([], []) for e in EDITS}
        seconds, base_seconds = [], []
        for item in items[::a.step]:
            picture = Image.open(item.path).convert("RGB")
            for name, edit in EDITS.items():
                query = edit(picture)
                t = time.perf_counter()
                hit = nearest_copy(query, lib)
                seconds.append(time.perf_counter() - t)
                ours[name][0].append(hit.similarity if hit and hit.item_id in twins[item.id] else 0.0)
                miss = nearest_copy(query, lib, exclude=twins[item.id])
                ours[name][1].append(miss.similarity if miss else 0.0)
                t = time.perf_counter()
                near = index.search(descriptor.embed_one(query), 1 + len(twins[item.id]))
                base_seconds.append(time.perf_counter() - t)
                base[name][0].append(max([s for k, s in near if k in twins[item.id]], default=0.0))
                base[name][1].append(max([s for k, s in near if k not in twins[item.id]], default=0.0))
        lib.close()

    n = len(items[::a.step])
    print(f"near-copy guard on the demo library: {n} pictures x {len(EDITS)} edits = {n * len(EDITS)} copies, "
          f"each also compared with the library without its original")
    print(f"{'edit':34s} {'guard: copy min/mean':>21s} {'other max':>9s}   {'baseline: copy min/mean':>23s} {'other max':>9s}")
    for name in EDITS:
        (op, on), (bp, bn) = ours[name], base[name]
        print(f"{name:34s} {min(op):10.2f} {np.mean(op):10.2f} {max(on):9.2f}   {min(bp):12.2f} {np.mean(bp):10.2f} "
              f"{max(bn):9.2f}")
    all_ours = [sum((ours[e][i] for e in EDITS), []) for i in (0, 1)]
    all_base = [sum((base[e][i] for e in EDITS), []) for i in (0, 1)]
    curve, base_curve = _curve(*all_ours), _curve(*all_base)
    print(f"{'threshold':>9s}   {'guard TPR':>9s} {'FPR':>6s}   {'baseline TPR':>12s} {'FPR':>6s}")
    for c, b in zip(curve, base_curve):
        mark = "  <- NEAR_COPY" if abs(c["threshold"] - NEAR_COPY) < 1e-9 else ""
        print(f"{c['threshold']:9.2f}   {c['tpr']:9.3f} {c['fpr']:6.3f}   {b['tpr']:12.3f} {b['fpr']:6.3f}{mark}")
    print(f"seconds per evaluation, median: guard {statistics.median(seconds):.3f} s, "
          f"baseline (descriptor search) {statistics.median(base_seconds):.4f} s")
    if a.json:
        Path(a.json).write_text(json.dumps({"guard": curve, "baseline": base_curve, "near_copy": NEAR_COPY,
                                            "per_edit": {e: {"guard": ours[e], "baseline": base[e]} for e in EDITS}}))


if __name__ == "__main__":
    main()
