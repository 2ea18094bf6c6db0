"""Built-in music embedder: a symbolic descriptor of a MIDI piece (``pretty_midi.PrettyMIDI``).

Everything is a statistic over the whole piece, so an excerpt has nearly the same descriptor as the
piece; pitch enters only through transposition-invariant forms (intervals, the pitch-class profile
rotated to its estimated tonic, |DFT| of the pitch-class profile), so a transposed copy matches; time
is measured in beats (from the file's tempo map) or relative to the piece's own median inter-onset
interval, so a copy at another tempo matches.

==================  ====  ======  ==================================================================
block               dims  weight  what it captures
==================  ====  ======  ==================================================================
pc spectrum            6  1.0     |DFT| (k=1..6) of the pitch-class profile: scale/mode type
pc from tonic         14  0.4     pitch-class profile rotated to the Krumhansl-Schmuckler tonic,
                                  plus major/minor (low weight: an excerpt may change the estimate)
pc sorted             12  0.6     pitch-class weights sorted, largest first: how tonal/concentrated
melodic intervals     25  1.0     successive intervals of each part's top line, -12..+12 semitones
harmonic intervals    12  0.6     interval classes between notes starting together (chord types)
ioi (beats)           15  0.8     log2 inter-onset interval in beats, 1/16 .. 8 beats
ioi (relative)        13  0.5     log2 IOI / median IOI (tempo-map independent)
beat phase            12  0.6     onset position inside the beat (straight, swing, triplets)
bar phase             16  0.6     onset position inside the bar (accent pattern, syncopation)
durations             15  0.6     log2 note length in beats (staccato .. held)
texture               38  0.5     soft-binned notes per beat, polyphony, pitch range, register,
                                  velocity
instruments           18  0.6     share of notes per General MIDI program family (16), drum share
empty                  1  --      1 only for a piece with no notes (all else 0): a fixed unit vector
==================  ====  ======  ==================================================================

Total 197 dimensions. Histogram blocks are centred (mean subtracted) and L2-normalised before
weighting so unrelated pieces score near 0 on a block; the concatenation is L2-normalised.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from ragart_desktop.core.embed.histograms import split_between_bins
from ragart_desktop.core.embed.base import Embedder, l2_normalise
from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.music.theory import estimate_key_from_histogram

if TYPE_CHECKING:
    import pretty_midi

_ONSET_TOLERANCE = 0.02  # seconds: notes starting closer than this start "together"

_WEIGHTS = {
    "pc_spectrum": 1.0,
    "pc_from_tonic": 0.4,
    "pc_sorted": 0.6,
    "melodic_intervals": 1.0,
    "harmonic_intervals": 0.6,
    "ioi_beats": 0.8,
    "ioi_relative": 0.5,
    "beat_phase": 0.6,
    "bar_phase": 0.6,
    "durations": 0.6,
    "texture": 0.5,
    "instruments": 0.6,
}


def _soft_bins(values: np.ndarray, low: float, high: float, bins: int, circular: bool = False,
               weights: np.ndarray | None = None) -> np.ndarray:
    """Histogram of values on [low, high] with ``bins`` centres, each value split linearly between
    its two nearest centres (values outside are clipped to the end bins). Circular: [low, high) wraps."""
    values = np.asarray(values, dtype=np.float64).ravel()
    w = np.ones_like(values) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if circular:
        pos = (values - low) / (high - low) * bins
    else:
        pos = np.clip((values - low) / (high - low) * (bins - 1), 0, bins - 1)
    hist = split_between_bins(pos, w, bins, circular)
    return hist / max(hist.sum(), 1e-12)


class _Notes:
    """The piece's notes as flat arrays, in onset order."""

    def __init__(self, pm: "pretty_midi.PrettyMIDI"):
        rows = []
        for part, inst in enumerate(pm.instruments):
            for n in inst.notes:
                rows.append((n.start, n.end, n.pitch, n.velocity, inst.program, inst.is_drum, part))
        rows.sort()
        table = np.array(rows, dtype=np.float64).reshape(-1, 7)
        self.start, self.end = table[:, 0], table[:, 1]
        self.pitch, self.velocity = table[:, 2].astype(int), table[:, 3]
        self.program, self.is_drum, self.part = table[:, 4].astype(int), table[:, 5] > 0, table[:, 6].astype(int)


