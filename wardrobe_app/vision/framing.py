"""Where to look closer: the photo window that frames a small figure as in training.

The segmenter was trained on CCP's full-length portraits, which the figure fills. A
figure small in its photo (a shop's studio shot, a photo across the room) is found by a
first pass, then segmented again in a window cut around it, scaled to the working size.
"""

from __future__ import annotations

import numpy as np
import torch

from .garments import select_components

# Margins around the garments' box, as fractions of its height and width: CCP's training
# photos leave a median of 0.32 (head) and 0.27 (legs) of the garments' height above and
# below them, and 0.77-0.91 of their width to each side.
FRAME_MARGIN_TOP = 0.35
FRAME_MARGIN_BOTTOM = 0.35
FRAME_MARGIN_SIDE = 0.8
# Zoom in only where it gains this much resolution (a full-length portrait gains ~1).
MIN_ZOOM = 1.3
# A tiny figure may need more than one zoomed pass: the first pass finds it only roughly.
ZOOM_PASSES = 3
# Garments this close to the top or bottom edge (share of the height) are cut by the
# frame (legs-only, waist-up): zooming there cost IoU on CCP photos cut that way.
EDGE_SHARE = 0.02
# A re-framed window this like the last one (IoU) is not worth another pass.
CONVERGED_IOU = 0.85
# Fewer garment pixels than this share of the photo: nothing to frame.
MIN_GARMENT_SHARE = 0.002


def fit_scale(height: float, width: float, target: tuple[int, int]) -> float:
    """The scale ``fit_size`` resizes a photo of this size by."""
    th, tw = target
    if (width > height) != (tw > th):
        th, tw = tw, th
    return min(th / height, tw / width)


def fit_size(height: int, width: int, target: tuple[int, int], multiple: int) -> tuple[int, int]:
    """The size to resize a photo to: keeping its aspect, within the working size (the
    network's input is then padded up to a multiple of its stride).

    The working size is (h, w) for portrait photos; landscape photos use it transposed so
    that the same pixel budget is spent either way.
    """
    scale = fit_scale(height, width, target)
    return max(multiple, round(height * scale)), max(multiple, round(width * scale))


Box = tuple[int, int, int, int]  # (y0, y1, x0, x1), photo pixels, end exclusive


def garment_box(background: torch.Tensor) -> tuple[float, float, float, float] | None:
    """The box (y0, y1, x0, x1) of the figure's garments in a pass's own pixels.

    ``background`` is the pass's background probability. None when (almost) nothing but
    background was found.
    """
    garment = (background < 0.5).cpu().numpy()
    h, w = garment.shape
    min_area = MIN_GARMENT_SHARE * h * w
    if garment.sum() < min_area:
        return None
    # One figure: its largest piece and those near it. Specks of "garment" on the
    # backdrop, which a far figure's low-resolution pass makes, must not widen the box.
    garment = select_components(garment, max(1, round(0.1 * min_area)))
    ys, xs = np.nonzero(garment)
    if len(ys) == 0:
        return None
    # Quantiles, not min and max: a few stray pixels must not stretch the box.
    y0, y1 = np.quantile(ys, [0.005, 0.995])
    x0, x1 = np.quantile(xs, [0.005, 0.995])
    return float(y0), float(y1) + 1, float(x0), float(x1) + 1


def frame_garments(
    garments: tuple[float, float, float, float],
    scale: tuple[float, float],
    offset: tuple[int, int],
    photo_size: tuple[int, int],
) -> Box:
    """The photo window that frames the garments (a pass's box, ``scale`` photo pixels
    per pass pixel, the pass's window at ``offset``) as CCP's photos do."""
    gy0, gy1, gx0, gx1 = garments
    sy, sx = scale
    gy0, gy1 = offset[0] + gy0 * sy, offset[0] + gy1 * sy
    gx0, gx1 = offset[1] + gx0 * sx, offset[1] + gx1 * sx
    gh, gw = gy1 - gy0, gx1 - gx0
    photo_h, photo_w = photo_size
    # Clipped to the photo, and never empty (a pass's box at the photo's last row).
    y0 = min(max(0, round(gy0 - FRAME_MARGIN_TOP * gh)), photo_h - 1)
    y1 = min(photo_h, round(gy1 + FRAME_MARGIN_BOTTOM * gh))
    x0 = min(max(0, round(gx0 - FRAME_MARGIN_SIDE * gw)), photo_w - 1)
    x1 = min(photo_w, round(gx1 + FRAME_MARGIN_SIDE * gw))
    return y0, max(y1, y0 + 1), x0, max(x1, x0 + 1)


def framing_box(
    background: torch.Tensor, photo_size: tuple[int, int], target: tuple[int, int]
) -> Box | None:
    """The photo window (y0, y1, x0, x1) for a zoomed second look after a first pass.

    ``background`` is the first pass's background probability at its working size. None
    when nothing was found, when the garments are cut by the photo's top or bottom (a
    close-up, not a small figure) or the window would not be ``MIN_ZOOM`` times closer.
    """
    garments = garment_box(background)
    if garments is None:
        return None
    h, w = background.shape
    if garments[0] < EDGE_SHARE * h or garments[1] > (1 - EDGE_SHARE) * h:
        return None
    photo_h, photo_w = photo_size
    y0, y1, x0, x1 = frame_garments(garments, (photo_h / h, photo_w / w), (0, 0), photo_size)
    if fit_scale(y1 - y0, x1 - x0, target) < MIN_ZOOM * fit_scale(photo_h, photo_w, target):
        return None
    return y0, y1, x0, x1


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of two windows (0 when either is empty)."""
    inter_h = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    inter_w = max(0, min(a[3], b[3]) - max(a[2], b[2]))
    inter = inter_h * inter_w
    area = (a[1] - a[0]) * (a[3] - a[2]) + (b[1] - b[0]) * (b[3] - b[2]) - inter
    return inter / area if area else 0.0
