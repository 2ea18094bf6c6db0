"""Render a score to audio with a SoundFont: sample playback synthesis in numpy, offline.

For every note the SoundFont's voices are played: the sample is resampled to the note's pitch
(linear interpolation, looping between its loop points while the note sounds), shaped by the
volume envelope (delay, attack, hold, decay to the sustain level, release after the note ends, in
decibels as the spec defines it) and panned into the stereo mix. Velocity and attenuation set the
level. A voice of an exclusive class (a closed hi-hat) cuts the previous one of that class.

Speed comes from rendering each note as a few whole-array operations and from resampling each
(sample, pitch) once per piece: repeated drum hits and chord tones reuse the same waveform.

Not modelled (each is a colour, not a note): the low-pass filter, vibrato and modulation LFOs, the
modulation envelope, chorus and reverb sends, and "loop until release" (mode 3 loops to the end).

Why not tinysoundfont: every release on PyPI requires PyAudio, which has no Linux wheel and needs
PortAudio headers and a compiler, so ``pip install`` fails on a fresh Linux machine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ragart_desktop.core.music.score import Score
from ragart_desktop.core.music.soundfont import SoundFont, Voice
from ragart_desktop.core.progress import Task, ensure_task

SAMPLE_RATE = 44100
SILENT_DB = 60.0        # a releasing voice stops this far below its level (inaudible in a mix)
_MAX_RELEASE = 4.0      # seconds; long pad releases are cut here
_CONTROL = 64           # envelope control period, samples (1.5 ms)
MASTER_GAIN = 0.5


@dataclass(frozen=True)
class _Hit:
    voice: Voice
    start: int       # output frame
    held: int        # frames until note-off
    length: int      # frames including the release


def render(score: Score, soundfont: SoundFont, *, sample_rate: int = SAMPLE_RATE,
           task: Task | None = None, limit: bool = True) -> np.ndarray:
    """Stereo float32 audio, shape (2, frames), of the audible tracks of ``score``.

    With ``limit`` the mix is scaled down if it would clip; otherwise levels are absolute, so a
    louder velocity renders louder. Playback renders a piece bar by bar and mixes the bars itself,
    so it turns ``limit`` off (a bar scaled on its own would jump in level).
    """
    task = ensure_task(task)
    hits = _schedule(score, soundfont, sample_rate)
    frames = max([h.start + h.length for h in hits], default=0) + 1
    buses: dict[float, np.ndarray] = {}      # mono mix per pan position, panned once at the end
    waves: dict[tuple, np.ndarray] = {}      # one resampled waveform per (sample, pitch)
    envelopes: dict[tuple, np.ndarray] = {}  # one envelope per (shape, duration)
    need: dict[tuple, int] = {}
    for h in hits:
        need[h.voice.key] = max(need.get(h.voice.key, 0), h.length)
    scratch = np.empty(max(need.values(), default=0), np.float32)
    for i, h in enumerate(hits):
        if i % 256 == 0:
            task.check()
            task.progress(i, len(hits), "rendering audio")
        v = h.voice
        wave = waves.get(v.key)
        if wave is None:
            wave = waves[v.key] = _resample(soundfont.samples, v, need[v.key], sample_rate)
        n = min(h.length, len(wave))
        if n <= 0:
            continue
        shape = (v.delay, v.attack, v.hold, v.decay, v.sustain_db, v.release, h.held, n)
        env = envelopes.get(shape)
        if env is None:
            env = envelopes[shape] = _envelope(v, h.held, n, sample_rate)
        bus = buses.get(v.pan)
        if bus is None:
            bus = buses[v.pan] = np.zeros(frames, np.float32)
        signal = np.multiply(wave[:n], env, out=scratch[:n])  # no allocation per note
        signal *= np.float32(v.gain * MASTER_GAIN)
        bus[h.start:h.start + n] += signal
    out = np.zeros((2, frames), np.float32)
    for pan, bus in buses.items():
        out[0] += bus * np.float32(math.cos((pan + 1) * math.pi / 4))
        out[1] += bus * np.float32(math.sin((pan + 1) * math.pi / 4))
    peak = float(np.abs(out).max()) if limit and out.size else 0.0
    if peak > 0.99:
        out *= np.float32(0.99 / peak)
    task.progress(len(hits), len(hits), "rendering audio")
    return out


def _schedule(score: Score, sf: SoundFont, rate: int) -> list[_Hit]:
    hits: list[_Hit] = []
    for track in score.audible_tracks():
        if not track.notes:
            continue
        bank, program = sf.preset_for(track.program, track.is_drum)
        starts = score.seconds_of(np.array([n.start for n in track.notes]))
        ends = score.seconds_of(np.array([n.end for n in track.notes]))
        for n, t0, t1 in zip(track.notes, starts, ends):
            for v in sf.voices(bank, program, n.pitch, n.velocity):
                held = max(1, int(round((t1 - t0) * rate)))
                hits.append(_Hit(v, int(round(t0 * rate)), held, held + _release_frames(v, rate)))
    hits.sort(key=lambda h: h.start)
    return _choke(hits)


def _choke(hits: list[_Hit]) -> list[_Hit]:
    """A voice of an exclusive class ends (quickly) where the next one of its class starts."""
    last: dict[int, int] = {}
    out = list(hits)
    fade = 64
    for i, h in enumerate(out):
        cls = h.voice.exclusive
        if not cls:
            continue
        j = last.get(cls)
        if j is not None and out[j].start + out[j].length > h.start:
            cut = max(1, h.start - out[j].start + fade)
            out[j] = _Hit(out[j].voice, out[j].start, min(out[j].held, cut), min(out[j].length, cut))
        last[cls] = i
    return out


def _release_frames(v: Voice, rate: int) -> int:
    return int(min(v.release, _MAX_RELEASE) * SILENT_DB / 100.0 * rate) + 1


def _resample(pool: np.ndarray, v: Voice, frames: int, rate: int) -> np.ndarray:
    """The voice's sample at the note's pitch, ``frames`` long (shorter if it does not loop)."""
    step = 2.0 ** (v.pitch_cents / 1200.0) * v.rate / rate
    if not v.loops:
        frames = min(frames, int((v.end - 1 - v.start) / step))
    if frames <= 0:
        return np.zeros(0, np.float32)
    pos = v.start + step * np.arange(frames, dtype=np.float64)
    if v.loops:
        span = v.loop_end - v.loop_start
        past = pos >= v.loop_end
        pos[past] = v.loop_start + np.mod(pos[past] - v.loop_start, span)
    index = pos.astype(np.int64)
    frac = (pos - index).astype(np.float32)
    a = pool[index].astype(np.float32)
    b = pool[np.minimum(index + 1, len(pool) - 1)].astype(np.float32)  # loop_end repeats loop_start (spec)
    return (a + (b - a) * frac) * np.float32(1 / 32768)


def _envelope(v: Voice, held: int, frames: int, rate: int) -> np.ndarray:
    """Volume envelope, linear amplitude, computed every ``_CONTROL`` frames and interpolated."""
    t = np.arange(frames // _CONTROL + 2, dtype=np.float64) * (_CONTROL / rate)
    release_at = held / rate
    attack_end = v.delay + v.attack
    decay_start = attack_end + v.hold
    db = _attenuation(t, v, decay_start)
    level = 10.0 ** (-db / 20.0)
    if v.attack > 0:
        level *= np.clip((t - v.delay) / v.attack, 0.0, 1.0)
    elif v.delay > 0:
        level[t < v.delay] = 0.0
    after = t > release_at
    if after.any():
        at_release = float(np.interp(release_at, t, level))
        start_db = -20.0 * math.log10(max(at_release, 1e-6))
        rel = max(v.release, 1e-3)
        level[after] = 10.0 ** (-(start_db + 100.0 * (t[after] - release_at) / rel) / 20.0)
    ramp = np.arange(_CONTROL, dtype=np.float32) / _CONTROL  # linear between control points
    level = level.astype(np.float32)
    return (level[:-1, None] + (level[1:] - level[:-1])[:, None] * ramp[None, :]).reshape(-1)[:frames]


def _attenuation(t: np.ndarray, v: Voice, decay_start: float) -> np.ndarray:
    """Decibels below full level while the note is held: 0 through attack and hold, then falling
    100 dB per decay time until the sustain level."""
    if v.decay <= 0:
        return np.where(t < decay_start, 0.0, v.sustain_db)
    return np.clip((t - decay_start) * (100.0 / v.decay), 0.0, v.sustain_db)
