"""Labels of a big photo upsampled a strip at a time: the same as upsampling the whole."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from wardrobe_app.vision.edge_refine import resize_channels
from wardrobe_app.vision.label_upsample import upsampled_labels


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
