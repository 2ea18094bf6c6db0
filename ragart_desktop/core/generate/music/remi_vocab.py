"""The REMI vocabulary (Huang & Yang, "Pop Music Transformer", 2020) as MidiTok implements it.

This is the tokenizer of the models RagArt trains on the user's own library (``core/train``): it
is saved beside the weights as MidiTok's own ``tokenizer.json`` and read back from there, never
guessed. With programs in one stream, MidiTok writes a piece as

    Bar TimeSig [Position [Tempo] (Program Pitch|PitchDrum Velocity Duration)+ ]* Bar TimeSig ...

- ``Bar`` starts the next bar; the time signature follows every bar line;
- ``Position_q`` is the onset inside the bar, in 1/``res`` of the meter's beat (the
  denominator's note: a quarter in 4/4, an eighth in 6/8); it is written only when it changes;
- ``Tempo`` follows the first position and every change (32 bins, 40-250 bpm);
- a note is its program (-1 = drums), pitch (``PitchDrum`` for drums), velocity (16 bins) and
  duration ``b.p.r`` = b + p/r of the meter's beats.

The engine needs to know what each id means to build its masks, so ``RemiVocabulary`` indexes the
tokenizer's own vocabulary by kind; ``load`` refuses MidiTok settings the sampler cannot follow
(another tokenization, BPE, rests, chords, no programs ...) with a plain message.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Optional

from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.music.score import EPS, Score, TimeSignature

TOKENIZER_FILE = "tokenizer.json"
DRUMS = -1                       # MidiTok's program of the drum track
RESOLUTION = 12                  # positions per beat: sixteenths and triplets
# Settings RagArt trains with; ``load`` checks the ones the sampler depends on.
SETTINGS: dict[str, Any] = dict(
    beat_res={(0, 4): RESOLUTION, (4, 12): 4},
    num_velocities=16,
    use_programs=True, one_token_stream_for_programs=True, use_tempos=True, use_time_signatures=True,
    use_velocities=True, use_chords=False, use_rests=False, use_sustain_pedals=False,
    use_pitch_bends=False, use_pitch_intervals=False, program_changes=False,
    time_signature_range={8: [3, 5, 6, 7, 9, 12], 4: [1, 2, 3, 4, 5, 6, 7], 2: [2, 3]},
    special_tokens=["PAD", "BOS", "EOS", "MASK"],
)
_REQUIRED = {"use_programs": True, "one_token_stream_for_programs": True, "use_time_signatures": True,
             "use_velocities": True, "use_chords": False, "use_rests": False,
             "use_pitch_intervals": False, "program_changes": False, "use_sustain_pedals": False,
             "use_pitch_bends": False}


def is_midi_tokenizer(folder: Path) -> bool:
    """Whether ``folder`` holds a MidiTok tokenizer file (what the registry marks as music)."""
    try:
        data = json.loads((folder / TOKENIZER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and ("tokenization" in data or "miditok_version" in data)


def new_tokenizer():
    """A fresh REMI tokenizer with RagArt's settings."""
    from miditok import REMI, TokenizerConfig

    return REMI(TokenizerConfig(**SETTINGS))


def load(folder: Path) -> "RemiVocabulary":
    """The REMI vocabulary a model folder declares, or a ModelError saying why it cannot be used."""
    path = folder / TOKENIZER_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"the MIDI tokenizer cannot be read ({exc}).", path=path) from exc
    kind = data.get("tokenization")
    if kind != "REMI":
        raise ModelError(f"this model's MidiTok tokenizer is {kind or 'unnamed'}; RagArt samples REMI tokenizers "
                         "(and the Anticipatory Music Transformer's vocabulary).", path=path)
    config = data.get("config") or {}
    wrong = [k for k, v in _REQUIRED.items() if bool(config.get(k, False)) != v]
    if wrong:
        raise ModelError(f"this REMI tokenizer uses settings RagArt cannot sample with ({', '.join(sorted(wrong))}).",
                         path=path)
    from miditok import REMI

    try:
        tokenizer = REMI(params=path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"the MIDI tokenizer cannot be loaded ({exc}).", path=path) from exc
    if tokenizer.is_trained:
        raise ModelError("this REMI tokenizer merges tokens (BPE/Unigram/WordPiece), which the sampler cannot mask.",
                         path=path)
    vocab = RemiVocabulary(tokenizer)
    durations = set(tokenizer.config.use_note_duration_programs)
    if not vocab.durations or not durations >= set(vocab.programs):
        raise ModelError("this REMI tokenizer leaves out note durations, which the sampler needs.", path=path)
    return vocab


