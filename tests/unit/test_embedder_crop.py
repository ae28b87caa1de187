"""What the embedder sees of a garment: its box, on grey, long side to size, centred."""

from __future__ import annotations

import cv2
import numpy as np

from wardrobe_app.vision.embedder import GREY, prepare_crop


def _photo() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (300, 200, 3), dtype=np.uint8)


def test_garment_is_cut_to_its_box_on_grey_and_centred() -> None:
    rgb = _photo()
    rgb[100:200, 50:100] = (200, 30, 40)  # the garment, 100 tall and 50 wide
    mask = np.zeros(rgb.shape[:2], bool)
    mask[100:200, 50:100] = True
    mask[150:160, 60:70] = False  # a hole shows grey, not the photo
    crop, crop_mask = prepare_crop(rgb, mask, 64)
    assert crop.shape == (64, 64, 3) and crop_mask.shape == (64, 64)
    # Long side 64: 64 x 32, centred with 16 columns of grey each side.
    assert (crop[:, :16] == GREY).all() and (crop[:, 48:] == GREY).all()
    assert (crop_mask[:, :16] == 0).all() and (crop_mask[:, 48:] == 0).all()
    assert (crop[5:25, 20:44] == (200, 30, 40)).all()
    assert (crop_mask[5:25, 20:44] == 1).all()
    # The hole: rows 50-60 and columns 10-20 of the box, x0.64, 16 columns in.
    assert (crop[33:37, 24:28] == GREY).all()


def test_a_whole_photo_is_the_photo_resized() -> None:
    rgb = _photo()
    crop, crop_mask = prepare_crop(rgb, np.ones(rgb.shape[:2], bool), 60)
    expected = cv2.resize(rgb, (40, 60), interpolation=cv2.INTER_AREA)
    assert np.array_equal(crop[:, 10:50], expected)
    assert (crop[:, :10] == GREY).all() and (crop_mask[:, 10:50] == 1).all()


def test_an_empty_mask_gives_grey() -> None:
    crop, crop_mask = prepare_crop(_photo(), np.zeros((300, 200), bool), 32)
    assert (crop == GREY).all() and (crop_mask == 0).all()


def test_a_soft_mask_blends_the_garment_into_the_grey() -> None:
    rgb = np.full((40, 40, 3), 228, np.uint8)
    mask = np.full((40, 40), 0.5, np.float32)
    crop, crop_mask = prepare_crop(rgb, mask, 40)
    assert (crop == (228 + GREY) // 2).all() and np.allclose(crop_mask, 0.5)
    binary = prepare_crop(rgb, (mask > 0).astype(np.uint8), 40)[0]
    assert (binary == 228).all()  # a 0/1 mask of another type is a hard mask
