"""Labels of a big photo from its probabilities at a smaller size, one strip at a time.

``resize_channels`` then an argmax gives the same labels, but it holds the upsampled
probabilities of the whole photo at once: on a 108 MP photo, 4 classes of float32 are
1.7 GB, and the argmax's indices (int64) another 0.9 GB. Here each strip of the photo's
rows is upsampled and its argmax taken before the next; the probabilities are still
what is upsampled (smooth edges), never the labels.

The strips give the very values of OpenCV's bilinear ``resize`` on float32 (half-pixel
centres): it resizes each row across first, then blends two of those rows into each
output row, ``s0 + (s1 - s0) * f``, with row weights ``f`` worked out in double
precision. Here OpenCV resizes across just the rows a strip needs, and its ``scaleAdd``
makes the blend with the same single rounding (a fused multiply-add where the CPU has
one): the tests check the labels pixel for pixel against ``resize`` whole.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from .edge_refine import resize_channels

# Pixels per strip (per class): 4 classes of a strip in float32 take 16 MB.
STRIP_PIXELS = 1 << 20


def upsampled_labels(
    probs: torch.Tensor, size: tuple[int, int], strip_pixels: int = STRIP_PIXELS
) -> np.ndarray:
    """(C, h, w) float32 probabilities -> (H, W) uint8 labels at ``size``: the argmax of
    ``resize_channels(probs, size)``, the first class on a tie, as ``torch.max`` gives."""
    classes, h, w = probs.shape
    height, width = size
    if height <= h:
        # Not upsampled across the rows: no bigger than the probabilities, so done whole,
        # as resize_channels does it (OpenCV shrinks by two in area mode, not linear).
        whole = probs if (height, width) == (h, w) else resize_channels(probs.cpu(), size)
        return whole.max(0).indices.to(torch.uint8).cpu().numpy()
    source = probs.detach().float().cpu().contiguous().numpy()
    top, weight = _rows_and_weights(h, height)
    labels = torch.empty((height, width), dtype=torch.uint8)
    rows = max(1, strip_pixels // width)
    blended = np.empty((rows, classes, width), np.float32)  # each row's classes together
    for y0 in range(0, height, rows):
        y1 = min(height, y0 + rows)
        lo, hi = int(top[y0]), min(h, int(top[y1 - 1]) + 2)
        # Across first: the strip's source rows at the photo's width (heights equal, so
        # OpenCV's blend down is the identity), and the last of them once more, so that
        # each row has a next one (a difference of 0 at the bottom edge).
        across = np.empty((classes, hi - lo + 1, width), np.float32)
        for k in range(classes):
            cv2.resize(
                source[k, lo:hi],
                (width, hi - lo),
                dst=across[k, :-1],
                interpolation=cv2.INTER_LINEAR,
            )
        across[:, -1] = across[:, -2]
        by_row = np.ascontiguousarray(across.transpose(1, 0, 2))  # (rows, C, W)
        step = by_row[1:] - by_row[:-1]  # float32, as OpenCV's s1 - s0
        for y in range(y0, y1):
            row = int(top[y]) - lo
            cv2.scaleAdd(step[row], float(weight[y]), by_row[row], dst=blended[y - y0])
        labels[y0:y1] = torch.from_numpy(blended[: y1 - y0]).max(1).indices
    return labels.numpy()


def _rows_and_weights(h: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``height`` output rows, its upper source row of ``h`` and the weight
    of the row below it, as OpenCV works them out (0 at the edges, where both are one)."""
    scale = 1.0 / (height / h)  # as OpenCV: the inverse of its scale, not h / height
    position = (np.arange(height, dtype=np.float64) + 0.5) * scale - 0.5
    first = np.floor(position)
    weight = (position - first).astype(np.float32).astype(np.float64)
    top = first.astype(np.int64)
    weight[(top < 0) | (top >= h - 1)] = 0.0
    return np.clip(top, 0, h - 1), weight
