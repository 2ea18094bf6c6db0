"""Demo pieces as scores: real multi-track MIDI (melody, chords, bass, drums) made by our own code."""
from __future__ import annotations

import pytest

from ragart_desktop.core.demo.music import PIECES, render_piece
from ragart_desktop.core.music.midi_io import score_from_bytes


def demo_midi(name: str) -> bytes:
    return render_piece(next(p for p in PIECES if p.name == name))


@pytest.fixture
def jazz_score():
    """Blue Hour: 4/4, Bb major, vibraphone melody, electric piano chords, bass and drums."""
    return score_from_bytes(demo_midi("blue-hour-ii-v-i"), name="blue-hour-ii-v-i.mid")
