"""From a segmenter's label map to garments: clean masks, tight boxes, cut-outs, colours.

Label values: 0 background, 1 top, 2 bottom, 3 one-piece (``types.CATEGORY_OF_LABEL``).
An outfit photo shows one person, so each class normally yields at most one garment;
the pieces of a class that an arm or a bag strap cut apart are merged back into it.
"""

from __future__ import annotations

import cv2
import numpy as np

from wardrobe_app.category_colours import CATEGORY_COLOURS, rgb_of
from wardrobe_app.types import CATEGORY_OF_LABEL, Category, DetectedGarment
from wardrobe_app.vision.colours import dominant_colours

# Overlay colours per label (RGB): the app's (blue tops, amber bottoms, purple
# one-pieces), so `segment --overlay` and the garment page tint a class alike.
CLASS_COLOURS: dict[int, tuple[int, int, int]] = {
    label: rgb_of(CATEGORY_COLOURS[category]) for label, category in CATEGORY_OF_LABEL.items()
}

# A component this fraction of the class's largest one is a real piece of the garment
# (a sleeve cut off by an arm); smaller ones are stray pixels of the segmenter.
KEEP_FRACTION = 0.15
# Pieces under half the largest must lie this close (times the largest piece's longest
# box side) to count as fragments rather than something else across the photo.
NEAR_FRACTION = 0.5
# Enclosed background smaller than this fraction of the garment is a hole to fill (a
# hand, a logo the segmenter missed); larger is real background (arm akimbo).
MAX_HOLE_FRACTION = 0.05
# Enclosed background of at least this fraction of the photo in a mask found elsewhere
# stays open through the cleaning: GrabCut left it (the bed between a sleeve and the body).
KEPT_HOLE_FRACTION = 0.001
# Masks of bigger photos are chosen and cleaned at this longest side, then scaled back.
WORK_SIDE = 1024
# The largest radius of ``clean_mask``'s structuring element. A closing grows a mask by
# at most that, then erodes: a box with twice that, and one more, of room around the
# mask sees no border effect (``CLEAN_REACH``).
MAX_CLEAN_RADIUS = 15
CLEAN_REACH = 2 * MAX_CLEAN_RADIUS + 2
# Inner feather of the cut-out's alpha edge, in pixels.
FEATHER_PX = 2.0


