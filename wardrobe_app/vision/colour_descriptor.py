"""A colour descriptor for similarity: a joint Lab histogram of the garment's pixels."""

from __future__ import annotations

import cv2
import numpy as np

L_BINS, A_BINS, B_BINS = 4, 6, 6
COLOUR_DIM = L_BINS * A_BINS * B_BINS


def colour_histogram(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Hellinger-mapped (square-rooted), L2-normalised Lab histogram of the masked pixels."""
    pixels = rgb[mask.astype(bool)]
    if len(pixels) == 0:
        return np.zeros(COLOUR_DIM, np.float32)
    if len(pixels) > 20000:  # a fixed stride keeps it deterministic and fast
        pixels = pixels[:: len(pixels) // 20000]
    lab = cv2.cvtColor(pixels.reshape(-1, 1, 3).astype(np.uint8), cv2.COLOR_RGB2LAB).reshape(-1, 3)
    # OpenCV 8-bit Lab: L in 0..255, a and b centred on 128; chroma rarely leaves 128 +- 64.
    l_idx = np.minimum(lab[:, 0].astype(np.int32) * L_BINS // 256, L_BINS - 1)
    a_idx = np.clip((lab[:, 1].astype(np.int32) - 64) * A_BINS // 128, 0, A_BINS - 1)
    b_idx = np.clip((lab[:, 2].astype(np.int32) - 64) * B_BINS // 128, 0, B_BINS - 1)
    flat = (l_idx * A_BINS + a_idx) * B_BINS + b_idx
    hist = np.bincount(flat, minlength=COLOUR_DIM).astype(np.float32)
    hist = np.sqrt(hist / hist.sum())
    return hist / max(float(np.linalg.norm(hist)), 1e-12)
