"""Framing: the working size a photo is scaled to, and the window of a small figure."""

from __future__ import annotations

import torch

from wardrobe_app.vision.framing import box_iou, fit_size, frame_garments, framing_box


def test_fit_size_keeps_aspect_and_orientation() -> None:
    assert fit_size(825, 550, (384, 256), 32) == (384, 256)
    assert fit_size(550, 825, (384, 256), 32) == (256, 384)  # landscape uses the transpose
    h, w = fit_size(1000, 1000, (384, 256), 32)
    assert h == w == 256


def _background_with_garments(
    shape: tuple[int, int], box: tuple[int, int, int, int]
) -> torch.Tensor:
    """A first pass's background probability: garments (0.1) inside ``box``, 0.9 elsewhere."""
    background = torch.full(shape, 0.9)
    y0, y1, x0, x1 = box
    background[y0:y1, x0:x1] = 0.1
    return background


def test_framing_box_zooms_on_a_small_figure() -> None:
    # Garments over rows 150-250 and columns 100-150 of a 384x256 first pass of a photo
    # twice that size: the window holds them with room for head, legs and arms.
    background = _background_with_garments((384, 256), (150, 250, 100, 150))
    box = framing_box(background, (768, 512), (384, 256))
    assert box is not None
    y0, y1, x0, x1 = box
    assert y0 < 300 and y1 > 500 and x0 < 200 and x1 > 300  # the garments, in photo pixels
    assert y0 >= 200 and y1 <= 600 and x0 >= 100 and x1 <= 400  # and much less than the photo


def test_framing_box_leaves_a_filled_frame_and_an_empty_photo_alone() -> None:
    full_length = _background_with_garments((384, 256), (60, 330, 60, 200))  # CCP-like
    assert framing_box(full_length, (825, 550), (384, 256)) is None
    empty = torch.full((384, 256), 0.9)
    assert framing_box(empty, (825, 550), (384, 256)) is None
    # Legs-only: the garments run into the top edge; the figure is cut, not small.
    cut_at_the_top = _background_with_garments((384, 256), (0, 150, 100, 150))
    assert framing_box(cut_at_the_top, (825, 550), (384, 256)) is None


def test_framing_box_ignores_stray_pixels() -> None:
    background = _background_with_garments((384, 256), (150, 250, 100, 150))
    background[0, 0] = background[383, 255] = 0.1  # two specks in opposite corners
    assert framing_box(background, (384, 256), (384, 256)) == framing_box(
        _background_with_garments((384, 256), (150, 250, 100, 150)), (384, 256), (384, 256)
    )


def test_framing_box_ignores_a_false_garment_on_the_backdrop() -> None:
    """A far figure's low-resolution pass calls a patch of backdrop a garment: the
    window must frame the figure, not stretch across the photo to include the patch."""
    figure = (150, 250, 100, 150)
    background = _background_with_garments((384, 256), figure)
    background[300:306, 230:236] = 0.1  # 36 pixels, too many for the quantiles to drop
    assert framing_box(background, (384, 256), (384, 256)) == framing_box(
        _background_with_garments((384, 256), figure), (384, 256), (384, 256)
    )


def test_framing_box_leaves_a_waist_up_shot_alone() -> None:
    # Garments run out of the bottom edge: the figure is cut there, not small.
    waist_up = _background_with_garments((384, 256), (200, 384, 100, 150))
    assert framing_box(waist_up, (825, 550), (384, 256)) is None


def test_framing_box_works_on_landscape_photos() -> None:
    # A standing figure in a wide photo: the window is portrait and much narrower.
    background = _background_with_garments((256, 384), (60, 200, 170, 215))
    box = framing_box(background, (550, 825), (384, 256))
    assert box is not None
    y0, y1, x0, x1 = box
    assert y1 - y0 > x1 - x0
    assert x0 > 200 and x1 < 625


def test_frame_garments_stays_inside_the_photo_and_is_never_empty() -> None:
    # A pass's box at the very bottom of a window that reaches the photo's last row.
    y0, y1, x0, x1 = frame_garments((31.0, 32.0, 0.0, 10.0), (3 / 32, 1.0), (97, 0), (100, 100))
    assert 0 <= y0 < y1 <= 100 and 0 <= x0 < x1 <= 100


def test_frame_garments_maps_a_pass_box_to_photo_pixels() -> None:
    # A window at (100, 50) seen at half scale: the pass's box (10-30, 10-20) is photo
    # rows 120-160 and columns 70-90, then the margins.
    box = frame_garments((10.0, 30.0, 10.0, 20.0), (2.0, 2.0), (100, 50), (1000, 1000))
    assert box == (round(120 - 0.35 * 40), round(160 + 0.35 * 40), 70 - 16, 90 + 16)


def test_box_iou() -> None:
    assert box_iou((0, 10, 0, 10), (0, 10, 0, 10)) == 1.0
    assert box_iou((0, 10, 0, 10), (0, 10, 5, 15)) == 50 / 150
    assert box_iou((0, 10, 0, 10), (20, 30, 20, 30)) == 0.0
