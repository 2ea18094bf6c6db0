"""Layering contracts: the core is Qt-free and heavy ML libraries load lazily."""
from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap

import ragart_desktop.core


def _core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(ragart_desktop.core.__path__, "ragart_desktop.core."))


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=240)


def test_core_imports_with_pyside6_blocked():
    code = f"""
    import sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split('.')[0] in ('PySide6', 'shiboken6'):
                raise ImportError('Qt is blocked in this test: ' + name)
    sys.meta_path.insert(0, Block())
    import importlib
    for name in {_core_modules()!r}:
        importlib.import_module(name)
    import ragart_desktop.cli
    print('ok')
    """
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_core_and_cli_do_not_import_torch_at_import_time():
    code = f"""
    import importlib, sys
    for name in {_core_modules()!r} + ['ragart_desktop.cli']:
        importlib.import_module(name)
    heavy = sorted(m for m in ('torch', 'transformers', 'diffusers') if m in sys.modules)
    print(','.join(heavy))
    """
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_package_import_switches_hubs_offline():
    result = _run("import os, ragart_desktop; print(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'])")
    assert result.stdout.split() == ["1", "1"]
