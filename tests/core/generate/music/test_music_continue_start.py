"""Where a continuation starts: right after the bar of the input's last note, never a bar late.

The new bars begin at the first bar line after the last note starts, or later only while a note
still sounds past that line by more than a sixteenth (a held note); a silent tail (a file's end
marker, a document's empty bars) does not count. Pickup bars and time signature changes move the
bar lines, and the new bars follow them."""
import pytest

from ragart_desktop.core.generate.music.pipeline import generate
from ragart_desktop.core.generate.music.plan import make_plan
from ragart_desktop.core.music.phrase import continuation_start
from ragart_desktop.core.generate.music.request import MusicRequest
from ragart_desktop.core.music.midi_io import write_score
from ragart_desktop.core.music.score import Note, Score, TempoChange, TimeSignature, Track
from ragart_desktop.core.music.theory import Key

from .conftest import piece


def _phrase(notes: list[tuple[float, float]], meters=((0.0, 4, 4),), length=None) -> Score:
    score = Score(tempos=[TempoChange(0.0, 100.0)], key=Key("C", "major"), length=length,
                  time_signatures=[TimeSignature(b, n, d) for b, n, d in meters])
    score.add_track(Track("Melody", notes=[Note(a, b, 60 + 2 * (i % 4), 80) for i, (a, b) in enumerate(notes)]))
    return score


SCALE = [(float(b), b + 1.0) for b in range(12)]     # a crotchet on every beat of bars 1-3


@pytest.mark.parametrize("last, start", [
    ((12.0, 14.5), 16.0),       # ends mid-bar: the next bar line
    ((14.0, 16.0), 16.0),       # ends on the bar line: there
    ((15.0, 16.1), 16.0),       # its release spills a little past the bar line: still there
    ((12.0, 18.0), 20.0),       # held into the next bar: after it
    ((16.0, 16.1), 20.0),       # a short note on the bar line belongs to that bar
])
def test_continuation_starts_after_the_last_notes_bar(last, start):
    assert continuation_start(_phrase(SCALE + [last])) == start


def test_a_silent_tail_does_not_delay_the_continuation():
    """A document saved with empty bars after its notes (a new piece is eight bars long) ends there."""
    assert continuation_start(_phrase(SCALE + [(12.0, 14.0)], length=32.0)) == 16.0


def test_a_pickup_bar_moves_the_bar_lines():
    pickup = _phrase([(0.0, 1.0)] + [(1.0 + b, 2.0 + b) for b in range(14)] + [(15.0, 16.5)],
                     meters=((0.0, 1, 4), (1.0, 4, 4)))
    assert continuation_start(pickup) == 17.0            # bars: 0-1 (pickup), 1-5, ... 13-17


def test_a_time_signature_change_sets_the_new_bars():
    waltz_after = _phrase(SCALE + [(12.0, 16.0), (16.0, 17.5)], meters=((0.0, 4, 4), (16.0, 3, 4)))
    plan = make_plan(MusicRequest(bars=2), waltz_after, Key("C", "major"), [])
    assert (plan.start, plan.end) == (19.0, 25.0)        # two 3/4 bars after the 3/4 bar at 16


def test_an_empty_phrase_starts_at_its_beginning():
    plan = make_plan(MusicRequest(bars=2), _phrase([]), Key("C", "major"), [])
    assert (plan.start, plan.end) == (0.0, 8.0)


def test_a_file_with_a_silent_bar_is_continued_right_after_its_notes(music_library, tmp_path):
    """End to end from a MIDI file (the CLI's --midi): its end marker is a bar after the last note."""
    phrase = _phrase(SCALE + [(12.0, 14.0)], length=20.0)
    path = write_score(phrase, tmp_path / "ends-with-a-rest.mid")
    out = generate(MusicRequest(midi=str(path), bars=2, seed=4), music_library).outputs[0].score
    new = [n for n in out.tracks[0].notes if n not in phrase.tracks[0].notes]
    assert new and min(n.start for n in new) == pytest.approx(16.0) and out.length == pytest.approx(24.0)
