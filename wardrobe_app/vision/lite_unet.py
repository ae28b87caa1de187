"""UNet decoder (transposed-conv up, skip concatenation) on an EfficientNet-Lite encoder."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .efficientnet_lite import EfficientNetLiteEncoder


def _conv_bn_relu(in_ch: int, out_ch: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_ch),
        nn.ReLU(inplace=True),
    )


class DecoderBlock(nn.Module):
    def __init__(self, in_ch: int, skip_ch: int, out_ch: int) -> None:
        super().__init__()
        self.up = nn.ConvTranspose2d(in_ch, out_ch, 2, stride=2)
        self.conv = nn.Sequential(
            _conv_bn_relu(out_ch + skip_ch, out_ch), _conv_bn_relu(out_ch, out_ch)
        )

    def forward(self, x: torch.Tensor, skip: torch.Tensor | None) -> torch.Tensor:
        x = self.up(x)
        if skip is not None:
            x = torch.cat([x, skip], dim=1)
        return self.conv(x)


class LiteUNet(nn.Module):
    """Same skip-and-concatenate decoder as the seed, on a pretrained encoder.

    With four decoder levels (the default) the head works at stride 2 and the logits are
    bilinearly upsampled: the full-resolution level cost as much as the whole rest of the
    decoder on CPU for no visible gain at garment scale.
    """

    def __init__(
        self,
        num_classes: int = 4,
        decoder_channels: tuple[int, ...] = (128, 64, 48, 32),
        encoder: str = "lite0",
    ) -> None:
        super().__init__()
        self.encoder = EfficientNetLiteEncoder(encoder)
        skips = self.encoder.skip_channels  # strides 2, 4, 8, 16, 32
        in_ch = skips[-1]
        blocks = []
        # Up from stride 32 to 1; skips at strides 16, 8, 4, 2, none at full size.
        skip_for_level = [*reversed(skips[:-1]), 0][: len(decoder_channels)]
        for skip_ch, out_ch in zip(skip_for_level, decoder_channels, strict=True):
            blocks.append(DecoderBlock(in_ch, skip_ch, out_ch))
            in_ch = out_ch
        self.decoder = nn.ModuleList(blocks)
        self.head = nn.Conv2d(in_ch, num_classes, 1)
        self.num_classes = num_classes
        self.stride = 32

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.encoder(x)
        y = features[-1]
        skips: list[torch.Tensor | None] = [*reversed(features[:-1]), None]
        for block, skip in zip(self.decoder, skips[: len(self.decoder)], strict=True):
            y = block(y, skip)
        logits = self.head(y)
        if logits.shape[-2:] != x.shape[-2:]:
            logits = F.interpolate(logits, size=x.shape[-2:], mode="bilinear", align_corners=False)
        return logits
