"""Qt-free core of RagArt Desktop: library, embedders, indexes, retrieval, generation engines.

Nothing under this package may import PySide6 (a test enforces it).
"""
