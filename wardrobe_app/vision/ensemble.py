"""Several segmentation networks run as one: their softmax probabilities averaged.

Unlike networks err on different photos. On CCP's val photos a Lite0-UNet and a
Lite2-UNet averaged beat either one alone (see the segmenter's MODEL.md), and a single
student distilled from the pair kept almost none of the gain, so the pair itself can be
the model: one model folder, one weights file, the same calling convention as a network.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

# The smallest probability kept before the log: log(0) would put -inf into the logits.
_FLOOR = torch.finfo(torch.float32).tiny


class ProbabilityAverage(nn.Module):
    """Segmentation networks of the same classes, averaged in probability.

    ``forward`` returns the log of the averaged probabilities: a softmax over it, which
    every caller of a segmentation network applies, gives the average back exactly.
    """

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one network")
        self.members = nn.ModuleList(members)
        # Inputs padded to the coarsest member's stride suit them all.
        self.stride = max(int(getattr(member, "stride", 32)) for member in members)

    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) float32: the mean of the members' softmax probabilities."""
        return torch.stack([member(images).float().softmax(1) for member in self.members]).mean(0)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.probabilities(images).clamp_min(_FLOOR).log()
