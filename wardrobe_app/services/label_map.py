"""A photo's stored label map (what its overlays tint) following its garments' edits."""

from __future__ import annotations

import numpy as np

from ..types import LABEL_OF_CATEGORY, Category


def drawn_as(labels: np.ndarray, mask: np.ndarray, category: Category) -> list[int]:
    """The classes the map draws a garment in: its category's, and the one most of its
    pixels have (the model's, where its category was changed before the map followed)."""
    label = LABEL_OF_CATEGORY[category]
    majority = _majority(labels, mask)
    return sorted({label} if majority is None else {label, majority})


def recategorised(
    labels: np.ndarray, mask: np.ndarray, others: np.ndarray, old: Category, new: Category
) -> np.ndarray | None:
    """A copy of ``labels`` with a garment (``mask``) drawn in ``new``'s class, as the
    review's ``recategorise`` does before saving; None where nothing changes or the mask
    is not the map's size. Its pixels are those of its mask the map draws it in, and the
    rest of the model's region they belong to (the edges and spurs its mask was cleaned
    of: left, they kept the old colour around it). The photo's other garments' pixels
    (``others``, their masks) stay, and so does background inside its mask: changing the
    category back gives the same map again."""
    if mask.shape != labels.shape or others.shape != labels.shape:
        return None
    import cv2

    own = mask & np.isin(labels, drawn_as(labels, mask, old))
    majority = _majority(labels, mask)
    if majority is not None:  # its region: the model's connected pixels of that class
        _, parts = cv2.connectedComponents((labels == majority).view(np.uint8), connectivity=8)
        touched = np.unique(parts[own & (labels == majority)])
        own |= np.isin(parts, touched[touched > 0])
    own &= ~others
    label = LABEL_OF_CATEGORY[new]
    if not (labels[own] != label).any():
        return None
    out = np.array(labels, np.uint8)  # a copy: the stored one is not changed
    out[own] = label
    return out


def _majority(labels: np.ndarray, mask: np.ndarray) -> int | None:
    """The class most of a mask's drawn pixels have in the map; None where it has none."""
    under = labels[mask]
    counts = np.bincount(under[under > 0], minlength=2)
    return int(counts.argmax()) if counts.any() else None
