"""The Music tab: a piano roll over the score document, with playback and generation."""
from ragart_desktop.ui.music.editor import MusicEditor

__all__ = ["MusicEditor"]
