"""Benchmark: reading MIDI into a score, four ways, on the 30 demo pieces and on one long piece
(20,000 notes, the piano roll's open target), one core.

  pretty_midi   ``PrettyMIDI(file)``: the library's reader (notes in seconds) - the baseline
  mido->Score   mido's parse (every event a checked Message) + notes in beats (RagArt until 2026-11-30)
  smf->Score    ``midi_io.score_from_bytes``: our event reader (core/music/smf.py) + notes in beats
  symusic       ``symusic.Score.from_midi`` in quarter notes (C++; drops text events)

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
from ragart_desktop.core.music.score import Score, Track  # noqa: E402


def per_file_ms(fn, datas: list[bytes], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for d in datas:
            fn(d)
        best = min(best, time.perf_counter() - start)
    return best / len(datas) * 1000


def mido_events(data: bytes) -> int:
    """mido's part of the old reader: parse every event into a Message and walk them."""
    import mido

    return sum(1 for track in mido.MidiFile(file=io.BytesIO(data)).tracks for _ in track)


def long_piece(notes: int, piece: bytes) -> bytes:
    """One demo piece repeated to ``notes`` notes (what bench_piano_roll.py opens)."""
    score = score_from_bytes(piece)
    span = score.bar_line_after(score.notes_end - 1e-6)
    big = Score(tempos=score.tempos, time_signatures=score.time_signatures, key=score.key)
    copies = -(-notes // score.note_count)
    for t in score.tracks:
        big.add_track(Track(t.name, t.program, t.is_drum, [n.shifted(k * span) for k in range(copies) for n in t.notes]))
    return score_to_bytes(big)


def compare(label: str, datas: list[bytes], repeat: int) -> None:
    import symusic

    base = per_file_ms(lambda d: pretty_midi.PrettyMIDI(io.BytesIO(d)), datas, repeat)
    print(f"{label}\n  pretty_midi (baseline)   {base:8.2f} ms/file")
    old = per_file_ms(mido_events, datas, repeat)
    print(f"  mido parse alone         {old:8.2f} ms/file   {base / old:5.2f}x the baseline (the old reader spent this)")
    ours = per_file_ms(score_from_bytes, datas, repeat)
    print(f"  smf -> Score (RagArt)    {ours:8.2f} ms/file   {base / ours:5.2f}x the baseline")
    sym = per_file_ms(lambda d: symusic.Score.from_midi(d, ttype="quarter"), datas, repeat)
    print(f"  symusic {symusic.__version__:<16} {sym:8.2f} ms/file   {base / sym:5.2f}x the baseline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    datas = [render_piece(p) for p in PIECES]
    notes = sum(score_from_bytes(d).note_count for d in datas)
    print(f"load average {os.getloadavg()[0]:.1f}; best of {args.repeat}")
    compare(f"{len(datas)} demo pieces, {notes / len(datas):.0f} notes each on average", datas, args.repeat)
    big = long_piece(20_000, next(d for p, d in zip(PIECES, datas) if p.name == "blue-hour-ii-v-i"))
    compare("one piece of 20,000 notes", [big], max(1, args.repeat // 2))
    scores = [score_from_bytes(d) for d in datas]
    write = per_file_ms(score_to_bytes, scores, args.repeat)
    print(f"  Score -> MIDI bytes (demo pieces, mido)  {write:7.2f} ms/file")


if __name__ == "__main__":
    main()
