import numpy as np
import pytest

from ragart_desktop.core.music.audio import bundled_soundfont, load_soundfont
from ragart_desktop.core.music.playback import PlaybackSchedule, render_slot, slot_score
from ragart_desktop.core.music.score import Note, Score, TempoChange, TimeSignature, Track

RATE = 8000


def _score(bars: int = 4) -> Score:
    score = Score(tempos=[TempoChange(0, 120)], time_signatures=[TimeSignature(0, 4, 4)])
    score.add_track(Track("Lead", notes=[Note(b * 4 + i, b * 4 + i + 0.5, 60 + i) for b in range(bars) for i in range(4)]))
    score.length = bars * 4.0
    return score


def _fake_render(schedule: PlaybackSchedule, value: float = 0.1) -> None:
    while (slot := schedule.to_render()) is not None:
        schedule.rendered(slot, np.full((2, slot.frames + 10), value, np.float32))


def test_slots_follow_bar_lines_and_the_playhead_maps_back_to_beats():
    score = _score()
    schedule = PlaybackSchedule(lambda: score, start=2.0, sample_rate=RATE, lookahead_s=60)
    schedule._plan_until(10**9)
    assert [(s.start, s.end) for s in schedule.slots] == [(2, 4), (4, 8), (8, 12), (12, 16)]
    assert schedule.slots[0].frames == RATE            # 2 beats at 120 bpm = 1 s
    assert schedule.beat_at(RATE // 2) == pytest.approx(3.0)
    assert schedule.beat_at(RATE + RATE) == pytest.approx(6.0)
    assert schedule.complete


def test_loop_wraps_to_its_start():
    score = _score()
    schedule = PlaybackSchedule(lambda: score, start=5.0, loop=(4.0, 8.0), sample_rate=RATE)
    schedule._plan_until(8 * RATE)
    spans = [(s.start, s.end) for s in schedule.slots[:4]]
    assert spans == [(5, 8), (4, 8), (4, 8), (4, 8)]
    assert schedule.beat_at(int(1.5 * RATE) + RATE) == pytest.approx(6.0)   # 1.5 s to the wrap, then 1 s in
    assert not schedule.finished(10**9)


def test_read_waits_for_rendered_bars_and_mixes_tails():
    score = _score()
    schedule = PlaybackSchedule(lambda: score, start=0.0, sample_rate=RATE, lookahead_s=3)
    assert schedule.read(100).shape == (2, 0)            # nothing rendered yet: nothing to hand over
    _fake_render(schedule)
    first = schedule.slots[0]
    out = schedule.read(first.frames + 5)
    assert out.shape == (2, first.frames + 5)
    assert out[0, first.frames + 2] == pytest.approx(0.2)   # the first bar's tail over the second bar


def test_an_edit_is_heard_from_the_next_unplayed_bar():
    score = _score()
    schedule = PlaybackSchedule(lambda: score, start=0.0, sample_rate=RATE, lookahead_s=6)
    _fake_render(schedule)
    schedule.read(RATE)                                  # half of bar 1 handed to the device
    rendered_before = [s for s in schedule.slots if s.audio is not None]
    assert len(rendered_before) >= 3
    score.tempos = [TempoChange(0, 60)]                   # an edit: the rest must be planned again
    schedule.replan()
    assert schedule.slots[0] is rendered_before[0] and schedule.slots[0].audio is not None
    later = schedule.to_render()
    assert later is not None and later.start == 4.0 and later.frames == 4 * RATE
    stale = rendered_before[1]
    assert not schedule.rendered(stale, np.zeros((2, 1), np.float32))   # a render from before the edit


def test_playback_finishes_after_the_last_tail():
    score = _score(1)
    schedule = PlaybackSchedule(lambda: score, start=0.0, sample_rate=RATE)
    _fake_render(schedule)
    total = 0
    while (chunk := schedule.read(4096)).shape[1]:
        total += chunk.shape[1]
    assert total == 2 * RATE + 10 and schedule.finished(total)


def test_slot_score_takes_notes_starting_in_the_bar_with_the_tempo_there():
    score = _score()
    score.tempos = [TempoChange(0, 120), TempoChange(6, 60)]
    score.tracks.append(Track("Muted", notes=[Note(4, 5, 70)], mute=True, id=9))
    part = slot_score(score, 4.0, 8.0, metronome=True)
    lead = part.tracks[0]
    assert [n.start for n in lead.notes] == [0, 1, 2, 3] and [t.name for t in part.tracks] == ["Lead", "Metronome"]
    assert [(t.beat, t.bpm) for t in part.tempos] == [(0, 120), (2, 60)]
    clicks = part.tracks[1].notes
    assert len(clicks) == 4 and clicks[0].velocity > clicks[1].velocity


def test_rendered_slots_are_not_limited_per_bar():
    score = Score()
    for program in range(0, 40, 8):
        score.add_track(Track("Chord", program=program, notes=[Note(0, 1, p, 127) for p in range(40, 90)]))
    font = load_soundfont(bundled_soundfont())
    audio = render_slot(slot_score(score, 0, 4), font, 22050)
    assert np.abs(audio).max() > 1.0        # loud: the player clips the whole mix, not each bar
