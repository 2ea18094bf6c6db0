"""Canvas UI tests run headless: Qt's offscreen platform, set before any QApplication exists."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
