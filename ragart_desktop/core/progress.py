"""Progress reporting and cancellation for every long core function.

Long functions take ``task: Task | None``; they call ``task.progress(done, total, message)`` as they
go and ``task.check()`` between steps, which raises ``Cancelled`` once cancel was requested. The UI
workers build a ``Task`` whose callbacks emit (throttled) Qt signals; the CLI and tests build one
with plain callables or use ``Task()`` which does nothing.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Optional

from ragart_desktop.core.errors import Cancelled

ProgressFn = Callable[[int, int, str], None]
PreviewFn = Callable[[Any], None]


class Task:
    """A progress sink plus a cancel flag, passed down through long operations."""

    def __init__(
        self,
        on_progress: Optional[ProgressFn] = None,
        on_preview: Optional[PreviewFn] = None,
        cancel_event: Optional[threading.Event] = None,
    ):
        self._on_progress = on_progress
        self._on_preview = on_preview
        self._cancel = cancel_event or threading.Event()

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self._on_progress is not None:
            self._on_progress(done, total, message)

    def preview(self, image: Any) -> None:
        """Offer an intermediate result (e.g. a PIL image of a denoising step)."""
        if self._on_preview is not None:
            self._on_preview(image)

    @property
    def wants_previews(self) -> bool:
        return self._on_preview is not None

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def part(self, index: int, count: int) -> "Task":
        """A Task for part ``index`` of ``count`` equal parts: same cancel flag and previews,
        progress mapped into this task's range."""

        def on_progress(done: int, total: int, message: str) -> None:
            total = max(total, 1)
            self.progress(index * total + done, count * total, message)

        return Task(on_progress, self._on_preview, self._cancel)

    def check(self) -> None:
        """Raise ``Cancelled`` if cancel was requested; call between steps."""
        if self._cancel.is_set():
            raise Cancelled()


def ensure_task(task: Optional[Task]) -> Task:
    return task if task is not None else Task()
