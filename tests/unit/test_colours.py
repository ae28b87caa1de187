"""Dominant colours: palette naming, shares, masking, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from wardrobe_app.vision.colours import (
    PALETTE_NAMES,
    ciede2000,
    colour_names,
    dominant_colours,
    palette_hex,
)


def _patch(colour: tuple[int, int, int], h: int = 40, w: int = 40) -> np.ndarray:
    return np.tile(np.array(colour, np.uint8), (h, w, 1))


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
