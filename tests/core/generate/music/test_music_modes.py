"""Each mode on the demo MIDI holds its contract, with the built-in engine."""
from collections import Counter

import pytest

from ragart_desktop.core.errors import BadInputError, UsageError
from ragart_desktop.core.generate.music.pipeline import generate, read_provenance
from ragart_desktop.core.generate.music.request import MusicRequest
from ragart_desktop.core.music.midi_io import read_score
from ragart_desktop.core.music.score import EPS
from ragart_desktop.core.music.theory import parse_key

from .conftest import piece

LOFI = "rainy-window-loop"      # A minor, 4/4, 16 bars: melody, chords, bass, drums
WALTZ = "lantern-waltz"         # G major, 3/4


def _run(lib, demo_midi, name=LOFI, **kw):
    req = MusicRequest(midi=str(piece(demo_midi, name)), **kw)
    return generate(req, lib).outputs[0].score


def _notes(score, drums=True):
    return Counter((t.name, n) for t in score.tracks for n in t.notes if drums or not t.is_drum)


def _new_notes(out, before):
    return [(name, n) for (name, n), c in (_notes(out) - _notes(before)).items() for _ in range(c)]


def _in_key(notes, key) -> bool:
    return all(key.contains(n.pitch) for name, n in notes if name != "Drums")


@pytest.mark.parametrize("name, bars", [(LOFI, 4), (WALTZ, 3)])
def test_continue_keeps_the_input_and_adds_exactly_n_bars(music_library, demo_midi, name, bars):
    source = read_score(piece(demo_midi, name))
    out = _run(music_library, demo_midi, name, mode="continue", bars=bars, seed=5)
    bar = source.time_signature.bar_beats
    end = source.bar_starts(source.end)[-1]
    assert not _notes(source) - _notes(out)                       # the input, unchanged
    new = _new_notes(out, source)
    assert new and all(end - EPS <= n.start and n.end <= end + bars * bar + EPS for _, n in new)
    assert out.length == pytest.approx(end + bars * bar)
    last_bar = [n for _, n in new if n.start >= end + (bars - 1) * bar - EPS]
    assert last_bar                                               # the last new bar is not silent
    assert _in_key(new, source.key)


def test_infill_changes_only_the_chosen_bars(music_library, demo_midi):
    source = read_score(piece(demo_midi, LOFI))
    out = _run(music_library, demo_midi, mode="infill", from_bar=5, to_bar=8, seed=2)
    a, b = source.bar_start(5), source.bar_start(9)
    outside = lambda s: Counter((t.name, n) for t in s.tracks for n in t.notes if not a - EPS <= n.start < b - EPS)
    assert outside(out) == outside(source)
    inside = [n for t in out.tracks for n in t.notes if a - EPS <= n.start < b - EPS]
    assert inside and all(n.end <= b + EPS for n in inside)
    assert _in_key([("x", n) for t in out.tracks if not t.is_drum for n in t.notes
                    if a - EPS <= n.start < b - EPS], source.key)
    assert out.length == pytest.approx(source.bar_starts(source.end)[-1])


@pytest.mark.parametrize("name, parts, words", [(WALTZ, ("chords", "bass", "arpeggio"), ""),
                                                (LOFI, ("chords", "drums"), "lofi beats")])
def test_accompany_adds_parts_and_leaves_the_melody(music_library, demo_midi, name, parts, words):
    source = read_score(piece(demo_midi, name))
    melody_only = source.copy()
    melody_only.tracks = [t for t in melody_only.tracks if t.name.startswith("Melody")]
    req = MusicRequest(mode="accompany", parts=parts, prompt=words, seed=1)
    result = generate(req, music_library, phrase=melody_only)
    out = result.outputs[0].score
    assert out.tracks[0].notes == melody_only.tracks[0].notes
    added = out.tracks[1:]
    assert [t.is_drum for t in added] == [p == "drums" for p in parts] and all(t.notes for t in added)
    end = source.bar_starts(source.end)[-1]
    assert all(n.end <= end + EPS for t in added for n in t.notes)
    assert _in_key([(t.name, n) for t in added for n in t.notes], source.key)


def test_a_part_the_references_lack_is_left_out_with_a_warning(music_library, demo_midi):
    melody_only = read_score(piece(demo_midi, "chorale-in-d"))
    melody_only.tracks = melody_only.tracks[:1]
    req = MusicRequest(mode="accompany", parts=("drums",), prompt="chorale organ",
                       references=(), retrieve=True, n_references=1, seed=1)
    result = generate(req, music_library, phrase=melody_only)
    if not any(t.is_drum for r in result.references for t in r.score.tracks):
        assert len(result.outputs[0].score.tracks) == 1
        assert any("no drums part" in w for w in result.warnings)


