"""What became of each garment: found, split, missed or given the wrong class."""

from __future__ import annotations

import numpy as np
import pytest

from wardrobe_app.training.metrics import ConfusionMatrix, GarmentTally, garment_outcome

NAMES = ["background", "top", "bottom", "one-piece"]


@pytest.mark.parametrize(
    ("row", "outcome"),
    [
        ([0, 0, 10, 90], "found"),  # 90% right
        ([0, 0, 30, 70], "found"),  # the threshold itself counts
        ([10, 0, 80, 10], "wrong_class"),  # a dress taken for a skirt
        ([60, 0, 10, 30], "missed"),
        ([0, 40, 35, 25], "split"),  # cut at the waist: no class has most of it
    ],
)
def test_garment_outcome(row: list[int], outcome: str) -> None:
    assert garment_outcome(np.array(row), 3) == outcome


def test_tally_counts_each_shown_garment_once_and_ignores_slivers() -> None:
    truth = np.zeros((100, 100), np.uint8)
    truth[10:40] = 1  # a top
    truth[40:80] = 3  # a dress
    truth[99, 99] = 2  # one pixel of "bottom": label noise, not a garment
    prediction = truth.copy()
    prediction[40:80] = 2  # the dress called bottom
    matrix = ConfusionMatrix(4)
    matrix.update(truth, prediction)
    tally = GarmentTally(NAMES)
    assert tally.update(matrix.matrix) == {"top": "found", "one-piece": "wrong_class"}
    assert tally.counts["one-piece"]["wrong_class"] == 1
    assert sum(tally.counts["bottom"].values()) == 0
