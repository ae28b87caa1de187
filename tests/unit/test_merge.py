"""Merging garments found in parts (a dress split into a top and a bottom) into one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wardrobe_app.types import DetectedGarment, PhotoAnalysis
from wardrobe_app.vision.garments import garment_of_mask
from wardrobe_app.vision.merge import merge_garments, recategorise


def _analysis() -> PhotoAnalysis:
    """A dress found as a top (rows 10-39) and a bottom (rows 40-79), and a separate
    small top (a scarf at the side, found as a third garment)."""
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 255, (100, 60, 3), dtype=np.uint8)
    labels = np.zeros((100, 60), np.uint8)
    labels[10:40, 15:45] = 1
    labels[40:80, 15:45] = 2
    labels[10:20, 50:58] = 1
    upper = np.zeros((100, 60), bool)
    upper[10:40, 15:45] = True
    scarf = np.zeros((100, 60), bool)
    scarf[10:20, 50:58] = True
    garments = [
        garment_of_mask(rgb, labels == 2, "bottom", confidence=0.7),
        garment_of_mask(rgb, upper, "top", confidence=0.9),
        garment_of_mask(rgb, scarf, "top", confidence=0.8),
    ]
    return PhotoAnalysis(Path("look.jpg"), rgb, "outfit", labels, garments)


def _fill(garments: list[DetectedGarment]) -> None:
    for garment in garments:
        garment.vector = np.array(garment.cutout.shape[:2], np.float32)
        garment.fine_type = garment.fine_type or f"a {garment.category}"


def test_merged_parts_become_one_garment_of_the_chosen_class() -> None:
    analysis = _analysis()
    scarf = analysis.garments[2]
    merged = merge_garments(analysis, [1, 0], "one-piece", _fill)
    assert [g.category for g in merged.garments] == ["one-piece", "top"]
    dress = merged.garments[0]
    assert dress.area == 30 * 30 + 40 * 30
    assert dress.mask[10:80, 15:45].all() and dress.mask.sum() == dress.area
    assert dress.box == (15, 10, 45, 80)
    assert dress.cutout.shape == (70, 30, 4)
    assert dress.colours, "colours measured again over the whole garment"
    np.testing.assert_array_equal(dress.vector, [70.0, 30.0])  # embedded again
    assert dress.fine_type == "a one-piece"  # typed again, as the new category
    assert dress.confidence == pytest.approx(0.7)  # no surer than its least sure part
    assert merged.garments[1] is scarf  # untouched
    # the label map follows, for overlays; the scarf keeps its class
    assert (merged.labels[10:80, 15:45] == 3).all()
    assert (merged.labels[10:20, 50:58] == 1).all()
    # the analysis it came from is unchanged
    assert len(analysis.garments) == 3 and (analysis.labels[40:80, 15:45] == 2).all()


@pytest.mark.parametrize(
    ("indices", "category", "error"),
    [
        ([1], "one-piece", ValueError),
        ([1, 1], "one-piece", ValueError),
        ([0, 3], "one-piece", IndexError),
        ([-1, 0], "one-piece", IndexError),
        ([0, 1], "shoes", ValueError),
    ],
)
def test_bad_merges_are_refused(indices: list[int], category: str, error: type) -> None:
    with pytest.raises(error):
        merge_garments(_analysis(), indices, category, _fill)  # type: ignore[arg-type]


def test_recategorise_moves_the_labels_and_drops_a_type_of_another_category() -> None:
    analysis = _analysis()
    analysis.garments[0].fine_type = "Skirt"
    analysis.garments[1].fine_type = "Blouse"
    before = analysis.labels.copy()
    as_dress = recategorise(analysis, 0, "one-piece")
    assert as_dress.garments[0].category == "one-piece"
    assert as_dress.garments[0].fine_type is None  # "Skirt" is not a one-piece's type
    assert (as_dress.labels[analysis.garments[0].mask] == 3).all()
    assert (as_dress.labels[~analysis.garments[0].mask] == before[~analysis.garments[0].mask]).all()
    assert as_dress.garments[1:] == analysis.garments[1:]
    # the original is untouched (the review may still show it)
    assert (analysis.labels == before).all() and analysis.garments[0].category == "bottom"
    # a type of the new category is kept; the same category is no change at all
    analysis.garments[1].fine_type = "Skirt"
    assert recategorise(analysis, 1, "bottom").garments[1].fine_type == "Skirt"
    assert recategorise(analysis, 1, "top") is analysis
    with pytest.raises(ValueError, match="category must be one of"):
        recategorise(analysis, 1, "hat")  # type: ignore[arg-type]


def test_a_merge_takes_the_edges_the_parts_masks_were_cleaned_of() -> None:
    """The map kept them in the top's and the bottom's class: a rim of both colours
    around the dress in the review's overlay and, saved, on the photo's garment pages."""
    analysis = _analysis()
    analysis.labels[10:40, 14] = 1  # the top's edge, left out of its mask
    analysis.labels[40:80, 45] = 2  # the bottom's
    analysis.labels[10:20, 45:50] = 1  # the top's region reaching the scarf's
    merged = merge_garments(analysis, [1, 0], "one-piece", _fill)
    assert (merged.labels[10:40, 14] == 3).all() and (merged.labels[40:80, 45] == 3).all()
    assert (merged.labels[10:20, 45:50] == 3).all()
    assert (merged.labels[10:20, 50:58] == 1).all()  # the scarf's own pixels stay


def test_a_merge_takes_its_parts_specks_of_a_class_no_other_garment_has() -> None:
    """The bottom's speck beyond every region (too small for its mask) stayed blue in
    the review's overlay about the dress; the model finds one garment a class, so it
    is the bottom's. A top's speck stays: the scarf is a top too, it may be the scarf's."""
    analysis = _analysis()
    analysis.labels[95, 2] = 2  # the bottom's speck, on its own
    analysis.labels[0, 0] = 1  # a top's: the dress's upper part's or the scarf's
    merged = merge_garments(analysis, [1, 0], "one-piece", _fill)
    assert merged.labels[95, 2] == 3 and merged.labels[0, 0] == 1
    assert not (merged.labels == 2).any()  # nothing left of the bottom's class
    assert (merged.labels[10:20, 50:58] == 1).all()  # the scarf stays


def test_recategorise_takes_the_edges_its_mask_was_cleaned_of() -> None:
    analysis = _analysis()
    analysis.labels[40:80, 45] = 2  # the bottom's edge, left out of its mask
    as_dress = recategorise(analysis, 0, "one-piece")
    assert (as_dress.labels[40:80, 45] == 3).all()
    assert (as_dress.labels[10:40, 15:45] == 1).all()  # the top, beside it, stays


def test_recategorise_takes_its_specks_of_a_class_no_other_garment_has() -> None:
    """The bottom made a one-piece in the review kept its specks beyond every region
    blue in the overlay; a top's speck stays with the top and the scarf, both tops."""
    analysis = _analysis()
    analysis.labels[95, 2] = 2  # the bottom's speck, on its own
    analysis.labels[0, 0] = 1
    as_dress = recategorise(analysis, 0, "one-piece")
    assert as_dress.labels[95, 2] == 3 and not (as_dress.labels == 2).any()
    as_top = recategorise(analysis, 1, "one-piece")  # the scarf is a top too: whose speck?
    assert as_top.labels[0, 0] == 1 and as_top.labels[95, 2] == 2
