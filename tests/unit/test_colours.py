"""Dominant colours: palette naming, shares, masking, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from icc import DISPLAY_P3
from PIL import Image

from wardrobe_app.vision.colours import (
    PALETTE_NAMES,
    ciede2000,
    colour_names,
    dominant_colours,
    palette_hex,
)
from wardrobe_app.vision.garments import garment_from_mask
from wardrobe_app.vision.image_io import load_image
from wardrobe_app.vision.pipeline import PhotoAnalyser


def _patch(colour: tuple[int, int, int], h: int = 40, w: int = 40) -> np.ndarray:
    return np.tile(np.array(colour, np.uint8), (h, w, 1))


def test_a_display_p3_photo_is_named_by_its_colour(tmp_path: Path) -> None:
    """An orange garment, sRGB (194, 100, 6), as a phone stores it in Display P3: read as
    sRGB, its (180, 105, 43) is brown."""
    Image.fromarray(_patch((180, 105, 43))).save(tmp_path / "p3.png", icc_profile=DISPLAY_P3)
    colours = dominant_colours(load_image(tmp_path / "p3.png"), np.ones((40, 40), bool))
    assert [c.name for c in colours] == ["orange"]


def test_solid_red_patch_is_red_with_full_share() -> None:
    colours = dominant_colours(_patch((200, 30, 35)), np.ones((40, 40), bool))
    assert [c.name for c in colours] == ["red"]
    assert colours[0].share == pytest.approx(1.0)
    assert colours[0].hex == "#c81e23"


def test_half_white_half_navy() -> None:
    rgb = _patch((245, 245, 245))
    rgb[:, 20:] = (25, 35, 75)
    colours = dominant_colours(rgb, np.ones((40, 40), bool))
    assert {c.name for c in colours} == {"white", "navy"}
    for c in colours:
        assert c.share == pytest.approx(0.5, abs=0.01)


def test_masked_out_pixels_are_ignored() -> None:
    rgb = _patch((240, 130, 30))  # orange garment ...
    rgb[:, :25] = (40, 140, 60)  # ... on a bigger green background
    mask = np.zeros((40, 40), bool)
    mask[:, 25:] = True
    colours = dominant_colours(rgb, mask)
    assert [c.name for c in colours] == ["orange"]
    assert colours[0].share == pytest.approx(1.0)


def test_noisy_garment_is_deterministic_and_subsampled() -> None:
    rng = np.random.default_rng(3)
    rgb = np.clip(rng.normal((60, 90, 140), 20, (300, 300, 3)), 0, 255).astype(np.uint8)
    mask = np.ones((300, 300), bool)
    first = dominant_colours(rgb, mask, max_pixels=5000)
    assert first == dominant_colours(rgb, mask, max_pixels=5000)
    assert first[0].name == "blue"  # denim
    shares = [c.share for c in first]
    assert shares == sorted(shares, reverse=True)
    assert all(s >= 0.05 for s in shares) and sum(shares) <= 1.0 + 1e-9


def test_small_clusters_dropped() -> None:
    rgb = _patch((20, 20, 22), 50, 50)
    rgb[0, :] = (245, 215, 50)  # a 2% yellow trim
    colours = dominant_colours(rgb, np.ones((50, 50), bool))
    assert [c.name for c in colours] == ["black"]


def test_empty_mask_gives_no_colours() -> None:
    assert dominant_colours(_patch((1, 2, 3)), np.zeros((40, 40), bool)) == []


def test_a_one_pixel_garment_has_its_colour() -> None:
    # What a touch-up can leave of a garment; OpenCV took the one pixel for three.
    mask = np.zeros((40, 40), bool)
    mask[7, 9] = True
    colours = dominant_colours(_patch((200, 30, 35)), mask)
    assert [(c.name, c.share) for c in colours] == [("red", 1.0)]


@pytest.mark.parametrize(
    ("rgb", "allowed"),
    [
        ((59, 91, 140), {"blue", "navy"}),  # denim
        ((31, 47, 79), {"blue", "navy"}),  # dark denim
        ((210, 180, 140), {"beige", "khaki"}),  # tan
        ((193, 154, 107), {"beige", "khaki", "brown"}),  # camel
        ((64, 64, 64), {"grey", "black"}),  # dark grey
        ((128, 0, 0), {"burgundy", "red"}),  # maroon
        ((135, 206, 235), {"light blue"}),
        ((250, 128, 114), {"pink", "orange", "red"}),  # salmon
        ((128, 128, 0), {"olive"}),
        ((245, 238, 215), {"cream", "white"}),
    ],
)
def test_palette_names_of_common_garment_colours(
    rgb: tuple[int, int, int], allowed: set[str]
) -> None:
    assert colour_names(np.array([rgb]))[0] in allowed


# Navy garments as item photos show them (indoors: dark, a little blue): jacket, blazer,
# trousers, polo of the test senders' photos.
ITEM_PHOTO_NAVY = [(26, 36, 41), (32, 45, 54), (22, 35, 46), (36, 44, 56)]


@pytest.mark.parametrize("rgb", ITEM_PHOTO_NAVY)
def test_dark_dull_navy_of_item_photos_is_navy_not_black(rgb: tuple[int, int, int]) -> None:
    assert colour_names(np.array([rgb]), item_photo=True)[0] == "navy"
    colours = dominant_colours(_patch(rgb), np.ones((40, 40), bool), item_photo=True)
    assert [c.name for c in colours] == ["navy"]


def test_outfit_photos_keep_black_for_dark_dull_blue() -> None:
    # Black clothes in street daylight look as blue; outfit photos keep the plain palette.
    assert colour_names(np.array(ITEM_PHOTO_NAVY)) == ["black"] * len(ITEM_PHOTO_NAVY)


@pytest.mark.parametrize(
    "rgb", [(32, 32, 32), (21, 19, 21), (33, 32, 34), (22, 27, 21), (40, 39, 40)]
)
def test_neutral_dark_garments_stay_black_in_item_photos(rgb: tuple[int, int, int]) -> None:
    assert colour_names(np.array([rgb]), item_photo=True)[0] == "black"


def test_item_photo_garment_is_named_with_item_references() -> None:
    rgb = np.full((60, 60, 3), 230, np.uint8)
    rgb[10:50, 10:50] = ITEM_PHOTO_NAVY[0]
    mask = np.zeros((60, 60), bool)
    mask[10:50, 10:50] = True
    item = garment_from_mask(rgb, mask, "top", item_photo=True)
    worn = garment_from_mask(rgb, mask, "top")
    assert item is not None and worn is not None
    assert [c.name for c in item.colours] == ["navy"]
    assert [c.name for c in worn.colours] == ["black"]


def test_palette_swatches_name_themselves() -> None:
    assert len(PALETTE_NAMES) == len(set(PALETTE_NAMES)) >= 18
    swatches = np.array(
        [[int(palette_hex(n)[i : i + 2], 16) for i in (1, 3, 5)] for n in PALETTE_NAMES]
    )
    assert colour_names(swatches) == PALETTE_NAMES
    with pytest.raises(KeyError):
        palette_hex("chartreuse")


def test_ciede2000_reference_pairs() -> None:
    # Pairs from Sharma, Wu & Dalal (2005), the standard CIEDE2000 test data.
    lab1 = np.array([[50, 2.6772, -79.7751], [50, -1.3802, -84.2814], [2.0776, 0.0795, -1.1350]])
    lab2 = np.array([[50, 0, -82.7485], [50, 0, -82.7485], [0.9033, -0.0636, -0.5514]])
    got = np.diag(ciede2000(lab1, lab2))
    assert got == pytest.approx([2.0425, 1.0000, 0.9082], abs=1e-4)


class _StubEmbedder:
    """Says "a top" to every photo: enough for the item path to name its colours."""

    def features(self, items: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        return np.zeros((len(items), 4), np.float32)

    def classify_category(
        self, features: np.ndarray, categories: object = None, worn: bool = False
    ) -> tuple[np.ndarray, list[str | None]]:
        return np.tile([0.9, 0.05, 0.03, 0.02], (len(features), 1)), ["T-Shirt"] * len(features)

    def is_garment(self, features: np.ndarray) -> np.ndarray:
        return np.ones(len(features), bool)

    def combine(self, features: np.ndarray, colours: np.ndarray) -> np.ndarray:
        return np.zeros((len(features), 8), np.float32)


def test_item_photo_of_a_navy_garment_names_it_navy() -> None:
    rgb = np.full((200, 160, 3), 215, np.uint8)  # a pale bed sheet
    rgb[40:170, 30:130] = ITEM_PHOTO_NAVY[0]
    analyser = PhotoAnalyser(segmenter=None, embedder=_StubEmbedder())  # type: ignore[arg-type]
    analysis = analyser.analyse_rgb(rgb, Path("navy-jacket.jpg"), "item")
    assert len(analysis.garments) == 1
    assert analysis.garments[0].colours[0].name == "navy"
