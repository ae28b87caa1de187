"""The background GrabCut keeps between a bottom's legs is taken out of its mask."""

from __future__ import annotations

import numpy as np

from wardrobe_app.vision.leg_gap import open_leg_gap

H, W = 400, 300
NAVY, SHEET, FLOOR = (30, 40, 80), (225, 215, 190), (60, 58, 55)


def _pants() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A photo of navy pants on a cream sheet (a dark floor at the frame's edge), the mask
    GrabCut gave it (the pants and the sheet between their legs, to their feet) and the
    pants alone."""
    yy, xx = np.mgrid[:H, :W]
    waist = (yy >= 60) & (yy < 150) & (xx >= 70) & (xx < 230)
    # Legs splay out from the crotch (y 150) to the feet (y 360): a V of sheet between.
    spread = np.clip((yy - 150) / 210, 0, 1) * 40
    left = (yy >= 150) & (yy < 360) & (xx >= 70 - spread) & (xx < 145 - spread * 0.2)
    right = (yy >= 150) & (yy < 360) & (xx >= 155 + spread * 0.2) & (xx < 230 + spread)
    pants = waist | left | right
    rgb = np.empty((H, W, 3), np.float64)
    rgb[:] = FLOOR
    rgb[20:380, 20:280] = SHEET
    rgb[pants] = NAVY
    rng = np.random.default_rng(0)
    rgb = np.clip(rgb + rng.normal(0, 6, rgb.shape), 0, 255).astype(np.uint8)
    kept = pants.copy()
    kept[150:350] |= (xx[150:350] >= 100) & (xx[150:350] < 200)  # the V, bar its open end
    return rgb, kept, pants


def test_the_sheet_between_the_legs_is_taken_out() -> None:
    rgb, kept, pants = _pants()
    opened = open_leg_gap(rgb, kept)
    assert opened.shape == kept.shape and opened.dtype == bool
    gap = kept & ~pants
    assert (opened & gap).sum() < 0.1 * gap.sum()  # the sheet is out...
    assert (opened & pants).sum() > 0.99 * pants.sum()  # ...and the legs are all there


def test_a_mask_without_a_gap_is_kept() -> None:
    rgb, _, pants = _pants()
    assert (open_leg_gap(rgb, pants) == pants).all()


def test_a_print_on_a_leg_and_stripes_across_the_legs_are_kept() -> None:
    rgb, kept, _ = _pants()
    rgb[kept] = NAVY  # the pants fill GrabCut's mask: no sheet between their legs
    yy, xx = np.mgrid[:H, :W]
    rgb[(yy >= 200) & (yy < 240) & (xx >= 90) & (xx < 125)] = (220, 40, 40)  # a red patch
    stripes = kept & (yy >= 280) & ((yy // 12) % 2 == 0)  # white bands across both legs
    rgb[stripes] = (240, 240, 240)
    assert (open_leg_gap(rgb, kept) == kept).all()
