"""Pickle weights the user trusted, recorded by their content.

Unpickling can run code hidden in a file, so RagArt loads pickle weights (.ckpt .pt .bin .pth) only
when the user trusted them (``ragart models add PATH --trust``). Each trusted file is recorded in
``Settings.trusted_models`` as ``{"path", "size", "sha256"}``. The path and size let a models scan
show the file as trusted without reading gigabytes; the SHA-256 is what is trusted: a loader calls
``verify`` just before unpickling, which hashes the file again and refuses it when its content is
not the content the user allowed. A trusted file swapped for another never runs.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Collection, Sequence

from ragart_desktop.core.errors import ModelError

PICKLE_SUFFIXES = frozenset({".ckpt", ".pt", ".bin", ".pth"})
CHUNK = 4 * 1024 * 1024

TrustedFiles = tuple[tuple[str, str], ...]   # (path, sha256) of the trusted pickles a model loads


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def trust_records(path: Path) -> list[dict]:
    """Records for the pickle file at ``path``, or for every pickle file inside the folder ``path``."""
    path = Path(path).resolve()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return [{"path": str(p), "size": p.stat().st_size, "sha256": sha256_file(p)}
            for p in files if p.suffix.lower() in PICKLE_SUFFIXES]


def trusted_digest(path: Path, trusted: Collection[dict]) -> str | None:
    """The SHA-256 the user trusted for the file at ``path`` (matched by path and size), else None."""
    try:
        resolved, size = str(Path(path).resolve()), Path(path).stat().st_size
    except OSError:
        return None
    for record in trusted:
        if isinstance(record, dict) and record.get("path") == resolved and record.get("size") == size \
                and isinstance(record.get("sha256"), str):
            return record["sha256"]
    return None


def verify(files: Sequence[tuple[str, str]]) -> None:
    """Refuse (``ModelError``) unless each file still holds exactly the content the user trusted."""
    for path, digest in files:
        try:
            actual = sha256_file(Path(path))
        except OSError as exc:
            raise ModelError(f"cannot read the file ({exc.strerror or exc}).", path=path) from exc
        if actual != digest:
            raise ModelError("this pickle file changed since you trusted it: its content is not the content you "
                             "allowed, so it is not loaded.", path=path,
                             hint="If you trust the new file, allow it again with 'ragart models add PATH --trust'.")


def require_trusted(files: Sequence[tuple[str, str]], path: str) -> None:
    """Before a loader unpickles anything: there must be trusted files, and they must be unchanged."""
    if not files:
        raise ModelError("refusing to load pickle weights nobody trusted.", path=path,
                         hint="Convert them to .safetensors, or allow them with 'ragart models add PATH --trust'.")
    verify(files)


def use_safetensors(files: Sequence[tuple[str, str]], path: str) -> bool | None:
    """``use_safetensors`` for a ``from_pretrained``: True (safetensors only) for a model without
    trusted pickles, else None (safetensors first, then pickles) once those were checked unchanged."""
    if not files:
        return True
    verify(files)
    return None
