"""Small procedural images for the built-in engine tests (96x96, seeded)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

SIZE = 96


def stripes(size: int = SIZE, period: int = 12) -> np.ndarray:
    """Vertical black/white stripes with a little colour, half a period each."""
    x = np.arange(size)
    on = ((x // (period // 2)) % 2).astype(np.float32)
    img = np.empty((size, size, 3), dtype=np.float32)
    img[...] = (0.1 + 0.8 * on)[None, :, None]
    img[..., 2] *= 0.7
    return img


def warm_strokes(size: int = SIZE, seed: int = 1) -> np.ndarray:
    """Oriented orange/red streaks on dark brown: a textured warm reference."""
    rng = np.random.default_rng(seed)
    noise = ndimage.gaussian_filter(rng.normal(size=(size, size)), (0.8, 4.0))
    noise = (noise - noise.min()) / (noise.max() - noise.min())
    dark, bright = np.array([0.25, 0.1, 0.05]), np.array([0.95, 0.55, 0.15])
    return (dark + (bright - dark) * noise[..., None] ** 1.5).astype(np.float32)


def cool_cells(size: int = SIZE, seed: int = 2) -> np.ndarray:
    """Mottled blue/teal blocks between dark lines: a cool reference with strong edges."""
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, 3, size=(size // 16 + 1, size // 16 + 1))
    palette = np.array([[0.1, 0.25, 0.55], [0.15, 0.55, 0.6], [0.5, 0.75, 0.85]])
    img = palette[np.kron(cells, np.ones((16, 16), dtype=int))[:size, :size]]
    img *= 1.0 + 0.15 * ndimage.gaussian_filter(rng.normal(size=(size, size)), 1.5)[..., None]
    grid = (np.arange(size) % 16) < 2
    img[grid, :] = 0.05
    img[:, grid] = 0.05
    return np.clip(img, 0.0, 1.0).astype(np.float32)


def sketch(size: int = SIZE) -> np.ndarray:
    """A canvas: light ground, a green disc, a dark diagonal line."""
    y, x = np.mgrid[0:size, 0:size]
    img = np.full((size, size, 3), 0.9, dtype=np.float32)
    disc = (y - size * 0.65) ** 2 + (x - size * 0.35) ** 2 < (size * 0.25) ** 2
    img[disc] = [0.3, 0.6, 0.25]
    line = np.abs(y - (0.3 * x + size * 0.15)) < 1.5
    img[line] = 0.05
    return img


@pytest.fixture
def warm() -> np.ndarray:
    return warm_strokes()


@pytest.fixture
def cool() -> np.ndarray:
    return cool_cells()


@pytest.fixture
def references(warm: np.ndarray, cool: np.ndarray) -> list[np.ndarray]:
    return [warm, cool]


@pytest.fixture
def canvas() -> np.ndarray:
    return sketch()


@pytest.fixture
def striped() -> np.ndarray:
    return stripes()
