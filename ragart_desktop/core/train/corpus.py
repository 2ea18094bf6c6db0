"""What a music model learns from: the library's MIDI pieces, split by piece and tokenised.

1. Select the library's MIDI items (all, or those with a tag, or under a folder) and read each;
   an unreadable file is skipped and named, never fatal.
2. Group pieces that are the same music up to a transposition (same onsets, durations and
   intervals), so a piece and its transposed copy never sit on both sides of the split.
3. Split by group into training and validation (about one piece in ten, at least one), in an
   order drawn from the content hashes: the same library gives the same split.
4. Tokenise with the REMI tokenizer. Validation pieces stay in their own key. Training pieces are
   seen in all twelve keys, as twelve streams: in stream k every piece is transposed so that its
   scale is the one on pitch class k, the way the music pipeline fuses retrieved references into
   one key, and pieces of one folder follow each other, so the model learns to continue a piece
   after related ones (its prompt at generation). Drums are kept (MidiTok's drum program and
   ``PitchDrum`` tokens) and never transposed.
"""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import numpy as np

from ragart_desktop.core.errors import BadInputError, UsageError
from ragart_desktop.core.generate.music.plan import parent_major, transposed
from ragart_desktop.core.generate.music.remi_vocab import RemiVocabulary
from ragart_desktop.core.music.midi_io import read_score
from ragart_desktop.core.music.score import Score
from ragart_desktop.core.progress import Task

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

log = logging.getLogger(__name__)

VALIDATION_SHARE = 0.1
KEYS = 12


@dataclass
class Piece:
    item_id: Optional[int]
    path: str
    title: str
    content_hash: str
    score: Score = field(repr=False)

    @property
    def folder(self) -> str:
        return os.path.dirname(self.path)

    def to_json(self) -> dict:
        return {"id": self.item_id, "path": self.path, "title": self.title, "hash": self.content_hash}


@dataclass
class Corpus:
    train: list[Piece]
    validation: list[Piece]
    skipped: list[dict] = field(default_factory=list)   # {"path", "reason"}

    @property
    def pieces(self) -> list[Piece]:
        return self.train + self.validation

    def fingerprint(self) -> str:
        """Identifies the data (which pieces, on which side): a checkpoint only resumes on the same."""
        text = "|".join(p.content_hash for p in self.train) + "#" + "|".join(p.content_hash for p in self.validation)
        return hashlib.sha1(text.encode()).hexdigest()


@dataclass
class Tokens:
    streams: list[np.ndarray]     # training: one stream per key, pieces as BOS ... EOS
    validation: list[np.ndarray]  # one sequence per validation piece, in its own key
    corpus_tokens: int            # the pieces' tokens in their own keys (training + validation)

    @property
    def train_tokens(self) -> int:
        return int(sum(len(s) for s in self.streams))

    @property
    def validation_tokens(self) -> int:
        return int(sum(len(s) for s in self.validation))


# ---------------------------------------------------------------- 1. select

def library_pieces(library: "Library", tag: Optional[str], folder: Optional[str], task: Task) -> tuple[list[Piece], list[dict]]:
    """The library's MIDI items passing the filters, read; and those that could not be read."""
    catalog = library.catalog
    ids = catalog.filter_ids(kinds=("music",), tags=(tag,) if tag else (), folder=folder)
    ids = sorted(ids) if ids is not None else sorted(catalog.ids(("music",)))
    if not ids:
        what = " ".join(w for w in (f"tagged {tag!r}" if tag else "", f"under {folder}" if folder else "") if w)
        raise UsageError(f"the library holds no MIDI pieces{' ' + what if what else ''} to learn from.",
                         hint="Import some MIDI files (ragart import FOLDER) or change the filter.")
    pieces, skipped = [], []
    for k, item in enumerate(catalog.items(ids)):
        task.check()
        task.progress(k, len(ids), f"Reading {os.path.basename(item.path)}")
        try:
            score = read_score(item.path)
        except BadInputError as exc:
            skipped.append({"path": item.path, "reason": exc.message})
            log.info("training skips %s", exc)
            continue
        pieces.append(Piece(item.id, item.path, item.title, item.content_hash, score))
    return pieces, skipped


