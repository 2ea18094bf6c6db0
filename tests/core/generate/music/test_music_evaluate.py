"""The near-copy guard and the metrics, against the demo library."""
import pytest

from ragart_desktop.core.generate.music.evaluate import evaluate_score
from ragart_desktop.core.music.copyguard import NEAR_COPY_NOTES
from ragart_desktop.core.music.metrics import groove_consistency, in_key_ratio, pitch_class_entropy, style_match
from ragart_desktop.core.music.midi_io import read_score
from ragart_desktop.core.music.score import Note, Score, TempoChange, Track
from ragart_desktop.core.music.theory import parse_key

from .conftest import HELD_OUT, piece


def _disguised(score: Score, semitones: int, stretch: float, bpm: float) -> Score:
    """A transposed copy at another tempo, written as if played slower (positions stretched)."""
    out = score.copy()
    for t in out.tracks:
        t.notes = [Note(n.start * stretch, n.end * stretch, n.pitch + (0 if t.is_drum else semitones), n.velocity)
                   for n in t.notes]
    out.tempos = [TempoChange(0.0, bpm)]
    out.key = None
    return out


def test_a_transposed_tempo_changed_copy_is_flagged(music_library, demo_midi):
    original = piece(demo_midi, "lantern-waltz")
    copy = _disguised(read_score(original), semitones=3, stretch=1.5, bpm=90)
    ev = evaluate_score(copy, library=music_library)
    assert ev.near_copy and ev.copied_notes >= NEAR_COPY_NOTES
    assert ev.copied_from == str(original) and ev.nearest_path == str(original)
    assert any("near copy" in w for w in ev.warnings)


def test_a_different_piece_of_the_same_style_is_not_flagged(music_library, demo_midi):
    ev = evaluate_score(read_score(piece(demo_midi, HELD_OUT)), library=music_library)
    assert not ev.near_copy and ev.copied_notes < NEAR_COPY_NOTES // 2
    assert "folk" in ev.nearest_path   # yet its nearest neighbour is of its style


def test_a_piece_in_the_library_is_not_compared_with_itself(music_library, demo_midi):
    path = piece(demo_midi, "lantern-waltz")
    ev = evaluate_score(read_score(path), library=music_library, exclude=[str(path)])
    assert ev.nearest_path != str(path) and not ev.near_copy


def test_metrics_tell_tonal_from_random_and_steady_from_loose():
    c_major = Score(tracks=[Track("m", notes=[Note(i, i + 1, p) for i, p in enumerate([60, 62, 64, 65, 67] * 4)])])
    chromatic = Score(tracks=[Track("m", notes=[Note(i, i + 1, 60 + i % 12) for i in range(24)])])
    assert pitch_class_entropy(chromatic) == pytest.approx(3.585, abs=0.01)
    assert pitch_class_entropy(c_major) < 2.4
    assert in_key_ratio(c_major, parse_key("C")) == 1.0 and in_key_ratio(chromatic, parse_key("C")) < 0.6
    steady = Score(tracks=[Track("d", is_drum=True, notes=[Note(b, b + 0.1, 36) for b in range(16)])])
    loose = Score(tracks=[Track("d", is_drum=True, notes=[Note(b * 1.37 % 16, b * 1.37 % 16 + 0.1, 36)
                                                        for b in range(16)])])
    assert groove_consistency(steady) == 1.0 and groove_consistency(loose) < 0.95


def test_style_match_is_higher_for_the_same_style(demo_midi):
    lofi = [read_score(piece(demo_midi, n)) for n in ("late-night-study", "coffee-steam", "city-bus-window")]
    ambient = [read_score(piece(demo_midi, n)) for n in ("glacier-light", "tidal-drift", "slow-aurora")]
    probe = read_score(piece(demo_midi, "tape-hiss-sunday"))
    assert style_match(probe, lofi) > style_match(probe, ambient) + 0.15
