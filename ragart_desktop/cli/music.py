"""`ragart render`: a MIDI file to a WAV file with the SoundFont the models folders offer."""
from __future__ import annotations

import argparse
import json

from ragart_desktop.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render", help="render a MIDI file to WAV audio (General MIDI SoundFont)")
    p.add_argument("midi", metavar="FILE.mid")
    p.add_argument("--out", required=True, metavar="FILE.wav")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_render)


def cmd_render(args: argparse.Namespace, home: Home) -> int:
    from ragart_desktop.cli.library import _stderr_progress
    from ragart_desktop.core.models.registry import ModelRegistry
    from ragart_desktop.core.music.audio import render_wav, soundfont_path
    from ragart_desktop.core.music.midi_io import read_score
    from ragart_desktop.core.settings import Settings

    score = read_score(args.midi)
    font = soundfont_path(ModelRegistry(home, Settings.load(home.settings_path)))
    result = render_wav(score, args.out, soundfont=font, task=_stderr_progress())
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(f"{result.path}: {result.seconds:.1f} s of audio in {result.render_seconds:.2f} s "
              f"({result.seconds / max(result.render_seconds, 1e-9):.0f}x real time) with {font.name}")
    return 0
