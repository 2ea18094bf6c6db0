"""Music theory in one place: note names, scales and keys, chord voicing, key estimation.

Pitches are MIDI numbers. A ``Key`` is a tonic and a mode; it parses the way musicians write keys
(``C``, ``Am``, ``F#m``, ``Bb``, ``D dorian``), knows its scale (and, for minor keys, the raised 6th
and 7th that melodic and harmonic minor use), and builds melodies in *scale steps* (0 = tonic of the
middle octave, 7 = the tonic an octave up), so a line written once sounds right in any key.

Key finding is the Krumhansl-Schmuckler algorithm: a duration- and velocity-weighted pitch-class
histogram is correlated (Pearson) with the Krumhansl-Kessler probe-tone profile of each of the 24
major/minor keys, and the best-correlated key wins. Drum tracks carry no pitch class and are left out.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ragart_desktop.core.errors import UsageError

if TYPE_CHECKING:  # pretty_midi is only needed by callers that already hold a PrettyMIDI
    import pretty_midi

NOTE_NAMES: tuple[str, ...] = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

MODES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
}
_MINOR_MODES = ("minor", "harmonic minor")
# Semitones from a mode's tonic down to the major key whose signature it borrows.
_PARENT_MAJOR = {"major": 0, "dorian": 2, "mixolydian": 7, "lydian": 5}


def pitch_class(name: str) -> int:
    """Pitch class of a note name: ``C`` -> 0, ``F#`` -> 6, ``Bb`` -> 10, ``Cb`` -> 11."""
    name = name.strip()
    if not name or name[0].upper() not in _PITCH_CLASS:
        raise UsageError(f"{name!r} is not a note name (write it like C, F#, Bb).")
    pc = _PITCH_CLASS[name[0].upper()]
    for accidental in name[1:]:
        if accidental in "#♯":
            pc += 1
        elif accidental in "b♭":
            pc -= 1
        else:
            raise UsageError(f"{name!r} is not a note name (write it like C, F#, Bb).")
    return pc % 12


