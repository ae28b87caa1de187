"""Foreground of an item photo (one garment laid flat or hung) with OpenCV's GrabCut.

GrabCut runs on a small copy for speed; the mask is scaled back up with smooth edges.
It starts from a hint (what a segmenter found) or, without one, from the assumption
that the garment fills the middle of the frame and the frame's edge is background.
"""

from __future__ import annotations

import cv2
import numpy as np

from wardrobe_app.vision.garments import fill_holes

# No hint: the middle of the frame inside these margins is probably the garment.
CENTRE_MARGIN = 0.08
# A band this fraction of the shorter side along the frame's edge is definitely background
# (people frame their clothes with a little bed or floor around them).
BORDER_BAND = 0.03
# Components at least this fraction of the largest are kept (a pair of socks, two shoes).
KEEP_FRACTION = 0.3
# Enclosed background of at least this fraction of the garment is left open where its
# colour is nearer the background just outside the garment than the garment around it:
# the bed between a long sleeve and the body (8 of the val senders' 398 garments had one,
# 0.6-3% of the garment). Smaller holes and garment-coloured ones (a print) are filled.
OPEN_HOLE_FRACTION = 0.005
# Width in work pixels of the rings whose colours a hole is compared with.
RING_PX = 3
# Opening kernel radius as a fraction of the work image's shorter side.
OPEN_FRACTION = 0.01
# Results outside these fractions of the frame mean GrabCut failed: use the first guess.
MIN_FRACTION, MAX_FRACTION = 0.01, 0.97
# Without a hint, a result under this fraction of the frame is GrabCut settling on a
# detail (a label, a hanger) of a garment that looks like its background (a dark coat on
# a dark bed, a beige one on a white door): no val sender's garment was under 22%. The
# middle of the frame is the better guess then. (A retry holding the middle as certain
# garment found half garments: on the held-out photos one coat right, one pair of pants
# taken for a dress.)
COLLAPSED_FRACTION = 0.08
# The middle compared with the frame's edge: an ellipse these fractions of the frame's
# height and width across.
CORE_FRACTION = 0.3
# Where GrabCut finds nothing, a middle whose mean colour is within this CIE76 distance
# (Lab, L 0-100) of the frame edge's is no garment. Uniform noise 0.6, Gaussian noise 0.3,
# a wall lit from above 0.05; a dark garment on a dark bed (8 levels apart) ~4; the least
# of the val senders' 449 item photos 4.46. (Histograms told a wall's gradient from a
# garment less well.)
SAME_AS_EDGE = 1.5
# ...but only in a frame with no picture in it: neighbouring pixels (work size, grey)
# correlated under this, or a flat one. A garment filling the frame looks like its own
# edge too (8 of 150 item photos' middle 40% had nothing stand out), and its neighbours
# correlate at 0.78-0.98 (the least of 400 whole item photos: 0.35); noise at 0.08-0.09.
# A bare wall (0.99) gets the middle, and the garment gate refuses it.
NO_PICTURE_CORRELATION = 0.25
FLAT_GREY_STD = 1.0
# A garment running off the frame (a black jacket photographed close) puts its own colour
# in the edge band, so GrabCut took it for background and kept the lining. The band is
# cut into this many segments a side; the segments within EDGE_AGREE (CIE76) of the one
# most others agree with are the background, if they are at least half the edge; a
# segment EDGE_ODD or more from every one of them is something else touching the edge.
EDGE_SEGMENTS = 6
EDGE_AGREE = 15.0
EDGE_ODD = 25.0
# A second run, with those segments left open, is kept where it holds the first result
# (CONTAIN_FRACTION of it) and grows it, every sizeable piece it adds (STRAY_FRACTION of
# the frame) reaches the open segments, and LIKE_SHARE of the added pixels have colours
# that DENSE_SHARE of the first result's middle (an ellipse REF_FRACTION of the frame
# across) lies within SAME_COLOUR of: the garment's own colour, not a second background
# (a floor board, a shelf, a box) that some detail of the garment happens to match.
CONTAIN_FRACTION = 0.9
GROW_FRACTION = 1.05
STRAY_FRACTION = 0.005
REF_FRACTION = 0.8
SAME_COLOUR = 10.0
DENSE_SHARE = 0.1
LIKE_SHARE = 0.8


