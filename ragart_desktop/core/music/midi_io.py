"""Standard MIDI Files <-> ``Score``: read by our own event reader (core/music/smf.py, ~50x faster
than decoding every event with mido), written with mido (the library pretty_midi itself uses).

Why not pretty_midi's objects: the score counts in beats, which is what a MIDI file stores
(ticks / ticks-per-beat); pretty_midi converts every event to seconds through the tempo map, and the
way back is lossy. Reading straight from ticks makes a file -> score -> file round trip exact
(bench/bench_midi_io.py measures the readers: pretty_midi, mido, symusic and ours; symusic is
faster still but drops the text events that carry a generated piece's provenance).

Files are split into tracks the way pretty_midi does it: one track per (file track, channel,
program); channel 10 is drums. Written files are type 1 with a conductor track holding the title,
tempo map, time signatures, key signature and text events (the provenance record of a generated
piece lives there), then one track per score track with its own channel (drums on channel 10).
"""
from __future__ import annotations

import io
from collections import defaultdict, deque
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ragart_desktop.core.fileio import atomic_write
from ragart_desktop.core.errors import BadInputError, RagartError
from ragart_desktop.core.music import smf
from ragart_desktop.core.music.score import EPS, Note, Score, TempoChange, TimeSignature, Track
from ragart_desktop.core.music.theory import NOTE_NAMES, Key

if TYPE_CHECKING:
    import mido

DRUM_CHANNEL = 9
MAX_MIDI_BYTES = 16 * 1024 * 1024   # larger files are refused (the library reader too)
MAX_NOTES = 2_000_000


