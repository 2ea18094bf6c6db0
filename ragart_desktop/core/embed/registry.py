"""Which embedders the library runs: built-ins that need no downloads, plus the user's CLIP."""
from __future__ import annotations

import logging

from ragart_desktop.core.embed.base import Embedder
from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.home import Home
from ragart_desktop.core.settings import Settings

log = logging.getLogger(__name__)


def builtin_embedders() -> list[Embedder]:
    """Words/text (all-MiniLM-L6-v2 from its PyPI package), image and music descriptors."""
    from ragart_desktop.core.embed.image_descriptor import ImageDescriptorEmbedder
    from ragart_desktop.core.embed.music_descriptor import MusicDescriptorEmbedder
    from ragart_desktop.core.embed.text_minilm import MiniLMTextEmbedder

    return [MiniLMTextEmbedder(), ImageDescriptorEmbedder(), MusicDescriptorEmbedder()]


def library_embedders(home: Home, settings: Settings) -> list[Embedder]:
    """The built-ins, plus a CLIP model from the models folders when the user has one.

    CLIP adds an image index whose vectors text queries reach too (pictures by their content). Its
    index starts empty; the next import or rescan fills it (``Library.reconcile_indexes``).
    """
    embedders = builtin_embedders()
    from ragart_desktop.core.embed.clip import ClipEmbedder
    from ragart_desktop.core.models.registry import ModelRegistry

    try:
        clip = ClipEmbedder.from_registry(ModelRegistry(home, settings), settings)
    except ModelError as exc:
        log.warning("CLIP model not used: %s", exc.user_message())
        clip = None
    if clip is not None:
        embedders.append(clip)
    return embedders
