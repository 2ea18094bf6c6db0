"""Audio for scores: pick the SoundFont, render, write WAV files.

The SoundFont is the largest loadable ``.sf2`` the model registry found in the models folders (a
user who drops in a bigger General MIDI SoundFont hears it at once), else the General MIDI
SoundFont shipped inside the pretty_midi wheel (TimGM6mb.sf2, 6 MB). Parsed SoundFonts are cached.
"""
from __future__ import annotations

import functools
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from ragart_desktop.core.assets import package_data
from ragart_desktop.core.fileio import atomic_write
from ragart_desktop.core.errors import BadInputError
from ragart_desktop.core.music.score import Score
from ragart_desktop.core.music.soundfont import SoundFont
from ragart_desktop.core.music.synth import SAMPLE_RATE, render
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.models.registry import ModelRegistry


@dataclass(frozen=True)
class RenderResult:
    path: str
    seconds: float          # length of the audio
    render_seconds: float   # time it took
    sample_rate: int
    soundfont: str

    def to_dict(self) -> dict:
        return {"path": self.path, "seconds": round(self.seconds, 3), "render_seconds": round(self.render_seconds, 3),
                "realtime_factor": round(self.seconds / max(self.render_seconds, 1e-9), 1),
                "sample_rate": self.sample_rate, "soundfont": self.soundfont}


def bundled_soundfont() -> Path:
    """TimGM6mb.sf2 from the installed pretty_midi package (or the executable's bundle)."""
    path = package_data("pretty_midi", "TimGM6mb.sf2")
    if not path.is_file():
        raise BadInputError("the General MIDI SoundFont that ships with pretty_midi is missing.", path=path,
                            hint="Reinstall RagArt (pip install -e .), or put a .sf2 file in the models folder.")
    return path


def soundfont_path(registry: "ModelRegistry | None" = None) -> Path:
    """The user's largest loadable SoundFont from the models folders, else the bundled one."""
    if registry is not None:
        fonts = sorted(registry.of_kind("soundfont"), key=lambda e: (-e.size, e.name))
        if fonts:
            return Path(fonts[0].path)
    return bundled_soundfont()


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime_ns: int) -> SoundFont:
    return SoundFont(path)


def load_soundfont(path: Path) -> SoundFont:
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise BadInputError(f"cannot be read ({exc.strerror or exc}).", path=path) from None
    return _load(str(path), mtime)


def render_wav(score: Score, out: str | Path, *, soundfont: Path | None = None, sample_rate: int = SAMPLE_RATE,
               task: Task | None = None) -> RenderResult:
    """Render ``score`` to a 16-bit stereo WAV at ``out`` (written atomically: nothing on cancel)."""
    font_path = soundfont or bundled_soundfont()
    font = load_soundfont(font_path)
    start = time.perf_counter()
    audio = render(score, font, sample_rate=sample_rate, task=task)
    elapsed = time.perf_counter() - start
    path = write_wav(audio, out, sample_rate)
    return RenderResult(str(path), audio.shape[1] / sample_rate, elapsed, sample_rate, str(font_path))


def write_wav(audio: np.ndarray, path: str | Path, sample_rate: int = SAMPLE_RATE) -> Path:
    """(2, frames) float audio in [-1, 1] -> 16-bit PCM stereo WAV."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").T.copy()

    def write(f: BinaryIO) -> None:
        with wave.open(f, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(sample_rate)
            w.writeframes(pcm.tobytes())

    return atomic_write(Path(path), write)
