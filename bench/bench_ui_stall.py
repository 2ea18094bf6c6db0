"""The longest UI event-loop stall while the app imports 2,000 images and while it generates.

    python bench/bench_ui_stall.py [--images 2000] [--size 256] [--no-generate] [--startup-only]

A QTimer fires every 5 ms on the UI thread; a stall is how late a tick comes (gap - 5 ms). The
real main window runs (offscreen) on a fresh home folder, set up as the app sets it up (theme, GIL
turns: ragart_desktop.app.prepare_ui). Phases, each with its own figures:
  panels      from the window's first paint until its panels are built (stage two of the window)
  start-up    from the panels being ready until the library is open and its words model loaded
              (the model loads in its own process: torch/transformers, whose imports hold the GIL
              in stretches of up to a second, are never imported by the window's process)
  idle        the window doing nothing (the baseline of this machine, measured in the same run)
  tabs        each tab after the first shown once (the Music and Text editors are built when first
              shown, not at start-up)
  import      File > Add Folder of N generated images (indexing on the worker thread, the grid
              browsing the library as it is filled)
  search      five word searches, one after another, as the browser runs them
  generate    one built-in generation job (txt2img with references retrieved from the library)
Goal: no stall over 50 ms at start-up (the check of issue 12, item 14), nor while importing,
searching and generating. ``--startup-only`` runs the panels, start-up, idle and tabs phases.
"""
from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ragart_desktop.core.home import Home  # noqa: E402
from ragart_desktop.core.settings import Settings  # noqa: E402

TICK_MS = 5


