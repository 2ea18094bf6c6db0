"""MIDI reading: tempo, metre, key, instruments, track names, length, note count, and size guards."""
from __future__ import annotations

from pathlib import Path

import mido
import pretty_midi
import pytest

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.library import read_midi as read_midi_module
from ragart_desktop.core.library.readers import analyze_file

C_MAJOR_SCALE = (60, 62, 64, 65, 67, 69, 71, 72)


def _write_song(path: Path) -> None:
    pm = pretty_midi.PrettyMIDI(initial_tempo=90.0)
    pm.time_signature_changes.append(pretty_midi.TimeSignature(3, 4, 0.0))
    pm.key_signature_changes.append(pretty_midi.KeySignature(pretty_midi.key_name_to_key_number("C major"), 0.0))
    melody = pretty_midi.Instrument(program=0, name="Melody")
    strings = pretty_midi.Instrument(program=48, name="Pad")
    drums = pretty_midi.Instrument(program=0, is_drum=True, name="Beat")
    for i, pitch in enumerate(C_MAJOR_SCALE * 2):
        melody.notes.append(pretty_midi.Note(velocity=90, pitch=pitch, start=i * 0.5, end=i * 0.5 + 0.45))
    for pitch in (48, 52, 55):  # C major triad held under the melody
        strings.notes.append(pretty_midi.Note(velocity=60, pitch=pitch, start=0.0, end=8.0))
    for i in range(8):
        drums.notes.append(pretty_midi.Note(velocity=100, pitch=36, start=i, end=i + 0.1))
    pm.instruments += [melody, strings, drums]
    pm.write(str(path))


def test_song_metadata_words_and_content(tmp_path: Path):
    path = tmp_path / "waltz in c.mid"
    _write_song(path)
    a = analyze_file(path)
    m = a.metadata
    assert a.kind == "music"
    assert a.title == "waltz in c"  # the conductor track pretty_midi writes has no name
    assert isinstance(a.content, pretty_midi.PrettyMIDI)
    assert m["tempo"] == pytest.approx(90.0, abs=0.01)
    assert m["time_signature"] == "3/4"
    assert m["key_signatures"] == ["C Major"]
    assert m["key"] == "C major" and 0.0 < m["key_confidence"] <= 1.0
    assert m["notes"] == 16 + 3 + 8
    assert m["length"] == pytest.approx(8.0, abs=0.01)  # the held triad ends last
    assert m["track_names"] == ["Melody", "Pad", "Beat"]
    names = {i["track"]: i for i in m["instruments"]}
    assert names["Melody"]["name"] == "Acoustic Grand Piano"
    assert names["Pad"]["name"] == "String Ensemble 1"
    assert names["Beat"]["is_drum"] and names["Beat"]["name"] == "Drums"
    for word in ("Melody", "Beat", "Acoustic Grand Piano", "String Ensemble 1", "drums", "C major"):
        assert word in a.words


def test_conductor_track_name_is_the_title_and_utf8_names_are_recovered(tmp_path: Path):
    path = tmp_path / "untitled.mid"
    mid = mido.MidiFile(type=1, ticks_per_beat=96)
    conductor = mido.MidiTrack([
        mido.MetaMessage("track_name", name="Nocturne No. 2"),
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(60)),
    ])  # fmt: skip
    # Modern tools write UTF-8 into track names; mido reads them as Latin-1.
    lead = mido.MidiTrack([
        mido.MetaMessage("track_name", name="Flûte".encode("utf-8").decode("latin-1")),
        mido.Message("program_change", program=73),
        mido.Message("note_on", note=69, velocity=80, time=0),
        mido.Message("note_off", note=69, velocity=0, time=96),
    ])  # fmt: skip
    mid.tracks += [conductor, lead]
    mid.save(str(path))
    a = analyze_file(path)
    assert a.title == "Nocturne No. 2"
    assert a.metadata["track_names"] == ["Nocturne No. 2", "Flûte"]
    assert a.metadata["tempo"] == pytest.approx(60.0)
    assert a.metadata["instruments"][0]["name"] == "Flute"
    assert a.metadata["time_signature"] is None
    assert "Flûte" in a.words


def test_file_without_notes_has_unknown_key(tmp_path: Path):
    path = tmp_path / "silence.mid"
    pm = pretty_midi.PrettyMIDI()
    pm.instruments.append(pretty_midi.Instrument(program=0, name="Empty"))
    pm.write(str(path))
    a = analyze_file(path)
    assert a.metadata["notes"] == 0
    assert a.metadata["key"] == "unknown"
    assert "unknown" not in a.words


def test_piece_over_two_hours_is_refused(tmp_path: Path):
    path = tmp_path / "endless.mid"
    pm = pretty_midi.PrettyMIDI(resolution=24)  # low resolution keeps pretty_midi's tick table small
    inst = pretty_midi.Instrument(program=0)
    inst.notes.append(pretty_midi.Note(velocity=80, pitch=60, start=0.0, end=2.5 * 3600))
    pm.instruments.append(inst)
    pm.write(str(path))
    with pytest.raises(BadInputError, match="too large: 2.5 hours long"):
        analyze_file(path)


def test_too_many_notes_is_refused_before_pretty_midi_builds_them(tmp_path: Path, monkeypatch):
    path = tmp_path / "dense.mid"
    _write_song(path)  # 27 notes
    monkeypatch.setattr(read_midi_module, "MAX_NOTES", 20)
    with pytest.raises(BadInputError, match="too large: more than 20 notes") as info:
        analyze_file(path)
    assert info.value.path == str(path)


def test_oversized_midi_file_is_refused(tmp_path: Path, monkeypatch):
    path = tmp_path / "huge.mid"
    _write_song(path)
    monkeypatch.setattr(read_midi_module, "MAX_MIDI_BYTES", 100)
    with pytest.raises(BadInputError, match="too large for a MIDI file"):
        analyze_file(path)