def _components(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Component label image and stats (cv2 layout, background row 0 dropped)."""
    count, comp, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return comp, stats[1:count]


def _box_gap(a: np.ndarray, b: np.ndarray) -> float:
    """Gap in pixels between two (x, y, w, h) boxes; 0 when they touch or overlap."""
    dx = max(a[0] - (b[0] + b[2]), b[0] - (a[0] + a[2]), 0)
    dy = max(a[1] - (b[1] + b[3]), b[1] - (a[1] + a[3]), 0)
    return float(np.hypot(dx, dy))


def select_components(mask: np.ndarray, min_area: int) -> np.ndarray:
    """The pieces of one garment: specks under ``min_area`` dropped, then pieces of at
    least 15% of the largest kept (the small ones only when near the largest)."""
    comp, stats = _components(mask)
    areas = stats[:, cv2.CC_STAT_AREA]
    if len(areas) == 0 or areas.max() < min_area:
        return np.zeros(mask.shape, dtype=bool)
    largest = int(areas.argmax())
    big_box = stats[largest, :4]
    reach = NEAR_FRACTION * max(big_box[2], big_box[3])
    keep = [
        i + 1
        for i, area in enumerate(areas)
        if area >= max(min_area, KEEP_FRACTION * areas[largest])
        and (area >= 0.5 * areas[largest] or _box_gap(stats[i, :4], big_box) <= reach)
    ]
    return _members(comp, len(areas), keep)


def fill_holes(mask: np.ndarray, max_fraction: float | None = None) -> np.ndarray:
    """Fill enclosed background; with ``max_fraction`` only holes up to that fraction of
    the mask's area (big enclosed regions are usually real background)."""
    inverse = ~mask
    comp, stats = _components(inverse)
    # Holes are the background components that do not touch the image border.
    border = np.unique(np.concatenate([comp[0], comp[-1], comp[:, 0], comp[:, -1]]))
    limit = np.inf if max_fraction is None else max_fraction * mask.sum()
    holes = [
        i + 1
        for i, area in enumerate(stats[:, cv2.CC_STAT_AREA])
        if i + 1 not in border and area <= limit
    ]
    return mask | _members(comp, len(stats), holes) if holes else mask.copy()


def _at_least(mask: np.ndarray, min_area: float) -> np.ndarray:
    """The components of ``mask`` of ``min_area`` pixels or more."""
    comp, stats = _components(mask)
    keep = [i + 1 for i, area in enumerate(stats[:, cv2.CC_STAT_AREA]) if area >= min_area]
    return _members(comp, len(stats), keep)


def _members(comp: np.ndarray, count: int, chosen: list[int]) -> np.ndarray:
    """Where the component label image holds one of ``chosen``: a lookup table, several
    times faster than ``np.isin`` on a photo-sized image."""
    table = np.zeros(count + 1, dtype=bool)
    table[chosen] = True
    return table[comp]


def clean_mask(mask: np.ndarray, max_hole_fraction: float | None = MAX_HOLE_FRACTION) -> np.ndarray:
    """Smooth ragged segmenter edges: open (spurs, specks), close (nicks), fill holes.

    The kernel grows with the garment so a big garment loses its noise and a small one
    keeps its shape.
    """
    area = int(mask.sum())
    if area == 0:
        return mask.astype(bool)
    size = int(np.clip(round(np.sqrt(area) * 0.02), 1, MAX_CLEAN_RADIUS)) * 2 + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    m = mask.astype(np.uint8)
    opened = cv2.morphologyEx(m, cv2.MORPH_OPEN, kernel)
    if opened.sum() < 0.5 * area:  # thin garment (a strap top): opening would erase it
        opened = m
    closed = cv2.morphologyEx(opened, cv2.MORPH_CLOSE, kernel).astype(bool)
    return fill_holes(closed, max_hole_fraction)


def tight_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the mask's pixels, exclusive end."""
    ys = np.flatnonzero(mask.any(axis=1))
    xs = np.flatnonzero(mask.any(axis=0))
    return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1


def make_cutout(rgb: np.ndarray, mask: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """RGBA crop of ``box``: alpha 0 (and black) outside the mask, a soft inner edge."""
    x0, y0, x1, y1 = box
    crop = mask[y0:y1, x0:x1]
    # Feather inwards only, so nothing outside the mask ever shows.
    inside = cv2.distanceTransform(np.pad(crop, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
    alpha = np.clip(inside / FEATHER_PX, 0.0, 1.0)
    cutout = np.zeros((y1 - y0, x1 - x0, 4), dtype=np.uint8)
    cutout[..., :3] = np.where(crop[..., None], rgb[y0:y1, x0:x1], 0)
    cutout[..., 3] = np.round(alpha * 255).astype(np.uint8)
    return cutout


def garment_of_mask(
    rgb: np.ndarray,
    mask: np.ndarray,
    category: Category,
    confidence: float = 1.0,
    *,
    item_photo: bool = False,
) -> DetectedGarment:
    """A garment from a clean mask at the photo's size, as it is: its box, cut-out and
    colours (``garment_from_mask`` cleans a rough mask first). ``item_photo``: the photo
    shows the garment on its own (colours are named as in ``dominant_colours``)."""
    box = tight_box(mask)
    return DetectedGarment(
        category=category,
        mask=mask,
        box=box,
        cutout=make_cutout(rgb, mask, box),
        colours=dominant_colours(rgb, mask, item_photo=item_photo),
        confidence=confidence,
    )


def _check_shapes(rgb: np.ndarray, other: np.ndarray, what: str) -> None:
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) RGB image, got shape {rgb.shape}")
    if other.shape[-2:] != rgb.shape[:2]:
        raise ValueError(f"{what} shape {other.shape} does not match photo {rgb.shape[:2]}")


def _work_scale(shape: tuple[int, ...]) -> float:
    return min(1.0, WORK_SIDE / max(shape[:2]))


def _to_size(mask: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Resize a bool mask through a float one, so scaled edges stay smooth."""
    if mask.shape == shape[:2]:
        return mask
    size = (shape[1], shape[0])
    resized = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    return np.asarray(resized >= 0.5)


def _clean_in_box(mask: np.ndarray, allowed: np.ndarray, min_area: int) -> np.ndarray:
    """``clean_mask``, clipped to ``allowed``, then ``select_components`` again, worked in
    the mask's box with room around it: the same result as on the whole photo (the
    morphology reaches at most ``CLEAN_REACH`` pixels, and enclosed background is the
    same in the box), for a fraction of the pixels."""
    bx0, by0, bx1, by1 = tight_box(mask)
    y0, y1 = max(0, by0 - CLEAN_REACH), min(mask.shape[0], by1 + CLEAN_REACH)
    x0, x1 = max(0, bx0 - CLEAN_REACH), min(mask.shape[1], bx1 + CLEAN_REACH)
    # Cleaning may close over a neighbouring garment; those pixels stay with it.
    box = clean_mask(mask[y0:y1, x0:x1]) & allowed[y0:y1, x0:x1]
    out = np.zeros(mask.shape, dtype=bool)
    out[y0:y1, x0:x1] = select_components(box, min_area)  # the clip can leave slivers
    return out


def extract_garments(
    rgb: np.ndarray,
    labels: np.ndarray,
    probabilities: np.ndarray | None = None,
    *,
    min_area_fraction: float = 0.004,
) -> list[DetectedGarment]:
    """One garment per class present in ``labels`` (uint8, the photo's size), largest
    first. ``probabilities`` (4, H, W) float32, if given, sets each garment's confidence
    to the mean winning-class probability inside its mask."""
    _check_shapes(rgb, labels, "label map")
    if probabilities is not None:
        _check_shapes(rgb, probabilities, "probabilities")
    # Masks are chosen and cleaned at a capped size: a phone photo's label map is the
    # segmenter's coarse output scaled up, so nothing is lost, and 12 MP would take seconds.
    scale = _work_scale(labels.shape)
    small = labels
    if scale < 1:
        size = (round(labels.shape[1] * scale), round(labels.shape[0] * scale))
        small = cv2.resize(labels, size, interpolation=cv2.INTER_NEAREST)
    min_area = max(1, int(min_area_fraction * small.size))
    garments = []
    for label, category in CATEGORY_OF_LABEL.items():
        raw = small == label
        if raw.sum() < min_area:
            continue
        mask = select_components(raw, min_area)
        if not mask.any():
            continue
        mask = _clean_in_box(mask, (small == 0) | raw, min_area)
        if not mask.any():
            continue
        if scale < 1:
            mask = _to_size(mask, labels.shape) & ((labels == 0) | (labels == label))
            if not mask.any():
                continue
        confidence = 1.0
        if probabilities is not None:
            step = max(1, round(1 / scale))  # a strided sample gives the same mean
            sample = probabilities[:, ::step, ::step][:, mask[::step, ::step]]
            confidence = float(sample.max(axis=0).mean()) if sample.size else 0.0
        garments.append(garment_of_mask(rgb, mask, category, confidence))
    return sorted(garments, key=lambda g: -g.area)


def garment_from_mask(
    rgb: np.ndarray,
    mask: np.ndarray,
    category: Category,
    *,
    min_area_fraction: float = 0.004,
    item_photo: bool = False,
) -> DetectedGarment | None:
    """A garment from a mask found elsewhere (e.g. GrabCut on an item photo), cleaned and
    cut out like the segmenter's; None when the mask is empty or a speck."""
    _check_shapes(rgb, mask, "mask")
    scale = _work_scale(mask.shape)
    full = np.asarray(mask, dtype=bool)
    small = full
    if scale < 1:
        size = (round(mask.shape[0] * scale), round(mask.shape[1] * scale))
        small = _to_size(full, size)
    min_area = max(1, int(min_area_fraction * small.size))
    small = select_components(small, min_area)
    if not small.any():
        return None
    open_holes = _at_least(fill_holes(small) & ~small, KEPT_HOLE_FRACTION * small.size)
    small = select_components(clean_mask(small) & ~open_holes, min_area)
    if not small.any():
        return None
    return garment_of_mask(rgb, _to_size(small, full.shape), category, item_photo=item_photo)


def make_thumbnail(cutout: np.ndarray, size: int = 256) -> np.ndarray:
    """RGBA ``size`` x ``size``: the cut-out scaled so its longest side is ``size``,
    aspect kept, centred on a transparent canvas."""
    if cutout.ndim == 3 and cutout.shape[2] == 3:  # an RGB crop: fully opaque
        cutout = np.dstack([cutout, np.full(cutout.shape[:2], 255, np.uint8)])
    h, w = cutout.shape[:2]
    canvas = np.zeros((size, size, 4), dtype=np.uint8)
    if h == 0 or w == 0:
        return canvas
    scale = size / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    # Resize premultiplied, so transparent pixels do not bleed a dark fringe.
    rgba = cutout.astype(np.float32)
    rgba[..., :3] *= rgba[..., 3:] / 255.0
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(rgba, (nw, nh), interpolation=interp)
    alpha = small[..., 3:]
    small[..., :3] = np.where(alpha > 0, small[..., :3] * 255.0 / np.maximum(alpha, 1e-6), 0)
    x0, y0 = (size - nw) // 2, (size - nh) // 2
    canvas[y0 : y0 + nh, x0 : x0 + nw] = np.clip(np.round(small), 0, 255).astype(np.uint8)
    return canvas


# Rows of the photo tinted at a time, in float32: a 108 MP photo whole was 1.3 GB.
OVERLAY_BAND_PIXELS = 1 << 20


def overlay(rgb: np.ndarray, labels: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """The photo with each garment class tinted in ``CLASS_COLOURS`` and outlined."""
    _check_shapes(rgb, labels, "label map")
    thickness = max(1, round(max(labels.shape) / 400))
    # The outlines come from the whole map (a contour runs across bands), one bit a class;
    # each band is then tinted and outlined a class at a time, in the classes' order.
    outlines = np.zeros(labels.shape, np.uint8)
    shown: list[tuple[int, tuple[int, int, int], int]] = []
    for bit, (label, colour) in enumerate(CLASS_COLOURS.items()):
        region = labels == label
        if not region.any():
            continue
        contours, _ = cv2.findContours(
            region.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
        )
        outline = np.zeros(labels.shape, np.uint8)
        cv2.drawContours(outline, contours, -1, 1 << bit, thickness)
        outlines |= outline
        shown.append((label, colour, 1 << bit))
    out = np.empty(rgb.shape, np.uint8)
    rows = max(1, OVERLAY_BAND_PIXELS // max(1, labels.shape[1]))
    for y in range(0, labels.shape[0], rows):
        band = rgb[y : y + rows].astype(np.float32)
        for label, colour, bit in shown:
            region = labels[y : y + rows] == label
            band[region] = (1 - alpha) * band[region] + alpha * np.array(colour, np.float32)
            band[(outlines[y : y + rows] & bit) > 0] = colour
        out[y : y + rows] = np.round(band).astype(np.uint8)
    return out
