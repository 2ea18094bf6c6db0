"""Turn what torch/diffusers/transformers raise while loading or running a model into RagartErrors.

Loading a user's file is expected to fail in many ways (damaged, mismatched, wrong format); those
become ``ModelError`` naming the file. Running out of memory becomes ``OutOfMemoryError`` with the
fixes that work (smaller size, offload, CPU). Anything else while *running* is a bug and propagates.
"""
from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ragart_desktop.core.errors import ModelError, OutOfMemoryError, RagartError

log = logging.getLogger(__name__)

OOM_HINT = ("Try a smaller image size or batch, switch the memory mode to 'low' (model offload, VAE tiling), "
            "or run on the CPU.")


def is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    try:
        import torch

        if isinstance(exc, torch.cuda.OutOfMemoryError):
            return True
    except ImportError:
        pass
    # CUDA/MPS say "out of memory"; torch's CPU allocator says "can't allocate memory".
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


def free_cached_memory() -> None:
    """Give cached allocator blocks back after a failure or a release, so the app stays usable."""
    gc.collect()
    try:
        import torch
    except ImportError:
        return
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.empty_cache()
    mps = getattr(torch, "mps", None)
    if mps is not None and torch.backends.mps.is_available():
        mps.empty_cache()


def _out_of_memory(exc: BaseException, what: str, path: str | Path | None) -> OutOfMemoryError:
    free_cached_memory()
    return OutOfMemoryError(f"ran out of memory while {what}.", path=path, hint=OOM_HINT)


@contextmanager
def loading_errors(path: str | Path) -> Iterator[None]:
    """Every failure while loading ``path`` becomes a ``ModelError`` (or ``OutOfMemoryError``)."""
    try:
        yield
    except RagartError:
        raise
    except Exception as exc:  # noqa: BLE001 - a user's file can fail to load in any library-specific way
        if is_out_of_memory(exc):
            raise _out_of_memory(exc, "loading the model", path) from exc
        log.info("loading %s failed", path, exc_info=True)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"the model could not be loaded ({type(exc).__name__}: {reason[:300]}).", path=path,
                         hint="Check that the download is complete and that it is a supported model.") from exc


@contextmanager
def running_errors(what: str, path: str | Path | None = None) -> Iterator[None]:
    """Out-of-memory while running becomes ``OutOfMemoryError``; other errors propagate unchanged."""
    try:
        yield
    except (MemoryError, RuntimeError) as exc:
        if is_out_of_memory(exc):
            raise _out_of_memory(exc, what, path) from exc
        raise
