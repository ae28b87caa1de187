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

``interpolated_labels`` does the same for torch's bilinear ``interpolate`` (edges left
raw, and on CUDA), on the probabilities' own device.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
import torch
import torch.nn.functional as F

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


def interpolated_labels(
    work: torch.Tensor, size: tuple[int, int], strip_pixels: int = STRIP_PIXELS
) -> np.ndarray:
    """(1, C, h, w) float32 probabilities on any device -> (H, W) uint8 labels at
    ``size``, on the CPU: the argmax of ``F.interpolate(work, size, mode="bilinear",
    align_corners=False)``, a strip of rows at a time on ``work``'s device, so that only
    a strip's probabilities at the photo's size are held (on CUDA, only its labels come
    back).

    Torch's CPU kernel (``upsample_bilinear2d``, its generic kernel: an input not in
    channels-last order) resizes across each row, then blends two of those rows into
    each output row, each time ``fma(v0, w0, v1 * w1)`` (x86 builds fuse it), with the
    weights in float32 from ``fma(scale, i + 0.5, -0.5)``. Both passes are made here
    with the same roundings (``_blend``): the tests check the labels pixel for pixel
    against ``interpolate`` whole. CUDA's kernel has roundings of its own (not checked
    here): there a label may differ where two classes tie to the last bit.
    """
    _, _, h, w = work.shape
    height, width = size
    if height <= h or height + width <= 128:
        # Not upsampled across the rows (no bigger than the probabilities), or small
        # enough for torch's other kernel: done whole.
        whole = F.interpolate(work, size=size, mode="bilinear", align_corners=False)
        return whole[0].max(0).indices.to(torch.uint8).cpu().numpy()
    source = work[0].float()
    left, right, left_weight, right_weight = _taps(w, width, work.device)
    upper, lower, upper_weight, lower_weight = _taps(h, height, work.device)
    labels = torch.empty((height, width), dtype=torch.uint8)
    rows = max(1, strip_pixels // width)
    for y0 in range(0, height, rows):
        y1 = min(height, y0 + rows)
        lo, hi = int(upper[y0]), int(lower[y1 - 1]) + 1
        strip = source[:, lo:hi]
        across = _blend(strip[:, :, left], left_weight, strip[:, :, right], right_weight)
        blended = _blend(
            across[:, upper[y0:y1] - lo],
            upper_weight[y0:y1, None],
            across[:, lower[y0:y1] - lo],
            lower_weight[y0:y1, None],
        )
        labels[y0:y1] = blended.max(0).indices.to(torch.uint8).cpu()
    return labels.numpy()


def _blend(v0: torch.Tensor, w0: torch.Tensor, v1: torch.Tensor, w1: torch.Tensor) -> torch.Tensor:
    """``fma(v0, w0, v1 * w1)`` in float32, into ``v1`` (a gathered copy): a strip's
    temporaries are two, not four."""
    v1 *= w1
    if _addcmul_is_fused(v0.device):
        return v1.addcmul_(v0, w0)
    return _fma(v0, w0, v1)


def _fma(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """``a * b + c`` rounded once to float32: the product is exact in float64."""
    return torch.addcmul(c.double(), a.double(), b.double()).float()


@functools.cache
def _addcmul_is_fused(device: torch.device) -> bool:
    """Whether float32 ``addcmul`` rounds once on ``device``, as x86 builds compile it
    (an fma), which spares the strip's float64 copies. Unfused, about 4 in 10 of these
    differ."""
    a, b, c = torch.rand(3, 4096, generator=torch.Generator().manual_seed(0)).to(device)
    return torch.equal(c.clone().addcmul_(a, b), _fma(a, b, c))


def _taps(
    n: int, size: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """For each of ``size`` outputs along an axis of ``n``, its two source indices and
    their weights, as torch works them out (``UpSample.h``: ``area_pixel_compute_scale``,
    ``area_pixel_compute_source_index`` fused, ``guard_index_and_lambda``)."""
    scale = np.float32(n) / np.float32(size)
    # scale * (i + 0.5) - 0.5 is exact in float64, rounded once to float32 as by an fma.
    position = (np.float64(scale) * (np.arange(size) + 0.5) - 0.5).astype(np.float32)
    position = np.maximum(position, np.float32(0))
    first = np.minimum(np.floor(position).astype(np.int64), n - 1)
    weight1 = np.clip(position - first.astype(np.float32), 0, 1).astype(np.float32)
    weight0 = np.float32(1) - weight1
    second = first + (first < n - 1)
    return (
        torch.from_numpy(first).to(device),
        torch.from_numpy(second).to(device),
        torch.from_numpy(weight0).to(device),
        torch.from_numpy(weight1).to(device),
    )
