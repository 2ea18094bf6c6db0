"""``RagArt --self-test``: the installed app proves, headless and offline, that everything it ships works.

It builds the demo library in a temporary home, searches it (words, an example image, an example
MIDI piece, Chinese words), runs each built-in generator once, renders a WAV with the bundled
SoundFont and opens the main window off screen; it prints one line per step with its time and
exits 0 only when every step passed. Every network connection is refused for the whole run, so a
step that tried to download something fails. ``packaging/smoke`` runs it on the frozen executable.
"""
from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

# Two short poems of our own in Chinese, so CJK words search (two characters, one character) is
# tried on every build: each query must rank the poem holding the word first.
CHINESE_NOTES = {
    "雪夜钟声.txt": "雪夜钟声\n\n山寺钟声远，\n雪落故乡桥。\n灯下读旧信，\n风吹柳丝摇。\n",
    "江边晚步.txt": "江边晚步\n\n春水绿如蓝，\n江边燕子飞。\n晚风吹细柳，\n行人踏月归。\n",
}


class NetworkRefused(OSError):
    pass


def block_network() -> Callable[[], None]:
    """Refuse every non-local socket connection (the offline promise); returns the undo."""
    saved = socket.socket.connect, socket.socket.connect_ex

    def guard(original):
        def connect(self, address, *args, **kwargs):
            if self.family == getattr(socket, "AF_UNIX", None):
                return original(self, address, *args, **kwargs)
            raise NetworkRefused(f"the self-test refuses network connections (to {address!r})")
        return connect

    socket.socket.connect = guard(saved[0])
    socket.socket.connect_ex = guard(saved[1])

    def undo() -> None:
        socket.socket.connect, socket.socket.connect_ex = saved
    return undo


@dataclass
class Context:
    """What the steps share: a temporary home with the demo library and the open Library."""

    home: Any
    library_dir: Path
    out_dir: Path
    library: Any = None
    facts: dict[str, Any] = field(default_factory=dict)


def _first(folder: Path, suffixes: tuple[str, ...]) -> Path:
    return next(p for p in sorted(folder.rglob("*")) if p.suffix.lower() in suffixes)


def step_build_demo(ctx: Context) -> str:
    from ragart_desktop.core.demo import build_demo_library

    summary = build_demo_library(ctx.library_dir)
    folder = ctx.library_dir / "notes" / "诗"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in CHINESE_NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return f"{summary.total + len(CHINESE_NOTES)} files"


def step_import(ctx: Context) -> str:
    from ragart_desktop.core.library.library import Library

    ctx.library = Library.open(ctx.home)
    report = ctx.library.import_paths([ctx.library_dir])
    if report.skipped:
        raise AssertionError(f"skipped: {report.skipped[:3]}")
    return report.summary()


def _search(ctx: Context, expect: Callable[[Any], bool], **query: Any) -> str:
    from ragart_desktop.core.retrieval.query import Query

    results = ctx.library.search(Query(k=5, **query))
    if not results or not expect(results):
        raise AssertionError(f"unexpected results: {[r.item.path for r in results]}")
    return f"top: {Path(results[0].item.path).name}"


def step_search_words(ctx: Context) -> str:
    return _search(ctx, lambda rs: True, text="stormy harbour")


def step_search_image(ctx: Context) -> str:
    from ragart_desktop.core.retrieval.query import Example

    example = _first(ctx.library_dir / "images", (".png", ".jpg", ".webp"))
    return _search(ctx, lambda rs: all(r.item.kind == "image" for r in rs),
                   like=(Example(path=str(example)),), kinds=("image",))


def step_search_midi(ctx: Context) -> str:
    from ragart_desktop.core.retrieval.query import Example

    example = _first(ctx.library_dir / "music", (".mid",))
    return _search(ctx, lambda rs: all(r.item.kind == "music" for r in rs),
                   like=(Example(path=str(example)),), kinds=("music",))


def step_search_chinese(ctx: Context) -> str:
    found = [_search(ctx, lambda rs: rs[0].item.path.endswith(name), text=word)
             for word, name in (("钟声", "雪夜钟声.txt"), ("春", "江边晚步.txt"))]
    return "; ".join(found)


def step_generate_image(ctx: Context) -> str:
    from ragart_desktop.core.generate.image.pipeline import generate
    from ragart_desktop.core.generate.image.request import GenerationRequest

    result = generate(GenerationRequest(prompt="stormy harbour at dusk", width=128, height=128, seed=1),
                      ctx.library)
    path = result.save(ctx.out_dir / "image.png")[0]
    return f"{result.engine_name}: {path.name}"


