"""Project files: a zip holding the layers, the selection and the undo history.

Layout (``*.ragart``)::

    manifest.json            format, version, size, layer stack and properties, history entries
    layers/<id>.png          each layer, straight RGBA (bit-exact round trip)
    selection.png            the selection mask ("L"), only when something is selected
    history/layers/<id>.png  layers that live only in the history (removed, or added then undone)
    history/<n>.npz          the changed tiles of history entry n (pixel edits only)

Only the applied part of the history (what Undo can reach) is stored. Saving goes through a
snapshot so the autosaver can copy the document on the UI thread and write it on another.
"""
from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np
from PIL import Image

from ragart_desktop.core.canvas.commands import command_from_record
from ragart_desktop.core.canvas.document import CanvasDocument
from ragart_desktop.core.fileio import atomic_write
from ragart_desktop.core.canvas.layer import Layer
from ragart_desktop.core.canvas.project_format import (
    Damaged, MemberBudget, check_manifest, read_manifest_json, read_png, read_tiles)
from ragart_desktop.core.errors import BadInputError, UsageError
from ragart_desktop.core.progress import Task, ensure_task

log = logging.getLogger(__name__)

FORMAT = "ragart-canvas"
VERSION = 1
SUFFIX = ".ragart"


@dataclass
class ProjectSnapshot:
    """Everything a project file holds, detached from the live document."""

    manifest: dict[str, Any]
    images: dict[str, np.ndarray] = field(default_factory=dict)   # zip name -> pixels
    arrays: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # zip name -> npz arrays