def _initial_mask(shape: tuple[int, int], hint: np.ndarray | None) -> np.ndarray:
    """GrabCut's starting labels at work size."""
    h, w = shape
    init = np.full((h, w), cv2.GC_PR_BGD, dtype=np.uint8)
    if hint is None:
        my, mx = round(CENTRE_MARGIN * h), round(CENTRE_MARGIN * w)
        init[my : h - my, mx : w - mx] = cv2.GC_PR_FGD
        guess = init == cv2.GC_PR_FGD
    else:
        guess = cv2.resize(hint.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
        init[guess] = cv2.GC_PR_FGD
    band = max(1, round(BORDER_BAND * min(h, w)))
    edge = np.ones((h, w), dtype=bool)
    edge[band:-band, band:-band] = False
    # A hinted garment running off the frame keeps its edge pixels as probable foreground.
    init[edge & ~guess if hint is not None else edge] = cv2.GC_BGD
    return init


def _ring(region: np.ndarray) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * RING_PX + 1, 2 * RING_PX + 1))
    return cv2.dilate(region.astype(np.uint8), kernel).astype(bool) & ~region


def _fill_garment_holes(mask: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """Holes filled, except large ones the colour of the background (``lab``: the work
    copy in Lab)."""
    filled = fill_holes(mask)
    outside = _ring(filled)
    if not outside.any():  # the garment covers the frame's edge: no background to match
        return filled
    background = lab[outside].mean(0)
    _, comp, stats, _ = cv2.connectedComponentsWithStats(
        (filled & ~mask).astype(np.uint8), connectivity=8
    )
    for i in np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= OPEN_HOLE_FRACTION * filled.sum()):
        hole = comp == i + 1
        colour = lab[hole].mean(0)
        garment = lab[_ring(hole) & mask].mean(0)
        if np.linalg.norm(colour - background) < np.linalg.norm(colour - garment):
            filled &= ~hole
    return filled


def _keep_main(mask: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """Thin lines cut off (floor seams, hanger wires), then the largest component plus
    those of comparable size, holes filled but background-coloured large ones."""
    side = 2 * max(1, round(OPEN_FRACTION * min(mask.shape))) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    count, comp, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    if count <= 1:
        return np.zeros(mask.shape, dtype=bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= KEEP_FRACTION * areas.max()) + 1
    return _fill_garment_holes(np.isin(comp, keep), lab)


def _plausible(mask: np.ndarray) -> bool:
    return MIN_FRACTION <= float(mask.mean()) <= MAX_FRACTION


def _grabcut(small: np.ndarray, init: np.ndarray, iterations: int) -> np.ndarray | None:
    """GrabCut's cleaned foreground from starting labels; None where it fails outright."""
    labels = init.copy()
    bgd = np.zeros((1, 65), np.float64)
    fgd = np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's GMM initialisation draws random numbers
    try:
        cv2.grabCut(small, labels, (0, 0, 0, 0), bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    except cv2.error:  # e.g. a flat image: one GMM gets no distinct samples
        return None
    lab = cv2.cvtColor(small.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)
    return _keep_main(np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD)), lab)


def _unhinted(small: np.ndarray, init: np.ndarray, iterations: int) -> np.ndarray | None:
    """The frame prior's result; None where GrabCut failed or kept only a detail."""
    found = _grabcut(small, init, iterations)
    if found is None or not _plausible(found) or found.mean() < COLLAPSED_FRACTION:
        return None
    return found


def _core(shape: tuple[int, int], fraction: float = CORE_FRACTION) -> np.ndarray:
    """The ellipse in the middle of the frame, ``fraction`` of its height and width across
    (by default the one whose colour is compared with the edge's)."""
    h, w = shape
    yy, xx = np.mgrid[:h, :w]
    ry, rx = fraction * h / 2, fraction * w / 2
    return np.asarray(((yy - (h - 1) / 2) / ry) ** 2 + ((xx - (w - 1) / 2) / rx) ** 2 <= 1)


