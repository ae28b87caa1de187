"""A photo's label map (what its overlays tint) following its garments' edits: the
review's changes before saving, and the wardrobe's after."""

from __future__ import annotations

import numpy as np

from ..types import LABEL_OF_CATEGORY, Category


def drawn_as(labels: np.ndarray, mask: np.ndarray, category: Category) -> list[int]:
    """The classes the map draws a garment in: its category's, and the one most of its
    pixels have (the model's, where its category was changed before the map followed)."""
    label = LABEL_OF_CATEGORY[category]
    majority = _majority(labels, mask)
    return sorted({label} if majority is None else {label, majority})


def model_region(labels: np.ndarray, mask: np.ndarray, others: np.ndarray) -> np.ndarray:
    """The pixels of the model's region a garment was cut from: those of the class most
    of its mask has, connected to its mask's, less those under ``others`` (the photo's
    other garments' masks). Its mask was cleaned of the region's edges and spurs (0.1 to
    0.9% of a garment's pixels on the first 12 of CCP's photos): a change of class that
    left them kept the old colour around the garment."""
    import cv2

    majority = _majority(labels, mask)
    if majority is None:
        return np.zeros(labels.shape, bool)
    region = labels == majority
    count, parts = cv2.connectedComponents(region.view(np.uint8), connectivity=8)
    touched = np.zeros(count, bool)  # a look-up by part (np.isin: 10 ms, this 6 in all)
    touched[parts[mask & region]] = True
    touched[0] = False  # the background of the class's plane
    return touched[parts] & ~others


def recategorised(
    labels: np.ndarray, mask: np.ndarray, others: np.ndarray, old: Category, new: Category
) -> np.ndarray | None:
    """A copy of ``labels`` with a stored garment (``mask``) drawn in ``new``'s class;
    None where nothing changes or the masks are not the map's size. Its pixels are those
    of its mask the map draws it in, and the rest of the model's region (``model_region``).
    The photo's other garments' pixels (``others``, their masks) stay, and so does
    background inside its mask: changing the category back gives the same map again."""
    if mask.shape != labels.shape or others.shape != labels.shape:
        return None
    own = (mask & np.isin(labels, drawn_as(labels, mask, old)) & ~others) | model_region(
        labels, mask, others
    )
    label = LABEL_OF_CATEGORY[new]
    if not (labels[own] != label).any():
        return None
    out = np.array(labels, np.uint8)  # a copy: the stored one is not changed
    out[own] = label
    return out


def of_garments(labels: np.ndarray, masks: list[np.ndarray]) -> np.ndarray:
    """A copy of ``labels`` that draws only the garments of ``masks`` (a photo's live
    garments, at the map's size): the pixels of their masks, and the rest of the model's
    regions they were cut from (``model_region``). The map keeps every pixel the model
    found: a garment deleted, or left out at review, stayed tinted on the pages of the
    photo's other garments."""
    union = np.zeros(labels.shape, bool)
    for mask in masks:
        union |= mask
    keep = union.copy()
    for mask in masks:
        keep |= model_region(labels, mask, union & ~mask)
    return np.where(keep, labels, 0).astype(np.uint8)


def _majority(labels: np.ndarray, mask: np.ndarray) -> int | None:
    """The class most of a mask's drawn pixels have in the map; None where it has none."""
    under = labels[mask]
    counts = np.bincount(under[under > 0], minlength=2)
    return int(counts.argmax()) if counts.any() else None
