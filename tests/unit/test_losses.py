"""The photo-level presence loss that trains the context module."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from wardrobe_app.training.losses import (
    IGNORE_INDEX,
    CrossEntropyDice,
    PresenceLoss,
    presence_targets,
)


def test_presence_targets_say_which_garments_a_photo_shows() -> None:
    target = torch.zeros(3, 4, 4, dtype=torch.long)
    target[0, :2] = 1  # a top
    target[0, 2:] = 2  # and a bottom
    target[1, 1:3] = 3  # a one-piece alone
    target[2, 0] = IGNORE_INDEX  # nothing known but background
    assert presence_targets(target, 4).tolist() == [
        [1.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.0, 0.0, 0.0],
    ]


def test_presence_loss_adds_a_weighted_photo_term() -> None:
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 8, 8)
    target = torch.randint(0, 4, (2, 8, 8))
    pixel = CrossEntropyDice(torch.ones(4))
    loss = PresenceLoss(pixel, weight=0.2)
    # Without a presence head (the seed UNet) it is the pixel loss alone.
    assert torch.equal(loss(logits, None, target), pixel(logits, target))
    wanted = presence_targets(target, 4)
    right = (wanted * 2 - 1) * 10  # confident and correct
    wrong = -right
    assert loss(logits, right, target) < loss(logits, wrong, target)
    expected = pixel(logits, target) + 0.2 * F.binary_cross_entropy_with_logits(wrong, wanted)
    assert torch.allclose(loss(logits, wrong, target), expected)
