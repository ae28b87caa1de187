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
