"""The seed's UNet: two 3x3 conv+ReLU per level, max-pool down, 2x2 transposed conv up.

``UNet(width=64, num_classes=3)`` is the seed document's Keras model exactly
(31,031,875 parameters). Batch norm and dropout are opt-in flags beyond the seed.
"""

from __future__ import annotations

import torch
from torch import nn


def _double_conv(in_ch: int, out_ch: int, batch_norm: bool, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(2):
        layers.append(
            nn.Conv2d(in_ch if i == 0 else out_ch, out_ch, 3, padding=1, bias=not batch_norm)
        )
        if batch_norm:
            layers.append(nn.BatchNorm2d(out_ch))
        layers.append(nn.ReLU(inplace=True))
    if dropout > 0:
        layers.append(nn.Dropout2d(dropout))
    return nn.Sequential(*layers)


class UNet(nn.Module):
    """Encoder-decoder with skip concatenation; returns logits (softmax at inference)."""

    def __init__(
        self,
        width: int = 64,
        num_classes: int = 3,
        depth: int = 4,
        batch_norm: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        channels = [width * 2**i for i in range(depth + 1)]  # 64-128-256-512-1024
        self.down = nn.ModuleList()
        in_ch = 3
        for ch in channels[:-1]:
            self.down.append(_double_conv(in_ch, ch, batch_norm, 0.0))
            in_ch = ch
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = _double_conv(channels[-2], channels[-1], batch_norm, dropout)
        self.up = nn.ModuleList()
        self.up_conv = nn.ModuleList()
        for ch in reversed(channels[:-1]):
            self.up.append(nn.ConvTranspose2d(ch * 2, ch, 2, stride=2))
            self.up_conv.append(_double_conv(ch * 2, ch, batch_norm, 0.0))
        self.head = nn.Conv2d(channels[0], num_classes, 1)
        self.num_classes = num_classes
        self.stride = 2**depth

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottleneck(x)
        for up, conv, skip in zip(self.up, self.up_conv, reversed(skips), strict=True):
            x = conv(torch.cat([up(x), skip], dim=1))
        return self.head(x)
