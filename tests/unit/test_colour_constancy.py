"""Item photos in dim rooms: the background's white patch, and white garments named white."""

from __future__ import annotations

import numpy as np
import pytest

from wardrobe_app.vision.colour_constancy import background_white_l
from wardrobe_app.vision.colours import dominant_colours, rgb_to_lab
from wardrobe_app.vision.garments import garment_from_mask

# Measured on the test senders' photos (MODEL.md, "Colour names of item photos"): a white
# undershirt in a dim room, and the wall behind it (L* 62).
DIM_WHITE = (133, 133, 137)
DIM_WALL = (150, 150, 148)
H, W = 120, 100


def _photo(background: tuple[int, int, int], garment: tuple[int, int, int]) -> np.ndarray:
    rgb = np.full((H, W, 3), background, np.uint8)
    rgb[30:90, 25:75] = garment
    return rgb


def _mask() -> np.ndarray:
    mask = np.zeros((H, W), bool)
    mask[30:90, 25:75] = True
    return mask


def _first_name(rgb: np.ndarray, mask: np.ndarray, item_photo: bool = True) -> str:
    return dominant_colours(rgb, mask, item_photo=item_photo)[0].name


def test_the_white_patch_is_the_lightness_of_a_plain_background() -> None:
    white = background_white_l(_photo(DIM_WALL, DIM_WHITE), _mask())
    assert white == pytest.approx(float(rgb_to_lab(np.array([DIM_WALL]))[0, 0]), abs=0.5)


def test_the_white_patch_leaves_out_the_garments_edge() -> None:
    # A bright halo just around the garment (a mask a little too small, a flash's glare)
    # says nothing about the room's light: 4 px wide, within 3% of the diagonal (4.7 px).
    rgb = np.full((H, W, 3), DIM_WALL, np.uint8)
    mask = np.zeros((H, W), bool)
    mask[20:100, 15:85] = True
    rgb[16:104, 15:85] = 250
    rgb[20:100, 11:89] = 250
    rgb[mask] = DIM_WHITE
    assert background_white_l(rgb, mask) == pytest.approx(62.0, abs=0.5)


def test_no_white_patch_from_a_coloured_dark_or_tiny_background() -> None:
    assert background_white_l(_photo((150, 118, 85), DIM_WHITE), _mask()) is None  # wood
    assert background_white_l(_photo((70, 70, 72), DIM_WHITE), _mask()) is None  # dark bed
    filling = np.ones((H, W), bool)
    filling[:4] = False  # a garment filling the frame: a strip of background
    assert background_white_l(_photo(DIM_WALL, DIM_WHITE), filling) is None


def test_a_white_garment_in_a_dim_room_is_white() -> None:
    rgb, mask = _photo(DIM_WALL, DIM_WHITE), _mask()
    assert _first_name(rgb, mask) == "white"
    # The swatch keeps the photo's colour: it is what the cut-out shows.
    assert dominant_colours(rgb, mask, item_photo=True)[0].hex == "#858589"


def test_the_same_grey_in_good_light_is_grey() -> None:
    # A light grey garment against a white sheet in daylight photographs as the dim white.
    assert _first_name(_photo((235, 235, 235), DIM_WHITE), _mask()) == "grey"
    # ... and against a light grey wall at L* 74: brightened to L* 69, still grey.
    assert _first_name(_photo((182, 182, 182), (132, 133, 131)), _mask()) == "grey"


@pytest.mark.parametrize(
    "background",
    [(150, 118, 85), (70, 70, 72)],
    ids=["wooden floor", "dark bed"],
)
def test_without_a_white_patch_grey_stays_grey(background: tuple[int, int, int]) -> None:
    assert _first_name(_photo(background, DIM_WHITE), _mask()) == "grey"


def test_a_garment_filling_the_frame_stays_grey() -> None:
    rgb = _photo(DIM_WALL, DIM_WHITE)
    rgb[4:] = DIM_WHITE
    mask = np.zeros((H, W), bool)
    mask[4:] = True
    assert _first_name(rgb, mask) == "grey"


@pytest.mark.parametrize(
    "garment",
    [(168, 166, 180), (168, 152, 144), (132, 134, 152)],
    ids=["lilac grey", "oatmeal", "blue grey"],
)
def test_a_tinted_grey_stays_grey_in_a_dim_room(garment: tuple[int, int, int]) -> None:
    # Lab chroma 7.7, 7.8 (garments of the val senders, named white before the limit was
    # 6) and 10: brightened, each would be white.
    assert _first_name(_photo(DIM_WALL, garment), _mask()) == "grey"


def test_outfit_photos_are_named_without_the_background() -> None:
    assert _first_name(_photo(DIM_WALL, DIM_WHITE), _mask(), item_photo=False) == "grey"


def test_an_item_photos_garment_is_named_against_the_whole_photo() -> None:
    # The item path (``garment_from_mask``) hands the photo, background and all.
    garment = garment_from_mask(_photo(DIM_WALL, DIM_WHITE), _mask(), "top", item_photo=True)
    assert garment is not None and garment.colours[0].name == "white"
