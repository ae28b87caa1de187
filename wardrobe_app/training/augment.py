"""Joint photo + mask augmentation with torchvision.transforms.v2."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchvision import tv_tensors
from torchvision.transforms import v2

from .losses import IGNORE_INDEX


class Reframe:
    """With probability ``p``, a part of the photo as if it had been framed that way.

    CCP's photos are full-length portraits; people also take waist-up, legs-only and
    close shots. A random window (at least ``min_height`` x ``min_width`` of the frame) is
    cut out and scaled up, keeping its aspect, to fit the frame at the top left, as the
    segmenter fits a photo to its working size. The rest of the frame is padding without
    labels (the segmenter crops padding off), so it costs no loss either way.
    """

    def __init__(self, p: float, min_height: float = 0.4, min_width: float = 0.6) -> None:
        self.p, self.min_height, self.min_width = p, min_height, min_width

    def __call__(
        self, image: tv_tensors.Image, mask: tv_tensors.Mask
    ) -> tuple[tv_tensors.Image, tv_tensors.Mask]:
        if self.p <= 0 or torch.rand(()) >= self.p:
            return image, mask
        height, width = image.shape[-2:]
        h = int(height * torch.empty(()).uniform_(self.min_height, 1.0))
        w = int(width * torch.empty(()).uniform_(self.min_width, 1.0))
        # Waist-up and legs-only shots start at the photo's top or end at its bottom.
        anchor = int(torch.randint(0, 3, ()))
        top = (0, height - h, int(torch.randint(0, height - h + 1, ())))[anchor]
        left = int(torch.randint(0, width - w + 1, ()))
        scale = min(height / h, width / w)
        size = (min(height, round(h * scale)), min(width, round(w * scale)))
        window = image[None, :, top : top + h, left : left + w].float()
        zoomed = F.interpolate(window, size=size, mode="bilinear", align_corners=False)
        labels = mask[None, None, top : top + h, left : left + w].float()
        zoomed_labels = F.interpolate(labels, size=size, mode="nearest")
        out = torch.zeros_like(image)
        out[:, : size[0], : size[1]] = zoomed[0].round().clamp(0, 255).to(image.dtype)
        out_mask = torch.full_like(mask, IGNORE_INDEX)
        out_mask[: size[0], : size[1]] = zoomed_labels[0, 0].to(mask.dtype)
        return tv_tensors.Image(out), tv_tensors.Mask(out_mask)


def train_transform(
    crop: tuple[int, int], mean: list[float], std: list[float], reframe: float = 0.0
) -> v2.Compose:
    """Reframing, flips, scale and crop, small rotations, colour jitter; the mask follows."""
    return v2.Compose(
        [
            Reframe(reframe),
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
