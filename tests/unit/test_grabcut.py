"""GrabCut foreground of item photos: synthetic blobs and (if present) real photos."""

from __future__ import annotations

import time

import numpy as np
import pytest

from wardrobe_app.paths import SHARED_DATA_DIR
from wardrobe_app.vision.grabcut import find_item, item_foreground

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


def _look_alike_photo(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A dark garment 8 levels off its dark bed, with a bright red label near the collar:
    GrabCut from the frame alone kept the label alone (1.3% of the frame)."""
    h, w = 300, 220
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:h, :w]
    rgb = np.clip(np.array([38, 38, 40]) + rng.normal(0, 10, (h, w, 3)), 0, 255)
    blob = ((yy - 150) / 110) ** 2 + ((xx - 110) / 70) ** 2 < 1
    blob |= (np.abs(yy - 80) < 20) & (np.abs(xx - 110) < 95)
    rgb[blob] = np.clip(np.array([30, 30, 32]) + rng.normal(0, 10, (int(blob.sum()), 3)), 0, 255)
    rgb[(np.abs(yy - 70) < 16) & (np.abs(xx - 110) < 16)] = (200, 30, 40)
    return rgb.astype(np.uint8), blob


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_garment_like_its_background_is_not_cut_down_to_its_label(seed: int) -> None:
    rgb, blob = _look_alike_photo(seed)
    mask = find_item(rgb)
    # The middle of the frame is the better guess: it holds most of the garment.
    assert mask is not None and (mask & blob).sum() > 0.9 * blob.sum()


def _long_sleeve_photo(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A blue long sleeve laid flat on a pink bed, its sleeves down its sides and their
    cuffs on the hem: the bed between each sleeve and the body is enclosed. A yellow print
    on the chest is unlike the bed."""
    h, w = 300, 240
    rng = np.random.default_rng(seed)
    rgb = np.clip(np.array([150.0, 60, 90]) + rng.normal(0, 10, (h, w, 3)), 0, 255)
    garment = np.zeros((h, w), bool)
    garment[60:260, 80:160] = True  # body
    garment[60:90, 22:218] = True  # shoulders
    garment[60:250, 22:50] = True  # sleeves
    garment[60:250, 190:218] = True
    garment[228:250, 22:218] = True  # cuffs
    colour = np.array([40.0, 90, 160]) + rng.normal(0, 10, (int(garment.sum()), 3))
    rgb[garment] = np.clip(colour, 0, 255)
    rgb[130:175, 100:140] = (230, 210, 40)
    return rgb.astype(np.uint8), garment


@pytest.mark.parametrize("seed", [0, 1])
def test_the_bed_between_sleeve_and_body_is_not_garment(seed: int) -> None:
    rgb, garment = _long_sleeve_photo(seed)
    mask = item_foreground(rgb)
    assert not mask[95:225, 55:75].any() and not mask[95:225, 165:185].any()
    assert mask[130:175, 100:140].all()  # the print, enclosed too, stays
    assert _iou(mask, garment) > 0.9


def _wall(seed: int) -> np.ndarray:
    """A bare wall lit from above: a soft vertical gradient, a little sensor noise."""
    rng = np.random.default_rng(seed)
    light = np.linspace(0, -40, 400)[:, None, None]
    wall = np.array([226.0, 221, 210]) + light + rng.normal(0, 3, (400, 300, 3))
    return np.clip(wall, 0, 255).astype(np.uint8)


@pytest.mark.parametrize(
    "photo",
    [
        np.random.default_rng(0).integers(0, 256, (400, 300, 3), dtype=np.uint8),
        np.clip(np.random.default_rng(1).normal(128, 40, (400, 300, 3)), 0, 255).astype(np.uint8),
        np.full((400, 300, 3), 200, np.uint8),
    ],
    ids=["uniform noise", "gaussian noise", "flat grey"],
)
def test_nothing_standing_out_is_no_item(photo: np.ndarray) -> None:
    assert find_item(photo) is None
    # Training and hinted callers still get a mask: the centre of the frame.
    mask = item_foreground(photo)
    assert 0.5 < mask.mean() < 0.95 and mask[200, 150]


def _close_up(seed: int) -> np.ndarray:
    """A plain blue jumper filling the frame: soft folds, a little sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:400, 0:300].astype(np.float64)
    folds = 18 * np.sin(xx / 23 + 2 * np.sin(yy / 57)) + 8 * np.sin(yy / 31)
    jumper = np.array([60.0, 90, 150]) + folds[..., None] + rng.normal(0, 3, (400, 300, 3))
    return np.clip(jumper, 0, 255).astype(np.uint8)


@pytest.mark.parametrize(
    "photo", [_close_up(0), _close_up(1), _wall(2)], ids=["jumper", "jumper 2", "wall"]
)
def test_a_frame_filled_by_one_surface_gets_its_middle(photo: np.ndarray) -> None:
    # Its middle looks like its edge, as noise's does, but it is a picture: a close-up of a
    # garment was 'no garment found'. Garment or wall is the garment gate's call.
    mask = find_item(photo)
    assert mask is not None and mask[100:300, 75:225].all()


def _dark_jacket_photo(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A black jacket photographed close on a light floor: it runs off the frame at the
    bottom and the right. Its light, spotted lining fills the middle."""
    h, w = 300, 220
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:h, :w]
    rgb = np.array([205.0, 190, 165]) + rng.normal(0, 8, (h, w, 3))
    jacket = (yy >= 50) & (xx >= 40)
    jacket |= ((yy - 50) / 30) ** 2 + ((xx - 130) / 90) ** 2 < 1  # the hood's rounded top
    rgb[jacket] = np.array([25.0, 25, 28]) + rng.normal(0, 6, (int(jacket.sum()), 3))
    lining = (np.abs(yy - 165) < 65) & (np.abs(xx - 135) < 45)
    rgb[lining] = np.array([190.0, 140, 80]) + rng.normal(0, 10, (int(lining.sum()), 3))
    spots = lining & (np.sin(yy / 6.0) * np.sin(xx / 6.0) > 0.1)  # a leopard print
    rgb[spots] = np.array([30.0, 25, 20]) + rng.normal(0, 6, (int(spots.sum()), 3))
    return np.clip(rgb, 0, 255).astype(np.uint8), jacket


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_dark_garment_running_off_the_frame_is_not_cut_down_to_its_lining(seed: int) -> None:
    # Its black was in the edge band, taken as background: GrabCut kept the lining alone.
    rgb, jacket = _dark_jacket_photo(seed)
    mask = find_item(rgb)
    assert mask is not None
    assert (mask & jacket).sum() > 0.9 * jacket.sum()
    assert (mask & ~jacket).sum() < 0.05 * (~jacket).sum()  # the floor stays out


