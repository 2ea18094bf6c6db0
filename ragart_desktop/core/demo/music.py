"""The demo MIDI pieces: a catalogue of short pieces in five styles, rendered with pretty_midi.

Each piece is a ``PieceSpec`` (key, mode, tempo, meter, chord progression, instruments and
accompaniment patterns); ``render_piece`` turns it into a Standard MIDI File with named tracks,
tempo, time signature and key signature. One entry is an exact transposition of another, so a
similarity search by example can show that it finds the same tune in another key.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, replace

import numpy as np
import pretty_midi

from ragart_desktop.core.demo.arrange import Meter, Note, bass, chords, drums, melody, swing
from ragart_desktop.core.demo.seeds import stable_seed
from ragart_desktop.core.music.theory import Key

_VOICINGS = {"triad": (0, 2, 4), "seventh": (0, 2, 4, 6), "rootless": (2, 4, 6, 8)}


@dataclass(frozen=True)
class PieceSpec:
    folder: str
    name: str                       # file stem
    title: str
    key: Key
    tempo: float                    # quarter notes per minute
    meter: Meter
    progression: tuple[int, ...]    # chord roots as scale degrees 1-7, repeated to fill ``bars``
    bars: int                       # a multiple of 4 (phrases are four bars)
    harmony: str                    # General MIDI instrument name of the chord part
    pattern: str                    # accompaniment pattern (see arrange.chords)
    lead: str | None = None         # melody instrument
    slow_melody: bool = False
    voicing: str = "triad"
    chord_centre: int = 60
    bars_per_chord: int = 1
    bass: str | None = None
    bass_pattern: str = "root"
    drums: str | None = None        # drum style (arrange.drums) on channel 10
    sparkle: str | None = None      # an extra arpeggio part high up (ambient)
    swing: float = 0.0
    transpose: int = 0              # semitones applied to the finished piece (transposed copies)
    seed_name: str = ""             # whose randomness to reuse (a copy reuses its original's)

    @property
    def seed(self) -> int:
        return stable_seed(f"music/{self.seed_name or self.name}")


def _p(folder: str, name: str, title: str, key: tuple[str, str], tempo: float, meter: tuple[int, int],
       progression: tuple[int, ...], bars: int, harmony: str, pattern: str, **kw) -> PieceSpec:
    return PieceSpec(folder, name, title, Key(*key), tempo, Meter(*meter), progression, bars, harmony, pattern, **kw)


FOLK, JAZZ, CLASSICAL, LOFI, AMBIENT = "folk melodies", "jazz chords", "classical", "lofi beats", "ambient"

_MINUET = _p(CLASSICAL, "minuet-in-g", "Minuet in G", ("G", "major"), 116, (3, 4), (1, 4, 5, 1, 1, 2, 5, 1), 16,
             "Harpsichord", "waltz", lead="Harpsichord", bass="Cello")

PIECES: tuple[PieceSpec, ...] = (
    _p(FOLK, "the-heather-road", "The Heather Road (jig)", ("D", "major"), 168, (6, 8), (1, 4, 1, 5, 1, 4, 5, 1), 16,
       "Acoustic Guitar (nylon)", "arpeggio", lead="Fiddle", drums="jig"),
    _p(FOLK, "lantern-waltz", "Lantern Waltz", ("G", "major"), 138, (3, 4), (1, 5, 5, 1, 1, 4, 5, 1), 16,
       "Acoustic Grand Piano", "waltz", lead="Accordion", bass="Acoustic Bass"),
    _p(FOLK, "morning-on-the-fell", "Morning on the Fell", ("A", "dorian"), 100, (4, 4), (1, 7, 1, 4), 16,
       "Acoustic Guitar (nylon)", "arpeggio", lead="Flute", chord_centre=55),
    _p(FOLK, "the-millers-daughter", "The Miller's Daughter", ("E", "minor"), 112, (3, 4), (1, 3, 7, 1, 1, 6, 7, 1), 16,
       "Orchestral Harp", "arpeggio", lead="Violin", bass="Cello"),
    _p(FOLK, "harbour-reel", "Harbour Reel", ("G", "mixolydian"), 150, (4, 4), (1, 7, 1, 5), 16,
       "Acoustic Guitar (nylon)", "block", lead="Whistle", bass="Acoustic Bass", drums="brushes"),
    _p(FOLK, "cradle-song", "Cradle Song", ("F", "major"), 108, (6, 8), (1, 4, 1, 5, 1, 4, 5, 1), 8,
       "Orchestral Harp", "arpeggio", lead="Flute", slow_melody=True),

    _p(JAZZ, "blue-hour-ii-v-i", "Blue Hour (ii-V-I)", ("Bb", "major"), 120, (4, 4), (2, 5, 1, 1, 2, 5, 1, 6), 16,
       "Electric Piano 1", "comp", lead="Vibraphone", voicing="rootless", bass="Acoustic Bass",
       bass_pattern="walking", drums="swing", swing=1 / 6),
    _p(JAZZ, "rainy-day-turnaround", "Rainy Day Turnaround", ("F", "major"), 96, (4, 4), (1, 6, 2, 5), 16,
       "Acoustic Grand Piano", "comp", lead="Tenor Sax", voicing="seventh", bass="Acoustic Bass",
       bass_pattern="walking", drums="swing", swing=1 / 6),
    _p(JAZZ, "minor-swing-sketch", "Minor Swing Sketch", ("D", "harmonic minor"), 140, (4, 4),
       (1, 4, 5, 1, 1, 4, 5, 5), 16, "Electric Guitar (jazz)", "comp", lead="Clarinet", voicing="seventh",
       bass="Acoustic Bass", bass_pattern="walking", drums="swing", swing=1 / 6),
    _p(JAZZ, "late-set-ballad", "Late Set Ballad", ("Eb", "major"), 66, (4, 4), (1, 6, 2, 5, 3, 6, 2, 5), 8,
       "Acoustic Grand Piano", "block", lead="Acoustic Grand Piano", slow_melody=True, voicing="seventh",
       bass="Acoustic Bass", drums="brushes", swing=1 / 8),
    _p(JAZZ, "waltz-for-a-rainy-window", "Waltz for a Rainy Window", ("C", "major"), 150, (3, 4), (2, 5, 1, 6), 16,
       "Acoustic Grand Piano", "comp", lead="Vibraphone", voicing="rootless", bass="Acoustic Bass",
       bass_pattern="walking", drums="swing", swing=1 / 6),
    _p(JAZZ, "dorian-vamp", "Dorian Vamp", ("D", "dorian"), 126, (4, 4), (1, 1, 4, 4), 16,
       "Electric Piano 1", "comp", lead="Flute", voicing="seventh", bass="Acoustic Bass",
       bass_pattern="walking", drums="swing", swing=1 / 6),

    _MINUET,
    replace(_MINUET, name="minuet-in-g-transposed-to-a", title="Minuet in G, transposed to A", transpose=2,
            seed_name=_MINUET.name),
    _p(CLASSICAL, "sonatina-in-c", "Sonatina in C", ("C", "major"), 120, (4, 4), (1, 4, 5, 1, 6, 2, 5, 1), 16,
       "Acoustic Grand Piano", "alberti", lead="Acoustic Grand Piano", chord_centre=55),
    _p(CLASSICAL, "lament-in-a-minor", "Lament in A minor", ("A", "harmonic minor"), 72, (4, 4),
       (1, 4, 5, 1, 6, 4, 5, 1), 16, "String Ensemble 1", "pad", lead="Violin", slow_melody=True, bass="Cello"),
    _p(CLASSICAL, "pastorale-in-f", "Pastorale in F", ("F", "major"), 120, (6, 8), (1, 4, 1, 5, 1, 4, 5, 1), 16,
       "Pizzicato Strings", "arpeggio", lead="Oboe", bass="Cello"),
    _p(CLASSICAL, "chorale-in-d", "Chorale in D", ("D", "major"), 80, (4, 4), (1, 4, 5, 1, 6, 2, 5, 1), 8,
       "Church Organ", "block", lead="Choir Aahs", slow_melody=True, bass="Contrabass"),

    _p(LOFI, "rainy-window-loop", "Rainy Window Loop", ("A", "minor"), 78, (4, 4), (1, 6, 3, 7), 16,
       "Electric Piano 1", "lofi", lead="Vibraphone", slow_melody=True, voicing="seventh",
       bass="Electric Bass (finger)", bass_pattern="lofi", drums="lofi", swing=1 / 8),
    _p(LOFI, "late-night-study", "Late Night Study", ("F", "major"), 84, (4, 4), (1, 6, 2, 5), 16,
       "Electric Piano 2", "lofi", lead="Flute", slow_melody=True, voicing="seventh",
       bass="Electric Bass (finger)", bass_pattern="lofi", drums="lofi", swing=1 / 8),
    _p(LOFI, "coffee-steam", "Coffee Steam", ("Eb", "major"), 72, (4, 4), (2, 5, 1, 4), 16,
       "Electric Piano 1", "lofi", lead="Kalimba", slow_melody=True, voicing="seventh",
       bass="Electric Bass (finger)", bass_pattern="lofi", drums="lofi", swing=1 / 8),
    _p(LOFI, "tape-hiss-sunday", "Tape Hiss Sunday", ("D", "major"), 88, (4, 4), (1, 6, 4, 5), 16,
       "Acoustic Grand Piano", "lofi", lead="Acoustic Guitar (nylon)", slow_melody=True, voicing="seventh",
       bass="Electric Bass (finger)", bass_pattern="lofi", drums="lofi", swing=1 / 8),
    _p(LOFI, "city-bus-window", "City Bus Window", ("C", "major"), 80, (4, 4), (6, 4, 1, 5), 16,
       "Electric Piano 1", "lofi", lead="Celesta", slow_melody=True, voicing="seventh",
       bass="Electric Bass (finger)", bass_pattern="lofi", drums="lofi", swing=1 / 8),
    _p(LOFI, "sleepy-cat-groove", "Sleepy Cat Groove", ("E", "dorian"), 75, (4, 4), (1, 4), 16,
       "Electric Piano 2", "lofi", lead="Muted Trumpet", slow_melody=True, voicing="seventh",
       bass="Electric Bass (finger)", bass_pattern="lofi", drums="lofi", swing=1 / 8),

    _p(AMBIENT, "glacier-light", "Glacier Light", ("C", "lydian"), 60, (4, 4), (1, 1, 2, 2), 16,
       "Pad 2 (warm)", "pad", bars_per_chord=2, voicing="seventh", sparkle="Celesta", lead="Flute", slow_melody=True),
    _p(AMBIENT, "tidal-drift", "Tidal Drift", ("E", "major"), 66, (3, 4), (1, 1, 4, 4, 6, 6, 4, 4), 16,
       "Pad 1 (new age)", "pad", bars_per_chord=2, sparkle="Orchestral Harp", lead="Pan Flute", slow_melody=True),
    _p(AMBIENT, "slow-aurora", "Slow Aurora", ("B", "dorian"), 56, (4, 4), (1, 1, 4, 4, 1, 1, 7, 7), 16,
       "Choir Aahs", "pad", bars_per_chord=2, voicing="seventh", sparkle="Vibraphone", bass="Contrabass",
       bass_pattern="pedal"),
    _p(AMBIENT, "moss-and-stone", "Moss and Stone", ("D", "major"), 64, (4, 4), (1, 1, 5, 5, 6, 6, 4, 4), 16,
       "String Ensemble 2", "pad", bars_per_chord=2, sparkle="Music Box", bass="Contrabass", bass_pattern="pedal",
       lead="Recorder", slow_melody=True),
    _p(AMBIENT, "paper-lanterns-on-water", "Paper Lanterns on Water", ("F", "major"), 62, (4, 4),
       (1, 1, 4, 4, 6, 6, 5, 5), 16, "Pad 1 (new age)", "pad", bars_per_chord=2, voicing="seventh", sparkle="Celesta",
       lead="Ocarina", slow_melody=True),
    _p(AMBIENT, "hollow-sky", "Hollow Sky", ("A", "minor"), 84, (6, 8), (1, 1, 6, 6, 3, 3, 7, 7), 16,
       "Pad 8 (sweep)", "pad", bars_per_chord=2, voicing="seventh", sparkle="Acoustic Grand Piano"),
)


def arrange(rng: np.random.Generator, spec: PieceSpec) -> list[tuple[str, str, list[Note]]]:
    """The parts of a piece as (track name, instrument name or "Drums", notes in beats)."""
    roots = [spec.progression[i % len(spec.progression)] - 1 for i in range(spec.bars)]
    tones = _VOICINGS[spec.voicing]
    parts: list[tuple[str, str, list[Note]]] = []
    if spec.lead:
        tune = melody(rng, spec.key, roots, spec.meter, slow=spec.slow_melody)
        parts.append((f"Melody ({spec.lead})", spec.lead, tune))
    harmony = chords(spec.key, roots, spec.meter, spec.pattern, tones=tones, centre=spec.chord_centre, rng=rng,
                     bars_per_chord=spec.bars_per_chord, velocity=50 if spec.pattern == "pad" else 62)
    parts.append((f"Chords ({spec.harmony})", spec.harmony, harmony))
    if spec.sparkle:
        glints = chords(spec.key, roots, spec.meter, "arpeggio", tones=(0, 2, 4, 7), centre=76, rng=rng,
                        velocity=46)
        glints = [n for i, n in enumerate(glints) if rng.random() < 0.55 or i % 8 == 0]  # sparse, like drops
        parts.append((f"Arpeggio ({spec.sparkle})", spec.sparkle, glints))
    if spec.bass:
        parts.append((f"Bass ({spec.bass})", spec.bass, bass(rng, spec.key, roots, spec.meter, spec.bass_pattern)))
    if spec.drums:
        parts.append(("Drums", "Drums", drums(rng, spec.bars, spec.meter, spec.drums)))
    if spec.swing:
        parts = [(name, inst, swing(notes, spec.swing)) for name, inst, notes in parts]
    return parts


def render_piece(spec: PieceSpec) -> bytes:
    """The piece as Standard MIDI File bytes (deterministic: the seed comes from its name)."""
    rng = np.random.default_rng(spec.seed)
    pm = pretty_midi.PrettyMIDI(resolution=480, initial_tempo=spec.tempo)
    pm.time_signature_changes.append(pretty_midi.TimeSignature(spec.meter.numerator, spec.meter.denominator, 0.0))
    key = spec.key.transposed(spec.transpose)
    pm.key_signature_changes.append(pretty_midi.KeySignature(key.key_signature_number(), 0.0))
    meter = f"{spec.meter.numerator}/{spec.meter.denominator}"
    pm.text_events.append(pretty_midi.Text(f"{spec.title} - {key.name}, {meter}", 0.0))
    seconds = 60.0 / spec.tempo
    for track_name, instrument, notes in arrange(rng, spec):
        is_drum = instrument == "Drums"
        program = 0 if is_drum else pretty_midi.instrument_name_to_program(instrument)
        inst = pretty_midi.Instrument(program=program, is_drum=is_drum, name=track_name)
        shift = 0 if is_drum else spec.transpose
        for n in notes:
            start = round(n.start * seconds, 6)
            inst.notes.append(pretty_midi.Note(velocity=n.velocity, pitch=n.pitch + shift, start=start,
                                               end=round(start + n.duration * seconds, 6)))
        pm.instruments.append(inst)
    buf = io.BytesIO()
    pm.write(buf)
    return buf.getvalue()
