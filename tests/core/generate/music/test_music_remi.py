"""The transformer engine with the REMI vocabulary (the models ``ragart train music`` makes).

A tiny random Llama with RagArt's MidiTok tokenizer plays nonsense, but every constraint is a mask
on its logits, so the contract of every mode must hold anyway; and the sampler must read time
exactly as MidiTok writes it (checked against MidiTok's own decoder on pieces in 4/4, 3/4 and 6/8).
"""

import pytest

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.generate.music import remi_vocab
from ragart_desktop.core.generate.music.engine_transformer import Stepper, Window
from ragart_desktop.core.generate.music.pipeline import generate
from ragart_desktop.core.generate.music.plan import Target
from ragart_desktop.core.generate.music.remi_sampler import Clock, RemiSampler
from ragart_desktop.core.generate.music.request import MusicRequest
from ragart_desktop.core.music.midi_io import read_score
from ragart_desktop.core.music.score import EPS
from ragart_desktop.core.music.theory import parse_key
from ragart_desktop.core.progress import Task
from tests.fixtures.tiny_models import make_remi_lm_folder

from .conftest import melody_of, notes_of, piece

LOFI = "rainy-window-loop"
METERS = ("rainy-window-loop", "lantern-waltz", "the-heather-road")   # 4/4, 3/4, 6/8


@pytest.fixture(scope="module")
def vocab():
    return remi_vocab.RemiVocabulary(remi_vocab.new_tokenizer())


def _window(score, start=0.0, end=None, targets=(), key="C"):
    end = score.bar_starts()[-1] if end is None else end
    return Window([], None, score, start, end, list(targets), parse_key(key), True)


@pytest.mark.parametrize("name", METERS)
def test_the_sampler_reads_time_as_miditok_writes_it(demo_midi, vocab, name):
    score = read_score(piece(demo_midi, name))
    ids = vocab.encode(score)
    clock = Clock(vocab, score, score.bar_starts()[-1])
    mine = []
    for i, token in enumerate(ids):
        if vocab.kind(token) == "Program":
            pitch, duration = vocab.value(ids[i + 1]), vocab.duration_beats(ids[i + 3], clock.meter())
            mine.append((round(clock.now(), 4), pitch, round(duration, 4)))
        else:
            clock.advance(token)
    decoded = vocab.tokenizer.decode(ids)
    theirs = [(round(n.time / decoded.ticks_per_quarter, 4), n.pitch, round(n.duration / decoded.ticks_per_quarter, 4))
              for t in decoded.tracks for n in t.notes]
    assert len(mine) > 100 and sorted(mine) == sorted(theirs)


def test_registry_and_engine_declare_the_remi_vocabulary(music_library, tiny_remi):
    from ragart_desktop.core.generate.engine import model_registry
    from ragart_desktop.core.generate.music.engine_transformer import TransformerEngine

    registry = model_registry(music_library)
    entry = registry.get(tiny_remi)
    assert (entry.kind, entry.task, entry.variant) == ("causal-lm", "music-generation", "llama")
    engine = TransformerEngine(tiny_remi, music_library, registry)
    assert "REMI" in engine.describe(MusicRequest())


def test_accompany_adds_named_parts_in_their_ranges(music_library, demo_midi, tiny_remi):
    source = read_score(piece(demo_midi, LOFI))
    req = MusicRequest(mode="accompany", parts=("bass", "drums"), engine=tiny_remi, seed=1, n_references=2)
    out = generate(req, music_library, phrase=melody_of(demo_midi, LOFI)).outputs[0].score
    added = {t.name: t for t in out.tracks[1:]}
    assert set(added) == {"Bass (generated)", "Drums"} and all(t.notes for t in added.values())
    assert all(source.key.contains(n.pitch) and 28 <= n.pitch <= 60 for n in added["Bass (generated)"].notes)
    assert added["Drums"].is_drum


def test_vary_follows_the_theme_in_its_tracks(music_library, demo_midi, tiny_remi):
    source = read_score(piece(demo_midi, LOFI))
    theme = source.copy()
    theme.tracks = theme.tracks[:2]
    theme.length = 8.0
    for t in theme.tracks:
        t.notes = [n for n in t.notes if n.end <= 8]
    req = MusicRequest(mode="vary", engine=tiny_remi, seed=5, n_references=1)
    out = generate(req, music_library, phrase=theme).outputs[0].score
    assert [t.name for t in out.tracks] == [t.name for t in theme.tracks]
    assert any(t.notes for t in out.tracks) and notes_of(out) != notes_of(theme)
    assert all(n.end <= 8 + EPS for t in out.tracks for n in t.notes) and out.length == 8.0


