"""Take the README screenshots: the main window with the demo library, offscreen.

    python packaging/screenshot.py [--out resources/screenshot.png] [--size 1600x1000] [--query "sea"]
    python packaging/screenshot.py --near-copy --out resources/screenshot-result.png
    python packaging/screenshot.py --music --out resources/screenshot-music.png

Runs the real app on a fresh temporary home: imports the demo library, puts one of its paintings on
the canvas, pins a few references, runs one built-in generation, then grabs the window. With
``--near-copy`` the generation refines the painting lightly (strength 0.1): the result comes back
nearly the same picture, and the result strip shows its references, its scores and the warning.
With ``--music`` a demo piece opens in the Music tab and is continued by the built-in engine: the
variations show their metrics and the panel the library pieces they learned from.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ragart_desktop.core.home import Home  # noqa: E402
from ragart_desktop.core.settings import Settings  # noqa: E402


def wait_for(app: QApplication, signal, timeout_s: float) -> bool:
    loop, hit = QEventLoop(), {"ok": False}

    def done(*_):
        hit["ok"] = True
        loop.quit()

    signal.connect(done)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    signal.disconnect(done)
    return hit["ok"]


def settle(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_until(app: QApplication, condition, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if condition():
            return True
        app.processEvents()
        time.sleep(0.02)
    return condition()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "resources" / "screenshot.png"))
    parser.add_argument("--size", default="1600x1000")
    parser.add_argument("--query", default="sea", help="search typed in the browser (\"\" browses all)")
    parser.add_argument("--prompt", default="a lighthouse on a stormy sea at dusk, warm light in the window")
    parser.add_argument("--near-copy", action="store_true", help="refine a library painting lightly (the warning)")
    parser.add_argument("--music", action="store_true", help="continue a demo piece in the Music tab")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))

    app = QApplication(sys.argv[:1])
    from ragart_desktop.ui.main_window import MainWindow
    from ragart_desktop.ui.theme import apply_theme

    with tempfile.TemporaryDirectory(prefix="ragart-screenshot-") as tmp:
        home = Home(Path(tmp) / "home").ensure()
        settings = Settings(theme="dark")
        apply_theme(app, settings.theme)
        window = MainWindow(home, settings)
        window.resize(width, height)
        window.show()
        wait_for(app, window.ready, 60)

        # 1. The demo library, imported the way a newcomer does it (the first-run button).
        window.browser.welcome.demo_button.click()
        if not wait_for(app, window.service.imported, 900):
            print("the demo library did not import; see", home.logs_dir, file=sys.stderr)
            return 1
        wait_until(app, lambda: window.browser.model.rowCount() > 0, 60)

        if args.music:
            music_shot(app, window)
        else:
            image_shot(app, window, args)

        # 3. Let thumbnails arrive, then grab.
        model = window.browser.model
        view = window.browser.view
        view.setCurrentIndex(model.index(min(2, model.rowCount() - 1)))
        settle(app, 1.5)
        wait_until(app, lambda: not window.browser.thumbnails._pending and not window.browser.thumbnails._in_flight, 30)
        settle(app, 0.5)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(f"wrote {out} ({width}x{height})")
        window.hide()      # closed without the "save changes?" question (nothing here is worth keeping)
        window.close()
    return 0


def music_shot(app: QApplication, window) -> None:
    """A demo piece in the Music tab, three continuations of it side by side."""
    window.browser.search_box.setText("folk")
    wait_for(app, window.browser.search_finished, 60)
    model = window.browser.model
    pieces = [model.row(i).item for i in range(model.rowCount()) if model.row(i).item.kind == "music"]
    music = window.editor("music")
    window.open_paths([pieces[0].path])
    wait_until(app, lambda: music.doc.score.note_count > 0, 30)
    panel = music.panel
    panel.mode.setCurrentIndex(panel.mode.findData("continue"))
    panel.source.setCurrentIndex(panel.source.findData(False))
    panel.bars.setValue(4)
    panel.count.setValue(3)
    panel.fixed_seed.setChecked(True)
    panel.seed.setValue(20261129)
    music.generate()
    wait_until(app, lambda: len(music.results) == 3, 300)
    music.zoom_reset()
    window.jobs_dock.raise_()


def image_shot(app: QApplication, window, args) -> None:
    """One of the demo paintings on the canvas, a search's best images pinned, one generation."""
    model = window.browser.model
    if args.query:
        window.browser.search_box.setText(args.query)
        wait_for(app, window.browser.search_finished, 60)
    images = [model.row(i).item for i in range(model.rowCount()) if model.row(i).item.kind == "image"]
    canvas, panel = window.current_editor(), window.generation_panel
    if images and args.near_copy:
        canvas.open_path(images[0].path)
        panel.mode.setCurrentIndex(panel.mode.findData("refine"))
        panel.strength.setValue(10)
    elif images:
        canvas.import_image(images[0].path)
    panel.pin_items(images[:3])
    panel.prompt.setPlainText(args.prompt)
    panel.fixed_seed.setChecked(True)
    panel.seed.setValue(20261128)
    window.generate()
    wait_for(app, window.model_worker.finished, 600)
    wait_until(app, lambda: window.history_view.entry_count() > 0, 30)
    (window.history_dock if args.near_copy else window.jobs_dock).raise_()


if __name__ == "__main__":
    raise SystemExit(main())
