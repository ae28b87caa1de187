"""How bright the light on an item photo is, read from the background around the garment.

An item photo (one garment laid flat or hung, at home) shows a bed, floor, wall or door
around the garment. Its lightest part is taken for a near-white surface (white patch):
when it comes out dim, the whole room was dim, and a white garment in it photographs as
the grey of a light grey garment in daylight (figures: the embedder's MODEL.md, "Colour
names of item photos").
"""

from __future__ import annotations

import cv2
import numpy as np

# Background pixels nearer the garment than this share of the photo's diagonal are left
# out: mask edges, the garment's shadow, a hanger's hook.
EDGE_MARGIN = 0.03
# Less background than this share of the photo (a garment filling the frame) says too
# little about the light.
MIN_BACKGROUND_SHARE = 0.10
# The white patch: the median Lab of the background's lightest tenth.
WHITE_PATCH_PERCENTILE = 90.0
# A white patch more colourful than this (Lab chroma) is a coloured surface (a wooden floor,
# a red blanket), not a white one under coloured light.
MAX_WHITE_PATCH_CHROMA = 15.0
# A white patch darker than this (L*) is a dark surface (a dark bed), not a white one in a
# dim room: the two cannot be told apart, so nothing is concluded.
MIN_WHITE_PATCH_L = 50.0
_MAX_PIXELS = 20000
_SEED = 0


def background_white_l(rgb: np.ndarray, mask: np.ndarray) -> float | None:
    """L* (0-100) of the background's white patch, or None when the background cannot
    stand for a white surface: too little of it, coloured, or dark.

    ``rgb`` is the (H, W, 3) uint8 photo, ``mask`` the garment's bool (H, W) pixels."""
    mask = np.asarray(mask, dtype=bool)
    height, width = mask.shape
    distance = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 3)
    background = distance > EDGE_MARGIN * np.hypot(height, width)
    if background.mean() < MIN_BACKGROUND_SHARE:
        return None
    pixels = np.asarray(rgb)[background]
    if len(pixels) > _MAX_PIXELS:  # subsample: a percentile barely moves
        rng = np.random.default_rng(_SEED)
        pixels = pixels[rng.choice(len(pixels), _MAX_PIXELS, replace=False)]
    lab = cv2.cvtColor(
        pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab
    ).reshape(-1, 3)
    patch = lab[lab[:, 0] >= np.percentile(lab[:, 0], WHITE_PATCH_PERCENTILE)]
    lightness, a, b = np.median(patch, axis=0)
    if np.hypot(a, b) > MAX_WHITE_PATCH_CHROMA or lightness < MIN_WHITE_PATCH_L:
        return None
    return float(lightness)
