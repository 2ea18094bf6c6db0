"""The near-copy guard: is a picture mostly one library picture, even cropped, rescaled, mirrored,
slightly rotated, recoloured or brightened?

1. Candidates: the library pictures nearest to the image and to its mirror image in every image
   index the library has (the built-in descriptor, and CLIP when the user has it), plus the pictures
   the caller names (a generation's references, which are what a result is most likely to copy).
2. Align: ORB keypoints of the image (and of its mirror image) are matched to a candidate's, and
   RANSAC fits an affine map (crop, scale, aspect change, small rotation). The whole-frame stretch
   is tried as well, for copies with few keypoints. Keypoints are found on HSL lightness, which a
   hue shift leaves unchanged.
3. Verify densely: the candidate is warped onto the image; on an 8x8 grid of cells, a cell counts as
   copied when its band-passed lightness correlates above ``CELL_CORRELATION`` with the warped
   candidate's. A correlation ignores brightness and contrast changes; the band-pass removes the
   smooth gradients that any two skies share. Cells without texture do not count either way.

``similarity`` is the share of the image's textured cells that are copied from the candidate under
one alignment: 1.0 for a crop, a mirror or a recolour of it, near 0 for a different picture.

``NEAR_COPY = 0.4`` was chosen on the curve ``bench/bench_near_copy.py`` draws on the demo library:
576 edited copies (crops to 80% and 60%, half and 1.5x scale, mirror, 5 and 10 degree rotations,
hue shifts, brightness, saturation, contrast, JPEG quality 30 and three combined edits) against the
same 576 edits compared with every other demo picture. Copies scored 0.46 and up but for one (a 60%
crop of a self-similar nested-squares picture, 0.0); the best different picture scored 0.31 (two
grid abstracts). At 0.4: 99.8% of the copies flagged, no false alarm; 0.3 already had one.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Collection, Iterable, Optional, Sequence

import numpy as np
from PIL import Image, ImageOps

from ragart_desktop.core.errors import BadInputError

if TYPE_CHECKING:
    from ragart_desktop.core.library.library import Library

log = logging.getLogger(__name__)

NEAR_COPY = 0.4             # share of the picture copied from one library picture (see above)
CANDIDATES = 8              # library pictures verified per index and view
FEATURE_SIDE = 384          # keypoints are found on the image scaled to this long side
KEYPOINTS = 500
WORK = 128                  # the dense check runs on a WORK x WORK view of the image
GRID = 8                    # ... in GRID x GRID cells
BAND_SIGMA = 4.0            # band-pass: minus a Gaussian blur of this sigma (work pixels)
TEXTURE = 1.0               # a cell whose band-passed lightness varies less is not counted
CELL_CORRELATION = 0.8
SHIFT = 4                   # a cell may move this many work pixels (3% of the side): warped copies
PLACE_SIDE = 96             # crops are placed by correlation on views of this long side
PLACE_SCALES = (0.9, 0.8, 0.7, 0.6, 0.5)
PLACE_KEEP = 2
MIN_MATCHES = 6             # keypoint matches needed before RANSAC is tried


def _cv2():
    import cv2

    cv2.setNumThreads(1)   # small images: threads cost more than they bring, and the UI shares the cores
    return cv2


class CopyFeatures:
    """What the guard compares of one picture: keypoints, descriptors and a band-passed small view."""

    def __init__(self, image: Image.Image):
        cv2 = _cv2()
        small = image.convert("RGB")
        small.thumbnail((FEATURE_SIDE, FEATURE_SIDE), Image.BILINEAR)
        rgb = np.asarray(small, dtype=np.float32)
        lightness = (rgb.max(axis=-1) + rgb.min(axis=-1)) * 0.5
        self.shape = lightness.shape
        orb = cv2.ORB_create(nfeatures=KEYPOINTS, fastThreshold=8, edgeThreshold=15, patchSize=15)
        # Stretched to the full range first, so a darker or flatter copy finds the same corners.
        low, high = np.percentile(lightness, (1, 99))
        stretched = np.clip((lightness - low) * (255.0 / max(high - low, 1.0)), 0, 255).astype(np.uint8)
        keypoints, self.descriptors = orb.detectAndCompute(stretched, None)
        self.points = np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2)
        self.smooth = cv2.GaussianBlur(lightness, (0, 0), 1.0)
        work = _band_pass(cv2, cv2.resize(self.smooth, (WORK, WORK), interpolation=cv2.INTER_AREA))
        side = WORK // GRID
        self.cells = [(y, x, work[y:y + side, x:x + side]) for y in range(0, WORK, side) for x in range(0, WORK, side)
                      if float(work[y:y + side, x:x + side].std()) >= TEXTURE]   # the textured cells
        scale = PLACE_SIDE / max(self.shape)
        self.coarse = cv2.resize(self.smooth, (max(1, round(self.shape[1] * scale)), max(1, round(self.shape[0] * scale))),
                                 interpolation=cv2.INTER_AREA)


def _band_pass(cv2, image: np.ndarray) -> np.ndarray:
    return image - cv2.GaussianBlur(image, (0, 0), BAND_SIGMA)


def _alignments(query: CopyFeatures, candidate: CopyFeatures) -> list[np.ndarray]:
    """Affine maps (2x3, query pixels -> candidate pixels) worth checking densely."""
    cv2 = _cv2()
    (qh, qw), (ch, cw) = query.shape, candidate.shape
    sx, sy = cw / qw, ch / qh
    maps = [np.array([[sx, 0, (sx - 1) / 2], [0, sy, (sy - 1) / 2]], dtype=np.float32)]   # the whole frame
    if query.descriptors is None or candidate.descriptors is None \
            or min(len(query.points), len(candidate.points)) < MIN_MATCHES:
        return maps
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(query.descriptors, candidate.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.8 * p[1].distance]   # Lowe's ratio test
    if len(good) < MIN_MATCHES:
        return maps
    src = query.points[[m.queryIdx for m in good]]
    dst = candidate.points[[m.trainIdx for m in good]]
    fitted, inliers = cv2.estimateAffine2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=max(ch, cw) / 80,
                                           maxIters=500, confidence=0.99)
    if fitted is not None and int(inliers.sum()) >= MIN_MATCHES:
        maps.append(fitted.astype(np.float32))
    return maps


def _placements(query: CopyFeatures, candidate: CopyFeatures) -> list[np.ndarray]:
    """Where the query best sits inside the candidate as an upright crop at each of ``PLACE_SCALES``
    (the query's width as a share of the candidate's), by normalised correlation of coarse
    lightness: the alignments of zoomed crops too re-rendered for keypoints to match. The best
    ``PLACE_KEEP`` as affine maps (query pixels -> candidate pixels)."""
    cv2 = _cv2()
    (qh, qw), (ch, cw) = query.shape, candidate.shape
    big = candidate.coarse
    factor = cw / big.shape[1]   # candidate pixels per coarse pixel
    found = []
    for share in PLACE_SCALES:
        tw = round(big.shape[1] * share)
        th = round(tw * qh / qw)
        if th > big.shape[0] or min(tw, th) < 8:
            continue
        template = cv2.resize(query.coarse, (tw, th), interpolation=cv2.INTER_AREA)
        _, score, _, (x0, y0) = cv2.minMaxLoc(cv2.matchTemplate(big, template, cv2.TM_CCOEFF_NORMED))
        s = tw * factor / qw   # candidate pixels per query pixel
        found.append((score, np.array([[s, 0, x0 * factor + (s - 1) / 2], [0, s, y0 * factor + (s - 1) / 2]],
                                      dtype=np.float32)))
    return [m for _, m in sorted(found, key=lambda f: -f[0])[:PLACE_KEEP]]


def _copied_share(query: CopyFeatures, candidate: CopyFeatures, affine: np.ndarray) -> float:
    """The share of the query's textured cells that the candidate, mapped by ``affine``, matches;
    each cell may shift by up to ``SHIFT`` work pixels (a smoothly warped copy)."""
    cv2 = _cv2()
    (qh, qw), (ch, cw) = query.shape, candidate.shape
    # Centres of the WORK x WORK view (and a SHIFT margin) in query pixels, then in candidate pixels.
    ys, xs = np.mgrid[-SHIFT:WORK + SHIFT, -SHIFT:WORK + SHIFT].astype(np.float32) + 0.5
    qx, qy = xs * (qw / WORK) - 0.5, ys * (qh / WORK) - 0.5
    cx = (affine[0, 0] * qx + affine[0, 1] * qy + affine[0, 2]).astype(np.float32)
    cy = (affine[1, 0] * qx + affine[1, 1] * qy + affine[1, 2]).astype(np.float32)
    inside = (cx >= -0.5) & (cx <= cw - 0.5) & (cy >= -0.5) & (cy <= ch - 0.5)
    warped = _band_pass(cv2, cv2.remap(candidate.smooth, cx, cy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))

    # Each textured cell against the warped candidate around it: the best normalised correlation
    # over shifts of up to SHIFT work pixels (TM_CCOEFF_NORMED is Pearson's r of the two windows).
    side = WORK // GRID
    copied = 0
    for y, x, cell in query.cells:
        if inside[y + SHIFT:y + SHIFT + side, x + SHIFT:x + SHIFT + side].all():
            around = warped[y:y + side + 2 * SHIFT, x:x + side + 2 * SHIFT]
            copied += float(cv2.matchTemplate(around, cell, cv2.TM_CCOEFF_NORMED).max()) > CELL_CORRELATION
    return copied / max(len(query.cells), 1)


def query_views(image: Image.Image) -> list[CopyFeatures]:
    """The image and its mirror image, as the guard compares them."""
    return [CopyFeatures(image), CopyFeatures(ImageOps.mirror(image))]


def copy_similarity(views: Sequence[CopyFeatures], candidate: CopyFeatures) -> float:
    """How much of the image (given by ``query_views``) is a copy of ``candidate``, 0..1."""
    return max(_copied_share(q, candidate, m) for q in views
               for m in _alignments(q, candidate) + _placements(q, candidate))


@dataclass(frozen=True)
class CopyMatch:
    """The library picture the image is most copied from."""

    item_id: Optional[int]
    path: str
    similarity: float

    @property
    def near_copy(self) -> bool:
        return self.similarity >= NEAR_COPY

    def to_json(self) -> dict:
        return {"id": self.item_id, "path": self.path, "similarity": round(self.similarity, 4)}


def candidates(image: Image.Image, library: "Library", k: int = CANDIDATES) -> list[int]:
    """Library pictures nearest to the image or its mirror image, in every image index."""
    ids: list[int] = []
    views = [image, ImageOps.mirror(image)]
    for embedder in library.content_embedders_for("image"):
        index = library.indexes[embedder.id]
        for vector in embedder.embed(views):
            ids += [key for key, _ in index.search(vector, k) if key not in ids]
    return ids


_FEATURES_CACHE: "OrderedDict[str, CopyFeatures]" = OrderedDict()
_FEATURES_CACHE_SIZE = 64   # about 0.7 MB each: a batch of results shares its references' features


def _library_features(library: "Library", item_id: int) -> Optional[tuple[str, CopyFeatures]]:
    """An item's path and features, from its file, else its thumbnail (a drive that is not plugged
    in); None when neither can be read. Kept by content hash for the next results."""
    from ragart_desktop.core.generate.image.references import load_image

    item = library.get_item(item_id)
    cached = _FEATURES_CACHE.get(item.content_hash)
    if cached is not None:
        _FEATURES_CACHE.move_to_end(item.content_hash)
        return item.path, cached
    for path in (item.path, library.thumbnail_path(item_id)):
        if path is None:
            continue
        try:
            features = CopyFeatures(load_image(str(path)))
        except BadInputError as exc:   # an unreadable candidate is skipped, never fatal to the guard
            log.info("near-copy guard skips %s: %s", path, exc)
            continue
        _FEATURES_CACHE[item.content_hash] = features
        while len(_FEATURES_CACHE) > _FEATURES_CACHE_SIZE:
            _FEATURES_CACHE.popitem(last=False)
        return item.path, features
    return None


def nearest_copy(image: Image.Image, library: Optional["Library"],
                 also: Iterable[tuple[Optional[int], str, Image.Image]] = (),
                 exclude: Collection[int] = ()) -> Optional[CopyMatch]:
    """The picture ``image`` is most copied from, among the library's pictures nearest to it and
    ``also`` ((item id or None, path, picture) the caller knows of, e.g. references), leaving out
    the items in ``exclude``; None when there is nothing to compare with."""
    views = query_views(image)
    found: dict[object, tuple[Optional[int], str, CopyFeatures]] = {}
    for item_id, path, picture in also:
        if item_id not in exclude:
            found[item_id if item_id is not None else path] = (item_id, path, CopyFeatures(picture))
    if library is not None:
        for item_id in candidates(image, library):
            if item_id not in found and item_id not in exclude \
                    and (features := _library_features(library, item_id)) is not None:
                found[item_id] = (item_id, *features)
    best: Optional[CopyMatch] = None
    for item_id, path, features in found.values():
        similarity = copy_similarity(views, features)
        if best is None or similarity > best.similarity:
            best = CopyMatch(item_id, path, similarity)
    return best
