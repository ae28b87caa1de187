"""Garment extraction from synthetic label maps."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from memory import peak_growth_mb

from wardrobe_app.vision.garments import (
    CLASS_COLOURS,
    _clean_in_box,
    clean_mask,
    extract_garments,
    fill_holes,
    garment_from_mask,
    make_thumbnail,
    overlay,
    select_components,
)

H, W = 200, 160


def _photo() -> np.ndarray:
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[...] = (200, 200, 200)
    return rgb


def _labels() -> np.ndarray:
    return np.zeros((H, W), np.uint8)


def test_empty_labels_give_no_garments() -> None:
    assert extract_garments(_photo(), _labels()) == []


def test_three_classes_give_three_garments_largest_first() -> None:
    labels = _labels()
    labels[10:60, 40:120] = 1  # top: 4000 px
    labels[70:190, 50:110] = 2  # bottom: 7200 px
    labels[150:180, 5:35] = 3  # one-piece: 900 px
    garments = extract_garments(_photo(), labels)
    assert [g.category for g in garments] == ["bottom", "top", "one-piece"]
    areas = [g.area for g in garments]
    assert areas == sorted(areas, reverse=True)
    assert all(g.confidence == 1.0 for g in garments)


def test_box_is_tight_with_exclusive_end() -> None:
    labels = _labels()
    labels[30:91, 20:101] = 1
    (top,) = extract_garments(_photo(), labels)
    assert top.box == (20, 30, 101, 91)
    assert top.cutout.shape == (61, 81, 4)
    assert top.mask.shape == (H, W) and top.mask.dtype == bool


def test_two_fragments_of_one_top_make_one_garment() -> None:
    labels = _labels()
    labels[20:100, 30:70] = 1
    labels[20:100, 78:130] = 1  # split by an arm (8 px of background)
    garments = extract_garments(_photo(), labels)
    assert len(garments) == 1
    assert garments[0].box == (30, 20, 130, 100)


def test_speck_dropped() -> None:
    labels = _labels()
    labels[20:100, 30:130] = 1
    labels[190:193, 150:153] = 1  # 9 px, far below 0.4% of the photo
    labels[150:153, 10:13] = 2  # a bottom speck alone
    garments = extract_garments(_photo(), labels)
    assert [g.category for g in garments] == ["top"]
    assert garments[0].box == (30, 20, 130, 100)


def test_small_far_component_dropped_but_near_one_kept() -> None:
    labels = _labels()
    labels[10:90, 10:90] = 1  # the top, 6400 px
    labels[10:45, 95:125] = 1  # 1050 px right beside it: a sleeve
    labels[170:195, 115:155] = 1  # 1000 px across the photo: something else
    (top,) = extract_garments(_photo(), labels)
    assert top.box == (10, 10, 125, 90)


def test_cutout_alpha_zero_outside_mask() -> None:
    rgb = _photo()
    rgb[40:120, 40:120] = (200, 30, 35)
    labels = _labels()
    yy, xx = np.mgrid[:H, :W]
    labels[(yy - 80) ** 2 + (xx - 80) ** 2 < 40**2] = 1  # a disc: its box has corners
    (g,) = extract_garments(rgb, labels)
    x0, y0, x1, y1 = g.box
    crop = g.mask[y0:y1, x0:x1]
    assert (g.cutout[..., 3][~crop] == 0).all()
    assert (g.cutout[..., 3][crop] > 0).all()
    assert (g.cutout[1:-1, 1:-1, 3][crop[1:-1, 1:-1]] > 0).all()
    centre = g.cutout[g.cutout.shape[0] // 2, g.cutout.shape[1] // 2]
    assert tuple(centre) == (200, 30, 35, 255)
    assert g.colours[0].name == "red"


def test_confidence_from_probabilities() -> None:
    labels = _labels()
    labels[20:100, 30:130] = 1
    probabilities = np.zeros((4, H, W), np.float32)
    probabilities[0] = 1.0
    probabilities[:, 20:100, 30:130] = np.array([0.1, 0.8, 0.05, 0.05])[:, None, None]
    (g,) = extract_garments(_photo(), labels, probabilities)
    assert g.confidence == pytest.approx(0.8, abs=1e-4)


def test_mask_cleaning_fills_small_holes_and_drops_spurs() -> None:
    mask = np.zeros((H, W), bool)
    mask[20:180, 20:140] = True
    mask[90:95, 70:75] = False  # a small hole (a missed logo)
    mask[100, 140:150] = True  # a one-pixel spur
    cleaned = clean_mask(mask)
    assert cleaned[92, 72]
    assert not cleaned[100, 145]
    big_hole = mask.copy()
    big_hole[60:140, 50:110] = False  # 25% of the garment: real background
    assert not fill_holes(big_hole, 0.05)[100, 80]
    assert fill_holes(big_hole)[100, 80]


def test_wrong_shapes_rejected() -> None:
    with pytest.raises(ValueError):
        extract_garments(_photo(), np.zeros((H + 1, W), np.uint8))


def test_garment_from_mask() -> None:
    mask = np.zeros((H, W), bool)
    mask[30:170, 40:120] = True
    g = garment_from_mask(_photo(), mask, "bottom")
    assert g is not None
    assert g.category == "bottom" and g.box == (40, 30, 120, 170)
    assert garment_from_mask(_photo(), np.zeros((H, W), bool), "top") is None
    speck = np.zeros((H, W), bool)
    speck[5:8, 5:8] = True
    assert garment_from_mask(_photo(), speck, "top") is None


def test_garment_from_mask_keeps_the_background_a_mask_leaves_open() -> None:
    # GrabCut leaves the bed between a long sleeve and the body open; the cleaning filled
    # every hole under 5% of the garment, so the bed came back in the cut-out.
    mask = np.zeros((H, W), bool)
    mask[30:170, 40:120] = True
    mask[60:140, 60:66] = False  # 480 px: 4% of the garment, 1.2% of the photo
    mask[100:102, 100:102] = False  # 4 px: a speck the cleaning fills
    g = garment_from_mask(_photo(), mask, "top")
    assert g is not None
    assert not g.mask[60:140, 60:66].any()
    assert g.mask[100:102, 100:102].all()


@pytest.mark.parametrize(("h", "w"), [(120, 60), (30, 90), (500, 400)])
def test_thumbnail_square_aspect_kept_centred(h: int, w: int) -> None:
    cutout = np.zeros((h, w, 4), np.uint8)
    cutout[...] = (10, 200, 30, 255)
    thumb = make_thumbnail(cutout, 64)
    assert thumb.shape == (64, 64, 4) and thumb.dtype == np.uint8
    opaque = thumb[..., 3] > 0
    rows, cols = np.flatnonzero(opaque.any(1)), np.flatnonzero(opaque.any(0))
    assert max(len(rows), len(cols)) == 64
    assert len(rows) / len(cols) == pytest.approx(h / w, rel=0.1)
    assert abs((rows[0] + rows[-1]) / 2 - 31.5) <= 1 and abs((cols[0] + cols[-1]) / 2 - 31.5) <= 1
    assert tuple(thumb[32, 32]) == (10, 200, 30, 255)


def test_thumbnail_edges_do_not_darken() -> None:
    cutout = np.zeros((100, 100, 4), np.uint8)
    cutout[20:80, 20:80] = (250, 250, 250, 255)  # white garment, black transparent surround
    thumb = make_thumbnail(cutout, 32)
    visible = thumb[..., 3] > 0
    assert thumb[..., :3][visible].min() >= 249


def test_overlay_colours_classes() -> None:
    labels = _labels()
    labels[10:60, 10:60] = 1
    labels[100:150, 10:60] = 2
    rgb = _photo()
    out = overlay(rgb, labels, alpha=0.5)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    expected = (np.array(CLASS_COLOURS[1]) + 200) / 2
    assert np.allclose(out[35, 35], expected, atol=1)
    assert tuple(out[125, 35]) != tuple(out[35, 35])
    assert tuple(out[80, 120]) == (200, 200, 200)  # background untouched
    assert len(set(CLASS_COLOURS.values())) == 3


def test_overlay_tints_each_class_as_the_app_marks_its_category() -> None:
    # `segment --overlay` drew tops red and bottoms blue, where the app draws tops blue
    # and bottoms amber: two keys to one map
    from wardrobe_app.ui.theme import LABEL_COLOURS

    for label, hex_colour in LABEL_COLOURS.items():
        assert "#" + "".join(f"{c:02x}" for c in CLASS_COLOURS[label]) == hex_colour.lower()
    assert set(CLASS_COLOURS) == set(LABEL_COLOURS)


def _whole_overlay(rgb: np.ndarray, labels: np.ndarray, alpha: float) -> np.ndarray:
    """The overlay made on the whole photo at once in float32, as it was first written."""
    out = rgb.astype(np.float32)
    thickness = max(1, round(max(labels.shape) / 400))
    for label, colour in CLASS_COLOURS.items():
        region = labels == label
        if not region.any():
            continue
        out[region] = (1 - alpha) * out[region] + alpha * np.array(colour, np.float32)
        contours, _ = cv2.findContours(
            region.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
        )
        outline = np.zeros(labels.shape, dtype=np.uint8)
        cv2.drawContours(outline, contours, -1, 1, thickness)
        out[outline > 0] = colour
    return np.round(out).astype(np.uint8)


def test_overlay_made_a_band_at_a_time_is_the_whole_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bands of 7 rows, the outlines thick (a 1700-pixel side: 4 pixels) and crossing
    them, classes touching: the same pixels as the overlay made whole."""
    from wardrobe_app.vision import garments

    rng = np.random.default_rng(6)
    rgb = rng.integers(0, 256, (1700, 300, 3), np.uint8)
    small = rng.integers(0, 4, (17, 3), np.uint8)
    labels = cv2.resize(small, (300, 1700), interpolation=cv2.INTER_NEAREST)
    monkeypatch.setattr(garments, "OVERLAY_BAND_PIXELS", 7 * 300)
    for alpha in (0.5, 0.3):
        assert np.array_equal(overlay(rgb, labels, alpha), _whole_overlay(rgb, labels, alpha))


