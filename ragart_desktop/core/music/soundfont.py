"""SoundFont 2 (.sf2) files: parse the sample pool and resolve which samples play a note.

A SoundFont holds 16-bit samples and two layers of *zones*: a preset (bank, program) maps key and
velocity ranges to instruments; an instrument maps them to samples, each with *generators*
(tuning, loop points, envelope times, attenuation, pan). Instrument generators are absolute values
(over the spec's defaults and the instrument's global zone); preset generators are added to them.
``SoundFont.voices(bank, program, key, velocity)`` does that resolution and returns one ``Voice``
per sample that sounds (two for a stereo pair). Everything follows the SoundFont 2.04 spec; the
synthesis itself is in ``synth.py``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ragart_desktop.core.errors import BadInputError

# Generator numbers (SoundFont 2.04, section 8.1.2) that the synth uses.
START_OFS, END_OFS, LOOP_START_OFS, LOOP_END_OFS, START_COARSE = 0, 1, 2, 3, 4
END_COARSE, PAN, DELAY_VOL, ATTACK_VOL, HOLD_VOL, DECAY_VOL, SUSTAIN_VOL, RELEASE_VOL = 12, 17, 33, 34, 35, 36, 37, 38
KEY_TO_HOLD, KEY_TO_DECAY, INSTRUMENT, KEY_RANGE, VEL_RANGE, LOOP_START_COARSE = 39, 40, 41, 43, 44, 45
KEYNUM, VELOCITY, ATTENUATION, LOOP_END_COARSE, COARSE_TUNE, FINE_TUNE, SAMPLE_ID = 46, 47, 48, 50, 51, 52, 53
SAMPLE_MODES, SCALE_TUNING, EXCLUSIVE_CLASS, ROOT_KEY = 54, 56, 57, 58

_DEFAULTS = {8: 13500, 21: -12000, 23: -12000, 25: -12000, 26: -12000, 27: -12000, 28: -12000, 30: -12000,
             DELAY_VOL: -12000, ATTACK_VOL: -12000, HOLD_VOL: -12000, DECAY_VOL: -12000, RELEASE_VOL: -12000,
             KEYNUM: -1, VELOCITY: -1, SCALE_TUNING: 100, ROOT_KEY: -1}
# Generators a preset zone may not set (they only make sense on a sample).
_INSTRUMENT_ONLY = {START_OFS, END_OFS, LOOP_START_OFS, LOOP_END_OFS, START_COARSE, END_COARSE,
                    LOOP_START_COARSE, LOOP_END_COARSE, KEYNUM, VELOCITY, SAMPLE_MODES, EXCLUSIVE_CLASS, ROOT_KEY}
_RANGES = (KEY_RANGE, VEL_RANGE)

_PHDR = np.dtype([("name", "S20"), ("preset", "<u2"), ("bank", "<u2"), ("bag", "<u2"),
                  ("library", "<u4"), ("genre", "<u4"), ("morphology", "<u4")])
_BAG = np.dtype([("gen", "<u2"), ("mod", "<u2")])
_GEN = np.dtype([("oper", "<u2"), ("amount", "<i2")])
_INST = np.dtype([("name", "S20"), ("bag", "<u2")])
_SHDR = np.dtype([("name", "S20"), ("start", "<u4"), ("end", "<u4"), ("loop_start", "<u4"), ("loop_end", "<u4"),
                  ("rate", "<u4"), ("pitch", "u1"), ("correction", "i1"), ("link", "<u2"), ("type", "<u2")])


@dataclass(frozen=True)
class Zone:
    gens: dict[int, int]               # generator -> amount (ranges excluded)
    keys: tuple[int, int] = (0, 127)
    vels: tuple[int, int] = (0, 127)

    def covers(self, key: int, velocity: int) -> bool:
        return self.keys[0] <= key <= self.keys[1] and self.vels[0] <= velocity <= self.vels[1]


@dataclass(frozen=True)
class Voice:
    """One sample to play for one note, with every generator resolved."""

    sample: int                  # index into SoundFont.samples
    start: int                   # sample-pool frames
    end: int
    loop_start: int
    loop_end: int
    loops: bool
    rate: int                    # the sample's own rate
    pitch_cents: float           # playback shift from the recorded pitch, in cents
    gain: float                  # linear, attenuation and velocity applied
    pan: float                   # -1 (left) .. 1 (right)
    delay: float                 # volume envelope, seconds ...
    attack: float
    hold: float
    decay: float
    sustain_db: float            # ... sustain level as attenuation in dB
    release: float
    exclusive: int               # exclusive class (hi-hat choke); 0 = none

    @property
    def key(self) -> tuple:
        """Everything but gain and envelope: voices with one key resample identically."""
        return (self.sample, self.start, self.end, self.loop_start, self.loop_end, self.loops, self.rate,
                self.pitch_cents)


class SoundFont:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise BadInputError(f"cannot be read ({exc.strerror or exc}).", path=self.path) from None
        try:
            self._parse(data)
        except (ValueError, KeyError, IndexError) as exc:
            raise BadInputError(f"is not a usable SoundFont ({exc}).", path=self.path) from None

    # -- parsing ----------------------------------------------------------------------------
    def _parse(self, data: bytes) -> None:
        if data[:4] != b"RIFF" or data[8:12] != b"sfbk":
            raise ValueError("no RIFF sfbk header")
        lists = {kind: body for kind, body in _chunks(data, 12, len(data), lists=True)}
        if "sdta" not in lists or "pdta" not in lists:
            raise ValueError("sample or preset data missing")
        smpl = dict(_chunks(*lists["sdta"]))["smpl"]
        _, start, end = smpl
        self.samples = np.frombuffer(data, "<i2", count=(end - start) // 2, offset=start)
        pdta = {name: np.frombuffer(data, dtype, count=(end - start) // dtype.itemsize, offset=start)
                for name, (_, start, end), dtype in _named(dict(_chunks(*lists["pdta"])))}
        self.sample_headers = pdta["shdr"]
        self._instruments = [_zones(pdta["ibag"], pdta["igen"], int(a["bag"]), int(b["bag"]), SAMPLE_ID)
                             for a, b in zip(pdta["inst"][:-1], pdta["inst"][1:])]
        self._presets: dict[tuple[int, int], tuple[Zone | None, list[Zone]]] = {}
        for a, b in zip(pdta["phdr"][:-1], pdta["phdr"][1:]):
            key = (int(a["bank"]), int(a["preset"]))
            self._presets.setdefault(key, _zones(pdta["pbag"], pdta["pgen"], int(a["bag"]), int(b["bag"]), INSTRUMENT))
        if not self._presets:
            raise ValueError("no presets")

    # -- lookup -----------------------------------------------------------------------------
    @property
    def preset_count(self) -> int:
        return len(self._presets)

    def has_preset(self, bank: int, program: int) -> bool:
        return (bank, program) in self._presets

    def preset_for(self, program: int, is_drum: bool) -> tuple[int, int]:
        """The (bank, program) to use: GM drums are bank 128; missing presets fall back to bank 0,
        then to the first preset of the bank (so every track sounds)."""
        bank = 128 if is_drum else 0
        for key in ((bank, 0 if is_drum else program), (bank, program), (0, program)):
            if key in self._presets:
                return key
        in_bank = sorted(k for k in self._presets if k[0] == bank)
        return in_bank[0] if in_bank else min(self._presets)

    @functools.lru_cache(maxsize=8192)
    def voices(self, bank: int, program: int, key: int, velocity: int) -> tuple[Voice, ...]:
        glob, zones = self._presets[(bank, program)]
        out = []
        for pz in zones:
            if not pz.covers(key, velocity) or pz.gens[INSTRUMENT] >= len(self._instruments):
                continue
            iglob, izones = self._instruments[pz.gens[INSTRUMENT]]
            for iz in izones:
                if iz.covers(key, velocity) and iz.gens[SAMPLE_ID] < len(self.sample_headers) - 1:
                    out.append(self._voice(_merge(glob, pz), _merge(iglob, iz, defaults=True), key, velocity))
        return tuple(out)

    def _voice(self, preset: dict[int, int], inst: dict[int, int], key: int, velocity: int) -> Voice:
        g = dict(inst)
        for oper, amount in preset.items():  # preset generators add to the instrument's
            if oper not in _INSTRUMENT_ONLY and oper not in (INSTRUMENT, SAMPLE_ID):
                g[oper] = g.get(oper, _DEFAULTS.get(oper, 0)) + amount
        h = self.sample_headers[g[SAMPLE_ID]]
        get = lambda oper: g.get(oper, _DEFAULTS.get(oper, 0))  # noqa: E731
        pool = len(self.samples)
        start = int(np.clip(int(h["start"]) + get(START_OFS) + 32768 * get(START_COARSE), 0, pool - 1))
        end = int(np.clip(int(h["end"]) + get(END_OFS) + 32768 * get(END_COARSE), start + 1, pool))
        loop_start = int(np.clip(int(h["loop_start"]) + get(LOOP_START_OFS) + 32768 * get(LOOP_START_COARSE), start, end))
        loop_end = int(np.clip(int(h["loop_end"]) + get(LOOP_END_OFS) + 32768 * get(LOOP_END_COARSE), loop_start, end))
        played_key = get(KEYNUM) if get(KEYNUM) >= 0 else key
        played_vel = get(VELOCITY) if get(VELOCITY) >= 0 else velocity
        root = get(ROOT_KEY) if get(ROOT_KEY) >= 0 else (int(h["pitch"]) if int(h["pitch"]) <= 127 else 60)
        cents = (played_key - root) * get(SCALE_TUNING) + 100 * get(COARSE_TUNE) + get(FINE_TUNE) + int(h["correction"])
        attenuation_db = float(np.clip(get(ATTENUATION), 0, 1440)) / 10.0
        # The spec's default velocity modulator: 96 dB concave curve ~ amplitude (velocity/127)^2.
        gain = 10 ** (-attenuation_db / 20) * (max(1, played_vel) / 127.0) ** 2
        return Voice(
            sample=int(g[SAMPLE_ID]), start=start, end=end, loop_start=loop_start, loop_end=loop_end,
            loops=get(SAMPLE_MODES) in (1, 3) and loop_end - loop_start > 1, rate=max(1, int(h["rate"])),
            pitch_cents=float(cents), gain=gain, pan=float(np.clip(get(PAN), -500, 500)) / 500.0,
            delay=_seconds(get(DELAY_VOL)), attack=_seconds(get(ATTACK_VOL)),
            hold=_seconds(get(HOLD_VOL) + (60 - key) * get(KEY_TO_HOLD)),
            decay=_seconds(get(DECAY_VOL) + (60 - key) * get(KEY_TO_DECAY)),
            sustain_db=float(np.clip(get(SUSTAIN_VOL), 0, 1440)) / 10.0, release=_seconds(get(RELEASE_VOL)),
            exclusive=int(get(EXCLUSIVE_CLASS)))


def _seconds(timecents: int) -> float:
    return 0.0 if timecents <= -12000 else float(2.0 ** (timecents / 1200.0))


def _chunks(data: bytes, start: int, end: int, lists: bool = False):
    """(id, (body, start, end)) for the RIFF chunks in data[start:end]; LIST chunks by their type."""
    pos = start
    while pos + 8 <= end:
        cid = data[pos:pos + 4].decode("latin-1")
        size = int.from_bytes(data[pos + 4:pos + 8], "little")
        body = pos + 8
        if body + size > len(data):
            raise ValueError(f"chunk {cid!r} runs past the end of the file")
        if lists and cid == "LIST":
            yield data[body:body + 4].decode("latin-1"), (data, body + 4, body + size)
        else:
            yield cid, (data, body, body + size)
        pos = body + size + (size & 1)


def _named(chunks: dict):
    dtypes = {"phdr": _PHDR, "pbag": _BAG, "pgen": _GEN, "inst": _INST, "ibag": _BAG, "igen": _GEN, "shdr": _SHDR}
    for name, dtype in dtypes.items():
        if name not in chunks:
            raise ValueError(f"the {name} chunk is missing")
        yield name, chunks[name], dtype


def _zones(bags: np.ndarray, gens: np.ndarray, first: int, last: int, terminal: int) -> tuple[Zone | None, list[Zone]]:
    """The zones of one preset or instrument: a leading zone without ``terminal`` (instrument or
    sample id) is the global zone; its ranges are the default of the others."""
    glob, zones = None, []
    for b in range(first, min(last, len(bags) - 1)):
        g0, g1 = int(bags[b]["gen"]), int(bags[b + 1]["gen"])
        values, ranges = {}, {}
        for oper, amount in zip(gens["oper"][g0:g1].tolist(), gens["amount"][g0:g1].tolist()):
            if oper in _RANGES:
                raw = amount & 0xFFFF
                ranges[oper] = (raw & 0xFF, raw >> 8)
            else:
                values[oper] = amount
        if terminal in values:
            values[terminal] &= 0xFFFF  # instrument and sample ids are unsigned words
            default = glob if glob is not None else Zone({})
            zones.append(Zone(values, ranges.get(KEY_RANGE, default.keys), ranges.get(VEL_RANGE, default.vels)))
        elif b == first:
            glob = Zone(values, ranges.get(KEY_RANGE, (0, 127)), ranges.get(VEL_RANGE, (0, 127)))
    return glob, zones


def _merge(glob: Zone | None, zone: Zone, *, defaults: bool = False) -> dict[int, int]:
    merged = dict(_DEFAULTS) if defaults else {}
    if glob is not None:
        merged.update(glob.gens)
    merged.update(zone.gens)
    return merged
