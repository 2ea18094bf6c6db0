"""One full demo library build shared by the demo tests (it takes a few seconds)."""
from __future__ import annotations

from pathlib import Path

import pytest

from ragart_desktop.core.demo import DemoSummary, build_demo_library


@pytest.fixture(scope="package")
def demo_library(tmp_path_factory) -> DemoSummary:
    return build_demo_library(Path(tmp_path_factory.mktemp("demo")) / "demo-library")
