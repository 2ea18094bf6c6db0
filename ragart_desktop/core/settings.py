"""The one settings object: versioned, stored as JSON in the home folder, migrated on load."""
from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ragart_desktop.core.errors import StorageError

log = logging.getLogger(__name__)

SETTINGS_VERSION = 2


@dataclass
class Settings:
    version: int = SETTINGS_VERSION
    library_roots: list[str] = field(default_factory=list)
    model_paths: list[str] = field(default_factory=list)   # extra model files/folders
    trusted_models: list[dict] = field(default_factory=list)  # pickles the user allowed: {path, size, sha256}
    device: str = "auto"            # auto | cpu | cuda | mps
    memory_mode: str = "auto"       # auto | fast | balanced | low (offload + tiling)
    theme: str = "system"           # system | light | dark
    fusion_weight: float = 0.5      # RRF weight of vectors vs BM25 (0 = words only, 1 = vectors only)
    mmr_lambda: float = 0.7         # 1 = pure relevance, 0 = pure diversity
    use_pagerank: bool = False
    last_folder: str = ""           # where the last file dialog was answered (the next one opens there)

    @classmethod
    def load(cls, path: Path) -> "Settings":
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("settings file %s unreadable (%s); using defaults", path, exc)
            return cls()
        data = migrate(data)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            raise StorageError(f"settings could not be saved ({exc.strerror or exc}).", path=path) from exc


def migrate(data: dict) -> dict:
    """Bring an older settings dict up to ``SETTINGS_VERSION`` (one step per version)."""
    version = int(data.get("version", 0))
    if version < 1:
        # v0 (pre-release) stored a single "models_dir" string.
        if "models_dir" in data:
            data.setdefault("model_paths", []).append(data.pop("models_dir"))
        version = 1
    if version < 2:
        # v1 trusted pickle files by path, so a trusted file swapped for another would run. Trust is now
        # recorded by content (core.models.trust); a path says nothing about content, so it is dropped.
        dropped = [t for t in data.get("trusted_models", []) if not isinstance(t, dict)]
        if dropped:
            log.warning("trust in %s is no longer kept (it was recorded by path, not content): allow them again "
                        "with 'ragart models add PATH --trust'", ", ".join(map(str, dropped)))
        data["trusted_models"] = [t for t in data.get("trusted_models", []) if isinstance(t, dict)]
        version = 2
    data["version"] = version
    return data
