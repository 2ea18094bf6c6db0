"""How vocab.json and merges.txt in this folder were made (run once; kept for provenance).

Source: ``bpe_simple_vocab_16e6.txt.gz``, the byte-pair merge list OpenAI's CLIP ships and open_clip
bundles (``pip download open_clip_torch --no-deps``, then unzip ``open_clip/bpe_simple_vocab_16e6.txt.gz``).
The conversion follows CLIP's ``SimpleTokenizer``: 256 byte symbols, the same with the end-of-word
marker ``</w>``, the first 48,894 merges, then the two special tokens -> 49,408 ids, the vocabulary
every Stable Diffusion text encoder (SD 1.x, SD 2.x, both SDXL encoders) and CLIP ViT models use.

    python convert_bpe.py path/to/bpe_simple_vocab_16e6.txt.gz
"""
import gzip
import json
import sys
from pathlib import Path

N_MERGES = 49152 - 256 - 2


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's reversible byte -> printable unicode character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def convert(gz_path: Path, out_dir: Path) -> None:
    lines = gzip.open(gz_path).read().decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1 : N_MERGES + 1]]
    symbols = list(bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols]
    vocab += ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    (out_dir / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(vocab)}, ensure_ascii=False), encoding="utf-8")
    (out_dir / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n", encoding="utf-8")


if __name__ == "__main__":
    convert(Path(sys.argv[1]), Path(__file__).resolve().parent)
