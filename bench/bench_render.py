"""Benchmark: rendering a 4-track piece to stereo audio with the General MIDI SoundFont, one core.

The piece is the demo library's "Blue Hour (ii-V-I)": vibraphone melody, electric piano chords,
acoustic bass and drums, 16 bars (34 s). Timed in the same run, both warmed up, best of N:

  baseline  pretty_midi's ``synthesize`` (one sine wave per note, no SoundFont, mono)
  RagArt    ``synth.render`` with TimGM6mb.sf2 (sample playback, envelopes, stereo), 44.1 kHz

Real-time factor = seconds of audio / seconds of rendering (goal: >= 100x). Wall-clock and CPU
time are both printed: on a shared machine the CPU time is the fairer of the two.
Run: ``python bench/bench_render.py [--repeat 5]``.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pretty_midi  # noqa: E402

from ragart_desktop.core.demo.music import PIECES, render_piece  # noqa: E402
from ragart_desktop.core.music.audio import bundled_soundfont, load_soundfont  # noqa: E402
from ragart_desktop.core.music.midi_io import score_from_bytes  # noqa: E402
from ragart_desktop.core.music.synth import SAMPLE_RATE, render  # noqa: E402


def best(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm up (caches, page faults)
    wall = cpu = float("inf")
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    data = render_piece(next(p for p in PIECES if p.name == "blue-hour-ii-v-i"))
    score = score_from_bytes(data)
    pm = pretty_midi.PrettyMIDI(io.BytesIO(data))
    font = load_soundfont(bundled_soundfont())
    seconds = render(score, font).shape[1] / SAMPLE_RATE
    print(f"{len(score.tracks)} tracks, {score.note_count} notes, {seconds:.1f} s of audio at {SAMPLE_RATE} Hz, "
          f"best of {args.repeat}")
    for name, fn in (("pretty_midi.synthesize (baseline, sines)", lambda: pm.synthesize(fs=SAMPLE_RATE)),
                     ("RagArt SoundFont render (TimGM6mb)", lambda: render(score, font))):
        wall, cpu = best(fn, args.repeat)
        print(f"  {name:<42} wall {wall * 1000:7.1f} ms ({seconds / wall:6.1f}x real time)   "
              f"cpu {cpu * 1000:7.1f} ms ({seconds / cpu:6.1f}x)")
    print("goal: >= 100x real time")


if __name__ == "__main__":
    main()