class StallProbe:
    """Records how late each 5 ms tick of a UI-thread timer arrives (and, with a ``StackSampler``,
    what every thread was doing during the worst stall)."""

    def __init__(self, sampler: "StackSampler | None" = None):
        self.timer = QTimer(interval=TICK_MS)
        self.timer.setTimerType(self.timer.timerType().PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.gaps: list[float] = []
        self.sampler = sampler

    def start(self) -> None:
        self.gaps.clear()
        self.clock.start()
        self.timer.start()
        if self.sampler is not None:
            self.sampler.reset()

    def stop(self) -> dict[str, float]:
        self._tick()   # the wait since the last tick counts too
        self.timer.stop()
        stalls = sorted(max(0.0, g - TICK_MS) for g in self.gaps) or [0.0]
        return {"ticks": len(self.gaps), "worst_ms": stalls[-1], "p99_ms": stalls[int(0.99 * (len(stalls) - 1))],
                "median_ms": statistics.median(stalls), "over_50ms": sum(s > 50 for s in stalls)}

    def _tick(self) -> None:
        gap = self.clock.nsecsElapsed() / 1e6
        self.gaps.append(gap)
        self.clock.restart()
        if self.sampler is not None:
            self.sampler.tick(gap)


class StackSampler:
    """A watchdog thread that, while the UI thread's timer is late, samples every thread's Python
    stack every 2 ms and keeps the samples of the worst stall (``--why``).

    The sampler needs the GIL to take a sample. When a thread holds it through a long C call (an
    extension module's initialisation, a big allocation), the sampler's own sleep overruns too: the
    sample taken right after its longest overrun shows where that thread was. On Linux the stall is
    also split by the kernel's account of the UI thread (/proc/.../schedstat): time it ran, time it
    was ready but waited for a CPU (a loaded machine), and the rest, asleep (waiting for the GIL, a
    lock, or simply for the timer)."""

    def __init__(self, late_ms: float = 20.0, every_ms: float = 2.0):
        self.late_s, self.every_s = late_ms / 1000, every_ms / 1000
        self.ui_thread = threading.get_ident()
        self.schedstat = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat")
        self.reset()
        threading.Thread(target=self._watch, name="stall-sampler", daemon=True).start()

    def reset(self) -> None:
        self.last_tick = time.perf_counter()
        self.last_sched = self._sched()
        self.current: list[tuple[float, dict[int, list[str]]]] = []    # (sampler's overrun s, stacks)
        self.worst: tuple[float, list[tuple[float, dict[int, list[str]]]], tuple[float, float]] = (0.0, [], (0, 0))

    def _sched(self) -> tuple[float, float]:
        """The UI thread's time on a CPU and time waiting for one, in ms (zeros where not Linux)."""
        try:
            ran, waited = self.schedstat.read_text().split()[:2]
        except (OSError, ValueError):
            return 0.0, 0.0
        return int(ran) / 1e6, int(waited) / 1e6

    def tick(self, gap_ms: float) -> None:
        sched = self._sched()
        if gap_ms > self.worst[0] and self.current:
            self.worst = (gap_ms, self.current, (sched[0] - self.last_sched[0], sched[1] - self.last_sched[1]))
        self.current = []
        self.last_tick, self.last_sched = time.perf_counter(), sched

    def _watch(self) -> None:
        me = threading.get_ident()
        woke = time.perf_counter()
        while True:
            time.sleep(self.every_s)
            now = time.perf_counter()
            overrun, woke = now - woke - self.every_s, now
            if now - self.last_tick > self.late_s:
                stacks = {ident: self._short(frame) for ident, frame in sys._current_frames().items() if ident != me}
                self.current.append((overrun, stacks))

    @staticmethod
    def _short(frame) -> list[str]:
        """The innermost frames, newest first: the one on top and the project's own below it."""
        stack = traceback.extract_stack(frame)
        ours = [f for f in stack if "ragart_desktop" in f.filename or "bench_" in f.filename]
        picked = ([stack[-1]] if stack and (not ours or ours[-1] is not stack[-1]) else []) + ours[::-1][:4]
        return [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in picked]

    def report(self) -> None:
        gap, samples, (ran, waited) = self.worst
        if not samples:
            return
        names = {t.ident: t.name for t in threading.enumerate()}

        def label(ident: int) -> str:
            return "UI" if ident == self.ui_thread else names.get(ident, "worker")

        print(f"          worst stall {gap - TICK_MS:.0f} ms: the UI thread ran {ran:.0f} ms, waited for a CPU "
              f"{waited:.0f} ms, slept {max(0.0, gap - ran - waited):.0f} ms; in {len(samples)} samples it was at:")
        for stack, n in collections.Counter(" <- ".join(s[self.ui_thread]) for _, s in samples).most_common(3):
            print(f"            {n:3d} x {stack}")
        overrun, stacks = max(samples, key=lambda sample: sample[0])
        print(f"          the sampler's longest wait for the GIL ({overrun * 1000:.0f} ms) ended with:")
        for ident, stack in sorted(stacks.items(), key=lambda item: item[0] != self.ui_thread):
            print(f"            {label(ident):<8} {' <- '.join(stack)}")


def make_images(folder: Path, n: int, size: int, seed: int = 0) -> None:
    """Distinct colour studies (gradient + blobs + noise), in a few named folders (tags)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    subjects = ["forest", "harbour", "portrait", "city", "desert", "sea", "flowers", "mountain"]
    for i in range(n):
        sub = folder / subjects[i % len(subjects)]
        sub.mkdir(parents=True, exist_ok=True)
        c0, c1 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        t = np.clip(x * rng.uniform(-1, 1) + y * rng.uniform(-1, 1) + 0.5, 0, 1)[..., None]
        img = c0 * (1 - t) + c1 * t
        for _ in range(4):
            cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.05, 0.3)
            blob = (((x - cx) ** 2 + (y - cy) ** 2) < r * r)[..., None]
            img = np.where(blob, rng.uniform(0, 255, 3), img)
        img = img + rng.normal(0, 6, img.shape)
        Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(sub / f"study_{i:05d}.png")


def run_until(app: QApplication, signal, timeout_s: float, failed=None) -> bool:
    """Spin the event loop until ``signal`` (True) or ``failed`` / the timeout (False)."""
    loop = QEventLoop()
    done = {"ok": False}

    def finish(*_):
        done["ok"] = True
        loop.quit()

    signal.connect(finish)
    if failed is not None:
        failed.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    signal.disconnect(finish)
    if failed is not None:
        failed.disconnect(loop.quit)
    return done["ok"]


def report(phase: str, probe: StallProbe, seconds: float) -> None:
    figures = probe.stop()
    print(f"{phase:<9} {seconds:7.1f} s  ticks {figures['ticks']:6d}  worst stall {figures['worst_ms']:6.1f} ms  "
          f"p99 {figures['p99_ms']:5.1f} ms  median {figures['median_ms']:4.1f} ms  ticks >50 ms: "
          f"{figures['over_50ms']}")
    if probe.sampler is not None:
        probe.sampler.report()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--size", type=int, default=256, help="side of the generated images (px)")
    parser.add_argument("--no-generate", action="store_true")
    parser.add_argument("--startup-only", action="store_true", help="only the panels, start-up, idle and tabs phases")
    parser.add_argument("--no-editors", action="store_true", help="the window without its editor tabs")
    parser.add_argument("--why", action="store_true",
                        help="sample every thread's stack during each phase's worst stall and print it")
    args = parser.parse_args()

    app = QApplication(sys.argv[:1])
    from ragart_desktop.app import prepare_ui
    from ragart_desktop.ui.main_window import MainWindow

    settings = Settings()
    prepare_ui(app, settings)      # the app's theme and GIL turns, as ``ragart-desktop`` sets them up

    with tempfile.TemporaryDirectory(prefix="ragart-bench-stall-") as tmp:
        folder = Path(tmp) / "art"
        t0 = time.perf_counter()
        if not args.startup_only:
            make_images(folder, args.images, args.size)
            print(f"made {args.images} images of {args.size}px in {time.perf_counter() - t0:.1f} s")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, platform {app.platformName()}, "
              f"load average {os.getloadavg()[0]:.1f}")
        if sys.dont_write_bytecode:   # an installed app has its .pyc files: here every import compiles
            print("          PYTHONDONTWRITEBYTECODE is set: modules compile from source on every start")
        window = MainWindow(Home(Path(tmp) / "home").ensure(), settings, load_editor_tabs=not args.no_editors)
        probe = StallProbe(StackSampler() if args.why else None)
        window.first_painted.connect(probe.start)
        window.show()
        # Panels: from the window's first paint until its panels are built (one block of UI work).
        t0 = time.perf_counter()
        run_until(app, window.ready, 30)
        report("panels", probe, time.perf_counter() - t0)
        # Start-up: the app opens the library and loads its words model on workers (the model in its
        # own process) right after the panels are up.
        probe.start()
        t0 = time.perf_counter()
        run_until(app, window.service.warmed, 300)
        report("start-up", probe, time.perf_counter() - t0)
        heavy = [m for m in ("torch", "transformers") if m in sys.modules]
        print(f"          model libraries imported by the window's process: {', '.join(heavy) or 'none'}")

        probe.start()
        t0 = time.perf_counter()
        run_until(app, window.destroyed, 2.0)    # an idle window for 2 s: this machine's baseline
        report("idle", probe, time.perf_counter() - t0)

        # Tabs: each tab after the first shown once, 0.5 s apart (their editors are built on first show).
        probe.start()
        t0 = time.perf_counter()
        for index in range(1, window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            run_until(app, window.destroyed, 0.5)
        window.tabs.setCurrentIndex(0)
        report("tabs", probe, time.perf_counter() - t0)
        if args.startup_only:
            window.close()
            return

        probe.start()
        t0 = time.perf_counter()
        reports = []
        window.service.imported.connect(reports.append)
        window.import_paths([str(folder)])
        finished = run_until(app, window.service.imported, 1800, failed=window.service.indexer.failed)
        seconds = time.perf_counter() - t0
        report("import", probe, seconds)
        if not finished:
            print("import did not finish in time")
        else:
            print(f"          {reports[0].added:,} images added, {args.images / seconds:.0f} images/s "
                  "while the UI was probed")

        from ragart_desktop.core.retrieval.query import Query

        probe.start()
        t0 = time.perf_counter()
        for words in ("harbour at dusk", "forest", "city lights", "warm portrait", "desert mountain"):
            answered = QEventLoop()
            window.service.search(Query(text=words, k=50), lambda _: answered.quit(), lambda _: answered.quit())
            QTimer.singleShot(60_000, answered.quit)
            answered.exec()
        report("search", probe, time.perf_counter() - t0)

        if not args.no_generate:
            window.generation_panel.prompt.setPlainText("a harbour at dusk, warm colours")
            probe.start()
            t0 = time.perf_counter()
            window.generate()
            ok = run_until(app, window.model_worker.finished, 600, failed=window.model_worker.failed)
            report("generate", probe, time.perf_counter() - t0)
            if not ok:
                print("generation did not finish (see the error panel/log):",
                      [r.headline for r in window.error_panel.reports][:3])
        window.close()


if __name__ == "__main__":
    main()
