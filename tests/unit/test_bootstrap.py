"""Bootstrap intervals over photos, and the paired comparison of two models."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from wardrobe_app.training.metrics import ConfusionMatrix, bootstrap_intervals, paired_difference

NAMES = ["background", "top", "bottom", "one-piece"]


def photo(right: int, wrong: int) -> np.ndarray:
    """One photo's confusion matrix: ``right`` pixels of each garment, ``wrong`` swapped."""
    m = np.diag([100, right, right, right]).astype(np.int64)
    m[1, 2] = m[2, 3] = m[3, 1] = wrong
    return m


def test_identical_photos_give_a_point_interval() -> None:
    matrices = np.stack([photo(50, 10)] * 20)
    ci = bootstrap_intervals(matrices, NAMES, rounds=200)
    low, high = ci["mean_garment_iou"]  # type: ignore[index]
    assert low == high == pytest.approx(50 / 70, abs=1e-4)


def test_interval_holds_the_figure_and_widens_with_fewer_photos() -> None:
    rng = np.random.default_rng(1)
    matrices = np.stack(
        [photo(int(rng.integers(20, 90)), int(rng.integers(0, 40))) for _ in range(80)]
    )
    total = ConfusionMatrix(4)
    total.matrix = matrices.sum(0)
    point = float(np.mean(total.iou()[1:]))
    low, high = bootstrap_intervals(matrices, NAMES)["mean_garment_iou"]  # type: ignore[misc]
    assert low < point < high
    few_low, few_high = bootstrap_intervals(matrices[:10], NAMES)["mean_garment_iou"]  # type: ignore[misc]
    assert few_high - few_low > high - low


def test_paired_difference_of_a_model_with_itself_is_exactly_zero() -> None:
    rng = np.random.default_rng(2)
    matrices = np.stack(
        [photo(int(rng.integers(20, 90)), int(rng.integers(0, 40))) for _ in range(30)]
    )
    result = paired_difference(matrices, matrices, NAMES, rounds=300)
    assert result["mean_garment_iou"] == {"difference": 0.0, "ci": [0.0, 0.0]}
    assert result["better_share"] == 0.0


def test_a_model_better_on_every_photo_is_surely_better() -> None:
    rng = np.random.default_rng(3)
    rights = rng.integers(20, 90, size=40)
    baseline = np.stack([photo(int(r), 30) for r in rights])
    candidate = np.stack([photo(int(r), 25) for r in rights])  # fewer swapped pixels each
    result = paired_difference(baseline, candidate, NAMES, rounds=300)
    mean = result["mean_garment_iou"]
    assert mean["difference"] > 0 and mean["ci"][0] > 0  # type: ignore[index]
    assert result["better_share"] == 1.0
    with pytest.raises(ValueError, match="same photos"):
        paired_difference(baseline, candidate[:-1], NAMES)


def test_a_stray_pixel_of_a_class_no_photo_shows_is_no_gain_or_loss() -> None:
    rng = np.random.default_rng(4)
    clean = np.stack([photo(int(rng.integers(20, 90)), 5) for _ in range(30)])
    clean[:, 3, :] = 0  # no photo shows a one-piece
    clean[:, :, 3] = 0
    stray = clean.copy()
    stray[0, 0, 0] -= 1
    stray[0, 0, 3] += 1  # one background pixel called one-piece
    result = paired_difference(clean, stray, NAMES, rounds=300)
    assert result["mean_garment_iou"] == {"difference": 0.0, "ci": [0.0, 0.0]}
    assert result["tied_share"] == 1.0


def test_no_photos_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no photos"):
        bootstrap_intervals(np.zeros((0, 4, 4), np.int64), NAMES)


def test_a_class_no_pixel_truly_has_has_no_iou_in_the_figure_as_in_its_interval() -> None:
    # A stray pixel of it made the figure 0 while the interval said NaN (no IoU).
    matrices = np.stack([photo(50, 10)] * 5)
    matrices[:, 3, :] = 0  # no photo shows a one-piece ...
    matrices[0, 0, 0] -= 1
    matrices[0, 0, 3] += 1  # ... but one background pixel is called one
    total = ConfusionMatrix(4)
    total.matrix = matrices.sum(0)
    assert np.isnan(total.iou()[3])
    assert total.summary(NAMES)["mean_garment_iou"] == pytest.approx(
        np.mean(total.iou()[1:3]), abs=1e-4
    )
    assert (
        bootstrap_intervals(matrices, NAMES, rounds=50)["iou"]["one-piece"]
        == [  # type: ignore[index]
            pytest.approx(np.nan, nan_ok=True)
        ]
        * 2
    )


def test_a_figure_from_one_photo_has_no_interval() -> None:
    # A class one photo of the split shows had "0.8909 to 0.8909", read as a sure figure;
    # a split of one photo gave every figure such an interval.
    matrices = np.stack([photo(50, 10)] * 3)
    matrices[1:, 3, :] = matrices[1:, :, 3] = 0  # a one-piece in the first photo only
    ci = bootstrap_intervals(matrices, NAMES, rounds=50)
    assert np.isnan(ci["iou"]["one-piece"]).all()  # type: ignore[index]
    assert not np.isnan(ci["iou"]["top"]).any()  # type: ignore[index]
    assert not np.isnan(ci["mean_garment_iou"]).any()  # type: ignore[arg-type]
    one = bootstrap_intervals(matrices[:1], NAMES, rounds=50)
    assert np.isnan(one["mean_garment_iou"]).all()  # type: ignore[arg-type]
    assert all(np.isnan(one["iou"][n]).all() for n in NAMES)  # type: ignore[index]


def test_a_difference_from_one_photo_has_no_interval_and_reads_so() -> None:
    # A class one photo shows had "+0.0123 to +0.0123" as its paired interval.
    from wardrobe_app.training.evaluate import _comparison_lines

    rng = np.random.default_rng(5)
    baseline = np.stack([photo(int(rng.integers(20, 90)), 30) for _ in range(6)])
    baseline[1:, 3, :] = baseline[1:, :, 3] = 0  # a one-piece in the first photo only
    candidate = baseline.copy()
    candidate[0, 3, 3] += 7  # this model finds more of it
    result: dict[str, Any] = paired_difference(baseline, candidate, NAMES, rounds=100)
    one_piece = result["iou"]["one-piece"]
    assert one_piece["difference"] > 0 and np.isnan(one_piece["ci"]).all()
    assert not np.isnan(result["iou"]["top"]["ci"]).any()
    assert not np.isnan(result["mean_garment_iou"]["ci"]).any()

    total = ConfusionMatrix(4)
    total.matrix = baseline.sum(0)
    against = {"model": "m", **total.summary(NAMES), "difference": result}
    lines = _comparison_lines(against, NAMES)
    text = "\n".join(lines)
    assert "nan" not in text
    (row,) = [line for line in lines if line.strip().startswith("one-piece")]
    assert row.endswith("from one photo: no interval")