# ---------------------------------------------------------------- 2-3. group and split

def music_fingerprint(score: Score) -> tuple:
    """The notes up to a transposition (drums as they are): equal for a piece and its transposed copy."""
    pitched = [n.pitch for t in score.tracks if not t.is_drum for n in t.notes]
    low = min(pitched, default=0)
    return tuple(sorted((round(n.start * 12), round(n.end * 12), n.pitch - (0 if t.is_drum else low), t.is_drum)
                        for t in score.tracks for n in t.notes))


def split(pieces: list[Piece], share: float = VALIDATION_SHARE) -> tuple[list[Piece], list[Piece]]:
    groups: dict[tuple, list[Piece]] = {}
    for p in pieces:
        groups.setdefault(music_fingerprint(p.score), []).append(p)
    if len(groups) < 2:
        raise UsageError(f"training needs at least two different pieces (found {len(groups)}).",
                         hint="Import more MIDI files or widen the filter.")
    order = sorted(groups.values(), key=lambda g: hashlib.sha1(("split:" + min(p.content_hash for p in g)).encode()).hexdigest())
    wanted = max(1, int(round(share * len(pieces))))
    validation: list[Piece] = []
    while order and len(validation) < wanted and len(order) > 1:
        validation += order.pop(0)
    return [p for g in order for p in g], validation


def make_corpus(pieces: list[Piece], skipped: list[dict] | None = None, share: float = VALIDATION_SHARE) -> Corpus:
    train, validation = split(pieces, share)
    return Corpus(train, validation, list(skipped or []))


# ---------------------------------------------------------------- 4. tokenise

def tokenise(corpus: Corpus, vocab: RemiVocabulary, seed: int, task: Task) -> Tokens:
    validation = [np.array([vocab.bos] + vocab.encode(p.score) + [vocab.eos], dtype=np.int64) for p in corpus.validation]
    own_keys = 0
    encoded: dict[tuple[int, int], np.ndarray] = {}
    total = len(corpus.train) * KEYS
    for i, piece in enumerate(corpus.train):
        key = piece.score.effective_key()
        home = parent_major(key) if key is not None else 0
        for k in range(KEYS):
            task.check()
            task.progress(i * KEYS + k, total, f"Tokenising {piece.title or os.path.basename(piece.path)} in 12 keys")
            shift = (k - home) % KEYS
            shift = shift - KEYS if shift > 6 else shift
            tokens = vocab.encode(transposed(piece.score, shift) if key is not None else piece.score)
            encoded[(i, k)] = np.array([vocab.bos] + tokens + [vocab.eos], dtype=np.int64)
            if shift == 0:
                own_keys += len(encoded[(i, k)])
    rng = np.random.default_rng(seed)
    folders: dict[str, list[int]] = {}
    for i, piece in enumerate(corpus.train):
        folders.setdefault(piece.folder, []).append(i)
    streams = []
    for k in range(KEYS):
        groups = [list(rng.permutation(g)) for g in folders.values()]
        order = [i for g in (groups[j] for j in rng.permutation(len(groups))) for i in g]
        streams.append(np.concatenate([encoded[(i, k)] for i in order]))
    return Tokens(streams, validation, own_keys + int(sum(len(v) for v in validation)))


def validation_chunks(sequences: list[np.ndarray], length: int) -> list[np.ndarray]:
    """The validation sequences cut into model-sized chunks overlapping by one token, so that every
    token but a sequence's first is predicted exactly once (by the model and by the baseline)."""
    chunks = []
    for seq in sequences:
        for start in range(0, max(1, len(seq) - 1), length - 1):
            chunk = seq[start:start + length]
            if len(chunk) > 1:
                chunks.append(chunk)
    return chunks
