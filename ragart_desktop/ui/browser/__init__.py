"""The reference browser: search, filters and the virtualised thumbnail grid of the library."""
from ragart_desktop.ui.browser.view import ReferenceBrowser

__all__ = ["ReferenceBrowser"]
