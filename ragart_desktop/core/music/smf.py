"""Reading Standard MIDI Files fast: the events a score is made of, straight from the bytes.

mido (which writes our files) decodes every event of a file into a checked ``Message`` object, which
costs ~1 s for a 20,000-note file on a laptop core (bench/bench_midi_io.py); the piano roll opening a
long piece waited on that. This reader walks the same bytes once and keeps only what a ``Score``
holds: notes, programs, tempo, time and key signatures, track names and texts. Everything else
(controllers, pitch bends, sysex, other meta events) is stepped over by its declared length.

Damage is reported as ``ValueError`` with the reason (truncated track, running status with no
status before it, a data byte over 127); the caller names the file.
"""
from __future__ import annotations

from dataclasses import dataclass

# Event kinds in the tuples ``read_smf`` returns: (tick, kind, channel, a, b)
NOTE_ON, NOTE_OFF, PROGRAM, TEMPO, METER, KEY, NAME, TEXT, END = range(9)   # END: end of track

# Data bytes after each channel status (high nibble 0x8..0xE).
_DATA_LENGTH = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}
_TEXT_META = {0x01: TEXT, 0x06: TEXT, 0x03: NAME}   # text, marker, track name


@dataclass
class SmfFile:
    format: int
    ticks_per_beat: int          # 0 when the file counts SMPTE time code instead of beats
    tracks: list[list[tuple]]    # per track chunk: (tick, kind, channel, a, b) in file order


def read_smf(data: bytes) -> SmfFile:
    """The score events of a Standard MIDI File. ``ValueError`` saying what is wrong when it is not one."""
    if data[:4] != b"MThd" or len(data) < 14:
        raise ValueError("no MThd header")
    header_length = int.from_bytes(data[4:8], "big")
    fmt = int.from_bytes(data[8:10], "big")
    declared = int.from_bytes(data[10:12], "big")
    division = int.from_bytes(data[12:14], "big")
    pos = 8 + header_length
    tracks: list[list[tuple]] = []
    while len(tracks) < declared:   # bytes after the declared tracks (padding, junk) are ignored
        if pos + 8 > len(data):
            raise ValueError(f"the file is cut short: {len(tracks)} of the {declared} tracks it declares")
        chunk, length = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "big")
        pos += 8
        if chunk == b"MTrk":
            if pos + length > len(data):
                raise ValueError(f"track {len(tracks) + 1} is cut short ({len(data) - pos} of {length} bytes)")
            tracks.append(_track(data[pos:pos + length], len(tracks) + 1))
        pos += length
    return SmfFile(fmt, 0 if division & 0x8000 else division, tracks)


def _track(chunk: bytes, number: int) -> list[tuple]:
    events: list[tuple] = []
    append = events.append
    pos, tick, running, end = 0, 0, 0, len(chunk)
    try:
        while pos < end:
            delta = 0
            while True:     # the delta time, inline: calling _varlen per event took 51 vs 39 ms (20k notes)
                byte = chunk[pos]
                pos += 1
                delta = (delta << 7) | (byte & 0x7F)
                if byte < 0x80:
                    break
            tick += delta
            status = chunk[pos]
            if status >= 0x80:
                pos += 1
                if status < 0xF0:
                    running = status
            elif running:
                status = running    # running status: this byte is already data
            else:
                raise ValueError(f"track {number} has data with no status byte before it")
            if status == 0xFF:      # meta event
                kind = chunk[pos]
                length, pos = _varlen(chunk, pos + 1)
                body = chunk[pos:pos + length]
                pos += length
                if len(body) < length:
                    raise IndexError
                if kind == 0x2F:
                    append((tick, END, 0, 0, 0))
                    break
                _meta(append, tick, kind, body)
            elif status in (0xF0, 0xF7):    # system exclusive: skipped by its length
                length, pos = _varlen(chunk, pos)
                pos += length
            elif status > 0xF0:
                raise ValueError(f"track {number} holds a status byte 0x{status:02X} that a file cannot")
            else:
                high, channel = status >> 4, status & 0x0F
                a = chunk[pos]
                if _DATA_LENGTH[high] == 2:
                    b = chunk[pos + 1]
                    pos += 2
                else:
                    b = 0
                    pos += 1
                if a > 127 or b > 127:
                    raise ValueError(f"track {number} holds a data byte over 127 at tick {tick}")
                if high == 0x9:
                    append((tick, NOTE_ON if b else NOTE_OFF, channel, a, b))
                elif high == 0x8:
                    append((tick, NOTE_OFF, channel, a, b))
                elif high == 0xC:
                    append((tick, PROGRAM, channel, a, 0))
    except IndexError:
        raise ValueError(f"track {number} ends in the middle of an event") from None
    return events


def _varlen(chunk: bytes, pos: int) -> tuple[int, int]:
    value = 0
    while True:
        byte = chunk[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos


def _meta(append, tick: int, kind: int, body: bytes) -> None:
    if kind in _TEXT_META:
        append((tick, _TEXT_META[kind], 0, body.decode("latin-1"), 0))
    elif kind == 0x51 and len(body) == 3 and any(body):        # microseconds per beat
        append((tick, TEMPO, 0, int.from_bytes(body, "big"), 0))
    elif kind == 0x58 and len(body) >= 2:                       # numerator, log2(denominator)
        append((tick, METER, 0, body[0], 2 ** body[1]))
    elif kind == 0x59 and len(body) == 2:                       # sharps (<0: flats), minor
        sharps = body[0] - 256 if body[0] > 127 else body[0]
        if -7 <= sharps <= 7:
            append((tick, KEY, 0, sharps, body[1]))
