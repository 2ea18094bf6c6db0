"""Every failure reaches the one error panel: worker jobs, Python threads, Qt slots."""
from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QTimer

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.logs import setup_logging
from ragart_desktop.ui.error_center import install_exception_hooks


def _reported(window, text: str) -> bool:
    return any(text in r.headline for r in window.error_panel.reports)


def test_an_error_in_a_worker_job_reaches_the_error_panel(qtbot, window):
    def broken(task):
        raise BadInputError("the file is truncated.", path="/art/broken-scan.png", hint="Re-export it.")

    window.model_worker.submit("Open scan", broken)
    qtbot.waitUntil(lambda: _reported(window, "broken-scan.png"), timeout=5000)
    assert window.error_panel.isVisible()
    assert "Open scan: /art/broken-scan.png: the file is truncated." in window.error_panel.message.text()
    assert "Re-export it." in window.error_panel.message.text()
    window.error_panel.details_button.setChecked(True)
    assert "broken-scan.png" in window.error_panel.details.toPlainText()


def test_uncaught_exceptions_from_threads_and_slots_reach_the_panel_and_the_log(qtbot, window, home):
    log_path = setup_logging(home.logs_dir)
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(log_path))
    uninstall = install_exception_hooks(window.errors)
    try:
        thread = threading.Thread(target=lambda: [][1], name="stray-thread")
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: _reported(window, "IndexError"), timeout=5000)
        assert any("stray-thread" in r.context for r in window.error_panel.reports)

        def bad_slot():
            raise ZeroDivisionError("slot bug")

        QTimer.singleShot(0, bad_slot)
        qtbot.waitUntil(lambda: _reported(window, "slot bug"), timeout=5000)
    finally:
        uninstall()
        handler.flush()
        logging.getLogger().removeHandler(handler)
        handler.close()
    logged = log_path.read_text(encoding="utf-8")
    assert "uncaught exception in thread stray-thread" in logged and "IndexError" in logged
    assert "ZeroDivisionError: slot bug" in logged