def note_name(pitch: int) -> str:
    """``60`` -> ``C4`` (scientific pitch notation, middle C = C4)."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


@dataclass(frozen=True)
class Key:
    tonic: str        # note name as in NOTE_NAMES, e.g. "Bb"
    mode: str         # one of MODES

    @functools.cached_property
    def tonic_pc(self) -> int:
        return NOTE_NAMES.index(self.tonic)

    @property
    def name(self) -> str:
        """``A minor``, ``Bb major``, ``D dorian``."""
        return f"{self.tonic} {self.mode}"

    @property
    def short(self) -> str:
        """The CLI spelling: ``Am``, ``Bb``; other modes keep their name (``D dorian``)."""
        if self.mode == "major":
            return self.tonic
        if self.mode == "minor":
            return f"{self.tonic}m"
        return self.name

    @property
    def is_minor(self) -> bool:
        return self.mode in _MINOR_MODES

    @property
    def scale(self) -> tuple[int, ...]:
        """Pitch classes of the mode's scale, tonic first."""
        return tuple((self.tonic_pc + d) % 12 for d in MODES[self.mode])

    @functools.cached_property
    def _allowed(self) -> frozenset[int]:
        return self.allowed_pitch_classes()

    def allowed_pitch_classes(self) -> frozenset[int]:
        """What a key lock lets through: the scale, plus the raised 6th and 7th in minor keys."""
        pcs = set(self.scale)
        if self.is_minor:
            pcs |= {(self.tonic_pc + 9) % 12, (self.tonic_pc + 11) % 12}
        return frozenset(pcs)

    def contains(self, pitch: int) -> bool:
        return pitch % 12 in self._allowed

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
        """MIDI key number as pretty_midi counts it (0-11 major, 12-23 minor); modes borrow their
        parent major's signature."""
        if self.is_minor:
            return 12 + self.tonic_pc
        return (self.tonic_pc - _PARENT_MAJOR[self.mode]) % 12

    def transposed(self, semitones: int) -> "Key":
        return Key(NOTE_NAMES[(self.tonic_pc + semitones) % 12], self.mode)

    @classmethod
    def from_index(cls, index: int) -> "Key":
        """Key ``index`` in the :func:`key_correlations` order (0-11 major, 12-23 minor)."""
        return cls(NOTE_NAMES[index % 12], _ESTIMATED_MODES[index // 12])

    @classmethod
    def from_signature(cls, number: int) -> "Key":
        """The key of a MIDI key signature number (0-11 major, 12-23 minor)."""
        return cls.from_index(number)


_KEY_RE = re.compile(r"^\s*([A-Ga-g])([#♯b♭]?)\s*(.*?)\s*$")
_MODE_WORDS = {"": "major", "maj": "major", "major": "major", "m": "minor", "min": "minor", "minor": "minor",
               "harmonic minor": "harmonic minor", "dorian": "dorian", "mixolydian": "mixolydian",
               "lydian": "lydian"}


def parse_key(text: str) -> Key:
    """``C``, ``Am``, ``F#m``, ``Bb``, ``Eb major``, ``A minor``, ``D dorian`` -> ``Key``.

    Raises ``UsageError`` naming the text when it is not a key.
    """
    match = _KEY_RE.match(text or "")
    mode = None
    if match:
        words = " ".join(match.group(3).split())
        mode = "major" if words == "M" else _MODE_WORDS.get(words.lower())
    if mode is None:
        raise UsageError(f"{text!r} is not a key.", hint="Write a key like C, Am, F#m, Bb or 'D dorian'.")
    return Key(NOTE_NAMES[pitch_class(match.group(1).upper() + match.group(2))], mode)


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


#: Returned by :func:`estimate_key` for a piece with no pitched notes.
UNKNOWN_KEY = "unknown"

# Krumhansl & Kessler (1982) probe-tone ratings, tonic first.
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

_ESTIMATED_MODES = ("major", "minor")


def _key_profiles() -> np.ndarray:
    """(24, 12) profiles: rows 0-11 are C..B major, rows 12-23 are C..B minor."""
    rows = [np.roll(profile, tonic) for profile in (KK_MAJOR, KK_MINOR) for tonic in range(12)]
    return np.stack(rows)


_PROFILES = _key_profiles()


def pitch_class_histogram(pm: "pretty_midi.PrettyMIDI") -> np.ndarray:
    """Return a (12,) float64 histogram, C first: each pitched note adds duration * velocity/127.

    Drum instruments are excluded. The histogram is not normalised; it is all zeros when the piece
    has no pitched notes.
    """
    hist = np.zeros(12, dtype=np.float64)
    for instrument in pm.instruments:
        if instrument.is_drum or not instrument.notes:
            continue
        notes = instrument.notes
        pitches = np.fromiter((n.pitch for n in notes), dtype=np.int64, count=len(notes))
        weights = np.fromiter(
            ((n.end - n.start) * n.velocity for n in notes), dtype=np.float64, count=len(notes)
        )
        np.add.at(hist, pitches % 12, np.maximum(weights, 0.0) / 127.0)
    return hist


def key_correlations(histogram: np.ndarray) -> np.ndarray:
    """Pearson correlation of a (12,) pitch-class histogram with each of the 24 key profiles.

    Index ``tonic`` is ``tonic`` major and ``12 + tonic`` is ``tonic`` minor. All zeros for a flat
    (e.g. empty) histogram, since no key is preferred.
    """
    h = np.asarray(histogram, dtype=np.float64)
    h = h - h.mean()
    h_norm = np.linalg.norm(h)
    if h_norm < 1e-12:
        return np.zeros(24)
    p = _PROFILES - _PROFILES.mean(axis=1, keepdims=True)
    return (p @ h) / (np.linalg.norm(p, axis=1) * h_norm)


def key_name(index: int) -> str:
    """Name of key ``index`` in the :func:`key_correlations` order, e.g. 21 -> "A minor"."""
    return Key.from_index(index).name


def estimate_key_from_histogram(histogram: np.ndarray) -> tuple[int, float]:
    """Best key index (see :func:`key_correlations`) and its correlation; (-1, 0.0) if undecidable."""
    corr = key_correlations(histogram)
    if not corr.any():
        return -1, 0.0
    best = int(np.argmax(corr))
    return best, float(corr[best])


def estimate_key(pm: "pretty_midi.PrettyMIDI") -> tuple[str, float]:
    """Estimate the key of a piece, e.g. ``("A minor", 0.87)``.

    The confidence is the Pearson correlation (clipped to [0, 1]) between the piece's pitch-class
    histogram and the winning Krumhansl-Kessler key profile. A piece with no pitched notes (or a
    perfectly flat histogram) gives ``(UNKNOWN_KEY, 0.0)``.
    """
    best, corr = estimate_key_from_histogram(pitch_class_histogram(pm))
    if best < 0:
        return UNKNOWN_KEY, 0.0
    return key_name(best), max(0.0, min(1.0, corr))
