"""Array plumbing shared by the built-in engines: input checks, resizing, blurring, CIE Lab.

Images are float32 RGB arrays (H, W, 3) in [0, 1]; masks are (H, W) arrays where true/non-zero
means "selected". Lab uses the sRGB D65 definitions, with L in [0, 100].
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image
from scipy import ndimage

from ragart_desktop.core.errors import UsageError

_D65_WHITE = np.array([0.95047, 1.0, 1.08883], dtype=np.float32)
_RGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375],
     [0.2126729, 0.7151522, 0.0721750],
     [0.0193339, 0.1191920, 0.9503041]],
    dtype=np.float32,
)
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ).astype(np.float32)
_LAB_EPS = 216.0 / 24389.0
_LAB_KAPPA = 24389.0 / 27.0


def check_rgb(image: np.ndarray, name: str) -> np.ndarray:
    """Return ``image`` as a contiguous float32 (H, W, 3) array in [0, 1], or raise UsageError."""
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.shape[0] < 8 or arr.shape[1] < 8:
        raise UsageError(
            f"{name} must be an RGB image array of shape (height, width, 3) at least 8x8, "
            f"got shape {arr.shape}.",
            hint="Convert the image to RGB float values in [0, 1] first.",
        )
    if not np.issubdtype(arr.dtype, np.floating):
        raise UsageError(f"{name} must hold float values in [0, 1], got dtype {arr.dtype}.")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise UsageError(f"{name} contains NaN or infinite values.")
    return np.clip(arr, 0.0, 1.0)


def check_references(
    references: Sequence[np.ndarray],
    weights: Sequence[float] | None,
    *,
    required: bool,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Check the reference images and return them with weights normalised to sum to 1."""
    refs = [check_rgb(r, f"reference {i + 1}") for i, r in enumerate(references)]
    if required and not refs:
        raise UsageError(
            "This engine needs at least one reference image.",
            hint="Pin a reference or let the search retrieve some from the library.",
        )
    if weights is None:
        w = np.ones(len(refs), dtype=np.float64)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (len(refs),) or not np.isfinite(w).all() or (w < 0).any():
            raise UsageError(
                f"Reference weights must be one non-negative number per reference "
                f"({len(refs)}), got {list(np.atleast_1d(w))}."
            )
    if refs and w.sum() <= 0:
        raise UsageError("At least one reference weight must be above zero.")
    return refs, (w / w.sum() if refs else w)


def check_mask(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Return the selection as a bool (H, W) array matching ``shape``, or raise UsageError."""
    arr = np.asarray(mask)
    if arr.ndim == 3 and arr.shape[2] in (1, 3, 4):
        arr = arr[..., 0]
    if arr.shape != tuple(shape):
        raise UsageError(f"The mask has shape {arr.shape} but the image is {tuple(shape)}.")
    if arr.dtype == bool:
        return arr.copy()
    return np.asarray(arr, dtype=np.float32) > 0.5


def check_strength(strength: float) -> float:
    s = float(strength)
    if not 0.0 <= s <= 1.0:
        raise UsageError(f"Strength must be between 0 and 1, got {strength}.")
    return s


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a float (H, W) or (H, W, C) array with antialiased bilinear filtering."""
    if image.shape[:2] == (height, width):
        return image.astype(np.float32, copy=True)
    channels = image[..., None] if image.ndim == 2 else image
    out = np.empty((height, width, channels.shape[2]), dtype=np.float32)
    for c in range(channels.shape[2]):
        plane = Image.fromarray(np.ascontiguousarray(channels[..., c], dtype=np.float32))
        out[..., c] = np.asarray(plane.resize((width, height), Image.Resampling.BILINEAR))
    return out[..., 0] if image.ndim == 2 else out


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur over the two spatial axes only."""
    if sigma <= 0:
        return image.astype(np.float32, copy=True)
    sig = (sigma, sigma) + (0,) * (image.ndim - 2)
    return ndimage.gaussian_filter(image.astype(np.float32, copy=False), sig, mode="reflect")


def downsample2(image: np.ndarray) -> np.ndarray:
    """Halve an image with a 2x2 box filter (odd sizes repeat their last row/column)."""
    h, w = image.shape[:2]
    pad = [(0, h % 2), (0, w % 2)] + [(0, 0)] * (image.ndim - 2)
    img = np.pad(image, pad, mode="edge") if (h % 2 or w % 2) else image
    return 0.25 * (img[0::2, 0::2] + img[1::2, 0::2] + img[0::2, 1::2] + img[1::2, 1::2])


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] -> CIE Lab (D65), same leading shape."""
    rgb = np.asarray(rgb, dtype=np.float32)
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = (lin @ _RGB_TO_XYZ.T) / _D65_WHITE
    f = np.where(xyz > _LAB_EPS, np.cbrt(xyz), (_LAB_KAPPA * xyz + 16.0) / 116.0)
    lab = np.empty_like(f)
    lab[..., 0] = 116.0 * f[..., 1] - 16.0
    lab[..., 1] = 500.0 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200.0 * (f[..., 1] - f[..., 2])
    return lab.astype(np.float32, copy=False)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """CIE Lab (D65) -> sRGB clipped to [0, 1], same leading shape."""
    lab = np.asarray(lab, dtype=np.float32)
    fy = (lab[..., 0] + 16.0) / 116.0
    f = np.stack([fy + lab[..., 1] / 500.0, fy, fy - lab[..., 2] / 200.0], axis=-1)
    xyz = np.where(f**3 > _LAB_EPS, f**3, (116.0 * f - 16.0) / _LAB_KAPPA) * _D65_WHITE
    lin = np.clip(xyz @ _XYZ_TO_RGB.T, 0.0, 1.0)
    rgb = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1.0 / 2.4) - 0.055)
    return np.clip(rgb, 0.0, 1.0).astype(np.float32, copy=False)


def to_pil(image: np.ndarray) -> Image.Image:
    """An (H, W, 3) float image as an 8-bit PIL image (for task previews)."""
    return Image.fromarray((np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))
