"""Synthetic "dress under a top" photos for training."""

from __future__ import annotations

import numpy as np

from wardrobe_app.training.layering import ONE_PIECE, TOP, LayeredTops, layer_top

H, W = 120, 80


def dress_photo() -> tuple[np.ndarray, np.ndarray]:
    image = np.full((H, W, 3), 200, np.uint8)
    labels = np.zeros((H, W), np.uint8)
    labels[20:110, 25:55] = ONE_PIECE
    image[labels == ONE_PIECE] = (0, 0, 255)
    return image, labels


def donor(top_rows: int = 30) -> tuple[np.ndarray, np.ndarray]:
    image = np.full((H, W, 3), 50, np.uint8)
    labels = np.zeros((H, W), np.uint8)
    labels[10 : 10 + top_rows, 10:50] = TOP
    image[labels == TOP] = (255, 0, 0)
    return image, labels


def test_top_is_laid_over_the_upper_part_of_the_dress() -> None:
    image, labels = dress_photo()
    result = layer_top(image, labels, *donor(), np.random.default_rng(0))
    assert result is not None
    out_image, out_labels = result
    pasted = (out_labels == TOP) & (labels != TOP)
    assert pasted.any()
    rows = np.nonzero(pasted.any(1))[0]
    assert rows.min() <= 20 and rows.max() < 70  # from the shoulders down, not to the hem
    assert (out_image[pasted] == (255, 0, 0)).all()  # the donor's pixels, labelled top
    still = out_labels == ONE_PIECE
    assert still.sum() >= 0.3 * (labels == ONE_PIECE).sum() and still[100:].any()
    untouched = ~pasted
    assert (out_labels[untouched] == labels[untouched]).all()
    assert (out_image[untouched] == image[untouched]).all()
    assert (labels == ONE_PIECE).sum() == 90 * 30  # the input is not modified


def test_no_layering_without_a_dress_a_top_or_room() -> None:
    rng = np.random.default_rng(0)
    image, labels = dress_photo()
    no_dress = np.where(labels == ONE_PIECE, 2, 0).astype(np.uint8)
    assert layer_top(image, no_dress, *donor(), rng) is None
    donor_image, donor_labels = donor()
    assert layer_top(image, labels, donor_image, np.zeros_like(donor_labels), rng) is None
    assert layer_top(image, labels, *donor(top_rows=105), rng) is None  # a coat hiding it all


def test_layered_tops_takes_a_top_from_another_photo_at_rate_p() -> None:
    image, labels = dress_photo()
    donor_image, donor_labels = donor()
    images, all_labels = np.stack([image, donor_image]), np.stack([labels, donor_labels])
    never = LayeredTops(images, all_labels, 0.0)
    assert np.array_equal(never(0)[1], labels)
    always = LayeredTops(images, all_labels, 1.0, seed=3)
    changed = sum(not np.array_equal(always(0)[1], labels) for _ in range(20))
    assert changed >= 8  # the donor is photo 1 or, half the time, itself (skipped)
    assert np.array_equal(always(1)[1], donor_labels)  # no dress: left alone
