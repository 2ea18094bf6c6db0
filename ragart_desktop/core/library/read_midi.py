"""Read a MIDI file into an ``Analysis``: tempo, metre, key, instruments, track names, size.

The file is parsed once with mido (track names, including the conductor track's, and a cheap note
count that refuses pathological files before pretty_midi builds its note lists), then handed to
pretty_midi as the same parsed object.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import mido
import pretty_midi

from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.library.analysis import Analysis
from ragart_desktop.core.library.read_text import display_stem
from ragart_desktop.core.music.midi_io import MAX_MIDI_BYTES, MAX_NOTES
from ragart_desktop.core.music.midi_io import decode_text as _text
from ragart_desktop.core.music.theory import UNKNOWN_KEY, estimate_key

MAX_SECONDS = 2 * 60 * 60
MAX_TEXT_CHARS = 5_000


def read_midi(path: Path) -> Analysis:
    """Parse one MIDI file; the caller (``readers.analyze_file``) maps parser errors to ``BadInputError``."""
    size = path.stat().st_size
    if size > MAX_MIDI_BYTES:
        raise BadInputError(
            f"too large for a MIDI file ({size / 1e6:.1f} MB; the limit is {MAX_MIDI_BYTES / 1e6:.0f} MB)",
            path=path,
        )
    midi = mido.MidiFile(filename=str(path))
    track_names = list(dict.fromkeys(n for n in (_text(t.name) for t in midi.tracks) if n))
    _check_note_count(midi, path)
    pm = pretty_midi.PrettyMIDI(mido_object=midi)  # converts the event times in `midi` in place
    length = float(pm.get_end_time())
    if length > MAX_SECONDS:
        raise BadInputError(
            f"too large: {length / 3600:.1f} hours long (the limit is {MAX_SECONDS // 3600} hours)", path=path
        )

    _, tempi = pm.get_tempo_changes()
    key, confidence = estimate_key(pm)
    instruments = [_instrument_facts(inst) for inst in pm.instruments]
    metadata: dict[str, Any] = {
        "tempo": round(float(tempi[0]), 2) if len(tempi) else 120.0,
        "tempo_changes": int(len(tempi)),
        "time_signature": _time_signature(pm),
        "key": key,
        "key_confidence": round(confidence, 3),
        "key_signatures": list(
            dict.fromkeys(pretty_midi.key_number_to_key_name(k.key_number) for k in pm.key_signature_changes)
        ),
        "instruments": instruments,
        "track_names": track_names,
        "length": round(length, 3),
        "notes": sum(i["notes"] for i in instruments),
        "resolution": pm.resolution,
        "midi_type": midi.type,
    }
    texts = " ".join(_text(e.text) for e in [*pm.lyrics, *pm.text_events])[:MAX_TEXT_CHARS].strip()
    words = [
        *track_names,
        *(i["name"] for i in instruments),
        *(["drums"] if any(i["is_drum"] for i in instruments) else []),
        *([key] if key != UNKNOWN_KEY else []),
        *metadata["key_signatures"],
        *([texts] if texts else []),
    ]
    title = _text(midi.tracks[0].name) if midi.tracks else ""
    return Analysis(
        kind="music",
        title=title or display_stem(path),
        metadata=metadata,
        words=" ".join(dict.fromkeys(w for w in words if w)),
        content=pm,
    )


def _check_note_count(midi: mido.MidiFile, path: Path) -> None:
    notes = 0
    for track in midi.tracks:
        for msg in track:
            if msg.type == "note_on" and msg.velocity > 0:
                notes += 1
        if notes > MAX_NOTES:
            raise BadInputError(f"too large: more than {MAX_NOTES:,} notes", path=path)


def _instrument_facts(inst: pretty_midi.Instrument) -> dict[str, Any]:
    name = "Drums" if inst.is_drum else pretty_midi.program_to_instrument_name(inst.program)
    return {
        "name": name,
        "program": inst.program,
        "is_drum": inst.is_drum,
        "track": _text(inst.name),
        "notes": len(inst.notes),
    }


def _time_signature(pm: pretty_midi.PrettyMIDI) -> str | None:
    if not pm.time_signature_changes:
        return None
    first = pm.time_signature_changes[0]
    return f"{first.numerator}/{first.denominator}"
