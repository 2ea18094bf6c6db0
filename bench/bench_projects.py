"""Peak memory and time of opening hostile .ragart files, against opening a real project.

Each file is opened in a fresh Python process (so one file's peak does not hide another's) that
reports the tracemalloc peak (Python and numpy allocations) and the growth of its peak resident
memory (ru_maxrss) over what the imports cost. The baseline, measured in the same run, is a real
project of the same few kilobytes. ``--code DIR`` runs the same files against another checkout
(for example the main branch before these limits) for a before/after table.

    python bench/bench_projects.py [--code /path/to/other/checkout] [--big]

``--big`` also saves and reopens a canvas above PIL's decompression-bomb limit (16384 x 11000,
180 MP), which the app lets a user create: it must reopen.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.hostile_projects import build_all, real_project  # noqa: E402

PROBE = r"""
import json, resource, sys, time, tracemalloc
sys.path.insert(0, sys.argv[1])
from ragart_desktop.core.canvas import open_project
import ragart_desktop.core.library.read_image  # the app has the image reader's pixel limit loaded
from ragart_desktop.core.errors import RagartError
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
start = time.perf_counter()
try:
    doc = open_project(sys.argv[2])
    outcome = f"opened {doc.width}x{doc.height}, {len(doc.layers)} layers"
except RagartError as exc:
    outcome = "refused: " + exc.message
except BaseException as exc:
    outcome = f"CRASH {type(exc).__name__}: {str(exc)[:80]}"
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
print(json.dumps({"outcome": outcome, "traced_mb": peak / 2**20, "rss_mb": rss / 1024, "seconds": seconds}))
"""


def probe(code: Path, path: Path) -> dict:
    run = subprocess.run([sys.executable, "-c", PROBE, str(code), str(path)], capture_output=True, text=True,
                         timeout=900)
    if run.returncode != 0:
        return {"outcome": f"process died ({run.returncode}): {run.stderr.strip().splitlines()[-1:]}",
                "traced_mb": float("nan"), "rss_mb": float("nan"), "seconds": float("nan")}
    return json.loads(run.stdout.strip().splitlines()[-1])


def big_canvas(folder: Path) -> Path:
    from ragart_desktop.core.canvas import CanvasDocument, save_project

    doc = CanvasDocument(16384, 11000)           # 180 MP: above PIL's limit, within the app's
    doc.add_layer("only layer")
    return save_project(doc, folder / "big-180mp.ragart", compress_level=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, action="append", default=[],
                        help="another checkout to run the same files against")
    parser.add_argument("--big", action="store_true", help="also reopen a 180 MP canvas")
    args = parser.parse_args()
    codes = [("this checkout", ROOT)] + [(str(c), c) for c in args.code]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {"baseline: real project": real_project(folder / "baseline.ragart"), **build_all(folder / "hostile")}
        if args.big:
            files["big 180 MP canvas (legit)"] = big_canvas(folder)
        for label, code in codes:
            print(f"\n== {label}")
            print(f"{'file':<28} {'KB':>8} {'traced MB':>10} {'RSS +MB':>8} {'s':>6}  outcome")
            for name, path in files.items():
                r = probe(code, path)
                print(f"{name:<28} {path.stat().st_size / 1024:>8.1f} {r['traced_mb']:>10.1f} {r['rss_mb']:>8.1f} "
                      f"{r['seconds']:>6.2f}  {r['outcome'][:110]}")


if __name__ == "__main__":
    main()