def _beat_grid(pm: "pretty_midi.PrettyMIDI", last_time: float) -> tuple[np.ndarray, np.ndarray]:
    """Beat and downbeat times from the tempo map, extended past the end of the piece."""
    beats = pm.get_beats()
    if len(beats) < 2:
        beats = np.array([0.0, 0.5])
    step = beats[-1] - beats[-2]
    extra = np.arange(1, int((last_time - beats[-1]) / max(step, 1e-6)) + 3) * step + beats[-1]
    beats = np.concatenate([beats, extra])
    downbeats = pm.get_downbeats()
    if len(downbeats) < 2:
        downbeats = beats[::4]
    bar_step = downbeats[-1] - downbeats[-2] if len(downbeats) > 1 else 4 * step
    extra = np.arange(1, int((last_time - downbeats[-1]) / max(bar_step, 1e-6)) + 3) * bar_step + downbeats[-1]
    return beats, np.concatenate([downbeats, extra])


def _tonal_blocks(notes: _Notes) -> dict[str, np.ndarray]:
    pitched = ~notes.is_drum
    pcs = np.zeros(12)
    weights = (notes.end - notes.start)[pitched] * notes.velocity[pitched] / 127.0
    np.add.at(pcs, notes.pitch[pitched] % 12, np.maximum(weights, 0.0))
    profile = pcs / max(pcs.sum(), 1e-12)
    key, _ = estimate_key_from_histogram(profile)
    tonic, minor = (key % 12, key // 12) if key >= 0 else (0, 0)
    mode = np.array([1.0 - minor, float(minor)]) if key >= 0 else np.zeros(2)
    return {
        "pc_spectrum": np.abs(np.fft.rfft(profile))[1:7],
        "pc_from_tonic": np.concatenate([np.roll(profile, -tonic), mode]),
        "pc_sorted": np.sort(profile)[::-1],
    }


def _interval_blocks(notes: _Notes) -> dict[str, np.ndarray]:
    melodic, harmonic = [], []
    for part in np.unique(notes.part[~notes.is_drum]):
        sel = (notes.part == part) & ~notes.is_drum
        start, pitch = notes.start[sel], notes.pitch[sel]
        # Group notes starting together: the top note is the melody line, the others form chords.
        group = np.concatenate([[0], np.cumsum(np.diff(start) > _ONSET_TOLERANCE)])
        top = np.full(group[-1] + 1, -1)
        np.maximum.at(top, group, pitch)
        melodic.append(np.diff(top))
        for g in np.flatnonzero(np.bincount(group) > 1):
            chord = np.unique(pitch[group == g])
            diffs = (chord[None, :] - chord[:, None])[np.triu_indices(len(chord), 1)]
            harmonic.append(diffs % 12)
    melodic_all = np.concatenate(melodic) if melodic else np.zeros(0)
    harmonic_all = np.concatenate(harmonic) if harmonic else np.zeros(0)
    return {
        "melodic_intervals": np.bincount(np.clip(melodic_all, -12, 12).astype(int) + 12, minlength=25)
        / max(len(melodic_all), 1),
        "harmonic_intervals": np.bincount(harmonic_all.astype(int), minlength=12) / max(len(harmonic_all), 1),
    }


def _position(times: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Times in seconds -> fractional index on a grid of beat (or bar) times."""
    return np.interp(times, grid, np.arange(len(grid), dtype=np.float64))


def _rhythm_blocks(notes: _Notes, beats: np.ndarray, downbeats: np.ndarray) -> dict[str, np.ndarray]:
    onsets = notes.start[np.concatenate([[True], np.diff(notes.start) > _ONSET_TOLERANCE])]
    onset_beats = _position(onsets, beats)
    ioi_seconds = np.diff(onsets)
    median_ioi = max(float(np.median(ioi_seconds)), 1e-3) if ioi_seconds.size else 1.0
    note_beats = _position(notes.end, beats) - _position(notes.start, beats)
    return {
        "ioi_beats": _soft_bins(np.log2(np.maximum(np.diff(onset_beats), 1 / 64)), -4, 3, 15),
        "ioi_relative": _soft_bins(np.log2(np.maximum(ioi_seconds, 1e-3) / median_ioi), -3, 3, 13),
        "beat_phase": _soft_bins(onset_beats % 1.0, 0, 1, 12, circular=True),
        "bar_phase": _soft_bins(_position(onsets, downbeats) % 1.0, 0, 1, 16, circular=True),
        "durations": _soft_bins(np.log2(np.maximum(note_beats, 1 / 64)), -4, 3, 15),
    }


def _texture_block(notes: _Notes, beats: np.ndarray) -> np.ndarray:
    span = _position(np.array([notes.start.min(), notes.end.max()]), beats)
    notes_per_beat = len(notes.start) / max(span[1] - span[0], 0.25)
    pitched = ~notes.is_drum
    starts, ends = np.sort(notes.start[pitched]), np.sort(notes.end[pitched])
    # Polyphony: how many pitched notes sound at each pitched onset (started and not yet ended).
    sounding = np.searchsorted(starts, starts + 1e-6, "right") - np.searchsorted(ends, starts + 1e-6, "right")
    pitch = notes.pitch[pitched]
    return np.concatenate([
        _soft_bins(np.log2(notes_per_beat), -2, 4, 8),
        _soft_bins(sounding, 1, 6, 6),
        _soft_bins(np.ptp(pitch) if pitch.size else 0.0, 0, 60, 8),
        _soft_bins(pitch.mean() if pitch.size else 60.0, 30, 90, 8),
        _soft_bins(notes.velocity, 0, 127, 8),
    ])


def _instrument_block(notes: _Notes) -> np.ndarray:
    families = np.bincount(notes.program[~notes.is_drum] // 8, minlength=16).astype(np.float64)
    drum_share = notes.is_drum.mean()
    return np.concatenate([families / max(families.sum(), 1.0), [drum_share, 1.0 - drum_share]])


def describe(pm: "pretty_midi.PrettyMIDI") -> np.ndarray:
    """The unit-length descriptor of one piece (float32, :data:`MusicDescriptorEmbedder.dim` long)."""
    notes = _Notes(pm)
    out = np.zeros(MusicDescriptorEmbedder.dim, dtype=np.float32)
    if notes.start.size == 0:
        out[-1] = 1.0  # the "empty piece" dimension
        return out
    beats, downbeats = _beat_grid(pm, float(notes.end.max()))
    blocks = {
        **_tonal_blocks(notes),
        **_interval_blocks(notes),
        **_rhythm_blocks(notes, beats, downbeats),
        "texture": _texture_block(notes, beats),
        "instruments": _instrument_block(notes),
    }
    parts = [l2_normalise(blocks[name] - blocks[name].mean()) * w for name, w in _WEIGHTS.items()]
    out[:-1] = l2_normalise(np.concatenate(parts))
    return out


class MusicDescriptorEmbedder(Embedder):
    id = "builtin-music-descriptor"
    version = "1"
    dim = 197
    modality = "music"

    def embed(self, contents: Sequence["pretty_midi.PrettyMIDI"]) -> np.ndarray:
        import pretty_midi

        out = np.empty((len(contents), self.dim), dtype=np.float32)
        for row, pm in enumerate(contents):
            if not isinstance(pm, pretty_midi.PrettyMIDI):
                raise UsageError(f"The music embedder needs PrettyMIDI objects, got {type(pm).__name__}.")
            out[row] = describe(pm)
        return out
