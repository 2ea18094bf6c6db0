"""Time of ``ragart status`` beside a models folder full of odd files, against an empty one.

The junk is what tests/fixtures/junk_models.py writes (safetensors headers nested 100,000 deep,
strings for shapes, empty LoRA shapes, non-text metadata, FIFOs named like models, odd configs),
copied ``--sets`` times. Each figure is a fresh ``python -m ragart_desktop.cli status --json``
process (median of ``--repeat``), and the registry scan alone in this process.

    python bench/bench_junk_models.py [--sets 10] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ragart_desktop.core.home import Home  # noqa: E402
from ragart_desktop.core.models.registry import scan  # noqa: E402
from tests.fixtures.junk_models import make_junk  # noqa: E402


def status_seconds(home: Home, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ragart_desktop.cli", "--home", str(home.root), "status", "--json"],
                       cwd=ROOT, check=True, capture_output=True, timeout=600,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clean, junk = Home(Path(tmp) / "clean").ensure(), Home(Path(tmp) / "junk").ensure()
        for i in range(args.sets):
            make_junk(junk.models_dir / f"set-{i:02d}")
        files = sum(len(f) + len(d) for _, d, f in os.walk(junk.models_dir))
        t0 = time.perf_counter()
        entries = scan([junk.models_dir])
        scan_s = time.perf_counter() - t0
        refused = sum(not e.loadable for e in entries)
        base = status_seconds(clean, args.repeat)
        ours = status_seconds(junk, args.repeat)
        print(f"models folder: {args.sets} junk sets, {files} files and folders; registry scan alone "
              f"{scan_s * 1000:.0f} ms ({len(entries)} entries, {refused} not loadable)")
        print(f"  baseline `ragart status` with an empty models folder: {base:.2f} s")
        print(f"  `ragart status` beside the junk models folder:        {ours:.2f} s "
              f"(+{(ours - base) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
