"""Joint photo + mask augmentation with torchvision.transforms.v2."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchvision import tv_tensors
from torchvision.transforms import v2

from .losses import IGNORE_INDEX


class Reframe:
    """With probability ``p``, the photo as if it had been framed another way.

    CCP's photos are full-length portraits that fill the frame; people also take
    waist-up, legs-only and close shots, and shops show a small figure on a plain studio
    backdrop. Half the reframed photos zoom in: a random window (at least ``min_height``
    x ``min_width`` of the frame, often from its top or bottom edge) is scaled up, keeping
    its aspect, until it fills the frame's height or width (a photo of that framing fills
    the segmenter's working size the same way); the rest of the frame is black and without
    labels, so that it costs no loss (a batch needs one size; at inference there is no such
    margin). The other
    half zoom out: the photo shrunk to ``min_shrink``-0.9 of its size somewhere on a
    plain backdrop of a random colour, labelled background.
    """

    def __init__(
        self, p: float, min_height: float = 0.4, min_width: float = 0.6, min_shrink: float = 0.45
    ) -> None:
        self.p, self.min_height, self.min_width = p, min_height, min_width
        self.min_shrink = min_shrink

    def __call__(
        self, image: tv_tensors.Image, mask: tv_tensors.Mask
    ) -> tuple[tv_tensors.Image, tv_tensors.Mask]:
        if self.p <= 0 or torch.rand(()) >= self.p:
            return image, mask
        if torch.rand(()) < 0.5:
            return self._zoom_in(image, mask)
        return self._zoom_out(image, mask)

    def _zoom_in(
        self, image: tv_tensors.Image, mask: tv_tensors.Mask
    ) -> tuple[tv_tensors.Image, tv_tensors.Mask]:
        height, width = image.shape[-2:]
        h = int(height * torch.empty(()).uniform_(self.min_height, 1.0))
        w = int(width * torch.empty(()).uniform_(self.min_width, 1.0))
        # Waist-up and legs-only shots start at the photo's top or end at its bottom.
        anchor = int(torch.randint(0, 3, ()))
        top = (0, height - h, int(torch.randint(0, height - h + 1, ())))[anchor]
        left = int(torch.randint(0, width - w + 1, ()))
        scale = min(height / h, width / w)
        size = (min(height, round(h * scale)), min(width, round(w * scale)))
        window = image[:, top : top + h, left : left + w]
        out = torch.zeros_like(image)
        out_mask = torch.full_like(mask, IGNORE_INDEX)
        out[:, : size[0], : size[1]] = _resized_image(window, size)
        out_mask[: size[0], : size[1]] = _resized_labels(mask[top : top + h, left : left + w], size)
        return tv_tensors.Image(out), tv_tensors.Mask(out_mask)

    def _zoom_out(
        self, image: tv_tensors.Image, mask: tv_tensors.Mask
    ) -> tuple[tv_tensors.Image, tv_tensors.Mask]:
        height, width = image.shape[-2:]
        shrink = float(torch.empty(()).uniform_(self.min_shrink, 0.9))
        size = (max(1, round(height * shrink)), max(1, round(width * shrink)))
        top = int(torch.randint(0, height - size[0] + 1, ()))
        left = int(torch.randint(0, width - size[1] + 1, ()))
        backdrop = torch.randint(0, 256, (3, 1, 1), dtype=torch.uint8)
        out = backdrop.expand_as(image).clone()
        out_mask = torch.zeros_like(mask)
        out[:, top : top + size[0], left : left + size[1]] = _resized_image(image, size)
        out_mask[top : top + size[0], left : left + size[1]] = _resized_labels(mask, size)
        return tv_tensors.Image(out), tv_tensors.Mask(out_mask)


def _resized_image(image: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    resized = F.interpolate(
        image[None].float(), size=size, mode="bilinear", align_corners=False, antialias=True
    )
    return resized[0].round().clamp(0, 255).to(image.dtype)


def _resized_labels(labels: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    # nearest-exact samples at pixel centres, as the bilinear photo does: no half-pixel shift.
    resized = F.interpolate(labels[None, None].float(), size=size, mode="nearest-exact")
    return resized[0, 0].to(labels.dtype)


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
