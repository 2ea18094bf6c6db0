"""A phrase: what the piano roll hands to music generation, and how a result comes back into the score.

The piano roll sends part of the document (the selected notes, a track, or the whole piece) as a
score of its own, moved so that it starts on a bar line at beat 0 (``offset`` is where that beat lies
in the document), with the tempo, meter and key that hold there. The pipeline reads it as a MIDI
file, so history can keep and re-run the request; a result comes back as a MIDI file as well.

``continuation_start`` is where a continuation of some notes begins (the generation pipeline and
the panel's "new bars from bar N" agree on it).

``merge`` puts a result into a copy of the document: on each track the phrase came from, the
phrase's notes the result dropped are removed and the notes it added are added (moved back by
``offset``); tracks only the result has (an accompaniment) are added. Notes are compared at the
file's tick resolution, since the MIDI file rounds times to ticks. Tracks are matched by name, which
``Phrase`` makes unique, because a MIDI file does not keep empty tracks or track ids.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence

from ragart_desktop.core.music.score import EPS, Note, Score, TimeSignature, Track

NoteKey = tuple[int, int, int, int]   # (pitch, velocity, start tick, end tick)
RELEASE_SPILL = 0.25   # beats (a sixteenth): a release this far past a bar line still ends there


@dataclass
class Phrase:
    score: Score                     # the phrase, from beat 0
    offset: float                    # beats: where the phrase's beat 0 lies in the document
    track_ids: list[int]             # the document track of each phrase track, in order
    sources: list[list[Note]] = field(default_factory=list)   # the document notes behind each phrase note

    @property
    def empty(self) -> bool:
        return self.score.note_count == 0

    def bar_of(self, beat: float) -> int:
        """The phrase's bar (from 1) holding document beat ``beat``."""
        return self.score.bar_number(beat - self.offset)


def make_phrase(score: Score, notes: Mapping[int, Sequence[Note]], *, from_bar_line: bool = True) -> Phrase:
    """The phrase of ``notes`` (track id -> notes of that track). With ``from_bar_line`` it starts
    at the bar line at or before its first note; otherwise at the document's beat 0."""
    chosen = {tid: sorted(ns, key=lambda n: (n.start, n.pitch)) for tid, ns in notes.items() if ns}
    first = min((ns[0].start for ns in chosen.values()), default=0.0)
    offset = score.bar_line_before(first) if from_bar_line else 0.0
    phrase = Score(tempos=score.tempos_from(offset), time_signatures=_shifted_meters(score, offset),
                   key=score.key, title=score.title, ticks_per_beat=score.ticks_per_beat)
    track_ids, sources, taken = [], [], set()
    for track in score.tracks:
        if track.id not in chosen:
            continue
        name = _unique(track.name or "Track", taken)
        phrase.add_track(Track(name, track.program, track.is_drum, [n.shifted(-offset) for n in chosen[track.id]]))
        track_ids.append(track.id)
        sources.append(list(chosen[track.id]))
    return Phrase(phrase, offset, track_ids, sources)


def continuation_start(score: Score, notes: Optional[Iterable[Note]] = None) -> float:
    """Where new bars follow ``notes`` (default: all of the score's) under the score's bar lines: the
    first bar line after the last note starts, or the first one after the notes stop sounding,
    whichever is later. A note held into the next bar holds the continuation back; a release that
    spills at most ``RELEASE_SPILL`` past a bar line (played legato, humanized) does not, nor does
    silence after the notes (a file's end marker, the empty bars of a document)."""
    notes = [n for _, n in score.all_notes()] if notes is None else list(notes)
    if not notes:
        return 0.0
    after_onset = score.bar_line_after(max(n.start for n in notes))
    after_sound = score.bar_starts(max(EPS, max(n.end for n in notes) - RELEASE_SPILL))[-1]
    return max(after_onset, after_sound)


@dataclass
class Merged:
    score: Score                  # the document with the result in it
    added: int                    # notes
    removed: int
    start: float                  # beats: where the changes begin and end in the document
    end: float


def merge(document: Score, phrase: Phrase, result: Score) -> Merged:
    """A copy of ``document`` with ``result`` (a generation from ``phrase``) merged in."""
    merged = document.copy()
    added_all: list[Note] = []
    removed_all: list[Note] = []
    tpb = phrase.score.ticks_per_beat
    unused = {t.name: i for i, t in enumerate(phrase.score.tracks)}
    mapped: dict[int, Track] = {}
    for out in result.tracks:
        i = unused.get(out.name)
        if i is not None and phrase.score.tracks[i].is_drum == out.is_drum:
            del unused[out.name]
            mapped[i] = out
        elif out.notes:
            notes = [n.shifted(phrase.offset) for n in out.notes]
            merged.add_track(Track(out.name, out.program, out.is_drum, notes))
            added_all += notes
    for i, track in enumerate(phrase.score.tracks):
        out_notes = mapped[i].notes if i in mapped else []   # a track the result emptied is absent
        removed, added = _difference(track.notes, phrase.sources[i], out_notes, tpb)
        added = [n.shifted(phrase.offset) for n in added]
        target = merged.track(phrase.track_ids[i])
        target.notes = _without(target.notes, removed) + added
        target.sort()
        added_all += added
        removed_all += removed
    # The piece grows to hold what was added: to the result's length (a silent last bar counts) or
    # its last added note, whichever is later; a document without a length keeps ending at its notes.
    reach = max([n.end for n in added_all] + ([phrase.offset + result.length] if result.length is not None else []),
                default=0.0)
    if reach > document.end + EPS and (document.length is not None or result.length is not None):
        merged.length = reach
    changed = added_all + removed_all
    return Merged(merged, len(added_all), len(removed_all), min((n.start for n in changed), default=phrase.offset),
                  max((n.end for n in changed), default=phrase.offset))


def _difference(phrase_notes: list[Note], sources: list[Note], result_notes: list[Note],
                tpb: int) -> tuple[list[Note], list[Note]]:
    """(document notes the result dropped, result notes that are new), compared in ticks."""
    waiting: dict[NoteKey, list[int]] = defaultdict(list)
    for i, n in enumerate(phrase_notes):
        waiting[_key(n, tpb)].append(i)
    added = []
    for n in result_notes:
        found = waiting.get(_key(n, tpb))
        if found:
            found.pop()
        else:
            added.append(n)
    removed = [sources[i] for indices in waiting.values() for i in indices]
    return removed, added


def _without(notes: list[Note], removed: list[Note]) -> list[Note]:
    if not removed:
        return list(notes)
    pending: dict[Note, int] = defaultdict(int)
    for n in removed:
        pending[n] += 1
    kept = []
    for n in notes:
        if pending.get(n, 0) > 0:
            pending[n] -= 1
        else:
            kept.append(n)
    return kept


def _key(n: Note, tpb: int) -> NoteKey:
    start = round(n.start * tpb)
    return n.pitch, n.velocity, start, max(round(n.end * tpb), start + 1)


def _unique(name: str, taken: set[str]) -> str:
    candidate, k = name, 2
    while candidate in taken:
        candidate, k = f"{name} ({k})", k + 1
    taken.add(candidate)
    return candidate


def _shifted_meters(score: Score, offset: float) -> list[TimeSignature]:
    meter = score.meter_at(offset)
    later = [TimeSignature(s.beat - offset, s.numerator, s.denominator) for s in score.time_signatures
             if s.beat > offset + EPS]
    return [TimeSignature(0.0, meter.numerator, meter.denominator)] + sorted(later, key=lambda s: s.beat)

