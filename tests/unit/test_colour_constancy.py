"""Item photos in dim rooms: the background's white patch, and white garments named white."""

from __future__ import annotations

import numpy as np
import pytest

from wardrobe_app.vision.colour_constancy import background_white_l, white_patch_l
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


# Measured on the train senders' photos (MODEL.md): a white bodysuit on a red bed (L* 26);
# a light grey top on another red bed (L* 43), its shade (L* 59) and lit side (L* 72);
# white shorts on a dark sofa (L* 18), their lit side (L* 83) and the shade that was the
# bigger cluster (L* 71); a white tee on a red bed, its lit side (L* 77) and shade (L* 63).
RED_BED, WHITE_ON_RED = (118, 24, 38), (172, 171, 166)
LIGHT_RED_BED, GREY_SHADE, GREY_LIT = (190, 50, 45), (143, 141, 137), (178, 176, 172)
DARK_SOFA, WHITE_LIT, WHITE_SHADE = (44, 44, 46), (207, 207, 210), (175, 174, 171)
TEE_LIT, TEE_SHADE = (190, 189, 195), (154, 152, 159)
CHARCOAL, PRINT_WHITE = (70, 70, 72), (235, 235, 235)


def _shaded(
    background: tuple[int, int, int], lit: tuple[int, int, int], shade: tuple[int, int, int]
) -> np.ndarray:
    """The garment's top 45% lit, the rest in shade (larger, as in the photos)."""
    rgb = _photo(background, shade)
    rgb[30:57, 25:75] = lit
    return rgb


def test_a_white_garment_on_a_red_bed_is_white() -> None:
    # The camera exposed for the bed: the bodysuit came out L* 70, a light grey's.
    rgb, mask = _photo(RED_BED, WHITE_ON_RED), _mask()
    assert background_white_l(rgb, mask) is None  # a coloured bed: no white surface
    assert _first_name(rgb, mask) == "white"
    assert dominant_colours(rgb, mask, item_photo=True)[0].hex == "#acaba6"  # as photographed


def test_a_light_grey_garment_on_a_red_bed_stays_grey() -> None:
    # Its lit side stands 29 L* above the bed: not far enough to be taken for white.
    rgb, mask = _shaded(LIGHT_RED_BED, GREY_LIT, GREY_SHADE), _mask()
    assert white_patch_l(rgb, mask) is None
    assert _first_name(rgb, mask) == "grey"


@pytest.mark.parametrize(
    ("background", "lit", "shade"),
    [(DARK_SOFA, WHITE_LIT, WHITE_SHADE), (RED_BED, TEE_LIT, TEE_SHADE)],
    ids=["shorts on a dark sofa", "tee on a red bed"],
)
def test_a_shaded_white_garment_is_white(
    background: tuple[int, int, int], lit: tuple[int, int, int], shade: tuple[int, int, int]
) -> None:
    # Its shade (55%) was a "grey" cluster bigger than its lit "white" one: both are white.
    # (Relit from the lit side, the tee's shade stayed grey: L* 71.)
    rgb = _shaded(background, lit, shade)
    assert [c.name for c in dominant_colours(rgb, _mask(), item_photo=True)] == ["white"]


@pytest.mark.parametrize("background", [DARK_SOFA, RED_BED], ids=["dark sofa", "red bed"])
def test_a_dark_garment_with_a_white_print_stays_dark(background: tuple[int, int, int]) -> None:
    # Its lit part is the print, far above the bed: the charcoal body (L* 30, under the
    # L* 50 that a white patch takes) was taken for the white, and the tee was all "white".
    rgb = _photo(background, CHARCOAL)
    rgb[40:55, 35:65] = PRINT_WHITE  # 15% of the garment
    assert white_patch_l(rgb, _mask()) is None
    assert [c.name for c in dominant_colours(rgb, _mask(), item_photo=True)] == ["grey", "white"]


def test_outfit_photos_are_named_without_the_background() -> None:
    assert _first_name(_photo(DIM_WALL, DIM_WHITE), _mask(), item_photo=False) == "grey"
    assert _first_name(_photo(RED_BED, WHITE_ON_RED), _mask(), item_photo=False) == "grey"


def test_an_item_photos_garment_is_named_against_the_whole_photo() -> None:
    # The item path (``garment_from_mask``) hands the photo, background and all.
    garment = garment_from_mask(_photo(DIM_WALL, DIM_WHITE), _mask(), "top", item_photo=True)
    assert garment is not None and garment.colours[0].name == "white"
