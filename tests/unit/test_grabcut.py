"""GrabCut foreground of item photos: synthetic blobs and (if present) real photos."""

from __future__ import annotations

import time

import numpy as np
import pytest

from wardrobe_app.paths import SHARED_DATA_DIR
from wardrobe_app.vision.grabcut import item_foreground

CLOTHING = SHARED_DATA_DIR / "clothing"


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def _blob_photo(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A red garment-shaped blob on a noisy, striped grey-brown 'floor'."""
    h, w = 300, 220
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:h, :w]
    floor = np.where((xx // 12) % 2 == 0, 120, 95)[..., None] + np.array([10, 0, -15])
    rgb = np.clip(floor + rng.normal(0, 12, (h, w, 3)), 0, 255)
    blob = ((yy - 150) / 110) ** 2 + ((xx - 110) / 70) ** 2 < 1
    blob |= (np.abs(yy - 80) < 20) & (np.abs(xx - 110) < 95)  # sleeves
    rgb[blob] = np.clip(np.array([190, 40, 50]) + rng.normal(0, 15, (int(blob.sum()), 3)), 0, 255)
    return rgb.astype(np.uint8), blob


def test_blob_on_textured_background() -> None:
    rgb, blob = _blob_photo()
    mask = item_foreground(rgb)
    assert mask.shape == blob.shape and mask.dtype == bool
    assert _iou(mask, blob) > 0.8


def test_blob_from_rough_hint() -> None:
    rgb, blob = _blob_photo(1)
    hint = np.zeros_like(blob)
    hint[40:280, 20:200] = True  # a loose box around the garment, as a coarse segmenter gives
    mask = item_foreground(rgb, hint=hint)
    assert _iou(mask, blob) > 0.8


def test_deterministic() -> None:
    rgb, _ = _blob_photo(2)
    assert np.array_equal(item_foreground(rgb), item_foreground(rgb))


def test_flat_image_falls_back_to_the_first_guess() -> None:
    rgb = np.full((120, 90, 3), 128, np.uint8)
    mask = item_foreground(rgb)
    assert 0.5 < mask.mean() < 0.95 and mask[60, 45]
    hint = np.zeros((120, 90), bool)
    hint[30:90, 20:70] = True
    assert np.array_equal(item_foreground(rgb, hint=hint), hint)


def test_hint_shape_checked() -> None:
    rgb, _ = _blob_photo()
    with pytest.raises(ValueError):
        item_foreground(rgb, hint=np.ones((10, 10), bool))


@pytest.mark.slow
@pytest.mark.data
def test_real_item_photos() -> None:
    if not (CLOTHING / "images").is_dir():
        pytest.skip("../shared/data/clothing not present")
    from wardrobe_app.vision.image_io import load_image

    paths = sorted((CLOTHING / "images").glob("*.jpg"))[:10]
    centred, seconds = 0, 0.0
    for path in paths:
        rgb = load_image(path)
        start = time.perf_counter()
        mask = item_foreground(rgb)
        seconds += time.perf_counter() - start
        assert 0.05 < mask.mean() < 0.95, path.name
        centred += bool(mask[mask.shape[0] // 2, mask.shape[1] // 2])
    assert centred >= 0.7 * len(paths)
    # Generous: ~80 ms a photo on an idle laptop core, much more on a busy CI runner.
    assert seconds / len(paths) < 2.0
