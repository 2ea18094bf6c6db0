"""Where RagArt keeps its data: the home folder and the paths inside it.

Resolution order: an explicit ``--home DIR``, then ``RAGART_HOME``, then the platform's user data
folder (platformdirs). Everything the app writes lives under this one folder.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ragart_desktop.core.errors import UsageError

APP_NAME = "RagArt"


@dataclass(frozen=True)
class Home:
    root: Path

    @property
    def catalog_path(self) -> Path:
        return self.root / "catalog.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.root / "indexes"

    @property
    def thumbs_dir(self) -> Path:
        return self.root / "thumbnails"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def backups_dir(self) -> Path:
        return self.root / "backups"

    @property
    def settings_path(self) -> Path:
        return self.root / "settings.json"

    @property
    def demo_dir(self) -> Path:
        return self.root / "demo-library"

    def ensure(self) -> "Home":
        """Create the folder tree; raise ``UsageError`` when the folder is not usable."""
        try:
            for p in (self.root, self.index_dir, self.thumbs_dir, self.models_dir, self.logs_dir):
                p.mkdir(parents=True, exist_ok=True)
            # A probe of our own (two processes may start on one fresh folder at once).
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".write-probe-"):
                pass
        except OSError as exc:
            raise UsageError(
                f"the home folder cannot be used ({exc.strerror or exc}).",
                path=self.root,
                hint="Choose another folder with --home DIR or RAGART_HOME.",
            ) from exc
        return self


def resolve_home(explicit: str | os.PathLike | None = None) -> Home:
    if explicit:
        return Home(Path(explicit).expanduser().resolve())
    env = os.environ.get("RAGART_HOME")
    if env:
        return Home(Path(env).expanduser().resolve())
    from platformdirs import user_data_dir

    return Home(Path(user_data_dir(APP_NAME, appauthor=False)))
