"""The executable's recipe bundles every file the code reads at run time (packaging/bundle_data.py).

Run-time lookups go through ``core.assets`` only; the recipe is built from the same lists, and these
tests fail when code finds a data file another way or names an asset the recipe would leave out.
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ragart_desktop
from ragart_desktop.core import assets

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(ragart_desktop.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _bundle_data():
    spec = importlib.util.spec_from_file_location("bundle_data", ROOT / "packaging" / "bundle_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _calls(pattern: str) -> set[str]:
    found = set()
    for path in SOURCES:
        found.update(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def bundled() -> set[str]:
    """Every destination file path inside the executable."""
    return {str(Path(dest) / Path(src).name) for src, dest in _bundle_data().data_files()}


def test_every_resource_folder_the_code_names_is_bundled(bundled):
    named = _calls(r'resources_dir\(\)\s*/\s*"([^"]+)"')
    assert named, "the scan found no resources_dir() / \"...\" lookups: the pattern is stale"
    for folder in named:
        files = [p for p in (assets.resources_dir() / folder).rglob("*") if p.is_file() and p.suffix != ".py"]
        assert files, f"resources/{folder} is named in the code but holds no files"
        for f in files:
            assert str(Path("resources") / f.relative_to(assets.resources_dir())) in bundled, f


def test_every_package_whose_data_the_code_reads_is_bundled(bundled):
    named = _calls(r'package_data\(\s*"([^"]+)"') | _calls(r'package_data\(\s*([A-Z_]+)\s*[,)]')
    constants = {name for name in named if name.isupper()}
    packages = {name for name in named if not name.isupper()}
    for path in SOURCES:   # resolve NAME = "package" constants passed to package_data
        for const, value in re.findall(r'^([A-Z_]+)\s*=\s*"([^"]+)"', path.read_text(encoding="utf-8"), re.M):
            if const in constants:
                packages.add(value)
    assert packages, "the scan found no package_data() lookups: the pattern is stale"
    assert packages <= set(assets.DATA_PACKAGES), packages - set(assets.DATA_PACKAGES)
    for name in assets.DATA_PACKAGES:
        assert any(dest.startswith(name + "/") for dest in bundled), f"no data of {name} is bundled"


def test_files_are_found_through_core_assets_only():
    allowed = {PACKAGE / "core" / "assets.py"}
    lookups = re.compile(r"find_spec\(|importlib\.resources|_MEIPASS|\b__file__\b|files\(\s*['\"]")
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES if p not in allowed
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if lookups.search(line)]
    assert not offenders, "find data through ragart_desktop.core.assets: " + ", ".join(offenders)


def test_an_unlisted_package_is_refused_before_it_could_be_left_out():
    with pytest.raises(RuntimeError, match="DATA_PACKAGES"):
        assets.package_data("mido")


def test_editors_imported_by_name_are_hidden_imports():
    from ragart_desktop.ui.editors import EDITOR_SPECS

    assert {spec.module for spec in EDITOR_SPECS} <= set(_bundle_data().hidden_imports())


def test_the_spec_reads_the_same_lists():
    spec = (ROOT / "packaging" / "ragart.spec").read_text()
    assert "datas=data_files()" in spec and "hiddenimports=hidden_imports()" in spec


def _imports_in_a_fresh_python(code: str) -> set[str]:
    """The module names a fresh interpreter holds after running ``code`` (what a frozen app would need)."""
    probe = code + "\nimport sys\nprint('\\n'.join(sys.modules))\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=True)
    return set(done.stdout.split())


def test_no_excluded_module_is_imported_by_what_the_app_loads():
    """An excluded module the app's libraries import breaks the executable at run time (torch 2.13's
    checkpoint imports torch.testing._internal, so the frozen app could not load any model)."""
    loaded = _imports_in_a_fresh_python(
        "import torch\nfrom transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer\n"
        "import pronouncing, pypinyin, opencc, rjieba, mido, pretty_midi, usearch.index, cv2\n"
        "from PySide6 import QtWidgets, QtMultimedia, QtSvg\n")
    excludes = _bundle_data().EXCLUDES
    hit = sorted(m for m in loaded for ex in excludes if m == ex or m.startswith(ex + "."))
    assert not hit, f"excluded from the executable but imported at run time: {hit[:5]}"


def test_packages_that_read_their_metadata_carry_it():
    """The executable carries .dist-info only for METADATA_PACKAGES (and what PyInstaller's own hooks
    add); importing the text and music libraries and OpenCV (the near-copy guard) must need no other
    package's metadata."""
    allowed = set(_bundle_data().METADATA_PACKAGES)
    code = (
        "import importlib.metadata as md\n"
        f"allowed = {sorted(allowed)!r}\n"
        "real = md.distribution\n"
        "def distribution(name):\n"
        "    if name.lower().replace('_', '-') not in allowed:\n"
        "        raise md.PackageNotFoundError(name)\n"
        "    return real(name)\n"
        "md.distribution = distribution\n"
        "import pronouncing, pypinyin, opencc, rjieba, mido, pretty_midi, cv2\n"
        "pronouncing.rhymes('night')\n")
    _imports_in_a_fresh_python(code)
