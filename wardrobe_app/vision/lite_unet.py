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


class GlobalContext(nn.Module):
    """Image-level context at the bottleneck, after EncNet (Zhang et al., CVPR 2018).

    The pooled stride-32 features rescale every channel, and a presence head predicts
    which garment classes the photo shows (trained with a photo-level loss). The hard
    errors here are whole garments with the wrong class (a dress under a cardigan taken
    for a skirt): a decision about the photo, which a per-pixel loss only teaches
    indirectly. The scale starts at exactly 1 (zero-initialised), so a network without
    this module can be warm-started into one with it and begins where it left off.
    """

    def __init__(self, channels: int, num_garment_classes: int, hidden: int = 128) -> None:
        super().__init__()
        self.embed = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(inplace=True))
        self.scale = nn.Linear(hidden, channels)
        nn.init.zeros_(self.scale.weight)
        nn.init.zeros_(self.scale.bias)
        self.presence = nn.Linear(hidden, num_garment_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.embed(x.mean(dim=(2, 3)))
        scale = 1.0 + torch.tanh(self.scale(h))  # in (0, 2): can mute or double a channel
        return x * scale[:, :, None, None], self.presence(h)


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
        context: bool = False,
    ) -> None:
        super().__init__()
        self.encoder = EfficientNetLiteEncoder(encoder)
        skips = self.encoder.skip_channels  # strides 2, 4, 8, 16, 32
        in_ch = skips[-1]
        self.context = GlobalContext(in_ch, num_classes - 1) if context else None
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
        return self.forward_with_presence(x)[0]

    def forward_with_presence(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Per-pixel logits, and the presence logits of the garment classes (or None
        without a context module)."""
        features = self.encoder(x)
        y = features[-1]
        presence = None
        if self.context is not None:
            y, presence = self.context(y)
        skips: list[torch.Tensor | None] = [*reversed(features[:-1]), None]
        for block, skip in zip(self.decoder, skips[: len(self.decoder)], strict=True):
            y = block(y, skip)
        logits = self.head(y)
        if logits.shape[-2:] != x.shape[-2:]:
            logits = F.interpolate(logits, size=x.shape[-2:], mode="bilinear", align_corners=False)
        return logits, presence
