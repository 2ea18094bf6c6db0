"""The result of reading one library file: its kind, metadata, searchable words and content.

Produced by ``ragart_desktop.core.library.readers.analyze_file`` for each file the importer finds;
consumed by the catalog (metadata, words), the thumbnail cache and the embedders (``content``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Analysis:
    kind: str                     # "image" | "music" | "text"
    title: str                    # human title (file stem, text heading, MIDI track name ...)
    metadata: dict[str, Any]      # JSON-serialisable facts (size, tempo, key, exif description ...)
    words: str                    # searchable words drawn from the content's metadata (not the path)
    content: Any                  # embedder input: PIL RGB image | pretty_midi.PrettyMIDI | str
    body: str = ""                # full text of a text note (indexed by FTS and the text embedder)
    thumbnail: Any = None         # PIL RGB image, long side <= 256, or None (music/text)
    extra: dict[str, Any] = field(default_factory=dict)
