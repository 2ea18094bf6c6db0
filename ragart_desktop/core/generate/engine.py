"""The one small interface every generation engine offers its pipeline, and how one is chosen.

A pipeline prepares the kind's inputs (steps 1-3: understand, retrieve, fuse), then asks the engine
for one output per seed: ``engine.run(inputs, seed, task)``. ``"builtin"`` names the kind's
built-in engine (no weights); any other name is a model from the user's models folders, whose
registry kind says which model-backed engine runs it.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library
    from ragart_desktop.core.models.registry import ModelRegistry

BUILTIN = "builtin"


class Engine(ABC):
    """Makes one output of a kind from prepared inputs; checks ``task`` for cancel between steps."""

    engine_id: str = BUILTIN   # "builtin" or the model's registry name (what the record stores)

    @abstractmethod
    def describe(self, request: Any) -> str:
        """What makes the output, in words ("Built-in palette transfer", "SD 1.x model 'x'")."""

    @abstractmethod
    def run(self, inputs: Any, seed: int, task: Task) -> Any:
        """One output for ``seed`` (same inputs and seed: same output)."""

    def defaults(self, request: Any) -> dict[str, Any]:
        """Values for the request fields the user left unset (None): a model's own steps, size ..."""
        return {}


def with_defaults(request: Any, defaults: Mapping[str, Any]) -> Any:
    """``request`` (a frozen dataclass) with each field the user left unset (None) taken from
    ``defaults``. Pipelines record the result, so the stored request is complete: it reproduces the
    output whatever the defaults become."""
    return replace(request, **{k: v for k, v in defaults.items() if getattr(request, k, 0) is None})


ModelEngineFactory = Callable[[str, Optional["Library"], "ModelRegistry"], Engine]


def model_registry(library: Optional["Library"]) -> "ModelRegistry":
    """The registry of the library's home and settings (or the default home's, headless)."""
    from ragart_desktop.core.home import resolve_home
    from ragart_desktop.core.models.registry import ModelRegistry
    from ragart_desktop.core.settings import Settings

    if library is not None:
        return ModelRegistry(library.home, library.settings)
    home = resolve_home()
    return ModelRegistry(home, Settings.load(home.settings_path))


def make_engine(name: str, library: Optional["Library"], builtin: Callable[[], Engine],
                model_engines: Mapping[str, ModelEngineFactory], what: str) -> Engine:
    """The built-in engine, or the engine for the named model's kind (``model_engines``: registry
    kind -> factory); ``what`` names the generation in the error for a model of another kind."""
    if name == BUILTIN:
        return builtin()
    registry = model_registry(library)
    entry = registry.get(name)
    factory = model_engines.get(entry.kind)
    if factory is None:
        wanted = " or ".join(model_engines)
        raise ModelError(f"{name} is a {entry.kind} model; {what} needs a {wanted} model or the built-in engine.",
                         path=entry.path)
    return factory(name, library, registry)
