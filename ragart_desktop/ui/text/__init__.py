"""The Text tab: write with the library (see ``editor``)."""
from ragart_desktop.ui.text.editor import TextEditor

__all__ = ["TextEditor"]
