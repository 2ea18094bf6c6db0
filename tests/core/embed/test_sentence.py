"""A sentence-transformers folder the user brings: recognised by inspection, run like the reference
library runs it, and made the library's words embedder (its own index, filled in the background)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ragart_desktop.cli import main
from ragart_desktop.core.embed.sentence import SentenceEmbedder
from ragart_desktop.core.errors import ModelError
from ragart_desktop.core.library.library import Library, words_text
from ragart_desktop.core.models.recognise import inspect_path
from ragart_desktop.core.retrieval.query import Query
from tests.fixtures import tiny_models

TEXTS = ["夜半钟声到客船", "the bell at night", "床前明月光，疑是地上霜", "snow on the river 江雪"]


@pytest.mark.parametrize("pooling", ["mean", "cls", "max"])
def test_vectors_are_what_sentence_transformers_computes(tmp_path, pooling):
    from sentence_transformers import SentenceTransformer

    folder = tiny_models.make_sentence_embedder_folder(tmp_path / f"tiny-{pooling}", pooling=pooling)
    ours = SentenceEmbedder.from_folder(folder).embed(TEXTS)
    reference = SentenceTransformer(str(folder), device="cpu", local_files_only=True).encode(
        TEXTS, normalize_embeddings=True)
    assert ours.shape == (4, 32) and np.allclose(ours, reference, atol=1e-5)


def test_recognised_by_inspection_with_the_languages_it_reads(tmp_path):
    carded = inspect_path(tiny_models.make_sentence_embedder_folder(tmp_path / "multi"))
    assert (carded.kind, carded.task, carded.loadable) == ("sentence-embedding", "text-embedding", True)
    assert carded.languages == ("multilingual", "zh", "en")
    bare = inspect_path(tiny_models.make_sentence_embedder_folder(tmp_path / "bare", languages=None))
    assert bare.loadable and bare.languages == ("Han script", "Latin script")   # read from its vocabulary


def test_layers_it_cannot_run_are_refused_with_the_reason(tmp_path):
    folder = tiny_models.make_sentence_embedder_folder(tmp_path / "dense")
    modules = json.loads((folder / "modules.json").read_text())
    modules.append({"idx": 3, "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"})
    tiny_models.write_json(folder / "modules.json", modules)
    entry = inspect_path(folder)
    assert not entry.loadable and "Dense" in entry.reason
    with pytest.raises(ModelError, match="Dense"):
        SentenceEmbedder.from_folder(folder)


def test_a_multilingual_model_in_the_models_folder_becomes_the_words_embedder(home, tmp_path, capsys):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "bells.txt").write_text("枫桥夜泊\n\n姑苏城外寒山寺，夜半钟声到客船。\n", encoding="utf-8")
    (notes / "snow.txt").write_text("江雪\n\n孤舟蓑笠翁，独钓寒江雪。\n", encoding="utf-8")
    lib = Library.open(home)
    lib.import_paths([notes])
    english = lib.words_embedder.id
    lib.close()

    tiny_models.make_sentence_embedder_folder(home.models_dir / "tiny-multilingual")
    lib = Library.open(home)
    try:
        words = lib.words_embedder
        assert words.id.startswith("text-tiny-multilingual-") and words.dim == 32 and english not in lib.indexes
        assert words.languages == ("multilingual", "zh", "en") and len(lib.indexes[words.id]) == 0
        lib.rescan()                               # the new words index is filled from the catalog
        index = lib.indexes[words.id]
        assert len(index) == 2 and (index.spec.embedder_id, index.spec.dim) == (words.id, 32)
        item = lib.resolve(str(notes / "bells.txt"))
        assert float(index.get_vectors([item.id])[0] @ words.embed_one(words_text(item))) > 0.99   # its vectors
        results = lib.search(Query(text="钟声", k=2))
        assert results[0].item.id == item.id and "words close to" in results[0].why
    finally:
        lib.close()

    assert main(["--home", str(home.root), "models", "list"]) == 0
    out = capsys.readouterr().out
    assert "Words are read by tiny-multilingual (languages: multilingual, zh, en)" in out
    assert main(["--home", str(home.root), "models", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["words"]
    assert listed == {"embedder": words.id, "model": "tiny-multilingual", "languages": ["multilingual", "zh", "en"]}
