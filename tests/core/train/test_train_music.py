"""Learn my style: the training job on a few demo MIDI pieces with a tiny model (a few dozen steps).

The runs here are small but real: the same corpus, tokenizer, Llama model, optimiser, checkpoint and
model folder as a user's run, only the shape and the number of steps are cut down.
"""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from ragart_desktop.core.demo.music import PIECES, render_piece
from ragart_desktop.core.errors import Cancelled, StorageError
from ragart_desktop.core.generate.music import remi_vocab
from ragart_desktop.core.generate.music.plan import transposed
from ragart_desktop.core.music.midi_io import read_score
from ragart_desktop.core.progress import Task
from ragart_desktop.core.train import store
from ragart_desktop.core.train.corpus import Piece, make_corpus, music_fingerprint, tokenise
from ragart_desktop.core.train.trainer import ModelShape, Schedule, TrainingRequest, torch_threads, train_corpus

NAMES = ("lantern-waltz", "harbour-reel", "cradle-song", "the-heather-road", "morning-on-the-fell",
         "rainy-window-loop", "late-night-study")    # the lofi pieces have drums
TINY = ModelShape(width=32, layers=2, heads=2, context=64)
SCHEDULE = Schedule(batch=4, micro_batch=2, learning_rate=3e-3, warmup=2, eval_every=6, patience=3, max_steps=18)


@pytest.fixture(scope="module")
def pieces(tmp_path_factory) -> list[Piece]:
    root = tmp_path_factory.mktemp("train-midi")
    out = []
    for spec in PIECES:
        if spec.name in NAMES:
            folder = root / spec.folder.replace(" ", "-")
            folder.mkdir(exist_ok=True)
            path = folder / f"{spec.name}.mid"
            path.write_bytes(render_piece(spec))
            out.append(Piece(None, str(path), spec.title, spec.name, read_score(path)))
    return out


@pytest.fixture(scope="module")
def corpus(pieces):
    return make_corpus(pieces)


def _request(name: str, **kw) -> TrainingRequest:
    return TrainingRequest(name=name, minutes=5, shape=TINY, schedule=kw.pop("schedule", SCHEDULE), **kw)


def _run(req, corpus, models_dir, task=None):
    import torch

    torch.set_num_threads(1)
    return train_corpus(req, corpus, models_dir, task=task)


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    from ragart_desktop.core.home import Home

    home = Home(tmp_path_factory.mktemp("train-home")).ensure()
    return _run(_request("style"), corpus, home.models_dir), home


def test_the_split_is_by_piece_and_keeps_transposed_copies_together(pieces):
    copy = replace(pieces[0], path=pieces[0].path + "-up2", content_hash="copy",
                   score=transposed(pieces[0].score, 2))
    for share in (0.1, 0.5):
        corpus = make_corpus(pieces + [copy], share=share)
        assert corpus.validation and corpus.train
        sides = {id(p): side for side, ps in (("t", corpus.train), ("v", corpus.validation)) for p in ps}
        assert sides[id(copy)] == sides[id(pieces[0])]
        assert not {p.content_hash for p in corpus.train} & {p.content_hash for p in corpus.validation}
    assert music_fingerprint(copy.score) == music_fingerprint(pieces[0].score)
    assert make_corpus(list(reversed(pieces))).fingerprint() == make_corpus(pieces).fingerprint()


def test_training_streams_hold_every_piece_in_twelve_keys_with_drums_untransposed(corpus):
    vocab = remi_vocab.RemiVocabulary(remi_vocab.new_tokenizer())
    tokens = tokenise(corpus, vocab, seed=0, task=Task())
    assert len(tokens.streams) == 12 and len(tokens.validation) == len(corpus.validation)
    pitch_classes = []
    for stream in tokens.streams:
        assert (stream == vocab.bos).sum() == len(corpus.train)
        pitches = [vocab.value(int(t)) for t in stream if vocab.kind(int(t)) == "Pitch"]
        pitch_classes.append(frozenset(p % 12 for p in pitches))
        drums = sorted(vocab.value(int(t)) for t in stream if vocab.kind(int(t)) == "PitchDrum")
        assert drums, "the lofi pieces' drums are learned"
        if stream is tokens.streams[0]:
            first_drums = drums
        assert drums == first_drums, "drums are never transposed"
    assert len(set(pitch_classes)) == 12, "each stream is in another key"


