"""Seeded procedural MIDI pieces (keys, scales, metres, rhythms, instruments, accompaniment, drums)
and the copies a user's library holds of a piece (transposed, excerpted, at another tempo)."""
from __future__ import annotations

import numpy as np
import pretty_midi

SCALES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "pentatonic": (0, 2, 4, 7, 9),
    "blues": (0, 3, 5, 6, 7, 10),
    "whole tone": (0, 2, 4, 6, 8, 10),
}
# Rhythm cells in beats; a bar is filled by drawing cells.
RHYTHMS = {
    "straight": ((0.5, 0.5), (1.0,), (0.5, 0.5, 1.0)),
    "dotted": ((0.75, 0.25), (1.5, 0.5), (1.0,)),
    "triplets": ((1 / 3, 1 / 3, 1 / 3), (2 / 3, 1 / 3), (1.0,)),
    "sixteenths": ((0.25, 0.25, 0.25, 0.25), (0.5, 0.25, 0.25), (0.5, 0.5)),
    "long": ((2.0,), (1.0, 1.0), (3.0, 1.0)),
    "syncopated": ((0.5, 1.0, 0.5), (0.25, 0.5, 0.25), (1.5, 0.5)),
}
MELODY_PROGRAMS = (0, 4, 11, 24, 40, 56, 65, 73, 80, 104)
ACCOMP_PROGRAMS = (0, 5, 19, 25, 32, 48, 88)


def procedural_piece(seed: int, bars: int = 16) -> pretty_midi.PrettyMIDI:
    rng = np.random.default_rng(seed)
    scale = list(SCALES)[seed % len(SCALES)]
    rhythm = list(RHYTHMS)[(seed // len(SCALES) + seed) % len(RHYTHMS)]
    tonic = int(rng.integers(0, 12))
    tempo = float(rng.uniform(70, 160))
    beats_per_bar = int(rng.choice([3, 4, 4, 6]))
    spb = 60.0 / tempo
    pm = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    pm.time_signature_changes.append(pretty_midi.TimeSignature(beats_per_bar, 4, 0.0))
    steps = np.array(SCALES[scale])
    degrees = np.concatenate([steps + 12 * o for o in range(-2, 3)]) + tonic
    centre = int(rng.integers(55, 72))

    melody = pretty_midi.Instrument(program=int(rng.choice(MELODY_PROGRAMS)))
    idx = int(np.argmin(np.abs(degrees - centre)))
    step_sizes = rng.choice([-3, -2, -1, 0, 1, 2, 3], size=7, p=rng.dirichlet(np.ones(7) * 2))
    legato = rng.uniform(0.5, 1.0)
    for bar in range(bars):
        t = 0.0
        while t < beats_per_bar - 1e-9:
            cell = RHYTHMS[rhythm][int(rng.integers(len(RHYTHMS[rhythm])))]
            for d in cell:
                if t >= beats_per_bar - 1e-9:
                    break
                d = min(d, beats_per_bar - t)
                idx = int(np.clip(idx + rng.choice(step_sizes), 3, len(degrees) - 4))
                start = (bar * beats_per_bar + t) * spb
                melody.notes.append(pretty_midi.Note(int(rng.integers(60, 110)), int(degrees[idx]), start,
                                                     start + d * spb * legato))
                t += d
    pm.instruments.append(melody)

    style = seed % 3  # 0: block chords, 1: arpeggios, 2: bass line only
    accomp = pretty_midi.Instrument(program=int(rng.choice(ACCOMP_PROGRAMS)))
    progression = rng.choice(len(steps), size=4)
    for bar in range(bars):
        root = int(progression[bar % 4])
        chord = [tonic + 48 + int(steps[(root + k) % len(steps)]) + 12 * ((root + k) // len(steps)) for k in (0, 2, 4)]
        bar_start = bar * beats_per_bar * spb
        if style == 0:
            for p in chord:
                accomp.notes.append(pretty_midi.Note(70, p, bar_start, bar_start + beats_per_bar * spb * 0.95))
        elif style == 1:
            for k in range(beats_per_bar * 2):
                s = bar_start + k * 0.5 * spb
                accomp.notes.append(pretty_midi.Note(65, chord[k % 3], s, s + 0.45 * spb))
        else:
            for k in range(beats_per_bar):
                s = bar_start + k * spb
                accomp.notes.append(pretty_midi.Note(80, chord[0] - 12 + (7 if k % 2 else 0), s, s + 0.9 * spb))
    pm.instruments.append(accomp)

    if rng.random() < 0.5:
        drums = pretty_midi.Instrument(program=0, is_drum=True)
        for bar in range(bars):
            for k in range(beats_per_bar * 2):
                s = (bar * beats_per_bar + k * 0.5) * spb
                pitch = 36 if k == 0 else (38 if k % 4 == 2 else 42)
                drums.notes.append(pretty_midi.Note(90, pitch, s, s + 0.1))
        pm.instruments.append(drums)
    return pm


def _copy(pm: pretty_midi.PrettyMIDI, tempo: float, note_map) -> pretty_midi.PrettyMIDI:
    out = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    out.time_signature_changes = list(pm.time_signature_changes)
    for inst in pm.instruments:
        new = pretty_midi.Instrument(program=inst.program, is_drum=inst.is_drum)
        new.notes = [m for n in inst.notes if (m := note_map(n, inst.is_drum)) is not None]
        out.instruments.append(new)
    return out


def _tempo(pm: pretty_midi.PrettyMIDI) -> float:
    return float(pm.get_tempo_changes()[1][0])


def transposed(pm: pretty_midi.PrettyMIDI, semitones: int) -> pretty_midi.PrettyMIDI:
    return _copy(pm, _tempo(pm), lambda n, drum: pretty_midi.Note(
        n.velocity, n.pitch if drum else n.pitch + semitones, n.start, n.end))


def at_tempo(pm: pretty_midi.PrettyMIDI, factor: float) -> pretty_midi.PrettyMIDI:
    """The same score played ``factor`` times faster (tempo map and note times both change)."""
    return _copy(pm, _tempo(pm) * factor, lambda n, drum: pretty_midi.Note(
        n.velocity, n.pitch, n.start / factor, n.end / factor))


def excerpt(pm: pretty_midi.PrettyMIDI, first_bar: int, n_bars: int) -> pretty_midi.PrettyMIDI:
    """Bars [first_bar, first_bar + n_bars), moved to the start."""
    bar_times = pm.get_downbeats()
    t0 = bar_times[first_bar]
    t1 = bar_times[first_bar + n_bars] if first_bar + n_bars < len(bar_times) else pm.get_end_time() + 1
    return _copy(pm, _tempo(pm), lambda n, drum: pretty_midi.Note(n.velocity, n.pitch, n.start - t0, n.end - t0)
                 if t0 - 1e-6 <= n.start < t1 - 1e-6 else None)
