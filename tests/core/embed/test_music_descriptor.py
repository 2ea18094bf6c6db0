import numpy as np
import pretty_midi
import pytest

from ragart_desktop.core.embed.music_descriptor import MusicDescriptorEmbedder
from ragart_desktop.core.errors import UsageError

from .procedural_midi import at_tempo, excerpt, procedural_piece, transposed

N_PIECES = 30

COPIES = {
    "transposed +5": lambda pm: transposed(pm, 5),
    "transposed -3": lambda pm: transposed(pm, -3),
    "first half": lambda pm: excerpt(pm, 0, 8),
    "middle half": lambda pm: excerpt(pm, 4, 8),
    "second half": lambda pm: excerpt(pm, 8, 8),
    "30% faster": lambda pm: at_tempo(pm, 1.3),
    "30% slower": lambda pm: at_tempo(pm, 0.7),
    "excerpt, transposed, faster": lambda pm: at_tempo(transposed(excerpt(pm, 6, 8), -4), 1.2),
}


@pytest.fixture(scope="module")
def embedder():
    return MusicDescriptorEmbedder()


@pytest.fixture(scope="module")
def pieces():
    return [procedural_piece(seed) for seed in range(N_PIECES)]


@pytest.fixture(scope="module")
def index(embedder, pieces):
    return embedder.embed(pieces)


def test_pieces_are_distinct(index):
    sims = index @ index.T
    np.fill_diagonal(sims, -1)
    assert sims.max() < 0.97


@pytest.mark.parametrize("copy", list(COPIES))
def test_a_copy_finds_its_piece_first(copy, embedder, pieces, index):
    queries = embedder.embed([COPIES[copy](pm) for pm in pieces])
    top1 = (queries @ index.T).argmax(axis=1)
    hit_rate = float((top1 == np.arange(N_PIECES)).mean())
    assert hit_rate >= 0.95, f"{copy}: piece ranked first for only {hit_rate:.0%}"


def test_vectors_are_unit_float32_rows_and_deterministic(embedder, pieces):
    v = embedder.embed(pieces[:3])
    assert v.shape == (3, embedder.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(v, embedder.embed(pieces[:3]))


def _single_part(notes, is_drum=False):
    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=0, is_drum=is_drum)
    inst.notes = [pretty_midi.Note(100, p, s, e) for p, s, e in notes]
    pm.instruments.append(inst)
    return pm


def test_empty_midi_gives_one_fixed_unit_vector(embedder, index):
    empty_instrument = pretty_midi.PrettyMIDI()
    empty_instrument.instruments.append(pretty_midi.Instrument(program=0))
    v = embedder.embed([pretty_midi.PrettyMIDI(), empty_instrument])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0)
    assert np.array_equal(v[0], v[1])
    assert np.abs(index @ v[0]).max() < 1e-6  # matches no real piece


@pytest.mark.parametrize(
    "pm",
    [
        _single_part([(60, 0.0, 1.0)]),
        _single_part([(36, 0.0, 0.1), (38, 0.5, 0.6)], is_drum=True),
        _single_part([(60, 1.0, 1.0), (64, 1.0, 1.0), (67, 1.0, 1.0)]),  # zero-length chord
    ],
)
def test_tiny_pieces_give_a_unit_vector(embedder, pm):
    v = embedder.embed_one(pm)
    assert np.isfinite(v).all() and np.isclose(np.linalg.norm(v), 1.0, atol=1e-5)


def test_non_midi_input_is_refused(embedder):
    with pytest.raises(UsageError):
        embedder.embed(["song.mid"])
