"""The kinds of work RagArt handles, in one table: names, file suffixes, labels, file-dialog filters.

Every place that asks "what kind is this file?", "which files can the library import?" or "what do
we call these in the UI?" reads this table (the scanner, the readers, the CLI, the browser, the
editors and their file dialogs), so a suffix is added in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional


@dataclass(frozen=True)
class Kind:
    name: str                     # "image" | "music" | "text": the catalog's and the history's kind
    label: str                    # one item, in words ("image", "MIDI file", "text file")
    plural: str                   # a heading for many ("Images", "Music", "Text")
    suffixes: tuple[str, ...]     # lower case, with the dot; the first is the default for new files

    @property
    def file_filter(self) -> str:
        """The Qt file-dialog filter for this kind ("Images (*.png *.jpg …)")."""
        return file_filter(self.plural, self.suffixes)


KINDS: tuple[Kind, ...] = (
    Kind("image", "image", "Images", (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")),
    Kind("music", "MIDI file", "Music", (".mid", ".midi")),
    Kind("text", "text file", "Text", (".txt", ".md")),
)
KIND_NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
_BY_SUFFIX = {suffix: kind.name for kind in KINDS for suffix in kind.suffixes}
_BY_NAME = {kind.name: kind for kind in KINDS}


def kind_named(name: str) -> Kind:
    """The table row of ``name`` (KeyError for a kind that does not exist)."""
    return _BY_NAME[name]


def kind_for_suffix(suffix: str) -> Optional[str]:
    """The kind of a file with this suffix (".PNG" and ".png" alike), or None when RagArt cannot read it."""
    return _BY_SUFFIX.get(suffix.lower())


def file_filter(label: str, suffixes: Iterable[str]) -> str:
    return f"{label} ({' '.join('*' + s for s in suffixes)})"


def library_filter() -> str:
    """The file-dialog filter for every file the library imports."""
    return file_filter("Library files", (s for kind in KINDS for s in kind.suffixes))
