"""Several segmentation networks run as one: their softmax probabilities averaged.

Unlike networks err on different photos. On CCP's val photos a Lite0-UNet and a
Lite2-UNet averaged beat either one alone (see the segmenter's MODEL.md), and a single
student distilled from the pair kept almost none of the gain, so the pair itself can be
the model: one model folder, one weights file, the same calling convention as a network.

The pair costs the sum of its members, but its gain sits in the photos the first member
is unsure of (which garment class a garment is). With ``consult_above`` set, the other
members are run only on those photos: a cascade (Viola and Jones' idea, applied to a
second opinion), which keeps most photos at one network's cost.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

# The smallest probability kept before the log: log(0) would put -inf into the logits.
_FLOOR = torch.finfo(torch.float32).tiny


def garment_ambiguity(probs: torch.Tensor) -> torch.Tensor:
    """(N,) in [0, 1] from (N, C, H, W) probabilities, class 0 the background.

    Over the pixels more likely garment than background, the mean of one minus the
    margin between the two likeliest garment classes (their shares of the garment
    probability). 0: every garment pixel is sure of its class; 1: a coin toss, or no
    garment found at all (which, in a photo of clothes, is no reason for confidence).
    """
    garment = probs[:, 1:]
    mass = garment.sum(1)
    found = mass > 0.5
    if garment.shape[1] < 2:  # one garment class: nothing to confuse it with
        ambiguity = torch.zeros_like(mass)
    else:
        shares = garment / mass.clamp_min(1e-6).unsqueeze(1)
        top2 = shares.topk(2, dim=1).values
        ambiguity = 1.0 - (top2[:, 0] - top2[:, 1])
    count = found.sum((1, 2))
    total = (ambiguity * found).sum((1, 2))
    return torch.where(count > 0, total / count.clamp_min(1), torch.ones_like(total))


class ProbabilityAverage(nn.Module):
    """Segmentation networks of the same classes, averaged in probability.

    ``forward`` returns the log of the averaged probabilities: a softmax over it, which
    every caller of a segmentation network applies, gives the average back exactly.
    ``consult_above`` > 0: the members after the first are run only on the images whose
    ``garment_ambiguity`` under the first exceeds it; the others keep the first's answer.
    """

    def __init__(self, members: Sequence[nn.Module], consult_above: float = 0.0) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one network")
        self.members = nn.ModuleList(members)
        self.consult_above = consult_above
        # Inputs padded to the coarsest member's stride suit them all.
        self.stride = max(int(getattr(member, "stride", 32)) for member in members)
        self.reset_counts()

    def reset_counts(self) -> None:
        """Zero the counts of images seen and of images on which the other members were
        consulted (for reports: how much of the time the cascade costs two networks)."""
        self.images_seen = 0
        self.images_consulted = 0
        # The first member's garment_ambiguity of the last batch (a cascade only): what
        # the threshold was compared with, for calibrating it on the same code path.
        self.last_ambiguity: torch.Tensor | None = None

    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) float32: the mean of the members' softmax probabilities (of the
        first member alone where it is sure enough)."""
        first, *others = self.members
        probs = first(images).float().softmax(1)
        consult = torch.ones(len(images), dtype=torch.bool, device=images.device)
        if self.consult_above > 0:
            self.last_ambiguity = garment_ambiguity(probs).detach()
            consult = self.last_ambiguity > self.consult_above
        self.images_seen += len(images)
        if not others or not consult.any():
            return probs
        self.images_consulted += int(consult.sum())
        chosen = images if consult.all() else images[consult]
        total = probs[consult] + sum(member(chosen).float().softmax(1) for member in others)
        # Out of place, so that gradients can still flow through a cascade.
        return probs.index_put((consult,), total / len(self.members))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.probabilities(images).clamp_min(_FLOOR).log()
