"""A library of the demo MIDI pieces (one folk piece held out), shared by the music pipeline tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from ragart_desktop.core.demo.music import PIECES, render_piece
from tests.core.library.conftest import shared_embedders  # noqa: F401

HELD_OUT = "the-millers-daughter"   # same style as the folk pieces, not in the library


@pytest.fixture(scope="session")
def demo_midi(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo-midi")
    for spec in PIECES:
        folder = root / ("held-out" if spec.name == HELD_OUT else spec.folder)
        folder.mkdir(exist_ok=True)
        (folder / f"{spec.name}.mid").write_bytes(render_piece(spec))
    return root


@pytest.fixture(scope="session")
def music_library(tmp_path_factory, demo_midi, shared_embedders):  # noqa: F811
    from ragart_desktop.core.home import Home
    from ragart_desktop.core.library.library import Library

    home = Home(tmp_path_factory.mktemp("music-home")).ensure()
    lib = Library.open(home, embedders=shared_embedders)
    lib.import_paths([p for p in demo_midi.iterdir() if p.name != "held-out"])
    yield lib
    lib.close()


def piece(demo_midi: Path, name: str) -> Path:
    return next(demo_midi.rglob(f"{name}.mid"))