def test_overlay_of_a_big_photo_is_not_made_whole_in_float32() -> None:
    """A 12 MP photo in float32 is 144 MB, and each class's pixels were gathered and
    blended in float32 copies: the overlay took 356 MB more than before it began, 101 MB
    made a band of rows at a time."""
    h, w = 4000, 3000
    rgb = np.random.default_rng(0).integers(0, 255, (h, w, 3), np.uint8)
    labels = np.zeros((h, w), np.uint8)
    labels[400:2000, 600:2400] = 1
    labels[2000:3800, 800:2200] = 2
    labels[1500:2500, 2300:2900] = 3
    growth = peak_growth_mb(lambda: overlay(rgb, labels))
    assert growth < 200, f"{growth:.0f} MB"


def test_large_photo_is_cleaned_at_work_size_and_scaled_back() -> None:
    h, w = 1300, 1000  # above WORK_SIDE: masks go through the scaled path
    labels = np.zeros((h, w), np.uint8)
    labels[100:700, 200:800] = 1
    labels[700:1250, 300:700] = 2
    probabilities = np.zeros((4, h, w), np.float32)
    probabilities[1] = 0.9
    rgb = np.full((h, w, 3), 90, np.uint8)
    garments = {g.category: g for g in extract_garments(rgb, labels, probabilities)}
    assert set(garments) == {"top", "bottom"}
    assert garments["top"].box == pytest.approx((200, 100, 800, 700), abs=2)
    assert garments["bottom"].box == pytest.approx((300, 700, 700, 1250), abs=2)
    assert not (garments["top"].mask & garments["bottom"].mask).any()
    assert garments["top"].mask.shape == (h, w)
    assert garments["top"].confidence == pytest.approx(0.9)
    from_mask = garment_from_mask(rgb, labels == 2, "bottom")
    assert from_mask is not None
    assert from_mask.box == pytest.approx((300, 700, 700, 1250), abs=2)


@pytest.mark.parametrize("seed", range(6))
def test_cleaning_in_the_mask_box_matches_cleaning_the_whole_photo(seed: int) -> None:
    """The speed-up of working in the mask's box changes no pixel: blobs of all sizes,
    with holes, spurs and neighbours, anywhere in the photo (at its edges too)."""
    rng = np.random.default_rng(seed)
    h, w = 300, 200
    labels = np.zeros((h, w), np.uint8)
    for _ in range(12):
        y, x = rng.integers(-20, h + 20), rng.integers(-20, w + 20)
        ry, rx = rng.integers(3, 90), rng.integers(3, 70)
        ys, xs = np.ogrid[:h, :w]
        labels[((ys - y) / ry) ** 2 + ((xs - x) / rx) ** 2 < 1] = rng.integers(0, 4)
    labels[rng.random((h, w)) < 0.01] = 0  # pin holes
    min_area = max(1, int(0.004 * labels.size))
    for label in (1, 2, 3):
        raw = labels == label
        mask = select_components(raw, min_area)
        if not mask.any():
            continue
        allowed = (labels == 0) | raw
        whole = select_components(clean_mask(mask) & allowed, min_area)
        assert np.array_equal(_clean_in_box(mask, allowed, min_area), whole)
