import numpy as np
import pretty_midi

from ragart_desktop.core.music.theory import (
    NOTE_NAMES,
    UNKNOWN_KEY,
    estimate_key,
    pitch_class_histogram,
)


def _melody(pitches, durations=None, program=0, is_drum=False):
    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=program, is_drum=is_drum)
    t = 0.0
    for k, pitch in enumerate(pitches):
        d = durations[k] if durations else 0.5
        inst.notes.append(pretty_midi.Note(velocity=100, pitch=pitch, start=t, end=t + d))
        t += d
    pm.instruments.append(inst)
    return pm


def test_c_major_scale_is_c_major():
    key, confidence = estimate_key(_melody([60, 62, 64, 65, 67, 69, 71, 72]))
    assert key == "C major"
    assert 0.5 < confidence <= 1.0


def test_a_natural_minor_melody_with_strong_tonic_is_a_minor():
    # A natural minor, starting and ending on A with long tonic and dominant notes.
    pitches = [57, 60, 64, 62, 60, 59, 57, 64, 65, 64, 62, 60, 59, 57]
    durations = [1.5, 0.5, 1.0, 0.5, 0.5, 0.5, 1.5, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 2.0]
    key, _ = estimate_key(_melody(pitches, durations))
    assert key == "A minor"


def test_transposed_scale_follows_the_transposition():
    key, _ = estimate_key(_melody([p + 7 for p in [60, 62, 64, 65, 67, 69, 71, 72]]))
    assert key == "G major"


def test_histogram_weights_by_duration_and_velocity_and_skips_drums():
    pm = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    piano.notes.append(pretty_midi.Note(velocity=127, pitch=60, start=0.0, end=2.0))
    piano.notes.append(pretty_midi.Note(velocity=127, pitch=67, start=0.0, end=1.0))
    drums = pretty_midi.Instrument(program=0, is_drum=True)
    drums.notes.append(pretty_midi.Note(velocity=127, pitch=38, start=0.0, end=5.0))
    pm.instruments += [piano, drums]
    hist = pitch_class_histogram(pm)
    assert hist.shape == (12,)
    assert np.isclose(hist[0], 2.0) and np.isclose(hist[7], 1.0)
    assert hist[38 % 12] == 0.0


def test_empty_midi_has_unknown_key():
    assert estimate_key(pretty_midi.PrettyMIDI()) == (UNKNOWN_KEY, 0.0)
    assert estimate_key(_melody([38, 38], is_drum=True)) == (UNKNOWN_KEY, 0.0)


def test_note_names_are_twelve_pitch_classes_from_c():
    assert len(NOTE_NAMES) == 12 and NOTE_NAMES[0] == "C" and NOTE_NAMES[9] == "A"
