"""The MIDI corpora the training bench learns from, written to a folder as ordinary MIDI files.

- ``demo``: the pieces ``ragart demo`` imports (``core/demo/music``), composed for RagArt and
  shipped with it: five folders (folk melodies, classical, jazz chords, lo-fi beats, ambient).
- ``chorales``: J. S. Bach's four-part chorales (public-domain music, 18th century) as encoded in
  the music21 corpus (MusicXML, distributed with music21 under its BSD licence), the first
  ``count`` in BWV-file order that are plain SATB (four parts; those with extra instrumental
  parts are left out), written to MIDI by music21. Needs ``pip install music21`` (the ``bench``
  extra); nothing is downloaded at run time, the files come inside the music21 package.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ragart_desktop.core.demo.music import PIECES, render_piece
from ragart_desktop.core.errors import UsageError
from ragart_desktop.core.music.midi_io import read_score
from ragart_desktop.core.train.corpus import Piece

CORPORA = ("demo", "chorales")


def _piece(path: Path, title: str) -> Piece:
    data = path.read_bytes()
    return Piece(None, str(path), title, hashlib.sha256(data).hexdigest(), read_score(path))


def demo_pieces(root: Path) -> list[Piece]:
    out = []
    for spec in PIECES:
        folder = root / spec.folder.replace(" ", "-")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{spec.name}.mid"
        path.write_bytes(render_piece(spec))
        out.append(_piece(path, spec.title))
    return out


def bach_chorales(root: Path, count: int) -> list[Piece]:
    try:
        from music21 import corpus
    except ImportError as exc:
        raise UsageError("the chorale corpus is read from the music21 package: pip install music21 "
                         "(or pip install -e '.[bench]').") from exc
    folder = root / "bach-chorales"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for source in sorted(p for p in corpus.getComposer("bach") if Path(p).name.startswith("bwv")):
        if len(out) >= count:
            break
        score = corpus.parse(source)
        if len(score.parts) != 4:
            continue
        name = Path(source).name.rsplit(".", 1)[0]
        path = folder / f"{name}.mid"
        score.write("midi", fp=str(path))
        out.append(_piece(path, f"Chorale {name.upper()}"))
    return out


def corpus_pieces(name: str, root: Path, count: int) -> list[Piece]:
    """The pieces of the corpus ``name`` (one of ``CORPORA``), written under ``root``."""
    if name == "demo":
        return demo_pieces(root)
    if name == "chorales":
        return bach_chorales(root, count)
    raise UsageError(f"unknown corpus {name!r}; choose one of {', '.join(CORPORA)}.")
