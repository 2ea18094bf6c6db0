"""Steps 1-3 of a music generation, shared by every engine: understand, retrieve, fuse.

The ``Plan`` is the contract an engine fills: ``base`` holds what is kept (the input, minus the
bars an infill regenerates), ``[start, end)`` is the window where new notes go, ``targets`` say
which tracks get them (existing ones by id, or new ones), ``key`` is the key lock, ``length`` the
exact length of the result. References are *fused*: each is transposed (by the smallest shift)
so its scale is the target's, and its weight is lowered when its meter differs.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from ragart_desktop.core.errors import BadInputError, UsageError
from ragart_desktop.core.generate import references as shared
from ragart_desktop.core.generate.music.request import MusicRequest
from ragart_desktop.core.kinds import kind_for_suffix
from ragart_desktop.core.music.analysis import ARPEGGIO, BASS, CHORDS, DRUMS, MELODY, track_role
from ragart_desktop.core.music.midi_io import read_score, to_pretty_midi
from ragart_desktop.core.music.phrase import continuation_start
from ragart_desktop.core.music.score import EPS, Note, Score, TempoChange, TimeSignature, Track
from ragart_desktop.core.music.theory import Key
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

OTHER_METER_WEIGHT = 0.3
DEFAULT_PROGRAMS = {MELODY: 0, CHORDS: 0, ARPEGGIO: 46, BASS: 32, DRUMS: 0}
PART_ROLES = {"chords": CHORDS, "bass": BASS, "arpeggio": ARPEGGIO, "drums": DRUMS}
DEFAULT_RANGES = {MELODY: (60, 84), CHORDS: (48, 76), ARPEGGIO: (55, 84), BASS: (28, 55), DRUMS: (27, 87)}


@dataclass
class MusicReference(shared.Reference):
    score: Optional[Score] = None    # fused: transposed into the target key
    shift: int = 0                   # semitones applied
    same_meter: bool = True


@dataclass(frozen=True)
class Target:
    """A track that receives new notes: an existing one (``track_id``) or a new one."""

    role: str
    track_id: Optional[int] = None
    name: str = ""
    program: int = 0
    is_drum: bool = False
    low: int = 0          # pitch range of its new notes
    high: int = 127


@dataclass
class Plan:
    mode: str
    key: Key
    base: Score                      # kept material; tempo, meter and key of the result
    start: float                     # window of new notes, beats
    end: float
    length: float                    # exact length of the result, beats
    targets: list[Target]
    theme: Optional[Score] = None    # vary: the input, which the variation follows
    warnings: list[str] = field(default_factory=list)

    @property
    def bar_beats(self) -> float:
        return self.base.meter_at(self.start).bar_beats


@dataclass
class MusicInputs:
    """What an engine gets: the request, the plan and the fused references."""

    request: MusicRequest
    plan: Plan
    references: list[MusicReference]
    learned: Any = None   # what an engine built from them, kept across the seeds of one job


# ---------------------------------------------------------------- 1. understand

def load_input(req: MusicRequest, score: Optional[Score]) -> Optional[Score]:
    if score is not None:
        if score.note_count == 0 and req.mode != "continue":
            raise BadInputError("the selection holds no notes.")
        return score.copy()
    return read_score(req.midi) if req.midi else None


def input_end(score: Score) -> float:
    """The bar line at or after the input's end (its length, silent bars included)."""
    return score.bar_starts(max(score.end, EPS))[-1]


# ---------------------------------------------------------------- 2. retrieve

def _load(ref: shared.Reference) -> MusicReference:
    if kind_for_suffix(os.path.splitext(ref.path)[1]) != "music":
        raise BadInputError("is not a MIDI file.", path=ref.path)
    return MusicReference(**vars(ref), score=read_score(ref.path))


def gather(req: MusicRequest, library: Optional["Library"], phrase: Optional[Score], task: Task) -> list[MusicReference]:
    """Pinned references, then library pieces close to the phrase (music descriptor, which is
    transposition- and tempo-invariant) and to the words."""
    from ragart_desktop.core.retrieval.query import Example, Query

    query = None
    if req.retrieve:
        if library is None or library.count("music") == 0:
            raise UsageError("the library holds no MIDI pieces to learn from.",
                             hint="Import some (ragart import FOLDER), pin files with --ref, or use --no-retrieve.")
        like = (Example(content=to_pretty_midi(phrase), kind="music"),) if phrase is not None else ()
        query = Query(text=req.prompt, like=like, kinds=("music",))
        if not req.prompt.strip() and not like:
            query = Query(text="music", kinds=("music",))
    # The piece itself (the input file, or the document the phrase was cut from) teaches nothing new.
    own = shared.own_items(library, (req.midi, req.source)) if query is not None else set()
    return shared.gather_references(req.references, library, query, req.n_references, _load, task, exclude=own)


# ---------------------------------------------------------------- 3. fuse

def parent_major(key: Key) -> int:
    """Pitch class of the major scale that holds the key's notes (A minor -> C, D dorian -> C)."""
    number = key.key_signature_number()
    return (number + 3) % 12 if number >= 12 else number


def fuse(refs: list[MusicReference], key: Key, bar_beats: float) -> list[MusicReference]:
    """Transpose each reference so its scale is the target key's; lower other meters' weights."""
    for ref in refs:
        own = ref.score.effective_key() or key
        shift = (parent_major(key) - parent_major(own)) % 12
        ref.shift = shift - 12 if shift > 6 else shift
        ref.score = transposed(ref.score, ref.shift)
        ref.same_meter = abs(ref.score.time_signature.bar_beats - bar_beats) < EPS
        if not ref.same_meter:
            ref.weight *= OTHER_METER_WEIGHT
    return refs


