"""The floor or bed between the legs of pants or shorts, taken out of an item photo's mask.

GrabCut (``grabcut.find_item``) learns the background from the frame's edge. The surface
showing between two trouser legs is often not the edge's: a sheet the pants lie on, a
floor board, the shadow under the crotch. GrabCut then keeps it as garment, and it fills
the cut-out's V between the legs, its colour names and its vector (a brown wedge of floor
named among a pair of jeans' colours). This finds such a gap by its colour and its place:
a region of one colour, unlike the garment around it, with garment on both sides of it,
open to the background at one end only (figures: the embedder's MODEL.md, "Finding the
garment in item photos"). It is only asked of garments filed as bottoms: on tops, a print
or a lining between two fronts has the same shape.
"""

from __future__ import annotations

import cv2
import numpy as np

# The mask is searched at this size (long side), as GrabCut works.
WORK_SIZE = 192
# Colour groups (k-means in Lab) of the garment's pixels: the gap is one of them.
GROUPS = 4
# A gap is at least this share of the garment...
MIN_SHARE = 0.015
# ...at least this far (CIE76) in mean colour from the garment pixels around it...
MIN_APART = 20.0
# ...holds at least this share of its colour group (a print or stripes repeat their
# colour in many pieces; a gap's colour is not elsewhere on the garment)...
MIN_GROUP_SHARE = 0.6
# ...has garment on both sides of it across at least this share of its rows (or columns)...
MIN_FLANKED = 0.8
# ...and meets the background in one place, within this share of its length from one end
# (the V between two legs opens at their feet), along at most this share of its outline.
OPEN_END = 0.3
MAX_OPEN_SHARE = 0.5


def open_leg_gap(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``mask`` (bool, the photo's size) without the background GrabCut kept between a
    bottom's legs; ``mask`` itself (a copy) where it finds none."""
    mask = np.asarray(mask, dtype=bool)
    height, width = mask.shape
    scale = min(1.0, WORK_SIZE / max(height, width))
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)
    work = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) >= 0.5
    gap = _gaps(work, lab)
    if not gap.any():
        return mask.copy()
    up = cv2.resize(gap.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    return mask & ~(up >= 0.5)


def _groups(lab: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Colour group of each garment pixel (k-means in Lab, seeded); -1 off the garment."""
    points = lab[mask].astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.1)
    cv2.setRNGSeed(0)  # OpenCV's k-means++ seeding draws random numbers
    unused = np.zeros((len(points), 1), np.int32)
    _, labels, _ = cv2.kmeans(points, GROUPS, unused, criteria, 1, cv2.KMEANS_PP_CENTERS)
    groups = np.full(mask.shape, -1, np.int64)
    groups[mask] = np.asarray(labels).ravel()
    return groups


def _gaps(mask: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """Bool mask of the leg gaps found in ``mask`` (work size; ``lab`` the work copy)."""
    gaps = np.zeros(mask.shape, dtype=bool)
    if mask.sum() < 20 * GROUPS:
        return gaps
    groups = _groups(lab, mask)
    small = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    ring_kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    for group in range(GROUPS):
        # Opened, so that thin threads of the colour do not join a gap to a print.
        region = cv2.morphologyEx((groups == group).astype(np.uint8), cv2.MORPH_OPEN, small)
        _, pieces, stats, _ = cv2.connectedComponentsWithStats(region, connectivity=8)
        for i in np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= MIN_SHARE * mask.sum()) + 1:
            piece = pieces == i
            ring = cv2.dilate(piece.astype(np.uint8), ring_kernel).astype(bool) & ~piece
            if _is_gap(piece, mask, lab, ring) and piece.sum() >= MIN_GROUP_SHARE * region.sum():
                gaps |= piece
    return gaps


def _is_gap(piece: np.ndarray, mask: np.ndarray, lab: np.ndarray, ring: np.ndarray) -> bool:
    outside, around = ring & ~mask, ring & mask
    if not outside.any() or not around.any() or outside.sum() > MAX_OPEN_SHARE * ring.sum():
        return False
    if cv2.connectedComponents(outside.astype(np.uint8), connectivity=8)[0] != 2:
        return False  # open in more than one place: a stripe across a leg, a side panel
    if np.linalg.norm(lab[piece].mean(0) - lab[around].mean(0)) < MIN_APART:
        return False
    rest = mask & ~piece
    return max(_flanked(piece, rest, outside), _flanked(piece.T, rest.T, outside.T)) >= MIN_FLANKED


def _flanked(piece: np.ndarray, rest: np.ndarray, outside: np.ndarray) -> float:
    """Share of ``piece``'s rows with ``rest`` on both sides of it; 0 where ``outside``
    (where it meets the background) is not at its first or last rows."""
    rows = np.flatnonzero(piece.any(1))
    span = rows[-1] - rows[0] + 1
    opening = np.flatnonzero(outside.any(1))
    if opening[0] < rows[-1] - OPEN_END * span and opening[-1] > rows[0] + OPEN_END * span:
        return 0.0
    both = 0
    for y in rows:
        xs = np.flatnonzero(piece[y])
        both += bool(rest[y, : xs[0]].any() and rest[y, xs[-1] + 1 :].any())
    return both / len(rows)
