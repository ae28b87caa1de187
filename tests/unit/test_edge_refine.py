"""Edges snapped to the photo's: a coarse answer's boundary moves onto the colour edge."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wardrobe_app.vision.edge_refine import EdgeRefinement, _box


def _iou(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a & b).sum() / (a | b).sum())


def _scene(height: int = 240, width: int = 160) -> tuple[torch.Tensor, torch.Tensor]:
    """A photo (1, 3, H, W) in 0-1: a red disc on a grey-blue ground, and its mask (H, W)."""
    ys, xs = torch.meshgrid(torch.arange(height), torch.arange(width), indexing="ij")
    mask = (ys - 0.47 * height) ** 2 + (xs - 0.53 * width) ** 2 < (0.31 * width) ** 2
    photo = torch.empty(1, 3, height, width)
    photo[0, 0], photo[0, 1], photo[0, 2] = 0.35, 0.4, 0.6
    photo[0, 0][mask], photo[0, 1][mask], photo[0, 2][mask] = 0.85, 0.2, 0.15
    noise = torch.Generator().manual_seed(0)
    return (photo + 0.02 * torch.randn(photo.shape, generator=noise)).clamp(0, 1), mask


def _coarse_answer(mask: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """A network's answer at its working size: right, but only as sharp as that size."""
    top = F.interpolate(mask[None, None].float(), size=size, mode="area")[0, 0]
    top = F.avg_pool2d(top[None, None], 3, stride=1, padding=1, count_include_pad=False)[0, 0]
    probs = torch.zeros(1, 4, *size)
    probs[0, 1] = 0.05 + 0.9 * top
    probs[0, 0] = 1 - probs[0, 1] - 0.02
    probs[0, 2:] = 0.01
    return probs


def test_a_coarse_boundary_snaps_to_the_colour_edge() -> None:
    photo, mask = _scene()
    coarse = _coarse_answer(mask, (24, 16))  # ten photo pixels per working pixel
    upsampled = F.interpolate(coarse, size=mask.shape, mode="bilinear", align_corners=False)
    refined = EdgeRefinement()(photo, coarse)
    raw_iou = _iou(upsampled[0].argmax(0) == 1, mask)
    refined_iou = _iou(refined[0].argmax(0) == 1, mask)
    assert raw_iou < 0.97
    assert refined_iou > 0.99 and refined_iou > raw_iou


def test_probabilities_stay_a_distribution() -> None:
    rng = torch.Generator().manual_seed(1)
    photo = torch.rand(1, 3, 90, 70, generator=rng)
    coarse = torch.randn(1, 4, 24, 16, generator=rng).mul(4).softmax(1)
    refined = EdgeRefinement()(photo, coarse)
    assert refined.shape == (1, 4, 90, 70)
    assert torch.allclose(refined.sum(1), torch.ones(1, 90, 70), atol=1e-5)
    assert refined.min() >= 0 and refined.max() <= 1 + 1e-6


def test_a_flat_photo_keeps_a_large_garment_where_it_was() -> None:
    """No colour edge to follow: the answer stays as the network gave it, only smoothed."""
    _, mask = _scene()
    coarse = _coarse_answer(mask, (48, 32))
    upsampled = F.interpolate(coarse, size=mask.shape, mode="bilinear", align_corners=False)
    refined = EdgeRefinement()(torch.full((1, 3, *mask.shape), 0.5), coarse)
    assert _iou(refined[0].argmax(0) == 1, upsampled[0].argmax(0) == 1) > 0.95


@pytest.mark.parametrize(
    ("shape", "size"),
    [((240, 160), (48, 32)), ((7, 5), (12, 8)), ((1, 2), (4, 4)), ((3, 300), (2, 64))],
)
def test_any_photo_and_working_size(shape: tuple[int, int], size: tuple[int, int]) -> None:
    """A photo smaller than the network's grid (a thumbnail) or of another aspect works."""
    photo = torch.rand(1, 3, *shape)
    refined = EdgeRefinement()(photo, torch.rand(1, 4, *size).softmax(1))
    assert refined.shape == (1, 4, *shape) and torch.isfinite(refined).all()


@pytest.mark.parametrize(("shape", "radius"), [((6, 50, 40), 2), ((3, 7, 5), 4), ((2, 1, 1), 1)])
def test_box_mean_is_the_window_mean_cut_at_the_border(
    shape: tuple[int, int, int], radius: int
) -> None:
    x = torch.rand(*shape, dtype=torch.float64)
    expected = F.avg_pool2d(x[None], 2 * radius + 1, 1, radius, count_include_pad=False)[0]
    assert torch.allclose(_box(x, radius), expected)


def test_bad_settings_and_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="radius"):
        EdgeRefinement(radius=0)
    with pytest.raises(ValueError, match="eps"):
        EdgeRefinement(eps=0.0)
    with pytest.raises(ValueError, match="guide"):
        EdgeRefinement()(torch.rand(1, 1, 10, 10), torch.rand(1, 4, 5, 5))
    assert np.isclose(EdgeRefinement().eps, 1e-3)
