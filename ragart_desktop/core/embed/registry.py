"""Which embedders the library runs: built-ins that need no downloads, plus the user's models.

The words embedder (one vector per item from its title, tags, note and text) is a
sentence-transformers model from the models folders when the user has one (a multilingual model
such as paraphrase-multilingual-MiniLM-L12-v2 or bge-small-zh reads Chinese), else the built-in
English all-MiniLM-L6-v2. Each has its own index (its id, version and dimension are stored with
it), so changing the words embedder re-embeds every item instead of mixing vectors.
"""
from __future__ import annotations

import logging

from ragart_desktop.core.embed.base import Embedder
from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.home import Home
from ragart_desktop.core.settings import Settings

log = logging.getLogger(__name__)


def builtin_embedders() -> list[Embedder]:
    """Words/text (all-MiniLM-L6-v2 from its PyPI package), image and music descriptors."""
    from ragart_desktop.core.embed.text_minilm import MiniLMTextEmbedder

    return [MiniLMTextEmbedder(), *_builtin_content_embedders()]


def _builtin_content_embedders() -> list[Embedder]:
    from ragart_desktop.core.embed.image_descriptor import ImageDescriptorEmbedder
    from ragart_desktop.core.embed.music_descriptor import MusicDescriptorEmbedder

    return [ImageDescriptorEmbedder(), MusicDescriptorEmbedder()]


def words_embedder(registry) -> Embedder:
    """The sentence-transformers model of the models folders that reads the most languages (then
    by name), else the built-in all-MiniLM-L6-v2. Its ``languages`` say what it reads."""
    from ragart_desktop.core.embed.sentence import SentenceEmbedder
    from ragart_desktop.core.embed.text_minilm import MiniLMTextEmbedder

    for entry in sorted(registry.of_kind("sentence-embedding"), key=lambda e: (-len(e.languages), e.name.lower())):
        try:
            return SentenceEmbedder.from_folder(entry.path, languages=entry.languages)
        except ModelError as exc:
            log.warning("text model %s not used for words: %s", entry.name, exc.user_message())
    return MiniLMTextEmbedder()


def library_embedders(home: Home, settings: Settings) -> list[Embedder]:
    """The words embedder, the built-in image and music descriptors, and CLIP when the user has one.

    CLIP adds an image index whose vectors text queries reach too (pictures by their content). A
    new index starts empty; the next import or rescan fills it (``Library.reconcile_indexes``).
    """
    from ragart_desktop.core.embed.clip import ClipEmbedder
    from ragart_desktop.core.models.registry import ModelRegistry

    registry = ModelRegistry(home, settings)
    embedders = [words_embedder(registry), *_builtin_content_embedders()]
    try:
        clip = ClipEmbedder.from_registry(registry, settings)
    except ModelError as exc:
        log.warning("CLIP model not used: %s", exc.user_message())
        clip = None
    if clip is not None:
        embedders.append(clip)
    return embedders
