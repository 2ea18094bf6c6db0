"""A library of the demo MIDI pieces (one folk piece held out), shared by the music pipeline tests."""
from __future__ import annotations

from collections import Counter
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


@pytest.fixture(scope="session")
def tiny_amt(music_library) -> str:
    """A tiny random GPT-2 in the Anticipatory Music Transformer format."""
    from tests.fixtures.tiny_models import make_music_lm_folder

    return make_music_lm_folder(music_library.home.models_dir / "tiny-amt", n_positions=128).name


@pytest.fixture(scope="session")
def tiny_remi(music_library) -> str:
    """A tiny random Llama with RagArt's REMI tokenizer (what ``ragart train music`` saves)."""
    from tests.fixtures.tiny_models import make_remi_lm_folder

    return make_remi_lm_folder(music_library.home.models_dir / "tiny-remi", context=256).name


def piece(demo_midi: Path, name: str) -> Path:
    return next(demo_midi.rglob(f"{name}.mid"))


def notes_of(score) -> Counter:
    return Counter((t.name, n) for t in score.tracks for n in t.notes)


def melody_of(demo_midi: Path, name: str, beats: float = 16.0):
    """The first track of a demo piece, cut to ``beats``: a melody to accompany."""
    from ragart_desktop.core.music.midi_io import read_score

    melody = read_score(piece(demo_midi, name))
    melody.tracks = melody.tracks[:1]
    melody.length = beats
    melody.tracks[0].notes = [n for n in melody.tracks[0].notes if n.end <= beats]
    return melody
