"""Canvas stroke latency on a large canvas, against the 16 ms goal (one frame at 60 Hz).

Measures, on a SIZE x SIZE canvas (default 4096) with an opaque background, a half-transparent
texture layer and an empty paint layer:
  - per brush segment: rasterising the segment (dabs) + recompositing its dirty rectangle
    (median, p95, max over a long stroke of N segments, 40 px soft brush);
  - the same plus the Qt view repainting that rectangle (offscreen platform), unless --no-view;
  - baseline, measured in the same run: recompositing the full canvas, i.e. what a segment would
    cost if the editor redrew everything;
  - finishing the stroke (building its undo entry) and undoing it.

Run:  python bench/bench_canvas.py [--size 4096] [--segments 500] [--brush 40] [--no-view]
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import time

import numpy as np

from ragart_desktop.core.canvas import Brush, CanvasDocument

GOAL_MS = 16.0


def stroke_path(size: int, segments: int, step: float) -> list[tuple[float, float]]:
    """A long looping stroke across the canvas with points ``step`` pixels apart (a pointer at
    ~60 Hz moving at a brisk hand speed)."""
    points, t = [], 0.0
    cx = cy = size / 2
    while len(points) < segments + 1:
        x = cx + 0.42 * size * math.sin(3 * t)
        y = cy + 0.42 * size * math.sin(2 * t + 0.5)
        if not points or math.hypot(x - points[-1][0], y - points[-1][1]) >= step:
            points.append((x, y))
        t += 0.0002
    return points


def make_document(size: int) -> CanvasDocument:
    doc = CanvasDocument.new(size, size)  # Background (opaque white) + "Layer 1"
    rng = np.random.default_rng(0)
    texture = np.zeros((size, size, 4), np.uint8)
    small = rng.integers(0, 256, (size // 16, size // 16, 4), dtype=np.uint8)
    texture[...] = np.repeat(np.repeat(small, 16, axis=0), 16, axis=1)
    texture[..., 3] //= 2
    doc.add_layer("texture", pixels=texture, index=1)
    doc.set_active_layer(doc.layers[-1].id)
    doc.refresh_composite()
    return doc


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def run_core(size: int, segments: int, brush_size: float, step: float) -> dict:
    doc = make_document(size)
    brush = Brush(size=brush_size, hardness=0.6, opacity=0.9, colour=(180, 40, 60))
    path = stroke_path(size, segments, step)
    doc.begin_stroke(*path[0], brush)
    doc.refresh_composite()
    times, areas = [], []
    for x, y in path[1:]:
        t0 = time.perf_counter()
        rect = doc.stroke_to(x, y)
        rects = doc.refresh_composite()
        times.append((time.perf_counter() - t0) * 1000)
        areas.append(sum(r.area for r in rects) if rect is not None else 0)
    t0 = time.perf_counter()
    doc.end_stroke()
    end_ms = (time.perf_counter() - t0) * 1000
    entry_mb = doc.history.done[-1].nbytes / 1e6
    t0 = time.perf_counter()
    doc.undo()
    doc.refresh_composite()
    undo_ms = (time.perf_counter() - t0) * 1000
    full = []
    for _ in range(3):
        doc._pending.append(doc.bounds)
        t0 = time.perf_counter()
        doc.refresh_composite()
        full.append((time.perf_counter() - t0) * 1000)
    return {"times": times, "areas": areas, "end_ms": end_ms, "undo_ms": undo_ms,
            "entry_mb": entry_mb,
            "full_ms": statistics.median(full)}


def run_view(size: int, segments: int, brush_size: float, step: float) -> list[float]:
    """Segments through the real widget: stroke + composite + repaint of the dirty rectangle."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication

    from ragart_desktop.ui.canvas.view import CanvasView

    app = QApplication.instance() or QApplication([])
    view = CanvasView()
    view.resize(1500, 1500)
    view.show()
    app.processEvents()
    view.set_document(make_document(size))
    view.set_zoom(1.0)
    app.processEvents()
    doc = view.doc
    brush = Brush(size=brush_size, hardness=0.6, opacity=0.9, colour=(180, 40, 60))
    # Keep the stroke inside the 1:1 viewport so every segment really gets painted on screen.
    span = min(size, 1400)
    path = [(x + 50, y + 50) for x, y in stroke_path(span - 100, segments, step)]
    view.offset = QPointF(0, 0)  # image origin at the widget's top-left
    doc.begin_stroke(*path[0], brush)
    app.processEvents()
    times = []
    for x, y in path[1:]:
        t0 = time.perf_counter()
        rect = doc.stroke_to(x, y)
        if rect is not None:
            view.repaint(view._widget_rect(rect))  # synchronous paint of just that region
        times.append((time.perf_counter() - t0) * 1000)
    doc.end_stroke()
    view.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--segments", type=int, default=500)
    parser.add_argument("--brush", type=float, default=40.0)
    parser.add_argument("--step", type=float, default=12.0, help="pointer distance between events, pixels")
    parser.add_argument("--no-view", action="store_true", help="skip the Qt repaint measurement")
    args = parser.parse_args()

    print(f"canvas {args.size} x {args.size}, 3 layers, brush {args.brush:g} px, "
          f"{args.segments} segments of ~{args.step:g} px; goal < {GOAL_MS:g} ms per segment")
    core = run_core(args.size, args.segments, args.brush, args.step)
    t = core["times"]
    touched = [a for a in core["areas"] if a]
    print(f"segment (dabs + dirty-rect composite): median {statistics.median(t):.3f} ms, "
          f"p95 {percentile(t, 95):.3f} ms, max {max(t):.3f} ms  "
          f"[recomposited {statistics.median(touched):.0f} px per segment, median]")
    print(f"baseline: full {args.size}x{args.size} recomposite {core['full_ms']:.1f} ms "
          f"-> the dirty-rect path is {core['full_ms'] / statistics.median(t):.0f}x faster per segment (median)")
    print(f"end of stroke (undo entry of {core['entry_mb']:.1f} MB): {core['end_ms']:.1f} ms; "
          f"undo of the whole stroke: {core['undo_ms']:.1f} ms")
    verdict = "meets" if percentile(t, 95) < GOAL_MS else "MISSES"
    print(f"core p95 {verdict} the {GOAL_MS:g} ms goal")
    if not args.no_view:
        v = run_view(args.size, args.segments, args.brush, args.step)
        verdict = "meets" if percentile(v, 95) < GOAL_MS else "MISSES"
        print(f"segment incl. Qt repaint of the dirty rect (offscreen, 100% zoom): median "
              f"{statistics.median(v):.3f} ms, p95 {percentile(v, 95):.3f} ms, max {max(v):.3f} ms; "
              f"p95 {verdict} the goal")


if __name__ == "__main__":
    main()
