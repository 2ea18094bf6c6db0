"""What a file manager or another widget does when something is dragged and dropped on a widget."""
from __future__ import annotations

import warnings

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication


def drop(target, mime: QMimeData) -> bool:
    """Drag ``mime`` onto the middle of ``target`` and drop it; True when the drop was accepted."""
    centre = target.rect().center()
    with warnings.catch_warnings():   # Qt 6 deprecates the QPoint constructor but offers no other
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, event)
    return event.isAccepted()
