"""Joint photo + mask augmentation with torchvision.transforms.v2."""

from __future__ import annotations

import torch
from torchvision import tv_tensors
from torchvision.transforms import v2


def train_transform(crop: tuple[int, int], mean: list[float], std: list[float]) -> v2.Compose:
    """Flips, scale and crop, small rotations, colour jitter; the mask follows the photo."""
    return v2.Compose(
        [
            v2.RandomHorizontalFlip(),
            v2.RandomAffine(
                degrees=8,
                scale=(0.75, 1.25),
                translate=(0.05, 0.05),
                fill={tv_tensors.Mask: 0, tv_tensors.Image: 0},
            ),
            v2.RandomCrop(crop, pad_if_needed=True, fill={tv_tensors.Mask: 0, tv_tensors.Image: 0}),
            v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.03),
            v2.RandomGrayscale(p=0.05),
            v2.ToDtype(
                {tv_tensors.Image: torch.float32, tv_tensors.Mask: torch.int64, "others": None},
                scale=True,
            ),
            v2.Normalize(mean=mean, std=std),
        ]
    )


def eval_transform(mean: list[float], std: list[float]) -> v2.Compose:
    return v2.Compose(
        [
            v2.ToDtype(
                {tv_tensors.Image: torch.float32, tv_tensors.Mask: torch.int64, "others": None},
                scale=True,
            ),
            v2.Normalize(mean=mean, std=std),
        ]
    )
