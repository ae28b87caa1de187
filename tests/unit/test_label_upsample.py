"""Labels of a big photo upsampled a strip at a time: the same as upsampling the whole."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from wardrobe_app.vision import label_upsample
from wardrobe_app.vision.edge_refine import resize_channels
from wardrobe_app.vision.label_upsample import interpolated_labels, upsampled_labels


def _whole(probs: torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """The reference: every pixel's probabilities upsampled at once, then the argmax."""
    return resize_channels(probs, size).max(0).indices.to(torch.uint8).numpy()


def _probabilities(shape: tuple[int, int, int], seed: int) -> torch.Tensor:
    """Random probabilities with exact ties: many classes at 0, as clipped edges give."""
    logits = torch.from_numpy(np.random.default_rng(seed).random(shape, dtype=np.float32))
    probs = logits.mul(4).softmax(0)
    probs[probs < 0.2] = 0.0
    return probs / probs.sum(0, keepdim=True).clamp_min(1e-6)


@pytest.mark.parametrize(
    ("shape", "size"),
    [
        ((4, 1, 1), (1, 1)),
        ((4, 1, 1), (5, 3)),
        ((4, 3, 2), (17, 3001)),
        ((4, 2, 5), (3001, 17)),
        ((4, 7, 5), (1000, 901)),
        ((4, 64, 43), (1025, 683)),
        ((3, 33, 20), (3001, 17)),
        ((4, 100, 80), (100, 81)),  # across only
        ((4, 100, 80), (50, 40)),  # shrunk: done whole
        ((4, 100, 80), (100, 80)),  # as it is
    ],
)
def test_strips_give_the_labels_of_the_whole(
    shape: tuple[int, int, int], size: tuple[int, int]
) -> None:
    probs = _probabilities(shape, seed=sum(size))
    expected = _whole(probs, size)
    # Strips of one row, of a few rows (not dividing the height) and the default size.
    for strip_pixels in (1, 997, 1 << 18):
        labels = upsampled_labels(probs, size, strip_pixels=strip_pixels)
        assert labels.dtype == np.uint8 and labels.shape == size
        assert np.array_equal(labels, expected), strip_pixels


def test_a_tie_goes_to_the_first_class() -> None:
    probs = torch.zeros(4, 3, 3)
    probs[1:3] = 0.5  # top and bottom equal everywhere
    assert (upsampled_labels(probs, (40, 30)) == 1).all()


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize(
    ("shape", "size"),
    [
        ((4, 1, 1), (5, 300)),
        ((4, 3, 2), (17, 3001)),
        ((4, 2, 5), (3001, 17)),
        ((4, 7, 5), (1000, 901)),
        ((4, 64, 43), (1025, 683)),
        ((3, 33, 20), (3001, 17)),
        ((4, 96, 64), (1507, 1003)),
        ((4, 64, 43), (100, 60)),  # small enough for torch's other kernel: done whole
        ((4, 100, 80), (101, 80)),  # one row more, the same width
        ((4, 100, 80), (50, 40)),  # shrunk: done whole
    ],
)
def test_raw_strips_give_the_labels_of_torchs_interpolate_whole(
    shape: tuple[int, int, int],
    size: tuple[int, int],
    fused: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Raw edges: the strips give the argmax of ``F.interpolate`` whole on every pixel,
    with the blend made by a fused ``addcmul`` or through float64 (a build without one),
    from probabilities as the network gives them (a crop of a padded output)."""
    monkeypatch.setattr(label_upsample, "_addcmul_is_fused", lambda device: fused)
    padded = _probabilities((shape[0], shape[1] + 3, shape[2] + 5), seed=sum(size))
    work = padded[None, :, : shape[1], : shape[2]]
    expected = F.interpolate(work, size=size, mode="bilinear", align_corners=False)[0]
    expected_labels = expected.max(0).indices.to(torch.uint8).numpy()
    for strip_pixels in (997, 1 << 18):
        labels = interpolated_labels(work, size, strip_pixels=strip_pixels)
        assert labels.dtype == np.uint8 and labels.shape == size
        assert np.array_equal(labels, expected_labels), strip_pixels


def test_raw_strips_never_hold_the_whole_probabilities(monkeypatch: pytest.MonkeyPatch) -> None:
    """A photo bigger than the probabilities is never upsampled whole: ``interpolate``
    (all of the photo's probabilities at once) is not called."""
    work = _probabilities((4, 48, 32), seed=1)[None]
    expected = F.interpolate(work, size=(960, 640), mode="bilinear", align_corners=False)[0]

    def whole(*args: object, **kwargs: object) -> torch.Tensor:
        raise AssertionError("upsampled whole")

    monkeypatch.setattr(label_upsample.F, "interpolate", whole)
    labels = interpolated_labels(work, (960, 640), strip_pixels=640 * 100)
    assert np.array_equal(labels, expected.max(0).indices.to(torch.uint8).numpy())


def test_a_raw_tie_goes_to_the_first_class() -> None:
    work = torch.zeros(1, 4, 3, 3)
    work[:, 1:3] = 0.5  # top and bottom equal everywhere
    assert (interpolated_labels(work, (400, 300), strip_pixels=3000) == 1).all()
