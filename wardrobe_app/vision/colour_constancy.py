"""How bright the light on an item photo is, read from the background around the garment.

An item photo (one garment laid flat or hung, at home) shows a bed, floor, wall or door
around the garment. Its lightest part is taken for a near-white surface (white patch):
when it comes out dim, the whole room was dim, and a white garment in it photographs as
the grey of a light grey garment in daylight (figures: the embedder's MODEL.md, "Colour
names of item photos"). A dark or coloured background has no white surface; against one,
a garment far lighter than it is taken for white (``white_patch_l``).
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
# The garment's lit part: this percentile of its L* (its folds and shadows are darker).
LIT_PERCENTILE = 90.0
# Against a background with no white surface in it (dark, or coloured), a garment whose lit
# part stands at least this far (L*) above the background's median is taken for white:
# the camera exposed for the red or dark bed and the white garment came out grey. Of 31
# light garments named grey on the train senders' photos, sorted by eye, the 17 grey (or
# unsure) ones stood 36 or less above their backgrounds, 11 of the 14 white ones 40 or
# more (MODEL.md).
MIN_GARMENT_CONTRAST = 40.0
_MAX_PIXELS = 20000
_SEED = 0


def _lab_sample(rgb: np.ndarray, where: np.ndarray) -> np.ndarray:
    """(N, 3) Lab of the photo's pixels at ``where``, a seeded subsample of big areas (a
    median or percentile barely moves)."""
    pixels = np.asarray(rgb)[where]
    if len(pixels) > _MAX_PIXELS:
        rng = np.random.default_rng(_SEED)
        pixels = pixels[rng.choice(len(pixels), _MAX_PIXELS, replace=False)]
    return cv2.cvtColor(
        pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab
    ).reshape(-1, 3)


def _background(mask: np.ndarray) -> np.ndarray | None:
    """Bool (H, W): the background away from the garment's edge; None when it is too
    little of the photo to say anything about the light."""
    height, width = mask.shape
    distance = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 3)
    background = distance > EDGE_MARGIN * np.hypot(height, width)
    return None if background.mean() < MIN_BACKGROUND_SHARE else background


def _white_patch(lab: np.ndarray) -> float | None:
    """L* of the lightest tenth of a background's Lab pixels where it can be a white
    surface (a dim one included); None where it is coloured or dark."""
    patch = lab[lab[:, 0] >= np.percentile(lab[:, 0], WHITE_PATCH_PERCENTILE)]
    lightness, a, b = np.median(patch, axis=0)
    if np.hypot(a, b) > MAX_WHITE_PATCH_CHROMA or lightness < MIN_WHITE_PATCH_L:
        return None
    return float(lightness)


def background_white_l(rgb: np.ndarray, mask: np.ndarray) -> float | None:
    """L* (0-100) of the background's white patch, or None when the background cannot
    stand for a white surface: too little of it, coloured, or dark.

    ``rgb`` is the (H, W, 3) uint8 photo, ``mask`` the garment's bool (H, W) pixels."""
    background = _background(np.asarray(mask, dtype=bool))
    return None if background is None else _white_patch(_lab_sample(rgb, background))


def white_patch_l(rgb: np.ndarray, mask: np.ndarray) -> float | None:
    """L* (0-100) of what the photo shows as white, for naming the garment's colours in its
    light; None where the photo does not tell.

    The background's white patch (``background_white_l``) where it has one. Where it has
    no white surface (a dark or coloured bed), the garment's median L*, where it is no
    darker than ``MIN_WHITE_PATCH_L`` and its lit part stands ``MIN_GARMENT_CONTRAST`` above
    the background's median: a white garment that the camera, exposing for the bed,
    photographed as grey. Its median, not its lit part: the folds of a white shirt are
    white too, and were their own "grey" cluster.
    """
    mask = np.asarray(mask, dtype=bool)
    background = _background(mask)
    if background is None or not mask.any():
        return None
    around = _lab_sample(rgb, background)
    patch = _white_patch(around)
    if patch is not None:
        return patch
    garment = _lab_sample(rgb, mask)[:, 0]
    lit, median = float(np.percentile(garment, LIT_PERCENTILE)), float(np.median(garment))
    # Not under MIN_WHITE_PATCH_L, as a background's patch: a dark garment's white print
    # or stripes are its lit part, and a charcoal tee with one on a dark bed was "white".
    contrast = lit - float(np.median(around[:, 0]))
    if median >= MIN_WHITE_PATCH_L and contrast >= MIN_GARMENT_CONTRAST:
        return median
    return None
