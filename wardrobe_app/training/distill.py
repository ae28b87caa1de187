"""Knowledge distillation: a student learns the averaged probabilities of teacher models.

Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural Network" (2015). An average
of several segmenters scores above any one of them on CCP's val photos, but costs the sum
of their latencies; a single student trained towards that average keeps one network's
cost. The teachers see the same augmented crop as the student, so their targets follow
every flip, crop and colour change, and they cover the pixels a pseudo-label leaves out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
import torch.nn.functional as F

from ..vision.ensemble import ProbabilityAverage
from ..vision.model_folder import ModelConfig, load_model


class TeacherEnsemble(ProbabilityAverage):
    """Frozen model folders whose softmax probabilities are averaged, each folder
    weighing the same: an ensemble folder counts once, as the average of its members."""

    def __init__(self, folders: Sequence[str | Path], student: ModelConfig) -> None:
        if not folders:
            raise ValueError("a teacher ensemble needs at least one model folder")
        members = []
        for folder in folders:
            model, config = load_model(folder)
            # The teachers read the student's input tensor, so it must mean the same to them.
            if config.class_names != student.class_names:
                raise ValueError(
                    f"teacher {folder} has classes {config.class_names}, "
                    f"the student {student.class_names}"
                )
            if config.mean != student.mean or config.std != student.std:
                raise ValueError(f"teacher {folder} normalises its input differently")
            if isinstance(model, ProbabilityAverage):
                model.consult_above = 0.0  # a cascade teaches as its full average
            members.append(model.eval().requires_grad_(False))
        super().__init__(members)

    def train(self, mode: bool = True) -> TeacherEnsemble:
        return super().train(False)  # always in eval mode: batch-norm statistics stay put

    @torch.no_grad()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.probabilities(images)


def distillation_loss(logits: torch.Tensor, teacher_probs: torch.Tensor) -> torch.Tensor:
    """Mean over pixels of KL(teacher || student), at temperature 1 (the ensemble's own
    probabilities are the target; softening them further blurs garment edges)."""
    log_student = F.log_softmax(logits.float(), dim=1)
    return F.kl_div(log_student, teacher_probs, reduction="none").sum(1).mean()
