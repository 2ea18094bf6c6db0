"""Just enough music theory for the demo pieces: keys and modes, diatonic chords, voicings.

Pitches are MIDI numbers. Melodies and harmonies are built in *scale steps* (0 = tonic of the
middle octave, 7 = the tonic an octave up, negative steps go down), so a piece written once sounds
right in any key and mode.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MODES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
}
# Semitones from a mode's tonic down to the major key whose signature it borrows.
_PARENT_MAJOR = {"major": 0, "dorian": 2, "mixolydian": 7, "lydian": 5}


class Note(NamedTuple):
    start: float      # in beats (quarter notes)
    duration: float   # in beats
    pitch: int
    velocity: int


@dataclass(frozen=True)
class Key:
    tonic: str        # note name, e.g. "Bb"
    mode: str         # one of MODES

    @property
    def tonic_pc(self) -> int:
        return NOTE_NAMES.index(self.tonic)

    @property
    def name(self) -> str:
        return f"{self.tonic} {self.mode}"

    def pitch(self, step: int) -> int:
        """MIDI pitch of scale step ``step``; step 0 is the tonic nearest middle C."""
        scale = MODES[self.mode]
        octave, degree = divmod(step, 7)
        tonic = 60 + self.tonic_pc - (12 if self.tonic_pc > 6 else 0)
        return tonic + 12 * octave + scale[degree]

    def chord_steps(self, root: int, tones: Sequence[int] = (0, 2, 4)) -> list[int]:
        """Stacked-thirds chord on scale step ``root``: (0, 2, 4) triad, (0, 2, 4, 6) seventh,
        (2, 4, 6, 8) rootless jazz voicing (3rd, 5th, 7th, 9th)."""
        return [root + t for t in tones]

    def key_signature_number(self) -> int:
        """pretty_midi key number (0-11 major, 12-23 minor); modes borrow their parent major."""
        if self.mode in ("minor", "harmonic minor"):
            return 12 + self.tonic_pc
        return (self.tonic_pc - _PARENT_MAJOR[self.mode]) % 12

    def transposed(self, semitones: int) -> "Key":
        return Key(NOTE_NAMES[(self.tonic_pc + semitones) % 12], self.mode)


def nearest_step(steps: Sequence[int], target: int) -> int:
    """The member of ``steps`` (any octave) closest to ``target``."""
    best = None
    for s in steps:
        for octave in (-14, -7, 0, 7, 14):
            cand = s % 7 + (target // 7) * 7 + octave
            if best is None or abs(cand - target) < abs(best - target):
                best = cand
    return int(best)


def voice_lead(pitch_classes: Sequence[int], previous: Sequence[int] | None, centre: int) -> list[int]:
    """Close-position voicing of ``pitch_classes`` near ``centre`` that moves least from ``previous``
    (smooth voice leading, like a pianist's left hand)."""
    n = len(pitch_classes)
    candidates = []
    for inversion in range(n):
        order = list(pitch_classes[inversion:]) + list(pitch_classes[:inversion])
        for base in range(centre - 12, centre + 1):
            if base % 12 != order[0] % 12:
                continue
            voicing = [base]
            for pc in order[1:]:
                nxt = voicing[-1] + 1
                while nxt % 12 != pc % 12:
                    nxt += 1
                voicing.append(nxt)
            candidates.append(voicing)
    if previous:
        ref = sorted(previous)
        return min(candidates, key=lambda v: (sum(abs(a - b) for a, b in zip(sorted(v), ref)), v))
    return min(candidates, key=lambda v: (abs(sum(v) / n - centre), v))
