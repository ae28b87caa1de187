"""A photo's label map (what its overlays tint) following its garments' edits: the
review's changes before saving, and the wardrobe's after."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from ..types import LABEL_OF_CATEGORY, Category

# cv2.calcHist counts in float32, exact up to 2**24: a box of 16.7 MP or more (a garment
# filling a 24 MP photo) is counted by np.bincount instead.
HISTOGRAM_EXACT_BELOW = 2**24


def drawn_as(labels: np.ndarray, mask: np.ndarray, category: Category) -> list[int]:
    """The classes the map draws a garment in: its category's, and the one most of its
    pixels have (the model's, where its category was changed before the map followed)."""
    return _drawn_as(labels, mask, category, _Boxes())


def _drawn_as(labels: np.ndarray, mask: np.ndarray, category: Category, boxes: _Boxes) -> list[int]:
    label = LABEL_OF_CATEGORY[category]
    majority = _majority(labels, mask, boxes)
    return sorted({label} if majority is None else {label, majority})


def model_region(
    labels: np.ndarray,
    mask: np.ndarray,
    others: Sequence[np.ndarray],
    *,
    shared: bool = False,
    specks: bool = False,
) -> np.ndarray:
    """The pixels of the model's region a garment was cut from: those of its mask in the
    class most of it has, and the parts of that class's pixels outside the photo's masks
    that touch them, less those under ``others`` (the photo's other garments' masks).
    Its mask was cleaned of the region's edges and spurs (0.1 to 0.9% of a garment's
    pixels on the first 12 of CCP's photos): a change of class that left them kept the
    old colour around the garment. A part that another garment drawn in that class also
    touches is left out, unless ``shared`` (a merge takes it): two garments of one class
    side by side (after a change of category) are one region of the map, and it gave
    the other's edges to this one, which changing its category back did not give back.
    With ``specks``, its ``far_specks`` too (one look at the map's parts for both)."""
    return _model_region(labels, mask, others, shared, specks, _Boxes())


def _model_region(
    labels: np.ndarray,
    mask: np.ndarray,
    others: Sequence[np.ndarray],
    shared: bool,
    specks: bool,
    boxes: _Boxes,
) -> np.ndarray:
    majority = _majority(labels, mask, boxes)
    if majority is None:
        return np.zeros(labels.shape, bool)
    parts, touches = _parts_touching(labels, majority, [mask, *others], boxes)
    mine = touches[0]
    rivals = [i for i, other in enumerate(others, 1) if _majority(labels, other, boxes) == majority]
    if not shared:
        mine = mine & ~touches[rivals].any(axis=0)
    if specks and not rivals:  # as far_specks: a part no mask touches
        mine = mine | np.logical_not(touches.any(axis=0))
        mine[0] = False  # the pixels of no part
    region = _of_parts(mine, parts)
    box = boxes(mask)  # its pixels in that class: in its box (a small part of a photo)
    assert box is not None  # it has a majority
    covered = union_of([other[box] for other in others], mask[box].shape)
    region[box] |= (labels[box] == majority) & mask[box] & ~covered
    return region


def recategorised(
    labels: np.ndarray,
    mask: np.ndarray,
    others: Sequence[np.ndarray],
    old: Category,
    new: Category,
    *,
    specks: bool = True,
    other_classes: Sequence[int] = (),
) -> np.ndarray | None:
    """A copy of ``labels`` with a stored garment (``mask``) drawn in ``new``'s class;
    None where nothing changes or the masks are not the map's size. Its pixels are those
    of its mask the map draws it in, the rest of the model's region (``model_region``)
    and its specks beyond every garment's region (``far_specks``). The photo's other
    garments' pixels (``others``, their masks, in their class: ``other_classes``, those
    of their categories, or the one most of each has) stay, and so does background
    inside its mask; its own over another's mask (a touch-up drew it there) go with it.
    A pixel is moved only where changing the category back takes it back, or where, in
    the new class, its part of the map touches another garment drawn in that class too
    (a top's rim pixel by a one-piece's mask): the map cannot tell it from that one's
    on the way back, and there it stays (an undo gives it back: ``MapEdits``); kept in
    the old class, the one-piece was drawn with a top's rim where the whole map is, and
    purged, it stayed for good. The round trip gives the same map again but for those.
    Not ``specks`` (a garment of the
    photo whose mask cannot be read, left out of ``others``: its pixels would be taken
    for specks), its specks stay as they are."""
    if mask.shape != labels.shape or any(o.shape != labels.shape for o in others):
        return None
    label = LABEL_OF_CATEGORY[new]
    boxes = _Boxes()  # its masks' boxes, found once
    classes = list(other_classes) or [_majority(labels, o, boxes) or 0 for o in others]
    moved = _own_pixels(labels, mask, others, classes, old, specks, boxes)
    while True:  # shrinks at each turn; a turn or two in practice
        there = np.where(moved, label, labels)
        # Its parts shared with another of the new class too (``shared``): its own still
        kept = moved & _own_pixels(there, mask, others, classes, new, specks, boxes, True)
        if np.array_equal(kept, moved):
            break
        moved = kept
    if np.array_equal(there, labels):  # none of its pixels is in another class
        return None
    return there.astype(np.uint8, copy=False)  # a copy: the stored one stays


def _own_pixels(
    labels: np.ndarray,
    mask: np.ndarray,
    others: Sequence[np.ndarray],
    classes: Sequence[int],
    category: Category,
    specks: bool,
    boxes: _Boxes,
    shared: bool = False,
) -> np.ndarray:
    """The pixels of the map that are a garment's (``mask``, of ``category``), as
    ``recategorised`` moves them; ``shared`` as ``model_region``'s."""
    region = _model_region(labels, mask, others, shared, specks, boxes)
    box = boxes(mask)  # the rest is in its mask: worked out in its box
    if box is None:
        return region
    crop = labels[box]
    theirs = drawn_by(crop, [other[box] for other in others], classes)
    drawn = _in_classes(crop, _drawn_as(labels, mask, category, boxes))
    region[box] |= mask[box] & drawn & ~theirs
    return region


def far_specks(labels: np.ndarray, mask: np.ndarray, others: Sequence[np.ndarray]) -> np.ndarray:
    """The pixels of the class most of a garment's mask has that no garment's region
    holds (the specks its mask was chosen without: too small or too far), where none of
    ``others`` (the photo's other garments' masks) is drawn in that class: the model
    finds one garment a class, so they are this one's. Left, a top made a one-piece
    kept its specks in the old class, drawn where the whole map is (a page whose mask
    is lost). Where another is drawn in it, whose they are the map cannot tell."""
    return specks_of(labels, [mask], others)


def specks_of(
    labels: np.ndarray, masks: Sequence[np.ndarray], others: Sequence[np.ndarray]
) -> np.ndarray:
    """``far_specks`` of garments becoming one (a merge's parts, ``masks``): the specks
    beyond every region of the classes most of their masks have, where none of
    ``others`` is drawn in that class."""
    boxes = _Boxes()
    taken = {_majority(labels, o, boxes) for o in others}
    specks = np.zeros(labels.shape, bool)
    classes = {c for m in masks if (c := _majority(labels, m, boxes)) is not None} - taken
    for label in classes:
        parts, touches = _parts_touching(labels, label, [*masks, *others], boxes)
        untouched = np.logical_not(touches.any(axis=0))
        untouched[0] = False  # the pixels of no part
        specks |= _of_parts(untouched, parts)
    return specks


def without(
    labels: np.ndarray,
    gone: Sequence[np.ndarray],
    kept: Sequence[np.ndarray],
    kept_classes: Sequence[int] = (),
) -> np.ndarray | None:
    """A copy of ``labels`` with garments gone for good (purged; ``gone``, their masks)
    set to background: the pixels of their masks outside ``kept`` (the masks of the
    photo's garments that stay), and the rest of the model's regions they were cut from
    (``model_region``), a part that one of ``kept`` of their class touches too included,
    and their specks beyond every region of a class none of ``kept`` has (``specks_of``:
    left, a garment later made of that class took them as its own).
    The map then draws the photo's other garments as ``of_garments`` drew them with
    ``gone`` deleted: with no mask left to leave them out, they came back on their
    pages. With ``kept_classes`` (those of ``kept``'s categories), where a mask gone lay
    over a kept one, the kept one is drawn there again (``reclaimed``). None where
    nothing changes or the masks are not the map's size."""
    if any(m.shape != labels.shape for m in (*gone, *kept)):
        return None
    erase = union_of(gone, labels.shape) & ~union_of(kept, labels.shape)
    boxes = _Boxes()
    for i, mask in enumerate(gone):
        others = [*kept, *gone[:i], *gone[i + 1 :]]
        erase |= _model_region(labels, mask, others, True, False, boxes)
    erase |= specks_of(labels, gone, kept)  # theirs, where no garment kept has their class
    out = np.where(erase, 0, labels).astype(np.uint8)  # a copy: the stored one stays
    if kept_classes:
        out = reclaimed(out, kept, kept_classes, gone)
    return None if np.array_equal(out, labels) else out


def reclaimed(
    labels: np.ndarray,
    masks: Sequence[np.ndarray],
    classes: Sequence[int],
    gone: Sequence[np.ndarray],
) -> np.ndarray:
    """A copy of ``labels`` in which the pixels of a garment kept (``masks``, in the
    ``classes`` of their categories) that a garment gone (deleted or purged; ``gone``,
    their masks) lay over, in a class none of the kept ones there has (not background:
    a hole its mask was filled over), are drawn in the kept one's class. A touch-up
    draws a garment over another's mask in its own class (a top drawn over the bottom's
    waist): deleted and purged, its class stayed there, the bottom drawn as a top on
    the photo's pages."""
    out = np.array(labels, np.uint8)
    under = union_of(gone, labels.shape)
    theirs = drawn_by(labels, masks, classes)  # a class one of the kept ones there has
    drawn = under & ~theirs & (out != 0)
    for mask, label in zip(reversed(masks), reversed(classes), strict=True):
        out[mask & drawn] = label  # the first one of ``masks`` drawn last
    return out


def of_garments(
    labels: np.ndarray,
    masks: list[np.ndarray],
    gone: Sequence[np.ndarray] = (),
    classes: Sequence[int] = (),
    *,
    specks_but: Collection[int] | None = None,
) -> np.ndarray:
    """A copy of ``labels`` that draws only the garments of ``masks`` (a photo's live
    garments, at the map's size): the pixels of their masks, and the rest of the model's
    regions they were cut from (``model_region``; a part two of them touch is drawn).
    The map keeps every pixel the model found: a garment deleted, or left out at review,
    stayed tinted on the pages of the photo's other garments. Those of ``gone`` (the
    masks of its garments deleted) are left out where they touch a live one of their
    class too: the two were one region of the map, drawn whole. With ``classes`` (those
    of ``masks``' categories), where one of ``gone`` lay over a live one, the live one
    is drawn there (``reclaimed``). With ``specks_but`` (a map redrawn for good, not a
    page), the live ones' specks beyond every region (``specks_of``) stay too, but in
    those classes (a deleted garment's whose mask is lost: they could be its pixels);
    left out, a purge's redraw lost them, and a change of category then had none to
    move."""
    keep = union_of(masks, labels.shape)
    every = [*masks, *gone]
    boxes = _Boxes()
    drawn_in = [_majority(labels, mask, boxes) for mask in every]
    is_live = np.arange(len(every)) < len(masks)
    for label in {c for c in drawn_in[: len(masks)] if c is not None}:
        parts, touches = _parts_touching(labels, label, every, boxes)
        same = np.array([c == label for c in drawn_in])
        drawn = np.logical_or.reduce(touches[same & is_live], axis=0)
        chosen = drawn & ~np.logical_or.reduce(touches[same & ~is_live], axis=0)
        if specks_but is not None and label not in specks_but:
            chosen |= np.logical_not(touches.any(axis=0))
            chosen[0] = False  # the pixels of no part
        keep |= _of_parts(chosen, parts)
    out = np.where(keep, labels, 0).astype(np.uint8)
    return reclaimed(out, masks, classes, gone) if classes else out


def _parts_touching(
    labels: np.ndarray, label: int, masks: Sequence[np.ndarray], boxes: _Boxes
) -> tuple[np.ndarray, np.ndarray]:
    """The 8-connected parts of the map's ``label`` pixels outside all ``masks`` (an
    image of part numbers, 0 elsewhere), and which of them each mask's pixels in that
    class touch (bool, a row per mask; part 0 touches none)."""
    import cv2

    plane = labels == label
    outside = plane.copy()
    for mask in masks:  # each in its box: a garment's is a small part of a photo
        box = boxes(mask)
        if box is not None:
            outside[box] &= ~mask[box]
    outside = outside.view(np.uint8)
    # 16-bit part numbers where they fit (at most one part a pixel; OpenCV refuses a
    # 65535th): half the memory to write and read back, twice as fast on a 12 MP map
    ltype = cv2.CV_16U if cv2.countNonZero(outside) < 2**16 - 1 else cv2.CV_32S
    count, parts = cv2.connectedComponents(outside, connectivity=8, ltype=ltype)
    touches = np.zeros((len(masks), count), bool)  # a look-up by part: np.isin is slower
    ring = np.ones((3, 3), np.uint8)
    for row, mask in zip(touches, masks, strict=True):
        box = boxes(mask, margin=1)  # what the dilation of its pixels can reach
        if box is not None:
            near = cv2.dilate((plane[box] & mask[box]).view(np.uint8), ring)
            row[parts[box][near > 0]] = True
    touches[:, 0] = False  # the pixels of no part
    return parts, touches


def _of_parts(chosen: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """The pixels of the ``chosen`` parts (bool by part number; part 0, the pixels of no
    part, never): looked up at the parts' pixels only, a few percent of a map, not at
    every pixel (``chosen[parts]`` took 24 ms on a 12 MP map, this 2)."""
    out = np.zeros(parts.shape, bool)
    at = np.flatnonzero(parts != 0)  # 10 times faster than of the part numbers
    out.ravel()[at] = chosen[parts.ravel()[at]]
    return out


Box = tuple[slice, slice]


class _Boxes:
    """The boxes of masks' pixels (their rows and columns), each found once in a call
    (its masks are not changed during it): 0.3 ms on a 12 MP mask, looked up 10 to 20
    times in a change of category."""

    def __init__(self) -> None:
        self._found: dict[int, tuple[np.ndarray, tuple[int, int, int, int] | None]] = {}

    def __call__(self, mask: np.ndarray, margin: int = 0) -> Box | None:
        """``mask``'s box, ``margin`` more on each side within it; None where it has no
        pixel."""
        found = self._found.get(id(mask))
        if found is None or found[0] is not mask:  # another array, the same id
            found = (mask, _bounds(mask))
            self._found[id(mask)] = found
        if found[1] is None:
            return None
        top, bottom, left, right = found[1]
        height, width = mask.shape
        return (
            slice(max(top - margin, 0), min(bottom + margin, height)),
            slice(max(left - margin, 0), min(right + margin, width)),
        )


def _bounds(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """The first and past-the-last row and column of a mask's pixels (``np.any`` along
    rows, then columns of those rows: 0.3 ms on a 12 MP mask, ``cv2.boundingRect``
    2.5)."""
    rows = np.flatnonzero(mask.any(axis=1))
    if not rows.size:
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    cols = np.flatnonzero(mask[top:bottom].any(axis=0))
    return top, bottom, int(cols[0]), int(cols[-1]) + 1


def _in_classes(labels: np.ndarray, classes: Sequence[int]) -> np.ndarray:
    """``np.isin(labels, classes)``, through a look-up table for a uint8 map (4 times
    faster)."""
    import cv2

    if labels.dtype != np.uint8:
        return np.isin(labels, classes)
    table = np.zeros(256, np.uint8)
    table[list(classes)] = 1
    return cv2.LUT(np.ascontiguousarray(labels), table).view(bool)


def drawn_by(labels: np.ndarray, masks: Sequence[np.ndarray], classes: Sequence[int]) -> np.ndarray:
    """The pixels of garments' ``masks`` the map draws in their ``classes``: theirs,
    where another garment's mask lies over them too."""
    theirs = np.zeros(labels.shape, bool)
    for mask, label in zip(masks, classes, strict=True):
        theirs |= mask & (labels == label)
    return theirs


def union_of(masks: Sequence[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """The pixels under any of ``masks`` (of ``shape``)."""
    union = np.zeros(shape, bool)
    for mask in masks:
        union |= mask
    return union


def _majority(labels: np.ndarray, mask: np.ndarray, boxes: _Boxes) -> int | None:
    """The class most of a mask's drawn pixels have in the map; None where it has none."""
    import cv2

    box = boxes(mask)  # counted in its box: a garment's is a small part of a photo
    if box is None:
        return None
    drawn = labels[box] * mask[box]  # outside the mask: background, not counted
    if drawn.dtype == np.uint8 and drawn.size < HISTOGRAM_EXACT_BELOW:
        counts = cv2.calcHist([drawn], [0], None, [256], [0, 256]).ravel().astype(np.int64)
    else:  # 3 times slower
        counts = np.bincount(drawn.ravel(), minlength=2)
    counts[0] = 0  # background is not a class
    return int(counts.argmax()) if counts.any() else None
