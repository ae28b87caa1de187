"""Framing: the working size a photo is scaled to, and the window of a small figure."""

from __future__ import annotations

import torch

from wardrobe_app.vision.framing import fit_size, framing_box


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