def step_generate_music(ctx: Context) -> str:
    """Continue a demo piece with the built-in engine, retrieving references from the library."""
    from ragart_desktop.core.generate.music.pipeline import generate
    from ragart_desktop.core.generate.music.request import MusicRequest

    phrase = _first(ctx.library_dir / "music", (".mid",))
    result = generate(MusicRequest(mode="continue", midi=str(phrase), bars=4, seed=1), ctx.library)
    path = result.save(ctx.out_dir / "music.mid")[0]
    ctx.facts["music"] = path
    notes = sum(len(t.notes) for t in result.outputs[0].score.tracks)
    return f"{result.engine_name}: {path.name}, {notes} notes, {len(result.references)} references"


def step_render_wav(ctx: Context) -> str:
    """Render the generated piece with the bundled General MIDI SoundFont."""
    from ragart_desktop.core.music.audio import render_wav
    from ragart_desktop.core.music.midi_io import read_score

    rendered = render_wav(read_score(ctx.facts["music"]), ctx.out_dir / "music.wav")
    return f"{Path(rendered.path).name}: {rendered.seconds:.1f} s of audio in {rendered.render_seconds:.2f} s"


def step_generate_text(ctx: Context) -> str:
    """A poem in English and a 五言绝句 in Chinese by the built-in engine, from library passages."""
    from ragart_desktop.core.generate.text.pipeline import generate
    from ragart_desktop.core.generate.text.request import TextRequest

    lines = []
    for name, req in (("poem.txt", TextRequest(prompt="sea at night", seed=1)),
                      ("诗.txt", TextRequest(prompt="雪夜钟声", form="wujue", seed=1))):
        result = generate(req, ctx.library)
        result.save(ctx.out_dir / name)
        lines.append(result.outputs[0].text.splitlines()[0])
    return " / ".join(lines)


def step_window(ctx: Context) -> str:
    """The main window with every editor, off screen (Qt, its plugins and the editors are bundled)."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from ragart_desktop.core.settings import Settings
    from ragart_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["RagArt"])
    window = MainWindow(ctx.home, Settings.load(ctx.home.settings_path))
    loop = QEventLoop()
    window.ready.connect(loop.quit)
    QTimer.singleShot(60_000, loop.quit)
    window.show()
    if not window.is_ready:
        loop.exec()
    ready = window.is_ready
    tabs = window.windowTitle()
    window.close()
    app.processEvents()
    if not ready:
        raise AssertionError("the window did not get ready within 60 s")
    return f"window ready ({tabs})"


STEPS: tuple[tuple[str, Callable[[Context], str]], ...] = (
    ("build the demo library", step_build_demo),
    ("import it", step_import),
    ("search by words", step_search_words),
    ("search by an example image", step_search_image),
    ("search by an example MIDI piece", step_search_midi),
    ("search by Chinese words", step_search_chinese),
    ("generate an image (built-in)", step_generate_image),
    ("generate music (built-in)", step_generate_music),
    ("render a WAV", step_render_wav),
    ("generate text (built-in)", step_generate_text),
    ("open the main window", step_window),
)


def _say(line: str) -> None:
    """Print; a windowed build on Windows has no console, so it appends to ragart-selftest.txt instead."""
    if sys.stdout is not None:
        print(line, flush=True)
    else:
        with open("ragart-selftest.txt", "a", encoding="utf-8") as f:
            f.write(line + "\n")


def run(say: Callable[[str], None] = _say, steps=STEPS) -> int:
    """Run every step; 0 when all passed, 1 otherwise (each failure is printed, the rest still run)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ragart_desktop.core.home import Home

    unblock = block_network()
    failed = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ragart-selftest-") as tmp:
        ctx = Context(Home(Path(tmp) / "home").ensure(), Path(tmp) / "library", Path(tmp) / "out")
        try:
            for name, fn in steps:
                t0 = time.perf_counter()
                try:
                    detail = fn(ctx)
                except Exception as exc:   # report and go on: the summary counts every failure
                    failed += 1
                    say(f"FAIL {name} ({time.perf_counter() - t0:.2f} s): {type(exc).__name__}: {exc}")
                    say(traceback.format_exc().rstrip())
                    continue
                say(f"ok   {name} ({time.perf_counter() - t0:.2f} s): {detail}")
        finally:
            if ctx.library is not None:
                ctx.library.close()
            unblock()
    say(f"self-test: {len(steps) - failed}/{len(steps)} steps passed in {time.perf_counter() - started:.1f} s")
    return 1 if failed else 0
