"""The one table of item kinds: every suffix names one kind, filters list them all."""
from __future__ import annotations

import pytest

from ragart_desktop.core.kinds import KIND_NAMES, KINDS, kind_for_suffix, kind_named, library_filter


@pytest.mark.parametrize("suffix, kind", [(".png", "image"), (".JPG", "image"), (".tiff", "image"),
                                          (".mid", "music"), (".MIDI", "music"), (".txt", "text"),
                                          (".md", "text"), (".ragart", None), ("", None)])
def test_a_suffix_names_its_kind(suffix, kind):
    assert kind_for_suffix(suffix) == kind


def test_each_suffix_belongs_to_one_kind_and_the_filters_list_them():
    suffixes = [s for kind in KINDS for s in kind.suffixes]
    assert len(suffixes) == len(set(suffixes)) and all(s == s.lower() and s.startswith(".") for s in suffixes)
    assert KIND_NAMES == ("image", "music", "text")
    assert kind_named("music").file_filter == "Music (*.mid *.midi)"
    assert library_filter().startswith("Library files (*.png ") and "*.md)" in library_filter()
    with pytest.raises(KeyError):
        kind_named("video")
