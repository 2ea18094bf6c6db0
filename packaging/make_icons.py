"""Render the app icon (resources/icons/ragart.svg, our own drawing) for the platforms' formats.

    python packaging/make_icons.py OUT_DIR

Writes ragart-<size>.png (16 … 512), ragart.ico (Windows) and ragart.icns (macOS) with Qt's SVG
renderer and Pillow. The app itself uses the SVG; these are for the executable and the desktop.
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "ragart.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(size: int) -> Image.Image:
    from PySide6.QtCore import QBuffer, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")


def main(out: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(["make_icons"])  # noqa: F841 (Qt needs it)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    images = {size: render(size) for size in SIZES}
    for size, image in images.items():
        image.save(folder / f"ragart-{size}.png")
    images[256].save(folder / "ragart.ico", sizes=[(s, s) for s in SIZES if s <= 256])
    images[512].save(folder / "ragart.icns")
    print(f"icons written to {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "icons")))
