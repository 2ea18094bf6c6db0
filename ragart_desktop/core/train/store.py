"""Where a training keeps its work: the checkpoint of a run in progress, and the finished model.

- The checkpoint lives in ``<models>/.training/<name>/checkpoint.safetensors`` (a dot folder, so
  the registry never lists a half-trained model). It is ONE safetensors file: the current weights
  (``model.*``), the best weights so far (``best.*``), the optimiser's moments (``optim.*``) and
  the random state of torch (``rng.torch``), with the rest of the state as JSON in its metadata.
  It is written to a temporary file, flushed to disk and renamed, so a kill leaves the previous
  one whole; a damaged one is reported in the log and ignored (the training starts again).
- The model is written to a temporary folder beside the checkpoint, then renamed to
  ``<models>/<name>``: an ordinary transformers folder (config.json, model.safetensors) with the
  MidiTok ``tokenizer.json`` and a card (``model_card.json`` for programs, ``README.md`` for people).
  A model of the same name is replaced only once the new one is complete.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any, Optional

from ragart_desktop.core.errors import StorageError, UsageError

log = logging.getLogger(__name__)

CHECKPOINT = "checkpoint.safetensors"
CARD = "model_card.json"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise UsageError(f"model name {name!r}: use letters, digits, '.', '_' or '-' (up to 64, not starting with a dot).")
    return name


def work_dir(models_dir: Path, name: str) -> Path:
    return models_dir / ".training" / check_name(name)


def save_checkpoint(folder: Path, tensors: dict[str, Any], state: dict[str, Any]) -> Path:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CHECKPOINT
    tmp = folder / (CHECKPOINT + ".tmp")
    try:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(tmp),
                  metadata={"state": json.dumps(state)})
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise StorageError(f"the training checkpoint could not be written ({exc.strerror or exc}).", path=path) from exc
    return path


def load_checkpoint(folder: Path) -> Optional[tuple[dict[str, Any], dict[str, Any]]]:
    """(tensors, state) of the checkpoint, or None when there is none or it cannot be read."""
    from safetensors import SafetensorError, safe_open

    path = folder / CHECKPOINT
    if not path.is_file():
        return None
    try:
        with safe_open(str(path), framework="pt") as f:
            state = json.loads((f.metadata() or {})["state"])
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except (OSError, ValueError, KeyError, SafetensorError) as exc:
        log.warning("training checkpoint %s is damaged (%s); starting again", path, exc)
        return None
    return tensors, state


def drop_checkpoint(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def write_model(models_dir: Path, name: str, model, tokenizer, card: dict[str, Any], readme: str) -> Path:
    """Write the finished model as ``<models>/<name>``, replacing an older one only at the end."""
    from ragart_desktop.core.generate.music.remi_vocab import TOKENIZER_FILE

    work = work_dir(models_dir, name)
    tmp, old, final = work / "model.tmp", work / "model.old", models_dir / name
    for leftover in (tmp, old):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        model.save_pretrained(str(tmp), safe_serialization=True)
        tokenizer.save(tmp / TOKENIZER_FILE)
        (tmp / CARD).write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
        (tmp / "README.md").write_text(readme, encoding="utf-8")
        replaced = final.exists()
        if replaced:
            os.replace(final, old)
        try:
            os.replace(tmp, final)
        except OSError:
            if replaced:   # put the previous model back
                os.replace(old, final)
            raise
    except OSError as exc:
        raise StorageError(f"the trained model could not be saved ({exc.strerror or exc}).", path=final) from exc
    shutil.rmtree(old, ignore_errors=True)
    return final


def read_card(folder: Path) -> Optional[dict[str, Any]]:
    """The card of a model RagArt trained, or None (not one of ours, or unreadable)."""
    try:
        data = json.loads((Path(folder) / CARD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
