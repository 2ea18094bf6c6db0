"""One frozen request holds everything that defines a music generation.

The CLI and the piano roll build it, the worker runs it, history and the MIDI file's provenance
event store it (``to_json``/``from_json`` of ``RequestJson``), so any output can be reproduced from
its own file.
Bars are counted from 1, as musicians count them; a bar range is inclusive.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional

from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.generate.references import ReferenceSpec
from ragart_desktop.core.generate.request import RequestJson
from ragart_desktop.core.music.theory import Key, parse_key

MODES = ("continue", "infill", "accompany", "vary")
PARTS = ("chords", "bass", "arpeggio", "drums")
REQUEST_VERSION = 1


@dataclass(frozen=True)
class MusicRequest(RequestJson):
    NESTED: ClassVar[dict[str, type]] = {"references": ReferenceSpec}

    mode: str = "continue"
    midi: Optional[str] = None            # the input phrase (a MIDI file); the piano roll passes a score
    source: Optional[str] = None          # the file the phrase was cut from (the open document): like
                                          # ``midi``, never retrieved as a reference nor called copied
    prompt: str = ""                      # words for retrieval ("melancholy waltz")
    bars: int = 4                         # continue: new bars (or the length of a new phrase)
    key: Optional[str] = None             # "C", "Am", "F#m", "Bb"; None = the input's (or references') key
    meter: Optional[str] = None           # "3/4" for a new phrase; None = the input's (or 4/4)
    tempo: Optional[float] = None         # bpm for a new phrase; None = the input's (or 100)
    from_bar: Optional[int] = None        # infill: first bar to regenerate (from 1) ...
    to_bar: Optional[int] = None          # ... last bar, inclusive
    parts: tuple[str, ...] = ("chords", "bass", "drums")   # accompany: the new parts
    references: tuple[ReferenceSpec, ...] = ()
    retrieve: bool = True
    n_references: int = 6
    engine: str = "builtin"               # "builtin" or a music model's registry name
    temperature: float = 1.0
    density: float = 1.0                  # > 1 more notes, < 1 fewer
    key_lock: bool = True                 # generated pitched notes stay in the key's scale
    pitch_low: Optional[int] = None       # range of generated pitched notes (MIDI numbers)
    pitch_high: Optional[int] = None
    velocity: Optional[int] = None        # mean velocity of generated notes (None = learned)
    humanize: float = 0.0                 # 0..1: timing and velocity jitter of generated notes
    seed: int = 0
    count: int = 1
    version: int = field(default=REQUEST_VERSION)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))   # a JSON list comes back as a tuple

    def validate(self, *, phrase_given: bool = False) -> "MusicRequest":
        """Raise a UsageError naming the bad value (never silently corrected). ``phrase_given``:
        the input comes as a score (the piano roll's selection), not as ``midi``."""
        if self.mode not in MODES:
            raise UsageError(f"unknown mode {self.mode!r}; use one of {', '.join(MODES)}.")
        if self.mode != "continue" and not self.midi and not phrase_given:
            raise UsageError(f"mode {self.mode!r} needs an input phrase (--midi FILE).")
        if self.mode == "infill":
            if self.from_bar is None or self.to_bar is None:
                raise UsageError("infill needs the bars to regenerate (--from-bar A --to-bar B).")
            if not 1 <= self.from_bar <= self.to_bar:
                raise UsageError(f"bar range {self.from_bar}-{self.to_bar} is not a range (bars count from 1).")
        if not 1 <= self.bars <= 256:
            raise UsageError(f"bars {self.bars} must be between 1 and 256.")
        if self.key is not None:
            parse_key(self.key)
        if self.meter is not None:
            self.meter_fraction()
        if self.tempo is not None and not 20 <= self.tempo <= 400:
            raise UsageError(f"tempo {self.tempo} must be between 20 and 400 bpm.")
        unknown = [p for p in self.parts if p not in PARTS]
        if unknown or (self.mode == "accompany" and not self.parts):
            raise UsageError(f"accompaniment parts must be among {', '.join(PARTS)} (got {', '.join(self.parts)}).")
        if not 0.05 <= self.temperature <= 5.0:
            raise UsageError(f"temperature {self.temperature} must be between 0.05 and 5.")
        if not 0.25 <= self.density <= 4.0:
            raise UsageError(f"density {self.density} must be between 0.25 and 4.")
        low, high = self.pitch_low, self.pitch_high
        if (low is not None and not 0 <= low <= 127) or (high is not None and not 0 <= high <= 127) or \
                (low is not None and high is not None and high - low < 5):
            raise UsageError(f"pitch range {low}-{high} must lie in 0-127 and span at least 5 semitones.")
        if self.velocity is not None and not 1 <= self.velocity <= 127:
            raise UsageError(f"velocity {self.velocity} must be between 1 and 127.")
        if not 0.0 <= self.humanize <= 1.0:
            raise UsageError(f"humanize {self.humanize} must be between 0 and 1.")
        if not 1 <= self.count <= 32:
            raise UsageError(f"count {self.count} must be between 1 and 32.")
        if not 1 <= self.n_references <= 32:
            raise UsageError(f"references {self.n_references} must be between 1 and 32.")
        return self

    def parsed_key(self) -> Optional[Key]:
        return parse_key(self.key) if self.key else None

    def meter_fraction(self) -> tuple[int, int]:
        try:
            num, den = (int(v) for v in (self.meter or "4/4").split("/"))
        except ValueError:
            raise UsageError(f"meter {self.meter!r}: write it like 4/4, 3/4 or 6/8.") from None
        if not (1 <= num <= 32 and den in (1, 2, 4, 8, 16, 32)):
            raise UsageError(f"meter {self.meter!r}: write it like 4/4, 3/4 or 6/8.")
        return num, den
