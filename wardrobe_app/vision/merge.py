"""Several garments found where there is one: a dress split at the waist into a top and
a bottom, say (the shipped segmenter splits 5 of the 29 one-pieces of CCP's val photos;
see its MODEL.md). The review merges them back into one garment before anything is
saved; a garment found whole in the wrong class only needs its category changed
(``recategorise``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from wardrobe_app.types import (
    CATEGORIES,
    LABEL_OF_CATEGORY,
    Category,
    DetectedGarment,
    PhotoAnalysis,
)

from .fine_types import FINE_TYPE_CATEGORY
from .garments import garment_of_mask
from .label_map import far_specks, model_region, specks_of

# ``Analyser.fill_vectors``: a garment's vector and fine type from its cut-out and category
FillVectors = Callable[[list[DetectedGarment]], None]


def merge_garments(
    analysis: PhotoAnalysis,
    indices: Sequence[int],
    category: Category,
    fill_vectors: FillVectors,
) -> PhotoAnalysis:
    """A copy of ``analysis`` in which the garments at ``indices`` are one garment of
    ``category``: the union of their masks, cut out, coloured, embedded and given a fine
    type again. The label map follows, so overlays show it; the other garments are kept
    as they are."""
    chosen = sorted(set(indices))
    count = len(analysis.garments)
    if len(chosen) < 2:
        raise ValueError("merging needs two garments or more")
    if chosen[0] < 0 or chosen[-1] >= count:
        raise IndexError(f"garment indices {chosen} out of range for {count} garments")
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(CATEGORIES)}, not {category!r}")
    parts = [analysis.garments[i] for i in chosen]
    union = np.logical_or.reduce([np.asarray(g.mask, bool) for g in parts])
    merged = garment_of_mask(
        analysis.rgb, union, category, confidence=min(g.confidence for g in parts)
    )
    fill_vectors([merged])
    labels = np.array(analysis.labels, np.uint8, copy=True)
    rest = [g for i, g in enumerate(analysis.garments) if i not in chosen]
    # The parts' edges their masks were cleaned of too: left, they kept the top's and
    # the bottom's colours in a rim around the dress. A part reaching another garment
    # of the class too (the top's region reaching a scarf's) goes with the dress.
    others = [np.asarray(g.mask, bool) for g in rest]
    masks = [np.asarray(g.mask, bool) for g in parts]
    regions = [model_region(labels, mask, others, shared=True) for mask in masks]
    # And their specks beyond every region, of a class no other garment has: left, the
    # overlay drew red and blue specks about the dress.
    specks = specks_of(labels, masks, others)
    labels[np.logical_or.reduce([union, specks, *regions])] = LABEL_OF_CATEGORY[category]
    garments = sorted([*rest, merged], key=lambda g: -g.area)  # largest first, as found
    return dataclasses.replace(analysis, labels=labels, garments=garments)


def recategorise(analysis: PhotoAnalysis, index: int, category: Category) -> PhotoAnalysis:
    """A copy of ``analysis`` in which garment ``index`` is of ``category``: the label
    map follows (the overlays and the stored mask show it in its new class), and a fine
    type of another category ("Outerwear" for what is now a one-piece) is dropped rather
    than saved against it."""
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(CATEGORIES)}, not {category!r}")
    garment = analysis.garments[index]
    if garment.category == category:
        return analysis
    fine = garment.fine_type
    if fine is not None and FINE_TYPE_CATEGORY.get(fine) != category:
        fine = None
    labels = np.array(analysis.labels, np.uint8, copy=True)
    mask = np.asarray(garment.mask, bool)
    others = [np.asarray(g.mask, bool) for i, g in enumerate(analysis.garments) if i != index]
    # With the model's region its mask was cleaned of (a rim of the old colour, else),
    # and its specks beyond every region (``far_specks``: specks of it, else).
    own = mask | model_region(labels, mask, others) | far_specks(labels, mask, others)
    labels[own] = LABEL_OF_CATEGORY[category]
    garments = list(analysis.garments)
    garments[index] = dataclasses.replace(garment, category=category, fine_type=fine)
    return dataclasses.replace(analysis, labels=labels, garments=garments)
