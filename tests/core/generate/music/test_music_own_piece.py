"""A piece of the library, continued: its own file is neither a reference nor the piece the result
"copies", whether the input is the file itself (the CLI's --midi) or a phrase the piano roll cut from
it and wrote elsewhere (``source``); a piece the user pinned stays pinned."""
import shutil

from ragart_desktop.core.generate.music.evaluate import evaluate_score
from ragart_desktop.core.generate.music.pipeline import generate
from ragart_desktop.core.generate.music.request import MusicRequest
from ragart_desktop.core.generate.references import ReferenceSpec
from ragart_desktop.core.music.midi_io import read_score, write_score
from ragart_desktop.core.music.phrase import make_phrase

from .conftest import piece

LOFI = "rainy-window-loop"


def _last_bars(path, bars: int = 8):
    """What the piano roll hands over for "continue from the end": the last bars, from beat 0."""
    score = read_score(path)
    start = score.bar_line_offset(score.notes_end - 1e-3, 1 - bars)
    return make_phrase(score, {t.id: [n for n in t.notes if n.start >= start] for t in score.tracks}).score


def _ids(result) -> list:
    return [r.item_id for r in result.references]


def test_a_phrase_of_a_library_piece_does_not_retrieve_the_piece(music_library, demo_midi, tmp_path):
    source = piece(demo_midi, LOFI)
    own = music_library.resolve(str(source)).id
    work = write_score(_last_bars(source), tmp_path / "phrase.mid")
    # Without its source the phrase finds the piece it was cut from as its closest reference, and
    # the guard calls the continuation a copy of the user's own piece.
    blind = generate(MusicRequest(midi=str(work), bars=2, seed=1), music_library)
    assert _ids(blind)[0] == own and blind.outputs[0].evaluation.near_copy
    result = generate(MusicRequest(midi=str(work), source=str(source), bars=2, seed=1), music_library)
    assert own not in _ids(result) and len(result.references) == 6     # the others fill its place
    ev = result.outputs[0].evaluation
    assert ev.nearest_item != own and ev.copied_from != str(source) and not ev.near_copy


def test_a_copy_of_a_library_file_elsewhere_is_the_same_piece(music_library, demo_midi, tmp_path):
    copy = tmp_path / "downloads" / "my-loop.mid"
    copy.parent.mkdir()
    shutil.copy(piece(demo_midi, LOFI), copy)
    result = generate(MusicRequest(midi=str(copy), bars=2, seed=1), music_library)
    own = music_library.resolve(str(piece(demo_midi, LOFI))).id
    assert own not in _ids(result) and result.outputs[0].evaluation.nearest_item != own
    assert not result.outputs[0].evaluation.near_copy


def test_a_pinned_own_piece_stays_a_reference_but_is_not_called_copied(music_library, demo_midi, tmp_path):
    source = piece(demo_midi, LOFI)
    own = music_library.resolve(str(source)).id
    work = write_score(_last_bars(source), tmp_path / "phrase.mid")
    result = generate(MusicRequest(midi=str(work), source=str(source), bars=2, seed=1,
                                   references=(ReferenceSpec(item_id=own),)), music_library)
    assert _ids(result)[0] == own and result.references[0].source == "pinned"
    assert _ids(result).count(own) == 1
    assert not result.outputs[0].evaluation.near_copy


def test_evaluate_skips_the_piece_and_its_copies(music_library, demo_midi, tmp_path):
    copy = tmp_path / "elsewhere.mid"
    shutil.copy(piece(demo_midi, "lantern-waltz"), copy)
    ev = evaluate_score(read_score(copy), library=music_library, exclude=[str(copy)])
    assert ev.nearest_path != str(piece(demo_midi, "lantern-waltz")) and not ev.near_copy
