"""Which embedders the library runs: built-ins that need no downloads, plus user models later."""
from __future__ import annotations

from ragart_desktop.core.embed.base import Embedder


def builtin_embedders() -> list[Embedder]:
    """Words/text (all-MiniLM-L6-v2 from its PyPI package), image and music descriptors."""
    from ragart_desktop.core.embed.image_descriptor import ImageDescriptorEmbedder
    from ragart_desktop.core.embed.music_descriptor import MusicDescriptorEmbedder
    from ragart_desktop.core.embed.text_minilm import MiniLMTextEmbedder

    return [MiniLMTextEmbedder(), ImageDescriptorEmbedder(), MusicDescriptorEmbedder()]
