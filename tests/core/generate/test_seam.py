"""The generation seam every kind shares: choosing references, naming and writing outputs, engines."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ragart_desktop.core.errors import BadInputError, ModelError, StorageError
from ragart_desktop.core.generate.engine import BUILTIN, Engine, make_engine
from ragart_desktop.core.generate.references import Reference, ReferenceSpec, gather_references
from ragart_desktop.core.fileio import atomic_write
from ragart_desktop.core.generate.result import output_targets
from ragart_desktop.core.progress import Task
from ragart_desktop.core.retrieval.query import Query
from tests.core.library.conftest import art_folder, make_library, shared_embedders  # noqa: F401


@dataclass
class TextReference(Reference):
    text: str = ""


def _load_text(ref: Reference) -> TextReference:
    """A kind that can use text files only: anything else is unreadable for it."""
    if not ref.path.endswith((".txt", ".md")):
        raise BadInputError("is not a text file.", path=ref.path)
    return TextReference(**vars(ref), text=Path(ref.path).read_text())


@pytest.fixture
def lib(make_library, art_folder):  # noqa: F811
    library = make_library()
    library.import_paths([art_folder])
    return library


def test_pinned_references_come_first_with_their_weights_then_retrieved_ones_fill_in(lib, art_folder):
    pinned = art_folder / "poems" / "snow.txt"
    refs = gather_references((ReferenceSpec(path=str(pinned), weight=0.3),), lib,
                             Query(text="snow on the roofs, rain, tide"), 6, _load_text, Task())
    assert refs[0].path == str(pinned) and refs[0].weight == 0.3 and refs[0].source == "pinned"
    assert refs[0].item_id == lib.resolve(str(pinned)).id and "snow" in refs[0].text.lower()
    # The library holds four notes: the search also finds pictures and music, which this kind skips.
    assert len(refs) == 4 and all(r.source == "retrieved" for r in refs[1:])
    assert len({r.item_id for r in refs}) == 4                      # the pinned item is not retrieved again
    assert all(isinstance(r, TextReference) and r.text for r in refs)   # the loader ran for each
    assert all(r.path.endswith((".txt", ".md")) for r in refs)          # unreadable ones were skipped


def test_a_pinned_reference_the_kind_cannot_use_is_an_error_naming_it(lib, art_folder):
    image = art_folder / "seascapes" / "calm-bay.png"
    with pytest.raises(BadInputError, match="calm-bay.png"):
        gather_references((ReferenceSpec(path=str(image)),), lib, None, 4, _load_text, Task())


def test_no_query_means_only_the_pinned_references(lib, art_folder):
    pinned = art_folder / "poems" / "tide.txt"
    refs = gather_references((ReferenceSpec(path=str(pinned)),), lib, None, 4, _load_text, Task())
    assert [r.path for r in refs] == [str(pinned)]


def test_a_file_outside_the_library_lends_the_words_of_its_name(tmp_path):
    outside = tmp_path / "winter-harbour-study.txt"
    outside.write_text("grey")
    ref = gather_references((ReferenceSpec(path=str(outside)),), None, None, 1, _load_text, Task())[0]
    assert ref.item_id is None and ref.terms == ["winter", "harbour", "study"]


def test_outputs_are_named_after_the_target_file_or_put_in_a_folder(tmp_path):
    assert output_targets(tmp_path / "a.mid", [5], (".mid", ".midi")) == [tmp_path / "a.mid"]
    assert output_targets(tmp_path / "a.MID", [5, 6], (".mid",)) == [tmp_path / "a-1.MID", tmp_path / "a-2.MID"]
    inside = output_targets(tmp_path / "out", [5, 6], (".png",))
    assert [p.parent for p in inside] == [tmp_path / "out"] * 2
    assert inside[0].name.endswith("-5.png") and inside[1].name.endswith("-6.png")


def test_a_failed_write_leaves_no_file_and_says_which(tmp_path):
    target = tmp_path / "song.mid"

    def write(f):
        f.write(b"half a file")
        raise OSError(28, "No space left on device")

    with pytest.raises(StorageError, match="song.mid.*No space left"):
        atomic_write(target, write, "the MIDI file")
    assert list(tmp_path.iterdir()) == []
    assert atomic_write(target, lambda f: f.write(b"MThd")).read_bytes() == b"MThd"


class _Builtin(Engine):
    def describe(self, request):
        return "built-in test engine"

    def run(self, inputs, seed, task):
        return seed


def test_engines_are_chosen_by_name_and_model_kind(lib):
    engine = make_engine(BUILTIN, lib, _Builtin, {}, "music generation")
    assert engine.engine_id == BUILTIN and engine.run(None, 3, Task()) == 3
    with pytest.raises(ModelError, match="no model named 'nope'"):
        make_engine("nope", lib, _Builtin, {"music-lm": lambda *a: _Builtin()}, "music generation")


def test_a_model_of_another_kind_is_refused_with_what_is_needed(lib, home):
    from tests.fixtures import tiny_models

    tiny_models.make_lora(home.models_dir / "ink.safetensors")
    with pytest.raises(ModelError, match="ink is a lora model; music generation needs a music-lm model"):
        make_engine("ink", lib, _Builtin, {"music-lm": lambda *a: _Builtin()}, "music generation")


def test_pinned_references_lead_and_retrieved_ones_fill_in_lighter(lib, art_folder):
    pinned = art_folder / "poems" / "snow.txt"
    query = Query(text="tide rain forest harbour", kinds=("text",))
    refs = gather_references((ReferenceSpec(path=str(pinned)),), lib, query, 4, _load_text, Task())
    retrieved = [r.weight for r in refs if r.source == "retrieved"]
    assert refs[0].weight == 1.0 and len(retrieved) == 3
    assert max(retrieved) <= 0.5 and sum(retrieved) <= 0.5 + 1e-9   # the pin holds 2/3 of the weight at least
    alone = gather_references((), lib, query, 3, _load_text, Task())
    assert max(r.weight for r in alone) == 1.0                        # without pins nothing is scaled


def test_a_pin_of_another_kind_can_lend_its_words(lib, art_folder):
    def load(ref: Reference) -> TextReference:
        if ref.kind != "text":
            return TextReference(**{**vars(ref), "words_only": True})
        return _load_text(ref)

    song = art_folder / "folk" / "hill-reel.mid"
    refs = gather_references((ReferenceSpec(path=str(song)),), lib, Query(text="tide rain"), 3, load, Task())
    assert refs[0].kind == "music" and refs[0].words_only and "hill-reel" in refs[0].terms
    assert refs[0].to_json()["uses"] == "words"
    assert max(r.weight for r in refs[1:]) == 1.0   # a words-only pin does not lead the content
