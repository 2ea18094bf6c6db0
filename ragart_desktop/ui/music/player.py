"""Playback through QtMultimedia: bars rendered ahead on a worker, fed to a QAudioSink, a playhead in sync.

``Player.play`` makes a ``PlaybackSchedule`` (core/music/playback.py) over the live score. A timer
(every ``TICK_MS``) asks the schedule for the next bar to render and hands it to the "audio" worker
(``WorkerHost``: the UI never waits on the synthesiser), writes what is rendered into the sink as
far as the sink has room (a quarter second), and moves the playhead to what the device has played
(``processedUSecs``), so picture and sound agree even when rendering falls behind. An edit calls
``edited``: bars not yet handed to the device are planned and rendered again.

Without QtMultimedia, or without an audio device (a server with no sound card, CI), the player
says so once per session, and the playhead still runs from a clock; WAV export does not need it.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QElapsedTimer, QIODevice, QObject, QTimer, Signal

from ragart_desktop.core.music.note_index import ScoreIndex
from ragart_desktop.core.music.playback import PlaybackSchedule, render_slot, slot_score
from ragart_desktop.core.music.score import Note, Score, TempoChange, Track
from ragart_desktop.core.music.synth import SAMPLE_RATE
from ragart_desktop.ui.workers import WorkerHost

log = logging.getLogger(__name__)

TICK_MS = 15
SINK_BUFFER_S = 0.25
PREVIEW_BEATS = 1.0


class AudioOut:
    """The audio device as QtMultimedia offers it, or the reason it cannot be used."""

    def __init__(self) -> None:
        self.problem: Optional[str] = None
        self.device: Any = None
        self.format: Any = None
        self.rate = SAMPLE_RATE
        self.channels = 2
        try:
            from PySide6.QtMultimedia import QAudioFormat, QMediaDevices
        except ImportError as exc:     # Qt built without multimedia, or its libraries missing
            self.problem = f"audio playback is not available (QtMultimedia could not load: {exc})"
            return
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull():
            self.problem = "no audio output device was found"
            return
        fmt = QAudioFormat()
        fmt.setSampleRate(SAMPLE_RATE)
        fmt.setChannelCount(2)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not device.isFormatSupported(fmt):
            fmt = device.preferredFormat()
            if fmt.sampleFormat() not in (QAudioFormat.SampleFormat.Int16, QAudioFormat.SampleFormat.Float) or \
                    fmt.channelCount() not in (1, 2):
                self.problem = f"the audio device {device.description()!r} takes no format RagArt can write"
                return
        self.device, self.format = device, fmt
        self.rate, self.channels = fmt.sampleRate(), fmt.channelCount()

    @property
    def bytes_per_frame(self) -> int:
        return self.format.bytesPerFrame()

    def sink(self, parent: QObject):
        from PySide6.QtMultimedia import QAudioSink

        return QAudioSink(self.device, self.format, parent)

    def pcm(self, audio: np.ndarray) -> bytes:
        """(2, n) float audio -> interleaved bytes in the device's format."""
        from PySide6.QtMultimedia import QAudioFormat

        frames = audio.T if self.channels == 2 else audio.mean(axis=0, keepdims=True).T
        if self.format.sampleFormat() == QAudioFormat.SampleFormat.Float:
            return np.ascontiguousarray(frames, dtype="<f4").tobytes()
        return (np.clip(frames, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


class Player(QObject):
    position_changed = Signal(float)     # the beat being heard
    playing_changed = Signal(bool)
    notice = Signal(str)                 # said once per session: why there is no sound

    _told = False                        # the session heard about a missing device already

    def __init__(self, soundfont_path: Callable[[], Path], parent: Optional[QObject] = None):
        super().__init__(parent)
        self._soundfont_path = soundfont_path   # runs on the worker (it may scan the models folders)
        self.worker = WorkerHost("audio", self)
        self.out: Optional[AudioOut] = None
        self.schedule: Optional[PlaybackSchedule] = None
        self._sink: Any = None
        self._io: Any = None
        self._clock = QElapsedTimer()
        self._rendering: Optional[int] = None
        self._metronome = False
        self._index: Optional[ScoreIndex] = None
        self._score_of: Callable[[], Score] = Score
        self._font: Any = None
        self._preview: tuple[Any, Any] = (None, None)   # (sink, buffer) of the key being sounded
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    # -- the device ------------------------------------------------------------------------------------
    def audio(self) -> AudioOut:
        if self.out is None:
            self.out = AudioOut()
            if self.out.problem:
                log.info("playback without sound: %s", self.out.problem)
        return self.out

    @property
    def silent(self) -> bool:
        return self.audio().problem is not None

    def _say_once(self) -> None:
        if self.silent and not Player._told:
            Player._told = True
            self.notice.emit(f"Playback is silent: {self.audio().problem}. Everything else works, "
                             f"and File > Export… still writes WAV files.")

    # -- transport ---------------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self.schedule is not None

    def play(self, score_of: Callable[[], Score], start: float, *, loop: Optional[tuple[float, float]] = None,
             metronome: bool = False, index: Optional[ScoreIndex] = None) -> None:
        """Play ``score_of()`` (read again after each edit) from beat ``start``."""
        self.stop()
        self._say_once()
        self._score_of, self._metronome, self._index = score_of, metronome, index
        out = self.audio()
        self.schedule = PlaybackSchedule(score_of, start, loop=loop, sample_rate=out.rate)
        if not self.silent:
            self._sink = out.sink(self)
            self._sink.setBufferSize(int(out.rate * SINK_BUFFER_S) * out.bytes_per_frame)
            self._io = self._sink.start()
            if self._io is None:
                log.warning("audio sink did not start (%s); playing silently", self._sink.error())
                self._close_sink()
                out.problem = "the audio device could not be opened"
                self._say_once()
        self._clock.start()
        self._timer.start()
        self.playing_changed.emit(True)
        self._tick()

    def stop(self) -> None:
        if self.schedule is None:
            return
        self._timer.stop()
        self.schedule = None
        self._close_sink()
        if self._rendering is not None:
            self.worker.cancel(self._rendering)
            self._rendering = None
        self.playing_changed.emit(False)

    def set_metronome(self, on: bool) -> None:
        self._metronome = on
        self.edited()

    def edited(self) -> None:
        """The score changed while playing: what has not been handed to the device is redone."""
        if self.schedule is not None:
            self.schedule.replan()

    def heard_frame(self) -> int:
        schedule = self.schedule
        if schedule is None:
            return 0
        if self._sink is not None:
            return int(self._sink.processedUSecs() * schedule.rate / 1_000_000)
        return int(self._clock.elapsed() * schedule.rate / 1000)

    def _close_sink(self) -> None:
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
        self._sink = self._io = None

    # -- the tick: render ahead, feed, move the playhead ----------------------------------------------------
    def _tick(self) -> None:
        schedule = self.schedule
        if schedule is None:
            return
        if self._io is not None:
            self._render_ahead()
            frames = self._sink.bytesFree() // self.out.bytes_per_frame
            if frames >= 64:
                audio = schedule.read(frames)
                if audio.shape[1]:
                    self._io.write(self.out.pcm(audio))
        heard = self.heard_frame()
        if schedule.finished(heard):
            self.position_changed.emit(schedule.beat_at(heard))
            self.stop()
            return
        self.position_changed.emit(schedule.beat_at(heard))

    def _render_ahead(self) -> None:
        if self._rendering is not None:
            return
        schedule = self.schedule
        slot = schedule.to_render()
        if slot is None:
            return
        part = slot_score(self._score_of(), slot.start, slot.end, metronome=self._metronome, index=self._index)
        rate = schedule.rate

        def done(audio: np.ndarray) -> None:
            self._rendering = None
            if self.schedule is schedule:
                schedule.rendered(slot, audio)

        self._rendering = self.worker.submit("Render bar", lambda task: render_slot(part, self._load_font(), rate),
                                             visible=False, on_result=done, on_error=self._render_failed,
                                             on_cancel=lambda: None)

    def _render_failed(self, report: Any) -> None:
        self._rendering = None
        log.warning("rendering a bar failed: %s", getattr(report, "message", report))
        self.stop()
        self.notice.emit(f"Playback stopped: {getattr(report, 'message', report)}")

    def _load_font(self):
        """The SoundFont, loaded once (on the worker thread)."""
        if self._font is None:
            from ragart_desktop.core.music.audio import load_soundfont

            self._font = load_soundfont(self._soundfont_path())
        return self._font

    # -- one note, when a key is clicked ----------------------------------------------------------------------
    def sound_note(self, pitch: int, program: int = 0, is_drum: bool = False, velocity: int = 100,
                   tempo: float = 120.0) -> None:
        if self.silent:
            self._say_once()
            return
        score = Score(tempos=[TempoChange(0.0, tempo)])
        score.add_track(Track("Key", program, is_drum, [Note(0.0, PREVIEW_BEATS, pitch, velocity)]))
        rate = self.audio().rate
        self.worker.submit("Sound a key", lambda task: render_slot(score, self._load_font(), rate)[:, : rate],
                           visible=False, on_result=self._play_preview, on_error=lambda report: None)

    def _play_preview(self, audio: np.ndarray) -> None:
        sink, buffer = self._preview
        if sink is not None:
            sink.stop()
            sink.deleteLater()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(self.out.pcm(np.clip(audio, -1.0, 1.0))))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        sink = self.out.sink(self)
        sink.start(buffer)
        self._preview = (sink, buffer)

    def shutdown(self) -> None:
        self.stop()
        sink, _ = self._preview
        if sink is not None:
            sink.stop()
        self.worker.shutdown()
