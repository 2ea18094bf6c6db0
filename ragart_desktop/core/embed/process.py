"""An embedder that runs in a child process, so the process that asks never loads its model.

Loading torch and transformers holds the GIL for stretches of up to a second (shared libraries,
extension modules, transformers' own imports of torch._dynamo, sympy, scipy …); in the desktop app
each stretch freezes the window. With the words model in a child process the app's process never
imports them for its library. The child builds the very embedder the library would have built
(``library_embedders`` of the same home and settings, picked by id), so the vectors are the same.

Requests are served one at a time over a pipe: a search waits for at most one import batch. The
child starts on the first ``embed`` (or ``start``), is restarted after a crash and ends with this
process; ``close`` releases a caller waiting on it at once (``Cancelled``).
"""
from __future__ import annotations

import logging
import multiprocessing
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from ragart_desktop.core import errors
from ragart_desktop.core.embed.base import Embedder
from ragart_desktop.core.errors import Cancelled, ModelError, RagartError
from ragart_desktop.core.home import Home
from ragart_desktop.core.settings import Settings

log = logging.getLogger(__name__)

POLL_S = 0.05   # how often a waiting caller checks for close()


class ProcessEmbedder(Embedder):
    """Runs ``local``'s embedder in a child process; ``local`` itself is never loaded here.

    Every ``ProcessEmbedder`` of one embedder id in this process shares one child (an id names one
    model: the vector indexes rely on it), so reopening the library does not load the model again.
    """

    def __init__(self, local: Embedder, home: Home, settings: Settings):
        self.local = local
        self.id, self.version, self.dim, self.modality = local.id, local.version, local.dim, local.modality
        self._child = _child_for(local.id, (str(home.root), asdict(settings), local.id))
        self._closed = threading.Event()

    def __getattr__(self, name: str) -> Any:
        """Other descriptive attributes (a name, its languages …) are the local embedder's."""
        if name == "local":
            raise AttributeError(name)
        return getattr(self.local, name)

    def embed(self, contents: Sequence[Any]) -> np.ndarray:
        status, payload = self._child.call(list(contents), self._closed)
        if status == "error":
            name, message, path, hint = payload
            raise getattr(errors, name, ModelError)(message, path=path, hint=hint)
        return payload

    def start(self) -> None:
        """Start the child now (it loads the model on its first request)."""
        self._child.start()

    def close(self) -> None:
        """Whoever waits on this embedder gets ``Cancelled`` at once, and so do later calls (the
        child keeps running for the other embedders of its id; it ends with this process)."""
        self._closed.set()


class _Child:
    """One model process and the pipe to it; requests are numbered so a cancelled caller's late
    answer is recognised and dropped by the next caller."""

    def __init__(self, args: tuple[str, dict, str]):
        self.args = args
        self.lock = threading.Lock()
        self.process: Optional[Any] = None
        self.conn: Optional[Any] = None
        self.sent = 0

    def start(self) -> None:
        with self.lock:
            self._ensure_started()

    def call(self, request: list, cancelled: threading.Event) -> tuple[str, Any]:
        with self.lock:
            if cancelled.is_set():
                raise Cancelled()
            conn = self._ensure_started()
            self.sent += 1
            number = self.sent
            try:
                conn.send((number, request))
                while True:
                    if conn.poll(POLL_S):
                        answered, status, payload = conn.recv()
                        if answered == number:
                            return status, payload
                    elif cancelled.is_set():
                        raise Cancelled()
                    elif not self.process.is_alive():
                        raise EOFError
            except (EOFError, OSError) as exc:
                self._stop()
                raise ModelError(f"the {self.args[2]} model process stopped unexpectedly ({type(exc).__name__}).",
                                 hint="Try again; the log folder has the details.") from exc

    def _ensure_started(self) -> Any:
        if self.process is None or not self.process.is_alive():
            self._stop()
            context = multiprocessing.get_context("spawn")
            self.conn, child_end = context.Pipe()
            process = context.Process(target=serve, args=(child_end, *self.args),
                                      name=f"ragart-{self.args[2]}", daemon=True)
            process.start()           # (kept only once started: a failed start leaves nothing to join)
            self.process = process
            child_end.close()
            log.info("started the %s model process (pid %s)", self.args[2], process.pid)
        return self.conn

    def _stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)
            self.process = None


_children: dict[str, _Child] = {}
_children_lock = threading.Lock()


def _child_for(embedder_id: str, args: tuple[str, dict, str]) -> _Child:
    with _children_lock:
        if embedder_id not in _children:
            _children[embedder_id] = _Child(args)
        return _children[embedder_id]


def serve(conn: Any, home_root: str, settings_data: dict, embedder_id: str) -> None:
    """The child: build the library's embedder ``embedder_id`` and answer requests until the pipe closes."""
    embedder: Optional[Embedder] = None
    while True:
        try:
            number, contents = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if embedder is None:
                embedder = _build(home_root, settings_data, embedder_id)
            answer: tuple[str, Any] = ("ok", embedder.embed(contents))
        except RagartError as exc:
            answer = ("error", (type(exc).__name__, exc.message, exc.path, exc.hint))
        except Exception as exc:  # a bug in the child: told to the caller, whose log keeps it
            answer = ("error", ("ModelError", f"the {embedder_id} model failed ({type(exc).__name__}: {exc}).",
                                None, None))
        conn.send((number, *answer))


def _build(home_root: str, settings_data: dict, embedder_id: str) -> Embedder:
    from ragart_desktop.core.embed.registry import library_embedders

    for embedder in library_embedders(Home(Path(home_root)), Settings(**settings_data)):
        if embedder.id == embedder_id:
            return embedder
    raise ModelError(f"the library no longer has the embedder {embedder_id}.")
