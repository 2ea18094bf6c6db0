"""Benchmark: reading MIDI into a score, three ways, on the 30 demo pieces (one core).

  pretty_midi   ``PrettyMIDI(file)``: the library's reader (notes in seconds) - the baseline
  mido->Score   ``midi_io.score_from_bytes``: mido parse + notes in beats (what RagArt uses)
  symusic       ``symusic.Score.from_midi`` in quarter notes, when symusic is installed (C++)

and writing a score back (``score_to_bytes``). Run: ``python bench/bench_midi_io.py [--repeat 5]``.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pretty_midi  # noqa: E402

from ragart_desktop.core.demo.music import PIECES, render_piece  # noqa: E402
from ragart_desktop.core.music.midi_io import score_from_bytes, score_to_bytes  # noqa: E402


def per_file_ms(fn, datas: list[bytes], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for d in datas:
            fn(d)
        best = min(best, time.perf_counter() - start)
    return best / len(datas) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    datas = [render_piece(p) for p in PIECES]
    notes = sum(score_from_bytes(d).note_count for d in datas)
    print(f"{len(datas)} demo pieces, {notes / len(datas):.0f} notes each on average; best of {args.repeat}")
    base = per_file_ms(lambda d: pretty_midi.PrettyMIDI(io.BytesIO(d)), datas, args.repeat)
    print(f"  pretty_midi (baseline)   {base:7.2f} ms/file")
    ours = per_file_ms(score_from_bytes, datas, args.repeat)
    print(f"  mido -> Score (RagArt)   {ours:7.2f} ms/file   {base / ours:5.2f}x the baseline")
    try:
        import symusic
    except ImportError:
        print("  symusic                  not installed")
    else:
        sym = per_file_ms(lambda d: symusic.Score.from_midi(d, ttype="quarter"), datas, args.repeat)
        print(f"  symusic {symusic.__version__:<16} {sym:7.2f} ms/file   {base / sym:5.2f}x the baseline")
    scores = [score_from_bytes(d) for d in datas]
    write = per_file_ms(score_to_bytes, scores, args.repeat)
    print(f"  Score -> MIDI bytes      {write:7.2f} ms/file")


if __name__ == "__main__":
    main()
