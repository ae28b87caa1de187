"""Loss for imbalanced segmentation: weighted cross-entropy plus soft Dice."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

IGNORE_INDEX = 255  # pixels without a label (unsure pseudo-labels): no loss


def class_weights(labels: np.ndarray, num_classes: int) -> torch.Tensor:
    """Inverse square-root frequency, normalised to mean 1 (tames a rare one-piece class)."""
    counts = np.bincount(labels.ravel(), minlength=256)[:num_classes].astype(np.float64) + 1.0
    weights = 1.0 / np.sqrt(counts / counts.sum())
    return torch.tensor(weights / weights.mean(), dtype=torch.float32)


class CrossEntropyDice(nn.Module):
    def __init__(self, weights: torch.Tensor, dice_weight: float = 0.5) -> None:
        super().__init__()
        self.weights: torch.Tensor
        self.register_buffer("weights", weights)
        self.dice_weight = dice_weight

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        known = (target != IGNORE_INDEX).unsqueeze(1).float()
        if known.sum() == 0:  # nothing labelled in this batch: no signal, and no NaN either
            return logits.sum() * 0.0
        ce = F.cross_entropy(logits, target, weight=self.weights, ignore_index=IGNORE_INDEX)
        probs = logits.softmax(1) * known
        onehot = F.one_hot(target.clamp(max=logits.shape[1] - 1), logits.shape[1])
        onehot = onehot.permute(0, 3, 1, 2).float() * known
        dims = (0, 2, 3)
        inter = (probs * onehot).sum(dims)
        denom = probs.sum(dims) + onehot.sum(dims)
        dice = 1 - (2 * inter + 1) / (denom + 1)
        return ce + self.dice_weight * dice[1:].mean()  # Dice over garment classes only


def presence_targets(target: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(N, num_classes - 1) floats: 1 where the photo shows that garment class at all."""
    flat = target.flatten(1)
    return torch.stack([(flat == c).any(1) for c in range(1, num_classes)], dim=1).float()


class PresenceLoss(nn.Module):
    """Segmentation loss plus ``weight`` x a per-photo "which garments are here" loss.

    EncNet's semantic-encoding loss (Zhang et al., CVPR 2018, weight 0.2 there): binary
    cross-entropy per garment class on the context module's presence logits.
    """

    def __init__(self, pixel_loss: nn.Module, weight: float = 0.2) -> None:
        super().__init__()
        self.pixel_loss = pixel_loss
        self.weight = weight

    def forward(
        self, logits: torch.Tensor, presence: torch.Tensor | None, target: torch.Tensor
    ) -> torch.Tensor:
        loss = self.pixel_loss(logits, target)
        if presence is None:
            return loss
        wanted = presence_targets(target, logits.shape[1])
        return loss + self.weight * F.binary_cross_entropy_with_logits(presence.float(), wanted)
