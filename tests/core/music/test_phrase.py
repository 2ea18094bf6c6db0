from collections import Counter

from ragart_desktop.core.music.document import ScoreDocument
from ragart_desktop.core.music.midi_io import score_from_bytes, score_to_bytes
from ragart_desktop.core.music.phrase import make_phrase, merge
from ragart_desktop.core.music.score import Note, Score, TempoChange, TimeSignature, Track


def _document() -> Score:
    score = Score(tempos=[TempoChange(0, 100), TempoChange(8, 80)], time_signatures=[TimeSignature(0, 4, 4)])
    score.add_track(Track("Piano", notes=[Note(i + 0.013, i + 0.5, 60 + i % 5, 70) for i in range(16)]))
    score.add_track(Track("Piano", program=4, notes=[Note(i * 4, i * 4 + 4, 48, 60) for i in range(4)]))
    return score


def _through_a_file(score: Score) -> Score:
    return score_from_bytes(score_to_bytes(score))


def test_a_phrase_starts_on_the_bar_line_before_its_first_note():
    doc = _document()
    lead = doc.tracks[0]
    phrase = make_phrase(doc, {lead.id: lead.notes[9:12]})
    assert phrase.offset == 8 and phrase.score.notes_end < 4
    assert phrase.score.tempo == 80 and phrase.track_ids == [lead.id]
    assert phrase.bar_of(9.5) == 1 and phrase.bar_of(12.0) == 2


def test_merge_adds_a_continuation_and_keeps_every_other_note():
    doc = _document()
    lead = doc.tracks[0]
    phrase = make_phrase(doc, {lead.id: lead.notes[12:16]})      # bar 4, offset 12
    result = _through_a_file(phrase.score)                     # what the pipeline reads ...
    result.tracks[0].notes += [Note(4, 5, 72, 90), Note(5, 6, 74, 90)]
    result.length = 8.0                                        # two bars: the second one silent
    merged = merge(doc, phrase, _through_a_file(result)).score     # ... and what it writes
    assert Counter(merged.track(lead.id).notes) == Counter(lead.notes + [Note(16, 17, 72, 90), Note(17, 18, 74, 90)])
    assert merged.track(doc.tracks[1].id).notes == doc.tracks[1].notes
    assert merged.length == 20.0


def test_a_piece_with_a_length_grows_to_hold_a_continuation_that_says_none():
    doc = _document()
    doc.length = doc.notes_end + 0.4                           # a MIDI file's end-of-track after the last note
    lead = doc.tracks[0]
    phrase = make_phrase(doc, {lead.id: lead.notes[-4:]})
    result = _through_a_file(phrase.score)
    result.length = None
    result.tracks[0].notes += [Note(8, 9, 72, 90)]             # past the document's end
    merged = merge(doc, phrase, result).score
    assert merged.end == merged.notes_end == phrase.offset + 9


def test_merge_of_a_variation_replaces_the_phrase_notes_on_same_named_tracks():
    doc = _document()
    both = {t.id: t.notes[:4] if i == 0 else t.notes[:1] for i, t in enumerate(doc.tracks)}
    phrase = make_phrase(doc, both)
    assert [t.name for t in phrase.score.tracks] == ["Piano", "Piano (2)"]
    result = _through_a_file(phrase.score)
    result.tracks[0].notes = [Note(0, 2, 67, 80)]              # the lead varied
    merged = merge(doc, phrase, _through_a_file(result))
    assert (merged.added, merged.removed, merged.start, merged.end) == (1, 4, 0.0, 3.5)
    merged = merged.score
    assert merged.track(doc.tracks[0].id).notes == [Note(0, 2, 67, 80)] + doc.tracks[0].notes[4:]
    assert merged.track(doc.tracks[1].id).notes == doc.tracks[1].notes   # tick-rounded, yet matched


def test_an_accompaniment_comes_back_as_new_tracks_in_one_undo_step():
    doc = ScoreDocument(_document())
    lead = doc.score.tracks[0]
    phrase = make_phrase(doc.score, {lead.id: lead.notes}, from_bar_line=False)
    result = _through_a_file(phrase.score)
    result.add_track(Track("Bass (generated)", program=32, notes=[Note(0, 2, 36, 80)]))
    before = [list(t.notes) for t in doc.score.tracks]
    doc.apply_result(merge(doc.score, phrase, _through_a_file(result)).score, "Accompany")
    assert [t.name for t in doc.score.tracks] == ["Piano", "Piano", "Bass (generated)"]
    assert doc.score.tracks[2].notes == [Note(0, 2, 36, 80)]
    doc.undo()
    assert [list(t.notes) for t in doc.score.tracks] == before
