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
from ragart_desktop.core.canvas.fileio import atomic_write
from ragart_desktop.core.canvas.layer import Layer
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
    except (OSError, zipfile.BadZipFile) as exc:
        raise BadInputError(f"the file is not a readable RagArt project ({exc}).", path=path) from None


def open_project(path: Union[str, Path], task: Optional[Task] = None) -> CanvasDocument:
    """Open a project file; raises ``BadInputError`` naming the file when it is damaged."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            doc = _load(zf, path, ensure_task(task))
    except FileNotFoundError:
        raise BadInputError("the project file does not exist.", path=path) from None
    except BadInputError:
        raise
    except UsageError as exc:  # e.g. an impossible canvas size in the manifest
        raise BadInputError(exc.message, path=path) from None
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, Image.DecompressionBombError) as exc:
        raise BadInputError(f"the project file is damaged ({exc}).", path=path,
                            hint="An autosave of it may exist in the home folder's autosave/ folder.") from None
    doc.path = path
    doc.mark_saved()
    return doc


def _load(zf: zipfile.ZipFile, path: Path, task: Task) -> CanvasDocument:
    manifest = _manifest(zf, path)
    width, height = int(manifest["width"]), int(manifest["height"])
    doc = CanvasDocument(width, height)
    metas = list(manifest["layers"]) + list(manifest.get("history_layers", []))
    pool: dict[int, Layer] = {}
    for done, meta in enumerate(metas):
        task.check()
        task.progress(done, len(metas), f"Reading layer {meta.get('name', '')!r}")
        layer = _read_layer(zf, meta, width, height, path)
        pool[layer.id] = layer
    layers = [pool[int(meta["id"])] for meta in manifest["layers"]]
    selection = None
    if manifest.get("selection"):
        selection = _read_png(zf, manifest["selection"], "L", (height, width), path)
    commands = []
    for entry in manifest.get("history", []):
        arrays = {}
        if entry.get("file"):
            with np.load(io.BytesIO(zf.read(entry["file"])), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        commands.append(command_from_record(entry["meta"], arrays, pool))
    doc._install(layers, manifest.get("active_layer"), selection, int(manifest["next_layer_id"]), commands)
    if manifest.get("session_id"):
        doc.session_id = str(manifest["session_id"])
    return doc


def _manifest(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except KeyError:
        raise BadInputError("the file is not a RagArt project (no manifest.json).", path=path) from None
    except ValueError as exc:
        raise BadInputError(f"the project manifest is not valid JSON ({exc}).", path=path) from None
    if manifest.get("format") != FORMAT:
        raise BadInputError(f"the file is not a RagArt canvas project (format {manifest.get('format')!r}).", path=path)
    if int(manifest.get("version", 0)) > VERSION:
        raise BadInputError(f"the project was saved by a newer RagArt (format version {manifest['version']}).",
                            path=path, hint="Update RagArt to open it.")
    return manifest


def _layer_meta(layer: Layer, file: str) -> dict[str, Any]:
    return {"id": layer.id, "name": layer.name, "opacity": layer.opacity, "visible": layer.visible,
            "blend": layer.blend, "provenance": layer.provenance, "file": file}


def _read_layer(zf: zipfile.ZipFile, meta: dict, width: int, height: int, path: Path) -> Layer:
    pixels = _read_png(zf, meta["file"], "RGBA", (height, width, 4), path)
    return Layer(int(meta["id"]), str(meta["name"]), pixels, float(meta["opacity"]), bool(meta["visible"]),
                 str(meta.get("blend", "normal")), dict(meta.get("provenance") or {}))


def _read_png(zf: zipfile.ZipFile, name: str, mode: str, shape: tuple, path: Path) -> np.ndarray:
    with Image.open(io.BytesIO(zf.read(name))) as image:
        if image.mode != mode:
            raise BadInputError(f"{name} inside the project is {image.mode}, expected {mode}.", path=path)
        pixels = np.array(image, dtype=np.uint8)
    if pixels.shape != shape:
        raise BadInputError(f"{name} inside the project is {pixels.shape[1]} x {pixels.shape[0]}, "
                            f"expected {shape[1]} x {shape[0]}.", path=path)
    return pixels

