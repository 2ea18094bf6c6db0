"""Answer the modal dialog a test is about to open, the way a user would."""
from __future__ import annotations

from typing import Callable, Optional

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMessageBox, QWidget


class DialogAnswer:
    """Poll for the next modal dialog and act on it; ``seen`` holds its text (None: never opened)."""

    _waiting: set["DialogAnswer"] = set()    # kept alive until answered (Qt holds no reference)

    def __init__(self, act: Callable[[QDialog], None], timeout_ms: int = 5000):
        self.act, self.seen, self._left = act, None, timeout_ms // 20
        self._waiting.add(self)
        QTimer.singleShot(20, self._poll)

    @classmethod
    def forget_all(cls) -> None:
        """Stop every poller still waiting (end of a test: none may answer the next test's dialog)."""
        cls._waiting.clear()

    def _poll(self) -> None:
        if self not in self._waiting:
            return
        dialog: Optional[QWidget] = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog) and dialog.isVisible():
            self._waiting.discard(self)
            self.seen = dialog.text() if isinstance(dialog, QMessageBox) else dialog.windowTitle()
            try:
                self.act(dialog)
            finally:
                if dialog.isVisible():      # a failed check must not leave the test waiting on a modal
                    dialog.reject()
        elif self._left > 0:
            self._left -= 1
            QTimer.singleShot(20, self._poll)
        else:
            self._waiting.discard(self)


def click_button(text: str) -> Callable[[QDialog], None]:
    """Click the dialog's button labelled ``text`` ("Save", "Discard", "Cancel", "OK"...)."""

    def act(dialog: QDialog) -> None:
        for button in dialog.findChildren(QAbstractButton):
            if button.text().replace("&", "") == text:
                button.click()
                return
        raise AssertionError(f"no {text!r} button in {dialog.windowTitle()!r}")

    return act


def close_discarding(window) -> None:
    """Close a main window, answering "Discard" if it asks to save (a test's teardown)."""
    if any(editor.is_modified() for editor in getattr(window, "editors", [])) and window.isVisible():
        DialogAnswer(click_button("Discard"))
    window.close()
