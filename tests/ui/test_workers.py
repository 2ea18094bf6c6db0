"""The worker pattern: results, throttled progress, previews, cancel, failures, clean shutdown."""
from __future__ import annotations

import threading
import time

import pytest
from PIL import Image
from PySide6.QtGui import QImage

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.ui.workers import WorkerHost


@pytest.fixture
def host(qtbot):
    h = WorkerHost("test")
    yield h
    assert h.shutdown(5000)
    assert h.thread.isFinished()


def test_job_runs_on_the_worker_thread_and_returns_its_result(qtbot, host):
    ui_thread = threading.get_ident()
    seen = {}

    def fn(task):
        seen["thread"] = threading.get_ident()
        return 6 * 7

    with qtbot.waitSignal(host.finished, timeout=5000) as blocker:
        job_id = host.submit("answer", fn)
    assert blocker.args == [job_id, 42]
    assert seen["thread"] != ui_thread
    assert not host.is_busy()


def test_progress_is_throttled_but_the_last_step_always_arrives(qtbot, host):
    received = []
    host.progress.connect(lambda job_id, done, total, msg: received.append((done, total)))

    def fn(task):
        for i in range(1, 5001):
            task.progress(i, 5000, f"step {i}")
        return "ok"

    with qtbot.waitSignal(host.finished, timeout=5000):
        host.submit("many steps", fn)
    qtbot.wait(20)
    assert received[-1] == (5000, 5000)
    assert len(received) < 60, f"{len(received)} progress signals for a fast 5,000-step job"


def test_preview_arrives_as_qimage(qtbot, host):
    images = []
    host.preview.connect(lambda job_id, image: images.append(image))

    def fn(task):
        task.preview(Image.new("RGB", (16, 8), (255, 0, 0)))
        return None

    with qtbot.waitSignal(host.finished, timeout=5000):
        host.submit("preview", fn)
    qtbot.wait(20)
    assert len(images) == 1 and isinstance(images[0], QImage)
    assert (images[0].width(), images[0].height()) == (16, 8)
    assert images[0].pixelColor(3, 3).red() == 255


def test_cancel_stops_a_running_job_within_one_step(qtbot, host):
    started = threading.Event()
    steps_after_cancel = []
    cancel_time = {}

    def fn(task):
        started.set()
        for i in range(10_000):
            if "t" in cancel_time:
                steps_after_cancel.append(i)
            task.check()
            time.sleep(0.005)
        return "finished anyway"

    job_id = host.submit("long", fn)
    assert started.wait(5)
    with qtbot.waitSignal(host.cancelled, timeout=5000) as blocker:
        cancel_time["t"] = time.monotonic()
        host.cancel(job_id)
    assert blocker.args == [job_id]
    assert len(steps_after_cancel) <= 2
    assert time.monotonic() - cancel_time["t"] < 1.0


def test_cancelling_a_queued_job_drops_it_before_it_runs(qtbot, host):
    gate = threading.Event()
    ran = []
    first = host.submit("blocker", lambda task: gate.wait(5))
    second = host.submit("queued", lambda task: ran.append("second"))
    cancelled = []
    host.cancelled.connect(cancelled.append)
    host.cancel(second)
    assert cancelled == [second]      # answered at once, on the UI thread
    gate.set()
    with qtbot.waitSignal(host.finished, timeout=5000) as blocker:
        pass
    assert blocker.args[0] == first
    qtbot.wait(50)
    assert ran == []


def test_expected_and_unexpected_failures_become_reports(qtbot, host):
    def bad_file(task):
        raise BadInputError("the file is truncated.", path="/x/broken.png", hint="Re-export it.")

    def bug(task):
        return {}["missing"]

    with qtbot.waitSignal(host.unhandled_error, timeout=5000) as blocker:
        host.submit("Import", bad_file)
    report = blocker.args[0]
    assert (report.path, report.kind, report.unexpected) == ("/x/broken.png", "bad-input", False)
    assert report.headline == "Import: /x/broken.png: the file is truncated."

    errors = []
    with qtbot.waitSignal(host.failed, timeout=5000):
        host.submit("Bug", bug, on_error=errors.append)
    assert errors[0].unexpected and "KeyError" in errors[0].message and "Traceback" in errors[0].details


def test_shutdown_cancels_the_running_job_and_joins(qtbot):
    host = WorkerHost("shutdown")
    started = threading.Event()

    def fn(task):
        started.set()
        while True:
            task.check()
            time.sleep(0.01)

    host.submit("endless", fn)
    host.submit("never runs", lambda task: None)
    assert started.wait(5)
    t0 = time.monotonic()
    assert host.shutdown(5000)
    assert time.monotonic() - t0 < 1.0
    assert host.thread.isFinished()
    with pytest.raises(RuntimeError):
        host.submit("after shutdown", lambda task: None)
