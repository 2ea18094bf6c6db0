"""Start-up time: process start -> main window painted, against a bare PySide6 QMainWindow.

    python bench/bench_startup.py [--runs 5] [--platform offscreen]

Each measurement is a fresh process; the clock runs from just before the process is spawned to the
moment it prints its first-paint line. Runs alternate app / baseline; medians are compared
(goal: the app under 1.5x the bare window). The app is built in two stages (frame, then panels right
after the first paint), so its second figure is the time until every panel is built and wired.
The app's lines also say whether torch, transformers or diffusers were already imported (they must
not be: the library and models load on worker threads afterwards).
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
SHOWN, READY = "RAGART_WINDOW_SHOWN", "RAGART_WINDOW_READY"

BARE_WINDOW = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            print("RAGART_WINDOW_SHOWN", flush=True)
            QTimer.singleShot(0, watched.close)
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1500, 920)
probe = Probe()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def time_to_lines(cmd: list[str], env: dict[str, str], wanted: tuple[str, ...]) -> dict[str, tuple[float, str]]:
    """Seconds from spawning ``cmd`` to each wanted line (by prefix) it prints, and the line."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    seen: dict[str, tuple[float, str]] = {}
    for line in proc.stdout:
        for prefix in wanted:
            if line.startswith(prefix) and prefix not in seen:
                seen[prefix] = (time.perf_counter() - t0, line.strip())
        if len(seen) == len(wanted):
            break
    proc.stdout.close()
    proc.wait(timeout=60)
    if len(seen) != len(wanted):
        raise SystemExit(f"{cmd} exited ({proc.returncode}) before printing {wanted}")
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ragart-bench-startup-") as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM=args.platform, RAGART_HOME=str(Path(tmp) / "home"),
                   RAGART_STARTUP_PROBE="exit")
        app_cmd = [sys.executable, str(ROOT / "main.py")]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        app_lines = (SHOWN, READY)
        # One untimed run of each: the first ever start compiles bytecode and warms the disk cache.
        time_to_lines(app_cmd, env, app_lines)
        time_to_lines(bare_cmd, env, (SHOWN,))
        shown, ready, bare, reports = [], [], [], set()
        for _ in range(args.runs):
            seen = time_to_lines(app_cmd, env, app_lines)
            shown.append(seen[SHOWN][0])
            ready.append(seen[READY][0])
            reports.update(line for _, line in seen.values())
            bare.append(time_to_lines(bare_cmd, env, (SHOWN,))[SHOWN][0])

    def row(label: str, times: list[float]) -> float:
        median = statistics.median(times)
        print(f"{label:<34}: median {median * 1000:7.1f} ms  (runs: {', '.join(f'{t * 1000:.0f}' for t in times)})")
        return median

    print(f"platform: {args.platform}, runs: {args.runs} each (alternating), python {sys.version.split()[0]}")
    bare_median = row("bare PySide6 QMainWindow, painted", bare)
    shown_median = row("RagArt main window, painted", shown)
    ready_median = row("RagArt panels built and wired", ready)
    print(f"ratio painted / bare              : {shown_median / bare_median:.2f}x  (goal < 1.5x)")
    print(f"ratio panels ready / bare         : {ready_median / bare_median:.2f}x")
    for line in sorted(reports):
        print("reported: " + line)


if __name__ == "__main__":
    main()
