"""The models the user brought: which roots are scanned and how an entry is found by name.

Roots, in order: the repository's ``models/`` folder, ``<home>/models``, then every path in
``Settings.model_paths`` (a root may be a folder of models, one model folder, or one file). Each
root is walked; a folder recognised as a model is not descended into.
"""
from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.assets import app_models_dir
from ragart_desktop.core.home import Home
from ragart_desktop.core.models.recognise import ModelEntry, inspect_path
from ragart_desktop.core.settings import Settings

log = logging.getLogger(__name__)


def model_roots(home: Home | None, settings: Settings) -> list[Path]:
    roots = [app_models_dir()]
    if home is not None:
        roots.append(home.models_dir)
    roots += [Path(p).expanduser() for p in settings.model_paths]
    unique: list[Path] = []
    for root in roots:
        if root not in unique:
            unique.append(root)
    return unique


def scan(roots: Iterable[Path], trusted: Iterable[str] = ()) -> list[ModelEntry]:
    """Every model under ``roots``, sorted by name; names made unique by suffixing the parent folder."""
    trusted = list(trusted)
    found: dict[str, ModelEntry] = {}
    for root in roots:
        for entry in _scan_root(root, trusted):
            found.setdefault(str(Path(entry.path).resolve()), entry)
    entries = sorted(found.values(), key=lambda e: (e.name.lower(), e.path))
    return _unique_names(entries)


def _scan_root(root: Path, trusted: list[str]) -> Iterable[ModelEntry]:
    if not root.exists():
        return
    entry = inspect_path(root, trusted)
    if entry is not None:
        yield entry
        return
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root, onerror=lambda exc: log.warning("cannot scan %s", exc)):
        here = Path(folder)
        dirs.sort()
        keep = []
        for d in dirs:
            if d.startswith("."):
                continue
            sub = inspect_path(here / d, trusted)
            if sub is not None:
                yield sub
            else:
                keep.append(d)
        dirs[:] = keep
        for f in sorted(files):
            if f.startswith("."):
                continue
            sub = inspect_path(here / f, trusted)
            if sub is not None:
                yield sub


def _unique_names(entries: list[ModelEntry]) -> list[ModelEntry]:
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.name] = counts.get(e.name, 0) + 1
    return [replace(e, name=f"{Path(e.path).parent.name}/{e.name}") if counts[e.name] > 1 else e for e in entries]


class ModelRegistry:
    """Scans once on first use; ``refresh()`` rescans (after ``models add`` or a settings change)."""

    def __init__(self, home: Home | None, settings: Settings):
        self.home = home
        self.settings = settings
        self._entries: list[ModelEntry] | None = None

    def roots(self) -> list[Path]:
        return model_roots(self.home, self.settings)

    def entries(self) -> list[ModelEntry]:
        if self._entries is None:
            self._entries = scan(self.roots(), self.settings.trusted_models)
        return self._entries

    def refresh(self) -> list[ModelEntry]:
        self._entries = None
        return self.entries()

    def of_kind(self, kind: str, *, loadable_only: bool = True) -> list[ModelEntry]:
        return [e for e in self.entries() if e.kind == kind and (e.loadable or not loadable_only)]

    def get(self, name_or_path: str) -> ModelEntry:
        """The entry with this name (or at this path); ``ModelError`` with the known names otherwise."""
        for e in self.entries():
            if e.name == name_or_path:
                return e
        candidate = Path(name_or_path).expanduser()
        if candidate.exists():
            resolved = candidate.resolve()
            for e in self.entries():
                if Path(e.path).resolve() == resolved:
                    return e
            entry = inspect_path(candidate, self.settings.trusted_models)
            if entry is not None:
                return entry
            raise ModelError("this is not a model RagArt recognises.", path=candidate)
        known = ", ".join(e.name for e in self.entries()) or "none"
        roots = ", ".join(str(r) for r in self.roots())
        raise ModelError(f"no model named {name_or_path!r} (known: {known}).",
                         hint=f"Put the model in one of {roots}, or register it with 'ragart models add PATH'.")