def test_vary_keeps_the_length_and_changes_the_tune(music_library, demo_midi):
    source = read_score(piece(demo_midi, WALTZ))
    out = _run(music_library, demo_midi, WALTZ, mode="vary", seed=3)
    assert out.length == pytest.approx(source.bar_starts(source.end)[-1])
    assert [t.name for t in out.tracks] == [t.name for t in source.tracks]
    before, after = source.tracks[0].notes, out.tracks[0].notes
    assert len(after) == len(before) and [n.start for n in after] == [n.start for n in before]
    changed = sum(x.pitch != y.pitch for x, y in zip(before, after)) / len(before)
    assert changed >= 0.3
    assert _in_key([("m", n) for n in after], source.key)


def test_a_new_phrase_has_exactly_the_bars_asked(music_library):
    result = generate(MusicRequest(mode="continue", bars=6, key="Dm", meter="3/4", prompt="folk", seed=4),
                      music_library)
    out = result.outputs[0].score
    assert out.length == 18 and out.time_signature.bar_beats == 3
    assert all(n.end <= 18 + EPS for t in out.tracks for n in t.notes)
    assert out.note_count and _in_key([(t.name, n) for t in out.tracks for n in t.notes], parse_key("Dm"))


def test_seeds_reproduce_and_differ(music_library, demo_midi):
    a = _run(music_library, demo_midi, mode="continue", bars=4, seed=11)
    b = _run(music_library, demo_midi, mode="continue", bars=4, seed=11)
    c = _run(music_library, demo_midi, mode="continue", bars=4, seed=12)
    assert _notes(a) == _notes(b) and _notes(a) != _notes(c)


def test_key_lock_holds_when_asked_for_another_key(music_library, demo_midi):
    out = _run(music_library, demo_midi, mode="continue", bars=4, key="F#m", seed=6)
    source = read_score(piece(demo_midi, LOFI))
    assert _in_key(_new_notes(out, source), parse_key("F#m"))


def test_range_velocity_and_humanize_apply_to_new_notes(music_library, demo_midi):
    source = read_score(piece(demo_midi, LOFI))
    out = _run(music_library, demo_midi, mode="continue", bars=4, seed=7, pitch_low=64, pitch_high=76,
               velocity=40, humanize=0.5)
    new = [n for name, n in _new_notes(out, source) if name != "Drums"]
    assert all(64 <= n.pitch <= 76 for n in new)
    assert abs(sum(n.velocity for n in new) / len(new) - 40) < 6
    assert any(abs(n.start * 12 - round(n.start * 12)) > 1e-3 for n in new)   # humanized off the grid


def test_density_changes_how_many_notes(music_library, demo_midi):
    source = read_score(piece(demo_midi, LOFI))
    melody = source.tracks[0].name
    counts = []
    for density in (0.5, 2.0):
        out = _run(music_library, demo_midi, mode="continue", bars=4, seed=7, density=density)
        counts.append(sum(1 for name, _ in _new_notes(out, source) if name == melody))
    assert counts[1] > 1.3 * counts[0]


def test_output_file_explains_itself(music_library, demo_midi, tmp_path):
    req = MusicRequest(mode="continue", midi=str(piece(demo_midi, LOFI)), bars=2, seed=9)
    result = generate(req, music_library)
    path = result.save(tmp_path / "out.mid")[0]
    record = read_provenance(read_score(path))
    assert MusicRequest.from_json(record["request"]) == req.with_seed(9)
    assert record["engine"] == "builtin" and record["references"] and "metrics" in record
    again = read_score(path)
    assert again.end == pytest.approx(result.outputs[0].score.length)


def test_bad_requests_are_named(music_library, demo_midi, tmp_path):
    broken = tmp_path / "broken.mid"
    broken.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01")
    with pytest.raises(BadInputError, match="broken.mid"):
        generate(MusicRequest(mode="vary", midi=str(broken)), music_library)
    with pytest.raises(UsageError, match="not a key"):
        generate(MusicRequest(mode="vary", midi=str(piece(demo_midi, LOFI)), key="Hm"), music_library)
    with pytest.raises(UsageError, match="outside the piece"):
        generate(MusicRequest(mode="infill", midi=str(piece(demo_midi, LOFI)), from_bar=15, to_bar=17), music_library)
    with pytest.raises(UsageError, match="needs an input"):
        generate(MusicRequest(mode="accompany"), music_library)
