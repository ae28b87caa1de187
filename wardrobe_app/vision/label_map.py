"""A photo's label map (what its overlays tint) following its garments' edits: the
review's changes before saving, and the wardrobe's after."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..types import LABEL_OF_CATEGORY, Category


def drawn_as(labels: np.ndarray, mask: np.ndarray, category: Category) -> list[int]:
    """The classes the map draws a garment in: its category's, and the one most of its
    pixels have (the model's, where its category was changed before the map followed)."""
    label = LABEL_OF_CATEGORY[category]
    majority = _majority(labels, mask)
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
    majority = _majority(labels, mask)
    if majority is None:
        return np.zeros(labels.shape, bool)
    parts, touches = _parts_touching(labels, majority, [mask, *others])
    mine = touches[0]
    rivals = [i for i, other in enumerate(others, 1) if _majority(labels, other) == majority]
    if not shared:
        mine = mine & ~touches[rivals].any(axis=0)
    if specks and not rivals:  # as far_specks: a part no mask touches
        mine = mine | np.logical_not(touches.any(axis=0))
        mine[0] = False  # the pixels of no part
    return ((labels == majority) & mask & ~union_of(others, labels.shape)) | mine[parts]


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
    A pixel is moved only where changing the category back takes it back (a part of its
    region that, in the new class, joins one a garment of that class touches stays as
    it is): the round trip gives the same map again. Not ``specks`` (a garment of the
    photo whose mask cannot be read, left out of ``others``: its pixels would be taken
    for specks), its specks stay as they are."""
    if mask.shape != labels.shape or any(o.shape != labels.shape for o in others):
        return None
    label = LABEL_OF_CATEGORY[new]
    classes = list(other_classes) or [_majority(labels, o) or 0 for o in others]
    moved = _own_pixels(labels, mask, others, classes, old, specks)
    while True:  # shrinks at each turn; a turn or two in practice
        there = np.where(moved, label, labels)
        kept = moved & _own_pixels(there, mask, others, classes, new, specks)
        if np.array_equal(kept, moved):
            break
        moved = kept
    if not (labels[moved] != label).any():
        return None
    return np.where(moved, label, labels).astype(np.uint8)  # a copy: the stored one stays


def _own_pixels(
    labels: np.ndarray,
    mask: np.ndarray,
    others: Sequence[np.ndarray],
    classes: Sequence[int],
    category: Category,
    specks: bool,
) -> np.ndarray:
    """The pixels of the map that are a garment's (``mask``, of ``category``), as
    ``recategorised`` moves them."""
    theirs = drawn_by(labels, others, classes)
    own = mask & np.isin(labels, drawn_as(labels, mask, category)) & ~theirs
    return own | model_region(labels, mask, others, specks=specks)


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
    taken = {_majority(labels, o) for o in others}
    specks = np.zeros(labels.shape, bool)
    classes = {c for m in masks if (c := _majority(labels, m)) is not None} - taken
    for label in classes:
        parts, touches = _parts_touching(labels, label, [*masks, *others])
        untouched = np.logical_not(touches.any(axis=0))
        untouched[0] = False  # the pixels of no part
        specks |= untouched[parts]
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
    for i, mask in enumerate(gone):
        others = [*kept, *gone[:i], *gone[i + 1 :]]
        erase |= model_region(labels, mask, others, shared=True)
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
) -> np.ndarray:
    """A copy of ``labels`` that draws only the garments of ``masks`` (a photo's live
    garments, at the map's size): the pixels of their masks, and the rest of the model's
    regions they were cut from (``model_region``; a part two of them touch is drawn).
    The map keeps every pixel the model found: a garment deleted, or left out at review,
    stayed tinted on the pages of the photo's other garments. Those of ``gone`` (the
    masks of its garments deleted) are left out where they touch a live one of their
    class too: the two were one region of the map, drawn whole. With ``classes`` (those
    of ``masks``' categories), where one of ``gone`` lay over a live one, the live one
    is drawn there (``reclaimed``)."""
    keep = union_of(masks, labels.shape)
    every = [*masks, *gone]
    drawn_in = [_majority(labels, mask) for mask in every]
    is_live = np.arange(len(every)) < len(masks)
    for label in {c for c in drawn_in[: len(masks)] if c is not None}:
        parts, touches = _parts_touching(labels, label, every)
        same = np.array([c == label for c in drawn_in])
        drawn = np.logical_or.reduce(touches[same & is_live], axis=0)
        keep |= (drawn & ~np.logical_or.reduce(touches[same & ~is_live], axis=0))[parts]
    out = np.where(keep, labels, 0).astype(np.uint8)
    return reclaimed(out, masks, classes, gone) if classes else out


def _parts_touching(
    labels: np.ndarray, label: int, masks: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """The 8-connected parts of the map's ``label`` pixels outside all ``masks`` (an
    image of part numbers, 0 elsewhere), and which of them each mask's pixels in that
    class touch (bool, a row per mask; part 0 touches none)."""
    import cv2

    plane = labels == label
    outside = plane & ~union_of(masks, labels.shape)
    count, parts = cv2.connectedComponents(outside.view(np.uint8), connectivity=8)
    touches = np.zeros((len(masks), count), bool)  # a look-up by part: np.isin is slower
    ring = np.ones((3, 3), np.uint8)
    for row, mask in zip(touches, masks, strict=True):
        row[parts[cv2.dilate((plane & mask).view(np.uint8), ring) > 0]] = True
    touches[:, 0] = False  # the pixels of no part
    return parts, touches


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


def _majority(labels: np.ndarray, mask: np.ndarray) -> int | None:
    """The class most of a mask's drawn pixels have in the map; None where it has none."""
    under = labels[mask]
    counts = np.bincount(under[under > 0], minlength=2)
    return int(counts.argmax()) if counts.any() else None
