"""Our Standard MIDI File reader agrees with mido (the reference parser) event for event."""
from __future__ import annotations

import io

import mido
import pytest

from ragart_desktop.core.demo.music import PIECES, render_piece
from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.music import smf
from ragart_desktop.core.music.midi_io import score_from_bytes
from ragart_desktop.core.music.theory import parse_key


def mido_events(data: bytes) -> list[list[tuple]]:
    """Per track, what mido reads: (tick, kind, channel, a, b) in our reader's terms."""
    out = []
    for track in mido.MidiFile(file=io.BytesIO(data)).tracks:
        tick, events = 0, []
        for msg in track:
            tick += msg.time
            if msg.type == "note_on":
                events.append((tick, smf.NOTE_ON if msg.velocity else smf.NOTE_OFF, msg.channel, msg.note,
                               msg.velocity))
            elif msg.type == "note_off":
                events.append((tick, smf.NOTE_OFF, msg.channel, msg.note, msg.velocity))
            elif msg.type == "program_change":
                events.append((tick, smf.PROGRAM, msg.channel, msg.program, 0))
            elif msg.type == "set_tempo":
                events.append((tick, smf.TEMPO, 0, msg.tempo, 0))
            elif msg.type == "time_signature":
                events.append((tick, smf.METER, 0, msg.numerator, msg.denominator))
            elif msg.type == "track_name":
                events.append((tick, smf.NAME, 0, msg.name, 0))
            elif msg.type in ("text", "marker"):
                events.append((tick, smf.TEXT, 0, msg.text, 0))
            elif msg.type == "end_of_track":
                events.append((tick, smf.END, 0, 0, 0))
        out.append(events)
    return out


@pytest.mark.parametrize("piece", PIECES, ids=lambda p: p.name)
def test_every_demo_piece_reads_as_mido_reads_it(piece):
    data = render_piece(piece)
    ours = [[e for e in track if e[1] != smf.KEY] for track in smf.read_smf(data).tracks]
    assert ours == mido_events(data)
    assert sum(e[1] == smf.NOTE_ON for t in ours for e in t) > 20


def track_file(events: bytes, division: int = 480) -> bytes:
    return (b"MThd" + (6).to_bytes(4, "big") + (0).to_bytes(2, "big") + (1).to_bytes(2, "big")
            + division.to_bytes(2, "big") + b"MTrk" + len(events).to_bytes(4, "big") + events)


def test_running_status_sysex_meta_and_controllers_are_read_or_stepped_over():
    # note on C4, (running status) note on E4, controller, sysex, E4 off, a text event, (running
    # status across the meta event) C4 off after a two-byte delta time (200 ticks), end of track.
    events = (b"\x00\x90\x3c\x40" b"\x00\x40\x50" b"\x10\xb0\x07\x64" b"\x00\xf0\x03\x7e\x7f\xf7"
              b"\x60\x80\x40\x00" b"\x00\xff\x01\x01A" b"\x81\x48\x3c\x00" b"\x00\xff\x2f\x00")
    data = track_file(events)
    assert smf.read_smf(data).tracks == mido_events(data) == [[
        (0, smf.NOTE_ON, 0, 60, 64), (0, smf.NOTE_ON, 0, 64, 80), (112, smf.NOTE_OFF, 0, 64, 0),
        (112, smf.TEXT, 0, "A", 0), (312, smf.NOTE_OFF, 0, 60, 0), (312, smf.END, 0, 0, 0)]]


@pytest.mark.parametrize("name", sorted(set(mido.midifiles.meta._key_signature_decode.values())))
def test_key_signatures_read_as_the_key_mido_names(name):
    track = mido.MidiTrack([mido.MetaMessage("key_signature", key=name), mido.Message("note_on", note=60),
                            mido.Message("note_off", note=60, time=480)])
    buf = io.BytesIO()
    mido.MidiFile(tracks=[track]).save(file=buf)
    assert score_from_bytes(buf.getvalue()).key == parse_key(name)


@pytest.mark.parametrize("events, why", [
    (b"\x00\x3c\x40", "no status byte"),
    (b"\x00\x90\x3c\xc0", "over 127"),
    (b"\x00\xf4\x00", "status byte 0xF4"),
    (b"\x00\x90\x3c", "middle of an event"),
    (b"\x00\xff\x03\x10abc", "middle of an event"),
])
def test_damaged_tracks_are_refused_with_the_reason(events, why):
    with pytest.raises(BadInputError, match=why):
        score_from_bytes(track_file(events), name="damaged.mid")


def test_a_track_chunk_longer_than_the_file_is_cut_short():
    data = track_file(b"\x00\x90\x3c\x40\x60\x80\x3c\x00\x00\xff\x2f\x00")
    with pytest.raises(BadInputError, match="track 1 is cut short"):
        score_from_bytes(data[:-3], name="cut.mid")


def test_a_file_cut_between_tracks_says_how_many_it_holds():
    data = track_file(b"\x00\x90\x3c\x40\x60\x80\x3c\x00\x00\xff\x2f\x00")
    data = data[:10] + (2).to_bytes(2, "big") + data[12:]   # the header declares two tracks
    with pytest.raises(BadInputError, match="1 of the 2 tracks"):
        score_from_bytes(data, name="cut.mid")