def test_a_few_steps_reduce_the_loss_and_save_an_ordinary_model_folder(trained, corpus):
    result, home = trained
    models = home.models_dir
    path = Path(result.path)
    assert path == models / "style"
    assert {"config.json", "model.safetensors", "tokenizer.json", "model_card.json", "README.md"} <= \
        {p.name for p in path.iterdir()}
    card = store.read_card(path)
    first_train = card["curves"]["train"][0][1]
    assert first_train > math.log(len(remi_vocab.new_tokenizer().vocab)) * 0.8, "an untrained model guesses"
    assert result.val_loss < first_train - 1.0 and result.train_loss < first_train - 1.0
    assert result.val_loss == min(v for _, v in card["curves"]["validation"])
    assert result.steps == 18 and result.stopped == "epoch cap" and result.parameters > 10_000
    assert math.isfinite(result.baseline_val_loss) and result.baseline_order >= 1
    learned = {p["path"] for p in card["pieces"]["train"] + card["pieces"]["validation"]}
    assert learned == {p.path for p in corpus.pieces} and card["trained_at"] and card["training_seconds"] > 0
    assert "Lantern Waltz" in (path / "README.md").read_text()
    assert not store.work_dir(models, "style").joinpath(store.CHECKPOINT).exists(), "a finished run leaves no checkpoint"


def test_the_registry_lists_the_trained_model_as_a_music_model(trained):
    from ragart_desktop.core.models.registry import ModelRegistry
    from ragart_desktop.core.settings import Settings

    result, home = trained
    entry = ModelRegistry(home, Settings.load(home.settings_path)).get("style")
    assert entry.task == "music-generation" and Path(entry.path) == Path(result.path)


def test_cancel_keeps_a_checkpoint_and_the_resumed_run_ends_where_an_uninterrupted_one_does(trained, corpus, tmp_path):
    result, _ = trained
    steps = []

    def on_progress(done, total, message):
        if message.startswith("Step 7:"):
            steps.append(7)
            task.cancel()

    task = Task(on_progress=on_progress)
    with pytest.raises(Cancelled):
        _run(_request("style"), corpus, tmp_path, task)
    assert steps and (store.work_dir(tmp_path, "style") / store.CHECKPOINT).is_file()
    assert not (tmp_path / "style").exists(), "nothing half-trained in the models folder"
    again = _run(_request("style"), corpus, tmp_path)
    assert again.resumed_from == 7 and again.steps == 18
    assert again.val_loss == pytest.approx(result.val_loss, abs=1e-4)
    assert again.train_loss == pytest.approx(result.train_loss, abs=1e-4)


def test_a_damaged_checkpoint_is_ignored_and_training_starts_again(corpus, tmp_path):
    work = store.work_dir(tmp_path, "style")
    work.mkdir(parents=True)
    (work / store.CHECKPOINT).write_bytes(b"not a safetensors file")
    result = _run(_request("style", schedule=replace(SCHEDULE, max_steps=2, eval_every=2)), corpus, tmp_path)
    assert result.resumed_from == 0 and result.steps == 2


def test_validation_loss_that_stops_improving_stops_the_run_early(corpus, tmp_path):
    wild = replace(SCHEDULE, learning_rate=3.0, warmup=1, eval_every=2, patience=2, max_steps=40)
    result = _run(_request("wild", schedule=wild), corpus, tmp_path)
    assert result.stopped == "early stopping" and result.steps < 40


def test_the_time_budget_stops_the_run_and_keeps_its_checkpoint(corpus, tmp_path):
    result = _run(replace(_request("short"), minutes=1e-4), corpus, tmp_path)
    assert result.stopped == "time budget" and result.steps == 1
    assert (store.work_dir(tmp_path, "short") / store.CHECKPOINT).is_file() and Path(result.path).is_dir()


def test_torch_threads_leave_one_core_and_are_restored():
    import os

    import torch

    before = torch.get_num_threads()
    with torch_threads("cpu") as n:
        assert n == max(1, len(os.sched_getaffinity(0)) - 1) == torch.get_num_threads()
    assert torch.get_num_threads() == before


def test_a_second_training_of_the_same_model_is_refused(pieces, tmp_path):
    from ragart_desktop.core.library.lock import ImportLock

    work = store.work_dir(tmp_path, "busy")
    work.mkdir(parents=True)
    with ImportLock(work / "lock", Task(), timeout_s=0, activity="training the model 'busy'"):
        with pytest.raises(StorageError, match="training the model 'busy'"):
            with ImportLock(work / "lock", Task(), timeout_s=0, activity="training the model 'busy'"):
                pass
