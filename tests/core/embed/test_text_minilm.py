import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ragart_desktop.core.embed.text_minilm import MiniLMTextEmbedder, packaged_model_dir
from ragart_desktop.core.errors import ModelError, UsageError


@pytest.fixture(scope="module")
def embedder():
    return MiniLMTextEmbedder()


def test_vectors_are_unit_rows_of_the_declared_dim(embedder):
    v = embedder.embed(["a red fox", "a blue whale", ""])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_similar_sentences_are_closer_than_unrelated_ones(embedder):
    cat, kitten, tax, rain, storm = embedder.embed(
        [
            "A cat is sleeping on the sofa.",
            "A kitten naps on the couch.",
            "The quarterly tax return is due in April.",
            "Heavy rain is falling over the city tonight.",
            "A thunderstorm soaks the town this evening.",
        ]
    )
    assert cat @ kitten > cat @ tax + 0.3
    assert rain @ storm > rain @ tax + 0.3
    assert rain @ storm > rain @ cat


def test_embedding_is_deterministic_and_independent_of_batching(embedder):
    texts = ["short", "a somewhat longer sentence about oil painting", "", "music in D minor"]
    together = embedder.embed(texts)
    again = embedder.embed(texts)
    one_by_one = np.stack([embedder.embed_one(t) for t in texts])
    assert np.array_equal(together, again)
    assert np.allclose(together, one_by_one, atol=1e-5)


def test_long_text_is_truncated_not_rejected(embedder):
    v = embedder.embed_one("brushstroke " * 2000)
    assert v.shape == (384,) and np.isclose(np.linalg.norm(v), 1.0, atol=1e-5)


def test_non_text_input_is_refused(embedder):
    with pytest.raises(UsageError):
        embedder.embed([b"bytes"])


def test_missing_model_folder_is_a_model_error_naming_it(tmp_path):
    folder = tmp_path / "nowhere"
    with pytest.raises(ModelError) as info:
        MiniLMTextEmbedder(model_dir=folder).embed(["hello"])
    assert str(folder) in str(info.value)


def _copy_tokenizer(dst):
    src = packaged_model_dir()
    dst.mkdir()
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json"):
        shutil.copy(src / name, dst / name)


def test_damaged_weights_are_a_model_error_naming_the_folder(tmp_path):
    folder = tmp_path / "damaged"
    _copy_tokenizer(folder)
    (folder / "model.safetensors").write_bytes(b"\x00\x01 not a safetensors file")
    with pytest.raises(ModelError) as info:
        MiniLMTextEmbedder(model_dir=folder).embed(["hello"])
    assert str(folder) in str(info.value)


def test_a_model_of_the_wrong_width_is_refused(tmp_path):
    from transformers import BertConfig, BertModel

    folder = tmp_path / "tiny"
    _copy_tokenizer(folder)
    config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)
    BertModel(config).save_pretrained(folder)
    with pytest.raises(ModelError) as info:
        MiniLMTextEmbedder(model_dir=folder).embed(["hello"])
    assert "width 16" in str(info.value)


def test_importing_the_module_does_not_import_torch():
    code = (
        "import sys; import ragart_desktop.core.embed.text_minilm; "
        "sys.exit(1 if {'torch', 'transformers'} & set(sys.modules) else 0)"
    )
    repo_root = Path(__file__).resolve().parents[3]
    assert subprocess.run([sys.executable, "-c", code], cwd=repo_root).returncode == 0
