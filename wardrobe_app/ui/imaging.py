"""Pixels between numpy and Qt: arrays to QImage, mask overlays, scaled loading.

Everything here works on ``QImage`` (safe in any thread); ``QPixmap`` is made in the
GUI thread by the caller.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QImageReader

from .theme import LABEL_COLOURS

OVERLAY_ALPHA = 0.5


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """(H, W, 3) uint8 RGB or (H, W, 4) RGBA as a QImage that owns its pixels."""
    arr = np.ascontiguousarray(rgb, dtype=np.uint8)
    if arr.ndim == 2:
        arr = np.ascontiguousarray(np.repeat(arr[:, :, None], 3, axis=2))
    h, w, channels = arr.shape
    fmt = QImage.Format.Format_RGBA8888 if channels == 4 else QImage.Format.Format_RGB888
    image = QImage(arr.data, w, h, int(arr.strides[0]), fmt)
    return image.copy()  # detach from the numpy buffer


def downscale(arr: np.ndarray, max_side: int) -> np.ndarray:
    """Nearest-neighbour shrink by an integer-free factor (fast, fine for previews)."""
    h, w = arr.shape[:2]
    scale = max(h, w) / float(max_side)
    if scale <= 1.0:
        return arr
    ys = (np.arange(int(h / scale)) * scale).astype(np.intp)
    xs = (np.arange(int(w / scale)) * scale).astype(np.intp)
    return arr[ys][:, xs]


def overlay_rgb(
    rgb: np.ndarray,
    labels: np.ndarray,
    highlight: np.ndarray | None = None,
    alpha: float = OVERLAY_ALPHA,
) -> np.ndarray:
    """The photo with each garment label tinted in its category colour.

    ``highlight`` (a bool mask at the same size) is tinted stronger and the rest of the
    garments lighter, so one garment stands out among the others of its photo.
    """
    out = rgb.astype(np.float32)
    for value, hex_colour in LABEL_COLOURS.items():
        sel = labels == value
        if not sel.any():
            continue
        colour = QColor(hex_colour)
        tint = np.array([colour.red(), colour.green(), colour.blue()], dtype=np.float32)
        a = alpha if highlight is None else alpha * 0.45
        out[sel] = out[sel] * (1 - a) + tint * a
        if highlight is not None:
            strong = sel & highlight
            if strong.any():
                # undo the light tint and apply the strong one
                base = rgb[strong].astype(np.float32)
                out[strong] = base * (1 - alpha * 1.3) + tint * (alpha * 1.3)
    return np.clip(out, 0, 255).astype(np.uint8)


def preview_pair(
    rgb: np.ndarray, labels: np.ndarray, max_side: int = 1100, highlight: np.ndarray | None = None
) -> tuple[QImage, QImage]:
    """(photo, photo with overlay) shrunk for display; runs in a worker."""
    small = downscale(rgb, max_side)
    small_labels = downscale(labels, max_side)
    small_highlight = downscale(highlight, max_side) if highlight is not None else None
    return rgb_to_qimage(small), rgb_to_qimage(overlay_rgb(small, small_labels, small_highlight))


def load_scaled(path: Path, box: QSize) -> QImage:
    """Read an image file scaled to fit ``box`` (the decoder shrinks JPEGs cheaply)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > box.width() or size.height() > box.height()):
        reader.setScaledSize(size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return image
    if image.width() > box.width() or image.height() > box.height():
        image = image.scaled(
            box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    return image


def fit_image(image: QImage, box: QSize) -> QImage:
    if image.isNull() or (image.width() <= box.width() and image.height() <= box.height()):
        return image
    return image.scaled(
        box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
