"""The Qt bindings the app is installed with must keep Python's reference counts straight.

PySide6 6.12.0 on Python < 3.12 drops one reference to None on every call of a method that returns
nothing (QPainter.setPen, QWidget.update ...): a few hundred repaints of a view later the interpreter
aborts with "deallocating None". pyproject.toml keeps PySide6 below 6.12; this test fails on any
version with that fault, whatever pip picked.
"""
import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter


def test_void_qt_calls_do_not_eat_references_to_none(qapp):
    image = QImage(8, 8, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    colour = QColor(10, 20, 30)
    before = sys.getrefcount(None)
    for _ in range(2000):
        painter.setPen(colour)
        painter.fillRect(QRectF(0, 0, 1, 1), colour)
    lost = before - sys.getrefcount(None)
    painter.end()
    assert lost < 100, f"{lost} references to None lost in 4000 Qt calls: these Qt bindings would crash the app"
