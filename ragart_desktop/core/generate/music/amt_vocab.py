"""The Anticipatory Music Transformer's arrival-time vocabulary (Thickstun et al., 2023).

A note is three tokens: its onset time (10 ms steps, absolute within the sequence), its duration
(10 ms steps) and its instrument-and-pitch (instrument 0-127 = General MIDI program, 128 = drums).
Anticipated "control" copies of the three blocks and three special tokens follow; 55,028 tokens in
all, which is how the model registry tells these models from text models. The numbers below are
the published ones (``anticipation/vocab.py``); the sequence starts with ``AUTOREGRESS`` for plain
left-to-right generation.
"""
from __future__ import annotations

TIME_RESOLUTION = 100                    # steps per second
MAX_TIME = 100 * TIME_RESOLUTION         # arrival times 0 .. 99.99 s
MAX_DUR = 10 * TIME_RESOLUTION           # durations 0 .. 9.99 s
MAX_PITCH, MAX_INSTR = 128, 129          # instrument 128 = drums
MAX_NOTE = MAX_PITCH * MAX_INSTR

TIME_OFFSET = 0
DUR_OFFSET = TIME_OFFSET + MAX_TIME
NOTE_OFFSET = DUR_OFFSET + MAX_DUR
REST = NOTE_OFFSET + MAX_NOTE
CONTROL_OFFSET = NOTE_OFFSET + MAX_NOTE + 1
SPECIAL_OFFSET = CONTROL_OFFSET + MAX_TIME + MAX_DUR + MAX_NOTE
SEPARATOR, AUTOREGRESS, ANTICIPATE = SPECIAL_OFFSET, SPECIAL_OFFSET + 1, SPECIAL_OFFSET + 2
VOCAB_SIZE = ANTICIPATE + 1
DRUMS = 128

assert VOCAB_SIZE == 55028


def note_token(instrument: int, pitch: int) -> int:
    return NOTE_OFFSET + instrument * MAX_PITCH + pitch


def event_tokens(time: int, duration: int, instrument: int, pitch: int) -> list[int]:
    return [TIME_OFFSET + time, DUR_OFFSET + duration, note_token(instrument, pitch)]


def decode_event(tokens: list[int]) -> tuple[int, int, int, int]:
    """(time, duration, instrument, pitch) of one event's three tokens."""
    time, duration, note = tokens
    instrument, pitch = divmod(note - NOTE_OFFSET, MAX_PITCH)
    return time - TIME_OFFSET, duration - DUR_OFFSET, instrument, pitch
