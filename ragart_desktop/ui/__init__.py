"""PySide6 user interface: windows, views and the workers that run core jobs off the UI thread.

Everything here may import ``ragart_desktop.core``; nothing in core imports this package.
"""
