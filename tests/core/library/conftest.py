"""Small real libraries built on disk for the library tests."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def painting(seed: int, size=(160, 120), palette=None) -> Image.Image:
    """A small procedural picture: a gradient, stripes and a blob, different per seed."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array(palette if palette is not None else rng.uniform(0, 255, 3), dtype=np.float32)
    other = rng.uniform(0, 255, 3).astype(np.float32)
    t = (x / w * np.cos(seed) + y / h * np.sin(seed)) % 1.0
    img = base * (1 - t[..., None]) + other * t[..., None]
    freq = 4 + seed % 9
    stripes = (np.sin((x * np.cos(seed * 1.7) + y * np.sin(seed * 1.7)) / w * freq * 6.28) > 0.3)
    img[stripes] = img[stripes] * 0.5 + rng.uniform(0, 255, 3) * 0.5
    cx, cy, r = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h, rng.uniform(0.1, 0.3) * w
    img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(0, 255, 3)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def melody(path: Path, tonic: int, seed: int, program: int = 0, name: str = "Melody") -> None:
    import pretty_midi

    rng = np.random.default_rng(seed)
    pm = pretty_midi.PrettyMIDI(initial_tempo=float(rng.integers(70, 150)))
    inst = pretty_midi.Instrument(program=program, name=name)
    scale = [0, 2, 4, 5, 7, 9, 11] if seed % 2 == 0 else [0, 2, 3, 5, 7, 8, 10]
    t, degree = 0.0, 0
    durations = [0.25, 0.5, 0.5, 1.0] if seed % 3 else [0.125, 0.25, 0.25, 0.75]
    for _ in range(48):
        degree = int(np.clip(degree + rng.integers(-2, 3), -7, 10))
        pitch = tonic + 12 * (degree // 7) + scale[degree % 7]
        d = float(rng.choice(durations))
        inst.notes.append(pretty_midi.Note(velocity=90, pitch=60 + pitch, start=t, end=t + d * 0.9))
        t += d
    pm.instruments.append(inst)
    pm.write(str(path))


@pytest.fixture(scope="session")
def shared_embedders():
    """One set of real embedders for the whole session (the text model loads once)."""
    from ragart_desktop.core.embed.registry import builtin_embedders

    return builtin_embedders()


@pytest.fixture
def make_library(home, shared_embedders):
    from ragart_desktop.core.library.library import Library

    opened = []

    def make(h=None):
        lib = Library.open(h or home, embedders=shared_embedders)
        opened.append(lib)
        return lib

    yield make
    for lib in opened:
        lib.close()


@pytest.fixture
def art_folder(tmp_path) -> Path:
    """seascapes/, forest/ images, folk/ MIDI, poems/ notes — 16 files."""
    root = tmp_path / "art"
    sea, forest, folk, poems = (root / "seascapes", root / "forest", root / "folk", root / "poems")
    for d in (sea, forest, folk, poems):
        d.mkdir(parents=True)
    names_sea = ["stormy-harbour", "calm-bay", "lighthouse-dusk", "blue-waves"]
    names_forest = ["autumn-birches", "pine-grove", "mossy-path", "green-canopy"]
    for i, n in enumerate(names_sea):
        painting(i, palette=(30, 60 + 10 * i, 170)).save(sea / f"{n}.png")
    for i, n in enumerate(names_forest):
        painting(10 + i, palette=(40, 140, 50 + 10 * i)).save(forest / f"{n}.jpg", quality=90)
    for i, n in enumerate(["river-jig", "hill-reel", "old-waltz", "shepherd-air"]):
        melody(folk / f"{n}.mid", tonic=i * 2, seed=i, name=n.replace("-", " ").title())
    (poems / "tide.txt").write_text("The tide returns\nsalt on the harbour stones\ngulls over grey water\n")
    (poems / "forest-floor.md").write_text("# Forest floor\n\nMoss and fern, the birch leaves falling gold.\n")
    (poems / "city-rain.txt").write_text("Neon in puddles, the city hums after rain.\n")
    (poems / "snow.txt").write_text("Snow on the roofs, silence of white mornings.\n")
    return root