def to_symusic(score: Score):
    """The score as a symusic Score (what MidiTok reads), in the score's own ticks per beat."""
    import symusic

    tpq = score.ticks_per_beat
    out = symusic.Score(tpq)
    tick = lambda beat: int(round(beat * tpq))   # noqa: E731
    for t in sorted(score.tempos, key=lambda t: t.beat):
        out.tempos.append(symusic.Tempo(tick(t.beat), float(t.bpm)))
    for s in sorted(score.time_signatures, key=lambda s: s.beat):
        out.time_signatures.append(symusic.TimeSignature(tick(s.beat), s.numerator, s.denominator))
    for track in score.tracks:
        if not track.notes:
            continue
        part = symusic.Track(name=track.name, program=0 if track.is_drum else track.program, is_drum=track.is_drum)
        for n in track.notes:
            start = tick(n.start)
            part.notes.append(symusic.Note(start, max(1, tick(n.end) - start), n.pitch, n.velocity))
        out.tracks.append(part)
    return out


class RemiVocabulary:
    """A REMI tokenizer's ids indexed by what they mean, plus its encoder."""

    title = "REMI tokens (MidiTok)"

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.res = int(tokenizer.config.max_num_pos_per_beat)
        vocab: dict[str, int] = tokenizer.vocab
        self.size = len(vocab)
        self.bar, self.bos, self.eos = vocab["Bar_None"], vocab["BOS_None"], vocab["EOS_None"]
        self.positions: dict[int, int] = {}
        self.time_signatures: dict[tuple[int, int], int] = {}
        self.tempos: dict[float, int] = {}
        self.programs: dict[int, int] = {}
        self.pitches: dict[int, int] = {}
        self.drum_pitches: dict[int, int] = {}
        self.velocities: dict[int, int] = {}
        self.durations: dict[int, float] = {}      # id -> length in the meter's beats
        self.meaning: dict[int, tuple[str, Any]] = {}
        for token, i in vocab.items():
            kind, _, value = token.partition("_")
            parsed: Any = value
            if kind == "Position":
                parsed = int(value)
                self.positions[parsed] = i
            elif kind == "TimeSig":
                num, den = (int(v) for v in value.split("/"))
                self.time_signatures[(num, den)] = i
                parsed = (num, den)
            elif kind == "Tempo":
                self.tempos[float(value)] = i
            elif kind == "Program":
                self.programs[int(value)] = i
                parsed = int(value)
            elif kind in ("Pitch", "PitchDrum"):
                (self.drum_pitches if kind == "PitchDrum" else self.pitches)[int(value)] = i
                parsed = int(value)
            elif kind == "Velocity":
                self.velocities[int(value)] = i
                parsed = int(value)
            elif kind == "Duration":
                beats, pos, res = (int(v) for v in value.split("."))
                parsed = self.durations[i] = beats + pos / res
            self.meaning[i] = (kind, parsed)
        self.program_of = {i: p for p, i in self.programs.items()}

    def kind(self, token: int) -> str:
        return self.meaning.get(token, ("", None))[0]

    def value(self, token: int) -> Any:
        return self.meaning[token][1]

    # -- time ---------------------------------------------------------------------------------
    def step(self, meter: TimeSignature) -> float:
        """Beats (quarter notes) between two positions in ``meter``."""
        return 4.0 / meter.denominator / self.res

    def duration_beats(self, token: int, meter: TimeSignature) -> float:
        return self.durations[token] * 4.0 / meter.denominator

    def time_signature(self, meter: TimeSignature) -> int:
        token = self.time_signatures.get((meter.numerator, meter.denominator))
        if token is None:
            known = ", ".join(f"{n}/{d}" for n, d in self.time_signatures)
            raise ModelError(f"this model knows the meters {known}, not {meter.text}.")
        return token

    def tempo(self, bpm: float) -> int:
        return self.tempos[min(self.tempos, key=lambda t: abs(math.log(t / max(bpm, 1e-3))))]

    # -- notes --------------------------------------------------------------------------------
    def note_tokens(self, program: int, pitch: int, velocity: int, beats: float, meter: TimeSignature) -> list[int]:
        """The four tokens of a note, each value rounded to the nearest the vocabulary has;
        empty when the pitch is outside the vocabulary."""
        pitches = self.drum_pitches if program == DRUMS else self.pitches
        if pitch not in pitches or program not in self.programs:
            return []
        velocity_token = self.velocities[min(self.velocities, key=lambda v: abs(v - velocity))]
        duration = min(self.durations, key=lambda t: abs(self.duration_beats(t, meter) - beats))
        return [self.programs[program], pitches[pitch], velocity_token, duration]

    def encode(self, score: Score) -> list[int]:
        """The ids MidiTok writes for ``score`` (no BOS/EOS); empty when it holds no notes."""
        if score.note_count == 0:
            return []
        return list(self.tokenizer.encode(to_symusic(score)).ids)

    def nearest_position(self, offset: float, meter: TimeSignature) -> Optional[int]:
        """The position of ``offset`` beats into a bar (None past the last position)."""
        q = int(round(offset / self.step(meter) - EPS))
        return q if q in self.positions else None
