import mido
import pytest

from ragart_desktop.core.errors import BadInputError, UsageError
from ragart_desktop.core.music.midi_io import read_score, score_from_bytes, score_to_bytes, write_score
from ragart_desktop.core.music.score import Note, Score, TempoChange, TimeSignature, Track
from ragart_desktop.core.music.theory import Key, parse_key

from .conftest import demo_midi


def test_demo_piece_reads_as_named_tracks_with_drums(jazz_score):
    s = jazz_score
    assert [(t.name, t.program, t.is_drum) for t in s.tracks] == [
        ("Melody (Vibraphone)", 11, False), ("Chords (Electric Piano 1)", 4, False),
        ("Bass (Acoustic Bass)", 32, False), ("Drums", 0, True)]
    assert s.key == Key("Bb", "major") and s.tempo == 120 and s.time_signature.text == "4/4"
    assert s.bar_count() == 16
    assert all(n.end > n.start for _, n in s.all_notes())


def test_multitrack_file_round_trips_exactly(jazz_score, tmp_path):
    jazz_score.texts.append('{"engine": "markov", "prompt": "雨の窓"}')  # UTF-8 survives the Latin-1 text event
    jazz_score.tracks[0].name = "旋律"
    path = write_score(jazz_score, tmp_path / "out.mid")
    again = read_score(path)
    assert [(t.name, t.program, t.is_drum, t.notes) for t in again.tracks] == \
        [(t.name, t.program, t.is_drum, t.notes) for t in jazz_score.tracks]
    assert again.texts == jazz_score.texts and again.key == jazz_score.key
    assert mido.MidiFile(str(path)).tracks[4][1].channel == 9  # drums on channel 10 (after name + program)


def test_tempo_map_meter_changes_and_length_round_trip():
    s = Score(tempos=[TempoChange(0, 90), TempoChange(8, 150)],
              time_signatures=[TimeSignature(0, 3, 4), TimeSignature(6, 6, 8)], key=Key("F#", "minor"), length=15.0)
    s.add_track(Track("Lead", program=73, notes=[Note(0, 1, 66, 90), Note(13.5, 14, 69, 40)]))
    again = score_from_bytes(score_to_bytes(s))
    assert again.tempos == s.tempos and again.time_signatures == s.time_signatures
    assert again.key == Key("F#", "minor") and again.length == 15.0
    assert again.bar_starts() == [0, 3, 6, 9, 12, 15]
    assert again.seconds_at(8) == pytest.approx(8 * 60 / 90)
    assert again.seconds_at(10) == pytest.approx(8 * 60 / 90 + 2 * 60 / 150)


def test_mid_bar_meter_change_starts_a_new_bar():
    s = Score(time_signatures=[TimeSignature(0, 4, 4), TimeSignature(6, 3, 4)], length=12)
    assert s.bar_starts() == [0, 4, 6, 9, 12]
    assert s.bar_start(3) == 6 and s.meter_at(7).numerator == 3


def test_bar_lines_are_counted_from_the_one_at_or_before_a_beat():
    s = Score(time_signatures=[TimeSignature(0, 4, 4), TimeSignature(6, 3, 4)], length=12)   # lines 0 4 6 9 12
    assert s.bar_line_offset(9.0, -2) == 4 and s.bar_line_offset(9.0 - 2e-6, 0) == 6     # on a line, just before it
    assert s.bar_line_offset(7.5, 2) == 12 and s.bar_line_offset(7.5, 4) == 18           # on past the piece, 3/4
    assert s.bar_line_offset(5.0, -8) == 0
    assert (s.bar_line_before(9.0), s.bar_line_after(9.0), s.bar_number(9.0)) == (9, 12, 4)


@pytest.mark.parametrize("data, why", [
    (b"", "is empty"),
    (b"RIFF\x00\x00\x00\x04WAVE", "not a readable MIDI file"),
    (None, "not a readable MIDI file"),  # truncated mid-track
])
def test_broken_midi_is_a_bad_input_error_naming_the_file(tmp_path, data, why):
    if data is None:
        data = demo_midi("cradle-song")[:200]
    path = tmp_path / "broken.mid"
    path.write_bytes(data)
    with pytest.raises(BadInputError) as err:
        read_score(path)
    assert str(path) in err.value.user_message() and why in err.value.message


def test_midi_without_notes_is_refused_unless_asked(tmp_path):
    path = write_score(Score(length=4), tmp_path / "silent.mid")
    with pytest.raises(BadInputError, match="holds no notes"):
        read_score(path)
    assert read_score(path, allow_empty=True).length == 4


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(BadInputError) as err:
        read_score(tmp_path / "nope.mid")
    assert "nope.mid" in str(err.value)


@pytest.mark.parametrize("text, key", [
    ("C", Key("C", "major")), ("Am", Key("A", "minor")), ("F#m", Key("F#", "minor")), ("Bb", Key("Bb", "major")),
    ("Db", Key("C#", "major")), ("eb minor", Key("Eb", "minor")), ("D dorian", Key("D", "dorian")),
    ("G major", Key("G", "major")),
])
def test_keys_parse_the_way_musicians_write_them(text, key):
    assert parse_key(text) == key


@pytest.mark.parametrize("text", ["H", "", "Cmaj7", "A minorish", "C##x"])
def test_unparseable_key_is_a_usage_error(text):
    with pytest.raises(UsageError, match="not a key|not a note name"):
        parse_key(text)


def test_minor_key_lock_admits_raised_sixth_and_seventh():
    a_minor = parse_key("Am")
    assert a_minor.contains(68) and a_minor.contains(66)   # G#, F#
    assert not a_minor.contains(70) and not parse_key("C").contains(68)
