"""The transformer engine with tiny random models in both vocabularies it reads: a GPT-2 in the
Anticipatory Music Transformer format and a Llama with RagArt's REMI tokenizer.

A random model plays nonsense, but every constraint is a mask on its logits, so the contract must
hold anyway: input kept, exact length, onsets on the grid, key lock, only the target tracks, seeds
reproducible.
"""
import pytest

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.generate.music import amt_vocab as V
from ragart_desktop.core.generate.music.pipeline import generate
from ragart_desktop.core.generate.music.request import MusicRequest
from ragart_desktop.core.music.midi_io import read_score
from ragart_desktop.core.music.score import EPS
from tests.fixtures.tiny_models import make_causal_lm_folder

from .conftest import melody_of, notes_of, piece

LOFI = "rainy-window-loop"
TITLES = {"tiny-amt": "MIDI language model", "tiny-remi": "REMI"}   # model name -> in the engine name


@pytest.fixture(params=["tiny_amt", "tiny_remi"])
def music_lm(request) -> str:
    return request.getfixturevalue(request.param)


def test_registry_declares_the_vocabulary(music_library, tiny_amt):
    from ragart_desktop.core.generate.engine import model_registry

    entry = model_registry(music_library).get(tiny_amt)
    assert (entry.kind, entry.task) == ("causal-lm", "music-generation")


def test_continue_holds_the_contract(music_library, demo_midi, music_lm):
    source = read_score(piece(demo_midi, LOFI))
    req = MusicRequest(mode="continue", midi=str(piece(demo_midi, LOFI)), bars=2, engine=music_lm, seed=3,
                       n_references=2)
    result = generate(req, music_library)
    out = result.outputs[0].score
    end = source.bar_starts(source.end)[-1]
    assert not notes_of(source) - notes_of(out)
    new = list((notes_of(out) - notes_of(source)).elements())
    assert new and all(end - EPS <= n.start and n.end <= end + 8 + EPS for _, n in new)
    assert all(abs(n.start * 12 - round(n.start * 12)) < 1e-6 for _, n in new)
    assert all(source.key.contains(n.pitch) for name, n in new if name != "Drums")
    assert {name for name, _ in new} <= {t.name for t in source.tracks}
    assert out.length == end + 8
    assert result.engine == music_lm and TITLES[music_lm] in result.engine_name
    again = generate(req, music_library).outputs[0].score
    other = generate(MusicRequest(**{**req.to_json(), "references": (), "seed": 4}), music_library).outputs[0].score
    assert notes_of(again) == notes_of(out) and notes_of(other) != notes_of(out)


def test_accompany_hears_the_melody_and_adds_its_parts(music_library, demo_midi, music_lm):
    source = read_score(piece(demo_midi, LOFI))
    melody = melody_of(demo_midi, LOFI)
    req = MusicRequest(mode="accompany", parts=("bass", "drums"), engine=music_lm, seed=1, n_references=2)
    out = generate(req, music_library, phrase=melody).outputs[0].score
    assert out.tracks[0].notes == melody.tracks[0].notes
    added = out.tracks[1:]
    assert added and all(n.end <= 16 + EPS for t in added for n in t.notes)
    assert all(source.key.contains(n.pitch) for t in added if not t.is_drum for n in t.notes)


def test_infill_keeps_everything_outside_the_bars(music_library, demo_midi, music_lm):
    source = read_score(piece(demo_midi, LOFI))
    req = MusicRequest(mode="infill", midi=str(piece(demo_midi, LOFI)), from_bar=2, to_bar=3, engine=music_lm,
                       seed=2, n_references=1)
    out = generate(req, music_library).outputs[0].score
    inside = lambda n: 4 - EPS <= n.start < 12 - EPS   # noqa: E731
    outside = lambda s: {k: c for k, c in notes_of(s).items() if not inside(k[1])}   # noqa: E731
    assert outside(out) == outside(source)
    assert all(n.end <= 12 + EPS for t in out.tracks for n in t.notes if inside(n))


def test_the_kv_cache_samples_what_the_full_recompute_samples(music_library, tiny_amt):
    import torch

    from ragart_desktop.core.generate.engine import model_registry
    from ragart_desktop.core.generate.music.amt_sampler import AmtSampler, Event, Masks
    from ragart_desktop.core.generate.music.engine_transformer import Stepper
    from ragart_desktop.core.models.loaders import language_model
    from ragart_desktop.core.progress import Task

    lm = language_model(model_registry(music_library).get(tiny_amt))
    prompt = [Event(10 * i, 20, 0, 60 + i % 7) for i in range(30)]   # 91 tokens: the 128 context slides
    heard = [Event(t, 30, 0, 72) for t in range(450, 1400, 50)]   # given notes keep the model sampling
    runs, counts = [], []
    for cache in (True, False):
        stepper = Stepper(lm.model, seed=5, temperature=1.0, use_cache=cache)
        masks = Masks(stepper, {0: [p for p in range(48, 85) if p % 12 in (0, 2, 4, 5, 7, 9, 11)]})
        runs.append(AmtSampler(stepper).sample(prompt, heard, 400, 1400, list(range(400, 1400, 5)), masks, 60, Task()))
        counts.append(stepper.tokens_sampled)
    assert runs[0] == runs[1] and counts[0] == counts[1] > 40 and len(runs[0]) > 5
    assert all(e.time % 5 == 0 and e.time + e.duration <= 1400 and e.pitch % 12 in (0, 2, 4, 5, 7, 9, 11)
               for e in runs[0])
    assert torch.is_grad_enabled()


def test_a_text_model_is_refused(music_library, tmp_path):
    make_causal_lm_folder(music_library.home.models_dir / "poet")
    req = MusicRequest(mode="continue", engine="poet", bars=1, n_references=1)
    with pytest.raises(ModelError, match="not a music model"):
        generate(req, music_library)


def test_vocabulary_matches_the_published_layout():
    assert (V.DUR_OFFSET, V.NOTE_OFFSET, V.CONTROL_OFFSET, V.SEPARATOR, V.VOCAB_SIZE) == \
        (10000, 11000, 27513, 55025, 55028)
    assert V.decode_event(V.event_tokens(120, 35, 128, 36)) == (120, 35, 128, 36)