def test_the_kv_cache_samples_what_the_full_recompute_samples_and_given_notes_are_heard(music_library, demo_midi,
                                                                                            vocab):
    import torch

    from ragart_desktop.core.models.loaders import language_model
    from ragart_desktop.core.models.recognise import inspect_path

    folder = make_remi_lm_folder(music_library.home.models_dir / "tiny-remi-64", seed=1, context=64)
    lm = language_model(inspect_path(folder))
    source = read_score(piece(demo_midi, LOFI))
    given = source.copy()
    given.tracks = given.tracks[:1]   # the melody, heard while a bass is sampled under it
    bass = Target("bass", name="Bass", program=33, low=36, high=55)
    runs = []
    for cache in (True, False):
        stepper = Stepper(lm.model, seed=7, temperature=1.0, use_cache=cache)
        fed: list[int] = []                     # every token fed, across the context's slides
        feed = stepper.feed
        stepper.feed = lambda tokens, feed=feed, fed=fed: (fed.extend(tokens), feed(tokens))
        sampler = RemiSampler(stepper, vocab, _window(given, start=0.0, end=8.0, targets=[bass], key="Am"))
        notes = sampler.sample(Task())
        runs.append((notes, stepper.tokens_sampled, fed))
    (notes, sampled, sequence), (notes2, sampled2, _) = runs
    assert notes == notes2 and sampled == sampled2 > 30 and notes
    assert all(n.note.pitch % 12 in parse_key("Am").allowed_pitch_classes() and n.note.end <= 8 + EPS for n in notes)
    assert len(sequence) > 64                                              # the context slid
    reached = max(n.note.start for n in notes)                             # (a random model may stop at the limit)
    melody = [vocab.note_tokens(given.tracks[0].program, n.pitch, n.velocity, n.duration, given.time_signature)
              for n in given.tracks[0].notes if n.start < reached - EPS]
    assert melody
    assert all(any(sequence[i:i + 4] == heard for i in range(len(sequence))) for heard in melody)   # all heard
    assert torch.is_grad_enabled()


def test_other_midi_tokenizers_are_refused_plainly(tmp_path):
    from miditok import TSD, REMI, TokenizerConfig

    from ragart_desktop.core.generate.music.engine_transformer import declared_vocabulary

    TSD(TokenizerConfig(use_programs=True)).save(tmp_path / "tsd" / "tokenizer.json")
    with pytest.raises(ModelError, match="TSD"):
        declared_vocabulary(tmp_path / "tsd")
    REMI(TokenizerConfig()).save(tmp_path / "remi" / "tokenizer.json")   # one stream per program
    with pytest.raises(ModelError, match="one_token_stream_for_programs, use_programs"):
        declared_vocabulary(tmp_path / "remi")


def test_a_note_the_model_wants_on_another_instrument_is_played_by_a_target_not_skipped():
    """The model's probability of "a note here" on an instrument outside the targets goes to the
    target instruments (``Stepper.draw``'s events), not to the moves in time beside them."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=8, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64))
    flute, clarinet, drums, later, bar = 1, 2, 3, 4, 5            # the roles the ids play here
    stepper = Stepper(model, seed=3, temperature=1.0)
    stepper.reset([0])
    wanted = torch.log(torch.tensor([1e-6, 0.70, 0.04, 0.06, 0.10, 0.10, 1e-6, 1e-6]))
    allowed = stepper.mask([clarinet, drums, later, bar])
    pitched, hits = stepper.mask([flute, clarinet]), stepper.mask([drums])
    drawn = []
    for _ in range(300):
        stepper.logits = wanted
        drawn.append(stepper.draw(allowed, [pitched, hits]))
        stepper.reset([0])
    share = {t: drawn.count(t) / len(drawn) for t in (clarinet, drums, later, bar)}
    assert share[clarinet] > 0.6                                  # 0.74 expected; renormalising alone gives 0.13
    assert 0.01 < share[drums] < 0.15 and share[later] + share[bar] < 0.35