def read_score(path: str | Path, *, allow_empty: bool = False) -> Score:
    """The score in a MIDI file. ``BadInputError`` naming the file when it is missing, damaged,
    too large, or (unless ``allow_empty``) holds no notes."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInputError(f"cannot be read ({exc.strerror or exc}).", path=path) from None
    if size > MAX_MIDI_BYTES:
        raise BadInputError(f"too large for a MIDI file ({size / 1e6:.1f} MB; the limit is "
                            f"{MAX_MIDI_BYTES / 1e6:.0f} MB).", path=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"cannot be read ({exc.strerror or exc}).", path=path) from None
    return score_from_bytes(data, name=path, allow_empty=allow_empty)


def score_from_bytes(data: bytes, *, name: str | Path = "MIDI data", allow_empty: bool = False) -> Score:
    """Parse Standard MIDI File bytes; errors name ``name``."""
    if not data:
        raise BadInputError("is empty (0 bytes), not a MIDI file.", path=name)
    try:
        score = _from_midi(smf.read_smf(data), name)
    except RagartError:
        raise
    except ValueError as exc:   # the reader says what is damaged
        raise BadInputError(f"is not a readable MIDI file ({exc}).", path=name) from None
    if not allow_empty and score.note_count == 0:
        raise BadInputError("holds no notes.", path=name)
    return score


def write_score(score: Score, path: str | Path) -> Path:
    """Write ``score`` as a MIDI file, atomically (a temp file renamed into place)."""
    data = score_to_bytes(score)

    def write(f: BinaryIO) -> None:
        f.write(data)

    return atomic_write(Path(path), write)


def score_to_bytes(score: Score) -> bytes:
    buf = io.BytesIO()
    _to_midi(score).save(file=buf)
    return buf.getvalue()


def to_pretty_midi(score: Score):
    """The score as a ``pretty_midi.PrettyMIDI`` (what the music descriptor embeds)."""
    import pretty_midi

    return pretty_midi.PrettyMIDI(io.BytesIO(score_to_bytes(score)))


# ---------------------------------------------------------------- reading

def _from_midi(midi: smf.SmfFile, name: str | Path) -> Score:
    tpb = midi.ticks_per_beat
    if tpb <= 0:
        raise BadInputError("uses SMPTE time code, which RagArt does not read (beats per tick are unknown).",
                            path=name)
    score = Score(tempos=[], time_signatures=[], ticks_per_beat=tpb)
    groups: dict[tuple[int, int, int], list[Note]] = defaultdict(list)
    names: dict[int, str] = {}
    last_tick = 0
    notes = 0
    for index, track in enumerate(midi.tracks):
        tick = 0
        program = [0] * 16
        sounding: dict[tuple[int, int], deque] = defaultdict(deque)
        for tick, kind, channel, a, b in track:
            if kind == smf.NOTE_ON:
                sounding[(channel, a)].append((tick, b, program[channel]))
                notes += 1
                if notes > MAX_NOTES:
                    raise BadInputError(f"too large: more than {MAX_NOTES:,} notes.", path=name)
            elif kind == smf.NOTE_OFF:
                started = sounding.get((channel, a))
                if started:
                    _close(groups, index, channel, a, started.popleft(), tick, tpb)
            elif kind == smf.PROGRAM:
                program[channel] = a
            elif kind == smf.TEMPO:
                score.tempos.append(TempoChange(tick / tpb, round(60_000_000 / a, 3)))
            elif kind == smf.METER:
                score.time_signatures.append(TimeSignature(tick / tpb, a, b))
            elif kind == smf.KEY and score.key is None:
                minor = b == 1
                score.key = Key(NOTE_NAMES[(a * 7 + (9 if minor else 0)) % 12], "minor" if minor else "major")
            elif kind == smf.NAME and index not in names:
                names[index] = decode_text(a)
            elif kind == smf.TEXT and tick == 0:
                score.texts.append(decode_text(a, keep_lines=True))
        for (channel, pitch), started in sounding.items():  # notes never released end with the track
            for begun in started:
                _close(groups, index, channel, pitch, begun, tick, tpb)
        last_tick = max(last_tick, tick)

    score.tempos = _dedupe(sorted(score.tempos, key=lambda t: t.beat), key=lambda t: t.beat) or \
        [TempoChange(0.0, 120.0)]
    score.time_signatures = _dedupe(sorted(score.time_signatures, key=lambda s: s.beat), key=lambda s: s.beat) or \
        [TimeSignature(0.0)]
    if midi.tracks and midi.format == 1 and not any(k[0] == 0 for k in groups):
        score.title = names.get(0, "")  # the conductor track's name is the piece's title
    per_track = defaultdict(list)
    for key in groups:
        per_track[key[0]].append(key)
    for (track_index, channel, program), notes_ in sorted(groups.items()):
        is_drum = channel == DRUM_CHANNEL
        base = names.get(track_index, "")
        label = base if len(per_track[track_index]) == 1 else f"{base or 'Track'} (channel {channel + 1})"
        track = Track(name=label, program=0 if is_drum else program, is_drum=is_drum, notes=notes_)
        track.sort()
        score.add_track(track)
    end = last_tick / tpb
    if end > score.notes_end + EPS:
        score.length = end
    return score


def _close(groups, track_index: int, channel: int, pitch: int, begun: tuple[int, int, int], tick: int,
           tpb: int) -> None:
    start, velocity, program = begun
    end = max(tick, start + 1)  # a zero-length note still sounds: one tick
    groups[(track_index, channel, 0 if channel == DRUM_CHANNEL else program)].append(
        Note(start=start / tpb, end=end / tpb, pitch=pitch, velocity=velocity))


def _dedupe(items: list, key) -> list:
    """Keep the last of several events at the same beat (later ones override)."""
    out: list = []
    for item in items:
        if out and abs(key(out[-1]) - key(item)) < EPS:
            out[-1] = item
        else:
            out.append(item)
    return out


def decode_text(value: str | None, *, keep_lines: bool = False) -> str:
    """MIDI text is read as Latin-1; text written as UTF-8 (by us and by modern tools) is recovered."""
    if not value:
        return ""
    try:
        value = value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    value = value.replace("\x00", " ")
    return value.strip() if keep_lines else " ".join(value.split())


def encode_text(value: str) -> str:
    """The inverse of :func:`decode_text`: UTF-8 bytes carried in the Latin-1 string mido writes."""
    return value.encode("utf-8").decode("latin-1")


# ---------------------------------------------------------------- writing

Event = tuple[int, int, str, dict]  # (tick, order at that tick, message type, fields)


def _to_midi(score: Score) -> mido.MidiFile:
    # mido is imported on first write: its import reads its package metadata (importlib.metadata and
    # the email parser), which held the GIL for 45-55 ms while the window was on screen.
    import mido

    tpb = score.ticks_per_beat
    midi = mido.MidiFile(type=1, ticks_per_beat=tpb)
    end_tick = round(score.end * tpb)

    conductor: list[Event] = []
    if score.title:
        conductor.append((0, 0, "track_name", {"name": encode_text(score.title)}))
    for text in score.texts:
        conductor.append((0, 1, "text", {"text": encode_text(text)}))
    if score.key is not None:
        conductor.append((0, 2, "key_signature", {"key": _signature_name(score.key)}))
    for sig in score.time_signatures:
        conductor.append((round(sig.beat * tpb), 3, "time_signature",
                          {"numerator": sig.numerator, "denominator": sig.denominator}))
    for tempo in score.tempos:
        conductor.append((round(tempo.beat * tpb), 4, "set_tempo", {"tempo": mido.bpm2tempo(tempo.bpm)}))
    midi.tracks.append(_track(conductor, end_tick))

    for track, channel in zip(score.tracks, _channels(score.tracks)):
        events: list[Event] = []
        if track.name:
            events.append((0, 0, "track_name", {"name": encode_text(track.name)}))
        if not track.is_drum:
            events.append((0, 1, "program_change", {"channel": channel, "program": _byte(track.program)}))
        for n in track.notes:
            pitch = _byte(n.pitch)
            start = round(n.start * tpb)
            end = max(round(n.end * tpb), start + 1)
            events.append((start, 3, "note_on", {"channel": channel, "note": pitch,
                                                 "velocity": max(1, _byte(n.velocity))}))
            events.append((end, 2, "note_off", {"channel": channel, "note": pitch, "velocity": 0}))
        midi.tracks.append(_track(events, end_tick))
    return midi


_META = {"track_name", "text", "key_signature", "time_signature", "set_tempo", "end_of_track"}


def _track(events: list[Event], end_tick: int) -> mido.MidiTrack:
    """Events -> a track with delta times; note-offs sort before note-ons at one tick so a
    repeated note is released before it sounds again; the track ends at ``end_tick`` or later."""
    import mido

    track = mido.MidiTrack()
    now = 0
    for tick, _, kind, fields in sorted(events, key=lambda e: (e[0], e[1])):
        make = mido.MetaMessage if kind in _META else mido.Message
        track.append(make(kind, time=tick - now, **fields))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, end_tick - now)))
    return track


def _channels(tracks: list[Track]) -> list[int]:
    """Drums on channel 10; pitched tracks take 1-9, 11-16 in order (then reuse them)."""
    pitched = [c for c in range(16) if c != DRUM_CHANNEL]
    out, k = [], 0
    for t in tracks:
        if t.is_drum:
            out.append(DRUM_CHANNEL)
        else:
            out.append(pitched[k % len(pitched)])
            k += 1
    return out


def _signature_name(key: Key) -> str:
    """mido's key names: ``C``, ``Bb``, ``F#m``; other modes use their parent major's signature."""
    if key.is_minor:
        return f"{key.tonic}m"
    return Key.from_signature(key.key_signature_number()).tonic


def _byte(value: int) -> int:
    return max(0, min(127, int(value)))