def take_snapshot(doc: CanvasDocument, *, copy_pixels: bool) -> ProjectSnapshot:
    """Capture ``doc``. With ``copy_pixels`` the snapshot stays valid while the user keeps painting
    (history tiles are never modified after they are recorded, so they are shared, not copied)."""
    doc.end_stroke()
    grab = (lambda a: a.copy()) if copy_pixels else (lambda a: a)
    snap = ProjectSnapshot(manifest={})
    layers_meta = []
    for layer in doc.layers:
        name = f"layers/{layer.id}.png"
        snap.images[name] = grab(layer.pixels)
        layers_meta.append(_layer_meta(layer, name))

    in_document = {layer.id for layer in doc.layers}
    history_layers: dict[int, Layer] = {}
    entries = []
    for n, command in enumerate(doc.history.done):
        meta, arrays = command.to_record()
        entry = {"meta": json.loads(json.dumps(meta)), "file": None}
        if arrays:
            entry["file"] = f"history/{n:05d}.npz"
            snap.arrays[entry["file"]] = arrays
        entries.append(entry)
        for layer in command.layer_refs():
            if layer.id not in in_document:
                history_layers[layer.id] = layer
    history_meta = []
    for layer in history_layers.values():
        name = f"history/layers/{layer.id}.png"
        snap.images[name] = grab(layer.pixels)
        history_meta.append(_layer_meta(layer, name))

    selection_file = None
    if doc.has_selection:
        selection_file = "selection.png"
        snap.images[selection_file] = grab(doc.selection)

    snap.manifest = {
        "format": FORMAT,
        "version": VERSION,
        "width": doc.width,
        "height": doc.height,
        "next_layer_id": doc.next_layer_id,
        "active_layer": doc.active_layer_id,
        "layers": layers_meta,
        "history_layers": history_meta,
        "history": entries,
        "selection": selection_file,
        "source_path": str(doc.path) if doc.path else None,
        "session_id": doc.session_id,
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    return snap


def write_snapshot(snapshot: ProjectSnapshot, path: Union[str, Path], *, compress_level: int = 6,
                   task: Optional[Task] = None) -> Path:
    """Write a snapshot as a project zip, atomically: a crash or a cancel mid-write leaves the
    previous file untouched."""
    task = ensure_task(task)
    total = len(snapshot.images) + len(snapshot.arrays)

    def write(fh) -> None:
        with zipfile.ZipFile(fh, "w") as zf:
            zf.writestr("manifest.json", json.dumps(snapshot.manifest, indent=1),
                        compress_type=zipfile.ZIP_DEFLATED)
            for done, (name, pixels) in enumerate(snapshot.images.items()):
                task.check()
                task.progress(done, total, f"Saving {name}")
                buf = io.BytesIO()
                mode = "L" if pixels.ndim == 2 else "RGBA"
                Image.fromarray(pixels, mode).save(buf, format="PNG", compress_level=compress_level)
                zf.writestr(name, buf.getvalue(), compress_type=zipfile.ZIP_STORED)
            for name, arrays in snapshot.arrays.items():
                task.check()
                buf = io.BytesIO()
                np.savez_compressed(buf, **arrays)
                zf.writestr(name, buf.getvalue(), compress_type=zipfile.ZIP_STORED)

    written = atomic_write(Path(path), write)
    task.progress(total, total, "Saved")
    return written


def save_project(doc: CanvasDocument, path: Union[str, Path], *, compress_level: int = 6,
                 task: Optional[Task] = None) -> Path:
    """Save ``doc`` to ``path`` and remember it as the document's file."""
    path = Path(path)
    snapshot = take_snapshot(doc, copy_pixels=False)
    snapshot.manifest["source_path"] = str(path)  # the file knows where it lives
    write_snapshot(snapshot, path, compress_level=compress_level, task=task)
    doc.mark_saved(path)
    log.info("saved canvas project %s (%d layers, %d history entries)", path, len(doc.layers), len(doc.history.done))
    return path


def read_manifest(path: Union[str, Path]) -> dict[str, Any]:
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            return _manifest(zf, path)
    except FileNotFoundError:
        raise BadInputError("the project file does not exist.", path=path) from None
    except (OSError, zipfile.BadZipFile, Damaged) as exc:
        raise BadInputError(f"the file is not a readable RagArt project ({exc}).", path=path) from None


def open_project(path: Union[str, Path], task: Optional[Task] = None) -> CanvasDocument:
    """Open a project; raises ``BadInputError`` naming the file when it is damaged (see
    ``project_format`` for what is checked before anything is allocated)."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            doc = _load(zf, path, ensure_task(task))
    except FileNotFoundError:
        raise BadInputError("the project file does not exist.", path=path) from None
    except (BadInputError, UsageError) as exc:
        if exc.path is not None:
            raise
        raise BadInputError(f"the project file is damaged ({exc.message.rstrip('.')}).", path=path,
                            hint=DAMAGED_HINT) from None
    except MemoryError:
        raise BadInputError("there is not enough memory to open this project.", path=path,
                            hint="Close other canvases or programs, then open it again.") from None
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BadInputError(f"the project file is damaged ({exc}).", path=path, hint=DAMAGED_HINT) from None
    doc.path = path
    doc.mark_saved()
    return doc


DAMAGED_HINT = "An autosave of it may exist in the home folder's autosave/ folder."


def _load(zf: zipfile.ZipFile, path: Path, task: Task) -> CanvasDocument:
    # 1. The manifest, every field checked against the zip's members.
    m = check_manifest(_manifest(zf, path), set(zf.namelist()))
    budget = MemberBudget(zf, path.stat().st_size)
    # 2. The layers, each checked from its header before it is decoded.
    metas = m.layers + m.history_layers
    pool: dict[int, Layer] = {}
    for done, meta in enumerate(metas):
        task.check()
        task.progress(done, len(metas), f"Reading layer {meta.name!r}")
        pixels = read_png(budget, meta.file, "RGBA", m.width, m.height)
        pool[meta.id] = Layer(meta.id, meta.name, pixels, meta.opacity, meta.visible, meta.blend,
                              dict(meta.provenance))
    selection = read_png(budget, m.selection, "L", m.width, m.height) if m.selection else None
    # 3. The history: tiles checked against the canvas grid, layers against the pool.
    commands = []
    for entry in m.history:
        task.check()
        arrays = {}
        if entry.file:   # a layer's tiles are RGBA, the selection's (target None) a mask
            channels = None if entry.meta.get("target") is None else 4
            arrays = read_tiles(budget, entry.file, channels, m.width, m.height)
        commands.append(command_from_record(entry.meta, arrays, pool))
    # 4. Only now the document (its canvas-sized buffers).
    doc = CanvasDocument(m.width, m.height)
    doc._install([pool[meta.id] for meta in m.layers], m.active_layer, selection, m.next_layer_id, commands)
    if m.session_id:
        doc.session_id = m.session_id
    return doc


def _manifest(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest = read_manifest_json(zf)
    except KeyError:
        raise BadInputError("the file is not a RagArt project (no manifest.json).", path=path) from None
    if manifest.get("format") != FORMAT:
        raise BadInputError(f"the file is not a RagArt canvas project (format {manifest.get('format')!r}).", path=path)
    version = manifest.get("version", 0)
    if type(version) is not int:
        raise Damaged(f"its format version {version!r} is not a number")
    if version > VERSION:
        raise BadInputError(f"the project was saved by a newer RagArt (format version {version}).",
                            path=path, hint="Update RagArt to open it.")
    return manifest


def _layer_meta(layer: Layer, file: str) -> dict[str, Any]:
    return {"id": layer.id, "name": layer.name, "opacity": layer.opacity, "visible": layer.visible,
            "blend": layer.blend, "provenance": layer.provenance, "file": file}