def _edge_segments(shape: tuple[int, int], band: int) -> list[np.ndarray]:
    """The edge band cut into EDGE_SEGMENTS pieces a side, clockwise from the top left
    (the order breaks ties in ``_odd_edge``)."""
    h, w, n = shape[0], shape[1], EDGE_SEGMENTS
    across = [slice(k * w // n, (k + 1) * w // n) for k in range(n)]
    down = [slice(k * h // n, (k + 1) * h // n) for k in range(n)]
    top, right = slice(0, band), slice(w - band, w)
    bottom, left = slice(h - band, h), slice(0, band)
    places = [(top, c) for c in across] + [(r, right) for r in down]
    back_across = [slice(w - (k + 1) * w // n, w - k * w // n) for k in range(n)]
    back_down = [slice(h - (k + 1) * h // n, h - k * h // n) for k in range(n)]
    places += [(bottom, c) for c in back_across] + [(r, left) for r in back_down]
    pieces = []
    for rows, cols in places:
        piece = np.zeros(shape, dtype=bool)
        piece[rows, cols] = True
        pieces.append(piece)
    return pieces


def _odd_edge(lab: np.ndarray, init: np.ndarray) -> np.ndarray | None:
    """The edge band's segments whose colour is far from the background's (the segments
    that agree with each other); None where none is, or no colour holds half the edge."""
    h, w = init.shape
    pieces = _edge_segments((h, w), max(1, round(BORDER_BAND * min(h, w))))
    colours = np.array([lab[piece].mean(0) for piece in pieces])
    apart = np.linalg.norm(colours[:, None] - colours[None], axis=2)
    agree = apart < EDGE_AGREE
    background = agree[int(np.argmax(agree.sum(1)))]
    if background.sum() < len(pieces) / 2:
        return None
    odd = apart[:, background].min(1) >= EDGE_ODD
    if not odd.any():
        return None
    return np.logical_or.reduce([piece for piece, o in zip(pieces, odd, strict=True) if o])


def _has_stray(added: np.ndarray, odd: np.ndarray) -> bool:
    """Whether a sizeable piece of ``added`` lies away from the open edge segments: the
    second run moved the models elsewhere, not the garment out to the edge."""
    _, comp, stats, _ = cv2.connectedComponentsWithStats(added.astype(np.uint8), connectivity=8)
    near = cv2.dilate(odd.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    big = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] > STRAY_FRACTION * added.size) + 1
    return any(not near[comp == i].any() for i in big)


def _like_first(lab: np.ndarray, first: np.ndarray, added: np.ndarray) -> float:
    """Share of ``added``'s pixels whose colour is common in the middle of ``first``."""
    ref = lab[first & _core(first.shape, REF_FRACTION)]
    if not len(ref):
        return 0.0
    rng = np.random.default_rng(0)  # samples keep the distance matrix small
    ref = ref[rng.choice(len(ref), min(800, len(ref)), replace=False)]
    new = lab[added]
    new = new[rng.choice(len(new), min(1500, len(new)), replace=False)]
    dense = (np.linalg.norm(new[:, None] - ref[None], axis=2) < SAME_COLOUR).mean(1)
    return float((dense >= DENSE_SHARE).mean())


def _past_the_edge(
    small: np.ndarray, init: np.ndarray, found: np.ndarray, iterations: int
) -> np.ndarray:
    """``found`` grown out to the edge segments unlike the background where the garment
    runs off the frame there; ``found`` itself otherwise."""
    lab = cv2.cvtColor(small.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)
    odd = _odd_edge(lab, init)
    if odd is None:
        return found
    opened = init.copy()
    opened[odd] = cv2.GC_PR_FGD
    second = _unhinted(small, opened, iterations)
    if second is None or (second & found).sum() < CONTAIN_FRACTION * found.sum():
        return found
    added = second & ~found
    if second.sum() <= GROW_FRACTION * found.sum() or _has_stray(added, odd):
        return found
    return second if _like_first(lab, found, added) >= LIKE_SHARE else found


def _no_picture(small: np.ndarray) -> bool:
    """Whether the frame holds no picture at all: flat, or noise (neighbouring pixels
    unrelated), as opposed to a garment or a wall that fills it."""
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float64)
    if grey.std() < FLAT_GREY_STD:
        return True
    across = np.corrcoef(grey[:, :-1].ravel(), grey[:, 1:].ravel())[0, 1]
    down = np.corrcoef(grey[:-1].ravel(), grey[1:].ravel())[0, 1]
    return bool(np.nan_to_num(min(across, down)) < NO_PICTURE_CORRELATION)


def _middle_stands_out(small: np.ndarray, init: np.ndarray) -> bool:
    """Whether the middle of the frame differs in mean colour from its edge band."""
    lab = cv2.cvtColor(small.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)
    edge, middle = lab[init == cv2.GC_BGD].mean(0), lab[_core(init.shape)].mean(0)
    return bool(np.linalg.norm(edge - middle) > SAME_AS_EDGE)


def find_item(rgb: np.ndarray, iterations: int = 3, work_size: int = 192) -> np.ndarray | None:
    """Bool mask (the photo's size) of the garment in an item photo, from the frame
    alone (as ``item_foreground`` without a hint); None where nothing stands out from
    the background in a frame that holds no picture (pure noise, a flat image). A
    garment filling the frame, or a bare wall, gets the middle: which it is, is the
    garment gate's call, not a colour rule's."""
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) RGB image, got shape {rgb.shape}")
    small = _work_copy(rgb, work_size)
    init = _initial_mask(small.shape[:2], None)
    found = _unhinted(small, init, iterations)
    if found is not None:
        found = _past_the_edge(small, init, found, iterations)
    if found is None:
        if not _middle_stands_out(small, init) and _no_picture(small):
            return None
        found = init == cv2.GC_PR_FGD  # GrabCut lost a garment that is there: the centre
    return _to_photo(found, rgb.shape[:2])


def _work_copy(rgb: np.ndarray, work_size: int) -> np.ndarray:
    height, width = rgb.shape[:2]
    scale = min(1.0, work_size / max(height, width))
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _to_photo(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Interpolate the mask as a float and threshold it, so the edges are not blocky."""
    up = cv2.resize(mask.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.asarray(up >= 0.5)


def item_foreground(
    rgb: np.ndarray,
    hint: np.ndarray | None = None,
    iterations: int = 3,
    work_size: int = 192,
) -> np.ndarray:
    """Bool mask (the photo's size) of the garment in an item photo.

    ``hint`` is a bool mask of probable foreground at the photo's size (e.g. a
    segmenter's garment pixels). GrabCut is run on a copy whose longest side is
    ``work_size`` (the defaults take ~80 ms for a 400 x 533 photo and lose little against
    a larger, slower run); if it comes back empty, covering the whole frame or (without a
    hint) cut down to a detail, the starting guess is returned instead (where nothing
    stands out, ``find_item`` says None).
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) RGB image, got shape {rgb.shape}")
    if hint is not None and hint.shape != rgb.shape[:2]:
        raise ValueError(f"hint shape {hint.shape} does not match photo {rgb.shape[:2]}")
    if hint is not None and not hint.any():  # an empty hint says nothing: use the centre
        hint = None
    height, width = rgb.shape[:2]
    small = _work_copy(rgb, work_size)
    init = _initial_mask(small.shape[:2], None if hint is None else hint.astype(bool))
    guess = np.isin(init, (cv2.GC_FGD, cv2.GC_PR_FGD))
    if hint is None:  # nothing standing out still gets the centre, as before find_item
        found_item = find_item(rgb, iterations, work_size)
        return found_item if found_item is not None else _to_photo(guess, (height, width))
    found: np.ndarray | None = None
    if not guess.all():
        found = _grabcut(small, init, iterations)
        found = found if found is not None and _plausible(found) else None
    if found is None:
        return hint.astype(bool).copy()
    return _to_photo(found, (height, width))