def transposed(score: Score, semitones: int) -> Score:
    out = score.copy()
    if semitones:
        for t in out.tracks:
            if not t.is_drum:
                t.notes = [n.shifted(semitones=semitones) for n in t.notes if 0 <= n.pitch + semitones <= 127]
        out.key = out.key.transposed(semitones) if out.key else None
    return out


def choose_key(req: MusicRequest, phrase: Optional[Score], refs: list[MusicReference]) -> Key:
    key = req.parsed_key() or (phrase.effective_key() if phrase is not None else None)
    if key is None:
        votes = Counter(r.score.effective_key() for r in refs if r.score.effective_key() is not None)
        key = votes.most_common(1)[0][0] if votes else Key("C", "major")
    return key


# ---------------------------------------------------------------- the plan

def make_plan(req: MusicRequest, phrase: Optional[Score], key: Key, refs: list[MusicReference]) -> Plan:
    if phrase is None:
        return _new_phrase(req, key, refs)
    base = phrase.copy()
    base.key = key
    end = input_end(phrase)
    tracks = [t for t in base.tracks if t.notes]
    if req.mode == "continue":
        start = continuation_start(phrase)
        stop = start + _bars_beats(base, start, req.bars)
        base.length = None                    # a silent tail after the notes gives way to the new bars
        return Plan("continue", key, base, start, stop, stop, [_existing(t, req) for t in tracks])
    if req.mode == "infill":
        bars = len(base.bar_starts(end)) - 1
        if req.to_bar > bars:
            raise UsageError(f"bar range {req.from_bar}-{req.to_bar} is outside the piece ({bars} bars).")
        start, stop = base.bar_start(req.from_bar), base.bar_start(req.to_bar + 1)
        for t in base.tracks:
            t.notes = [n for n in t.notes if not (start - EPS <= n.start < stop - EPS)]
        return Plan("infill", key, base, start, stop, end, [_existing(t, req) for t in tracks])
    if req.mode == "accompany":
        roles = {track_role(t) for t in tracks}
        targets = [_new(PART_ROLES[p], refs, req) for p in req.parts]
        warnings = [f"the input already has a {t.role} part; another is added" for t in targets if t.role in roles]
        return Plan("accompany", key, base, 0.0, end, end, targets, warnings=warnings)
    theme = phrase.copy()
    for t in base.tracks:
        t.notes = []
    return Plan("vary", key, base, 0.0, end, end, [_existing(t, req) for t in tracks], theme=theme)


def target_meter(req: MusicRequest, phrase: Optional[Score], refs: list[MusicReference]) -> tuple[int, int]:
    """The input's meter; for a new phrase the requested one, else the references' most common."""
    if phrase is not None:
        return phrase.time_signature.numerator, phrase.time_signature.denominator
    return req.meter_fraction() if req.meter else _common_meter(refs)


def _new_phrase(req: MusicRequest, key: Key, refs: list[MusicReference]) -> Plan:
    num, den = target_meter(req, None, refs)
    tempo = req.tempo or (float(Counter(round(r.score.tempo) for r in refs).most_common(1)[0][0]) if refs else 100.0)
    base = Score(tempos=[TempoChange(0.0, tempo)], time_signatures=[TimeSignature(0.0, num, den)], key=key)
    stop = _bars_beats(base, 0.0, req.bars)
    return Plan("continue", key, base, 0.0, stop, stop, [_new(MELODY, refs, req), _new(CHORDS, refs, req)])


def _common_meter(refs: list[MusicReference]) -> tuple[int, int]:
    votes = Counter((r.score.time_signature.numerator, r.score.time_signature.denominator) for r in refs)
    return votes.most_common(1)[0][0] if votes else (4, 4)


def _bars_beats(score: Score, start: float, bars: int) -> float:
    beat = start
    for _ in range(bars):
        beat += score.meter_at(beat).bar_beats
    return beat - start


def _range(role: str, notes: list[Note], req: MusicRequest) -> tuple[int, int]:
    if role == DRUMS:
        return DEFAULT_RANGES[DRUMS]
    if notes:
        pitches = sorted(n.pitch for n in notes)
        low, high = pitches[len(pitches) // 20] - 4, pitches[-1 - len(pitches) // 20] + 4
    else:
        low, high = DEFAULT_RANGES[role]
    low = req.pitch_low if req.pitch_low is not None else low
    high = req.pitch_high if req.pitch_high is not None else high
    return max(0, low), min(127, max(high, low + 5))


def _existing(track: Track, req: MusicRequest) -> Target:
    role = track_role(track)
    low, high = _range(role, track.notes, req)
    return Target(role, track.id, track.name, track.program, track.is_drum, low, high)


def _new(role: str, refs: list[MusicReference], req: MusicRequest) -> Target:
    """A new track for ``role``, with the instrument the references use most for it."""
    programs: Counter = Counter()
    notes: list[Note] = []
    for r in refs:
        for t in r.score.tracks:
            if track_role(t) == role:
                programs[t.program] += len(t.notes) * r.weight
                notes += t.notes
    program = programs.most_common(1)[0][0] if programs else DEFAULT_PROGRAMS[role]
    low, high = _range(role, notes, req)
    name = "Drums" if role == DRUMS else f"{role.capitalize()} (generated)"
    return Target(role, None, name, program, role == DRUMS, low, high)