def _board_photo(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A red garment on a light floor, not touching the edge; a dark skirting board runs
    along the whole bottom of the frame."""
    rgb, blob = _blob_photo(seed)
    h, w = blob.shape
    rng = np.random.default_rng(seed)
    floor = np.array([205.0, 190, 165]) + rng.normal(0, 8, (h, w, 3))
    rgb = np.where(blob[..., None], rgb, np.clip(floor, 0, 255).astype(np.uint8))
    rgb[h - 25 :] = np.clip(np.array([60.0, 40, 30]) + rng.normal(0, 6, (25, w, 3)), 0, 255)
    return rgb, blob


@pytest.mark.parametrize("seed", [0, 1])
def test_a_second_background_along_the_edge_is_not_taken_for_the_garment(seed: int) -> None:
    # The board is unlike the rest of the edge, as a garment running off the frame is, but
    # unlike the garment too: it stays background.
    rgb, blob = _board_photo(seed)
    mask = find_item(rgb)
    assert mask is not None and not mask[-25:].any()
    assert _iou(mask, blob) > 0.8


def test_a_garment_found_by_find_item_and_item_foreground_alike() -> None:
    rgb, blob = _blob_photo(3)
    found = find_item(rgb)
    assert found is not None and np.array_equal(found, item_foreground(rgb))
    assert _iou(found, blob) > 0.8


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
