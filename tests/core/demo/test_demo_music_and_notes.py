"""The demo MIDI pieces and text notes: they parse, carry their facts, and are musically shaped."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi

from ragart_desktop.core.demo.music import PIECES
from ragart_desktop.core.music.theory import MODES


def _midis(dest: Path) -> dict[str, pretty_midi.PrettyMIDI]:
    return {p.stem: pretty_midi.PrettyMIDI(str(p)) for p in sorted((dest / "music").rglob("*.mid"))}


def test_every_midi_parses_with_tempo_meter_key_and_named_tracks(demo_library):
    midis = _midis(demo_library.dest)
    assert len(midis) == 30
    specs = {s.name: s for s in PIECES}
    meters = set()
    for name, pm in midis.items():
        spec = specs[name]
        _, tempi = pm.get_tempo_changes()
        assert abs(tempi[0] - spec.tempo) < 0.5
        ts = pm.time_signature_changes[0]
        meters.add((ts.numerator, ts.denominator))
        assert (ts.numerator, ts.denominator) == (spec.meter.numerator, spec.meter.denominator)
        assert pm.key_signature_changes, name
        assert all(inst.name and inst.notes for inst in pm.instruments), name
        assert 8 < pm.get_end_time() < 120, name
    assert {(3, 4), (6, 8), (4, 4)} <= meters
    drummers = [n for n, pm in midis.items() if any(i.is_drum for i in pm.instruments)]
    assert len(drummers) >= 8
    programs = {i.program for pm in midis.values() for i in pm.instruments if not i.is_drum}
    assert {0, 40, 73, 32} <= programs  # piano, violin, flute, acoustic bass among others
    keys = {(s.key.tonic, s.key.mode) for s in PIECES}
    assert len({t for t, _ in keys}) >= 6 and len({m for _, m in keys}) >= 4


def test_melodies_stay_in_key_and_move_mostly_by_step(demo_library):
    midis = _midis(demo_library.dest)
    for spec in PIECES:
        pm = midis[spec.name]
        lead = next((i for i in pm.instruments if i.name.startswith("Melody")), None)
        if lead is None:
            continue
        key = spec.key.transposed(spec.transpose)
        scale = {(key.tonic_pc + d) % 12 for d in MODES[key.mode]}
        pitches = [n.pitch for n in sorted(lead.notes, key=lambda n: n.start)]
        assert all(p % 12 in scale for p in pitches), spec.name
        leaps = np.abs(np.diff(pitches))
        assert np.mean(leaps <= 4) > 0.6, spec.name  # mostly steps and small skips
        assert leaps.max() <= 12, spec.name
        assert pitches[-1] % 12 == key.tonic_pc, f"{spec.name} should end on its tonic"


def test_transposed_copy_is_exactly_the_original_up_a_tone(demo_library):
    midis = _midis(demo_library.dest)
    copy = next(s for s in PIECES if s.transpose)
    original = next(s for s in PIECES if s.name == copy.seed_name)
    a, b = midis[original.name], midis[copy.name]
    for ia, ib in zip(a.instruments, b.instruments, strict=True):
        assert [(n.start, n.end, n.pitch + 2) for n in ia.notes] == [(n.start, n.end, n.pitch) for n in ib.notes]
    assert b.key_signature_changes[0].key_number == (a.key_signature_changes[0].key_number + 2) % 12


def test_drums_are_on_channel_ten(demo_library):
    import mido

    path = next((demo_library.dest / "music" / "lofi beats").glob("*.mid"))
    channels = {m.channel for track in mido.MidiFile(str(path)).tracks for m in track
                if m.type == "note_on" and m.note in (36, 38, 42)}
    assert 9 in channels  # 0-based 9 is General MIDI channel 10


def test_notes_are_utf8_texts_with_headings_and_other_languages(demo_library):
    notes = sorted((demo_library.dest / "notes").rglob("*.*"))
    assert len(notes) == 15
    texts = {p.name: p.read_text(encoding="utf-8") for p in notes}
    assert all(len(t.split()) >= 30 for t in texts.values())
    assert all(t.lstrip().startswith("# ") for n, t in texts.items() if n.endswith(".md"))
    assert any("é" in t or "à" in t for t in texts.values())   # French
    assert any("ñ" in t or "í" in t for t in texts.values())   # Spanish
