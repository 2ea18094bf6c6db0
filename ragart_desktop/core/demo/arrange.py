"""Parts of a demo piece: melody with phrase structure, accompaniment patterns, bass lines, drums.

Everything works on a chord plan (one chord per bar, as scale-step roots) and a meter, and returns
``Note`` lists in beats. Melodies follow the way simple tunes are made: a two-bar motif, repeated
and varied, chord tones on strong beats and mostly stepwise motion between them, phrases that end
on a half cadence (the dominant) and then a full cadence (the tonic).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ragart_desktop.core.music.theory import Key, nearest_step, voice_lead


class Note(NamedTuple):
    start: float      # in beats (quarter notes)
    duration: float   # in beats
    pitch: int
    velocity: int


@dataclass(frozen=True)
class Meter:
    numerator: int
    denominator: int

    @property
    def bar_beats(self) -> float:
        """Bar length in quarter notes: 4/4 -> 4, 3/4 -> 3, 6/8 -> 3."""
        return self.numerator * 4 / self.denominator

    @property
    def compound(self) -> bool:
        return self.denominator == 8 and self.numerator % 3 == 0

    def strong(self, offset: float) -> bool:
        """Is ``offset`` (beats into the bar) a strong beat?"""
        if self.compound:
            return offset % 1.5 == 0
        if self.numerator == 3:
            return offset == 0
        return offset % 2 == 0


# Bar rhythms (durations in quarters) per meter: motif cells and cadence cells.
_RHYTHMS = {
    (4, 4): [[1, 1, 1, 1], [1, 0.5, 0.5, 1, 1], [1.5, 0.5, 1, 1], [0.5, 0.5, 0.5, 0.5, 1, 1], [2, 1, 1],
             [1, 1, 0.5, 0.5, 1], [1.5, 0.5, 0.5, 0.5, 1]],
    (3, 4): [[1, 1, 1], [2, 1], [1, 0.5, 0.5, 1], [1.5, 0.5, 1], [0.5, 0.5, 1, 1]],
    (6, 8): [[1, 0.5, 1, 0.5], [0.5] * 6, [1.5, 1, 0.5], [0.5, 0.5, 0.5, 1, 0.5], [1, 0.5, 0.5, 0.5, 0.5]],
}
_CADENCE = {(4, 4): [[1, 1, 2], [2, 2], [1.5, 0.5, 2]], (3, 4): [[1, 2], [3]], (6, 8): [[1, 0.5, 1.5], [3]]}
_SLOW = {(4, 4): [[2, 2], [3, 1], [4], [1, 3]], (3, 4): [[3], [2, 1]], (6, 8): [[3], [1.5, 1.5]]}


def melody(rng: np.random.Generator, key: Key, roots: list[int], meter: Meter, *, centre: int = 7,
           span: int = 6, slow: bool = False, velocity: int = 84) -> list[Note]:
    """A tune over ``roots`` (one chord root per bar) in phrases of four bars: motif, answer,
    motif again, cadence; later phrases reuse the opening motif so the piece is recognisable."""
    sig = (meter.numerator, meter.denominator)
    bank = _SLOW[sig] if slow else _RHYTHMS[sig]
    cells = [bank[int(i)] for i in rng.choice(len(bank), 3, replace=len(bank) < 3)]
    notes: list[Note] = []
    motif: list[int] | None = None
    step = centre
    phrases = max(1, len(roots) // 4)
    for phrase in range(phrases):
        final = phrase == phrases - 1
        opening = phrase % 4 != 2  # the third phrase of four is the contrasting one (AABA)
        for bar_in_phrase in range(4):
            bar = phrase * 4 + bar_in_phrase
            chord = key.chord_steps(roots[bar])
            target = None
            if bar_in_phrase == 3:
                rhythm = _CADENCE[sig][int(rng.integers(0, len(_CADENCE[sig])))]
                # half cadence on the dominant after even phrases, full cadence on the tonic after odd ones
                target = nearest_step([0] if (final or phrase % 2) else [4], step)
            else:
                rhythm = cells[(0, 1, 0)[bar_in_phrase] if opening else (2, 1, 2)[bar_in_phrase]]
            fits = motif is not None and motif[0] % 7 in {c % 7 for c in chord}
            if bar_in_phrase == 0 and opening and fits:
                # the motif returns (repetition makes a tune), in the octave nearest the last note
                octave = min((o for o in (-7, 0, 7) if all(abs(m + o - centre) <= span for m in motif)),
                             key=lambda o: abs(step - motif[0] - o), default=0)
                pitches, rhythm = [m + octave for m in motif], cells[0]
            else:
                pitches = _walk(rng, step, chord, rhythm, meter, centre, span, target)
            if bar == 0:
                motif = pitches
            offset = 0.0
            for dur, s in zip(rhythm, pitches):
                accent = 8 if meter.strong(offset) else 0
                swell = 6 * np.sin(np.pi * bar_in_phrase / 4)  # phrases rise and fall
                vel = int(np.clip(velocity + accent + swell + rng.integers(-5, 6), 30, 120))
                notes.append(Note(bar * meter.bar_beats + offset, dur * 0.95, key.pitch(s), vel))
                offset += dur
            step = pitches[-1]
    return notes


def _walk(rng: np.random.Generator, step: int, chord: list[int], rhythm: list[float], meter: Meter,
          centre: int, span: int, target: int | None) -> list[int]:
    """Scale-step pitches for one bar: chord tones on strong beats, steps in between, and an
    approach by step to ``target`` on the last note when given."""
    out = []
    offset = 0.0
    for i, dur in enumerate(rhythm):
        last = i == len(rhythm) - 1
        if last and target is not None:
            s = target
        elif meter.strong(offset):
            s = _chord_tone_near(rng, chord, step, centre, span)
        else:
            move = int(rng.choice([-1, 1, -2, 2, 0], p=[0.36, 0.36, 0.1, 0.1, 0.08]))
            if step + move > centre + span or step + move < centre - span:
                move = -move
            s = step + move
        if target is not None and i == len(rhythm) - 2 and abs(s - target) > 2:
            s = target + (1 if s > target else -1)  # lead into the cadence note by step
        out.append(s)
        step = s
        offset += dur
    return out


def _chord_tone_near(rng: np.random.Generator, chord: list[int], step: int, centre: int, span: int) -> int:
    """A chord tone within a fourth of ``step`` and inside the range, nearer ones likelier;
    staying put is rare."""
    classes = {c % 7 for c in chord}
    near = [s for s in range(step - 3, step + 4) if s % 7 in classes]
    options = [s for s in near if abs(s - centre) <= span]
    if not options:  # wandered off the range: take the chord tone that heads back
        return min(near, key=lambda s: abs(s - centre))
    weights = np.array([0.15 if s == step else 1.0 / abs(s - step) for s in options])
    return int(options[int(rng.choice(len(options), p=weights / weights.sum()))])


def chords(key: Key, roots: list[int], meter: Meter, pattern: str, *, tones: tuple[int, ...] = (0, 2, 4),
           centre: int = 60, velocity: int = 62, rng: np.random.Generator | None = None,
           bars_per_chord: int = 1) -> list[Note]:
    """Accompaniment: ``pad`` (held), ``block`` (on the main beats), ``waltz`` (beats 2 and 3),
    ``alberti`` (low-high-middle-high eighths), ``arpeggio`` (broken chord), ``comp`` (syncopated
    jazz hits) or ``lofi`` (lazy strummed hits)."""
    rng = rng or np.random.default_rng(0)
    notes: list[Note] = []
    prev: list[int] | None = None
    bar_len = meter.bar_beats
    for bar, root in enumerate(roots):
        if bar % bars_per_chord:
            continue
        pcs = [key.pitch(s) % 12 for s in key.chord_steps(root, tones)]
        voicing = voice_lead(pcs, prev, centre)
        prev = voicing
        start = bar * bar_len
        length = bar_len * bars_per_chord
        for offset, dur, which, vel in _PATTERNS[pattern](meter, rng, length):
            played = voicing if which is None else [voicing[which % len(voicing)] + 12 * (which // len(voicing))]
            for k, p in enumerate(played):
                strum = 0.015 * k if pattern in ("lofi", "comp") else 0.0
                v = int(np.clip(velocity + vel + rng.integers(-4, 5), 25, 115))
                notes.append(Note(start + offset + strum, max(0.1, dur - strum), p, v))
    return notes


def _pad(meter: Meter, rng, length: float):
    return [(0.0, length * 0.98, None, 0)]


def _block(meter: Meter, rng, length: float):
    step = 1.5 if meter.compound else (meter.bar_beats if meter.numerator == 3 else 2.0)
    return [(t, step * 0.9, None, 6 if t == 0 else 0) for t in np.arange(0, length, step)]


def _waltz(meter: Meter, rng, length: float):
    return [(t, 0.8, None, -4) for t in np.arange(0, length, 1.0) if t % meter.bar_beats != 0]


def _alberti(meter: Meter, rng, length: float):
    order = (0, 2, 1, 2)
    return [(t, 0.5, order[i % 4], 0 if i % 4 == 0 else -10) for i, t in enumerate(np.arange(0, length, 0.5))]


def _arpeggio(meter: Meter, rng, length: float):
    order = (0, 1, 2, 3, 2, 1) if meter.compound or meter.numerator == 3 else (0, 1, 2, 3, 4, 3, 2, 1)
    return [(t, 0.9, order[i % len(order)], 0 if i % len(order) == 0 else -8)
            for i, t in enumerate(np.arange(0, length, 0.5))]


_COMP_RHYTHMS = ([(0.0, 1.5), (1.5, 0.5), (3.0, 0.9)], [(0.0, 0.9), (1.5, 1.0), (3.5, 0.5)],
                 [(0.5, 1.0), (2.0, 1.5)], [(0.0, 2.0), (2.5, 1.0)])


def _comp(meter: Meter, rng, length: float):
    if meter.numerator == 3:
        return [(0.0, 0.9, None, 4), (1.5, 0.5, None, -4), (2.0, 0.8, None, -2)]
    hits = _COMP_RHYTHMS[int(rng.integers(0, len(_COMP_RHYTHMS)))]
    return [(t, d, None, 4 if t == 0 else -4) for t, d in hits]


def _lofi(meter: Meter, rng, length: float):
    hits = ([(0.0, 2.4, None, 4), (2.5, 1.3, None, -8)], [(0.0, 1.4, None, 2), (1.5, 2.4, None, -4)],
            [(0.0, 3.8, None, 0)])
    return hits[int(rng.integers(0, len(hits)))]


_PATTERNS = {"pad": _pad, "block": _block, "waltz": _waltz, "alberti": _alberti, "arpeggio": _arpeggio,
             "comp": _comp, "lofi": _lofi}


def bass(rng: np.random.Generator, key: Key, roots: list[int], meter: Meter, pattern: str,
         *, velocity: int = 80) -> list[Note]:
    """Bass line: ``root`` (root and fifth on the main beats), ``walking`` (quarter-note walk with a
    chromatic approach into the next chord), ``lofi`` (syncopated root-fifth-octave) or ``pedal``."""
    notes: list[Note] = []
    bar_len = meter.bar_beats
    for bar, root in enumerate(roots):
        start = bar * bar_len
        r = key.pitch(root % 7 - 14)
        fifth = key.pitch(root % 7 - 14 + 4)
        v = lambda extra=0: int(np.clip(velocity + extra + rng.integers(-5, 6), 30, 120))
        if pattern == "pedal":
            notes.append(Note(start, bar_len * 0.99, r, v(-10)))
        elif pattern == "root":
            if meter.compound:
                notes += [Note(start, 1.4, r, v(6)), Note(start + 1.5, 1.4, fifth, v())]
            elif meter.numerator == 3:
                notes.append(Note(start, 0.95, r, v(6)))
            else:
                notes += [Note(start, 1.9, r, v(6)), Note(start + 2, 1.9, fifth, v())]
        elif pattern == "walking":
            nxt = key.pitch(roots[(bar + 1) % len(roots)] % 7 - 14)
            third = key.pitch(root % 7 - 14 + 2)
            approach = nxt + int(rng.choice([-1, 1]))
            line = [r, third, fifth, approach] if meter.numerator == 4 else [r, fifth, approach]
            notes += [Note(start + i, 0.95, p, v(6 if i == 0 else 0)) for i, p in enumerate(line)]
        elif pattern == "lofi":
            notes += [Note(start, 1.4, r, v(6)), Note(start + 1.5, 0.45, r + 12, v(-12)),
                      Note(start + 2, 1.0, fifth, v(-4)), Note(start + 3.5, 0.45, r, v(-8))]
        else:
            raise ValueError(f"unknown bass pattern {pattern!r}")
    return notes


# General MIDI percussion keys (channel 10).
KICK, SIDE_STICK, SNARE, CLOSED_HAT, PEDAL_HAT, RIDE, LOW_TOM, TAMBOURINE, SHAKER = 36, 37, 38, 42, 44, 51, 45, 54, 70


def drums(rng: np.random.Generator, bars: int, meter: Meter, style: str) -> list[Note]:
    """Drum patterns: ``lofi`` (boom-bap with soft hats), ``swing`` (ride and hi-hat on 2 and 4),
    ``jig`` (bodhran-like tom and tambourine in 6/8) or ``brushes`` (quiet ballad time);
    a small fill closes every fourth bar."""
    notes: list[Note] = []
    bar_len = meter.bar_beats
    for bar in range(bars):
        start = bar * bar_len
        hits: list[tuple[float, int, int]] = []
        if style == "lofi":
            hits += [(0, KICK, 96), (2.5, KICK, 80), (1, SNARE, 88), (3, SNARE, 92)]
            hits += [(t, CLOSED_HAT, 58 if t % 1 else 70) for t in np.arange(0, 4, 0.5)]
            if bar % 2:
                hits.append((1.75, KICK, 64))
        elif style == "swing":
            ride = (0, 1, 1 + 2 / 3, 2, 3, 3 + 2 / 3) if meter.numerator == 4 else (0, 1, 1 + 2 / 3, 2)
            hits += [(t, RIDE, 72 if t in (1, 3) else 60) for t in ride]
            hits += [(t, PEDAL_HAT, 64) for t in ((1, 3) if meter.numerator == 4 else (1, 2))]
            hits += [(0, KICK, 44)]
        elif style == "jig":
            hits += [(0, LOW_TOM, 90), (1.5, LOW_TOM, 78), (1.0, SIDE_STICK, 54), (2.5, SIDE_STICK, 54)]
            hits += [(t, TAMBOURINE, 50) for t in (0.5, 2.0)]
        elif style == "brushes":
            hits += [(t, SHAKER, 40 + (8 if t % 1 == 0 else 0)) for t in np.arange(0, bar_len, 0.5)]
            hits += [(0, KICK, 40)]
        else:
            raise ValueError(f"unknown drum style {style!r}")
        if bar % 4 == 3 and style in ("lofi", "swing"):
            hits = [h for h in hits if h[0] < bar_len - 1]
            hits += [(bar_len - 1 + t, SNARE, 60 + int(20 * t)) for t in (0, 0.25, 0.5, 0.75)]
        for t, pitch, vel in hits:
            notes.append(Note(start + float(t), 0.1, pitch, int(np.clip(vel + rng.integers(-6, 7), 20, 127))))
    return notes


def swing(notes: list[Note], amount: float = 1 / 6) -> list[Note]:
    """Delay off-beat eighths by ``amount`` of a beat (1/6 = triplet swing) and shorten the notes
    they follow, as a swing player would."""
    out = []
    for n in notes:
        frac = n.start % 1.0
        if abs(frac - 0.5) < 1e-6:
            out.append(n._replace(start=n.start + amount, duration=max(0.1, n.duration - amount)))
        else:
            out.append(n)
    return out
