"""Batch-norm folding: same outputs, no batch norm left, and a safe fallback."""

from __future__ import annotations

import logging

import pytest
import torch
from torch import nn

from wardrobe_app.vision.embedder_net import Lite0Features
from wardrobe_app.vision.fold_bn import fold_batch_norms
from wardrobe_app.vision.model_folder import ModelConfig, build_model


def randomise_statistics(model: nn.Module) -> None:
    """Trained-looking batch norms (fresh ones are the identity and would prove nothing)."""
    gen = torch.Generator().manual_seed(0)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            n = module.num_features
            module.running_mean.copy_(torch.randn(n, generator=gen))
            module.running_var.copy_(torch.rand(n, generator=gen) * 3 + 0.1)
            with torch.no_grad():
                module.weight.copy_(torch.randn(n, generator=gen))
                module.bias.copy_(torch.randn(n, generator=gen))


def batch_norms(model: nn.Module) -> int:
    return sum(isinstance(m, nn.BatchNorm2d) for m in model.modules())


@pytest.mark.parametrize(
    "config",
    [
        ModelConfig(architecture="lite-unet", input_size=[64, 64]),
        ModelConfig(architecture="unet", width=4, batch_norm=True, input_size=[64, 64]),
    ],
    ids=["lite-unet", "seed-unet-bn"],
)
def test_folded_network_gives_the_same_output(config: ModelConfig) -> None:
    model = build_model(config)
    randomise_statistics(model)
    model.eval()
    folded = fold_batch_norms(model, (torch.rand(1, 3, 64, 64),))
    assert folded is not model and batch_norms(folded) == 0 and batch_norms(model) > 0
    x = torch.rand(2, 3, 96, 64)
    with torch.inference_mode():
        expected, got = model(x), folded(x)
    assert torch.allclose(expected, got, atol=1e-4 * expected.abs().max().item())


def test_embedder_backbone_folds_with_and_without_a_mask() -> None:
    backbone = Lite0Features()
    randomise_statistics(backbone)
    folded = fold_batch_norms(backbone.eval(), (torch.rand(1, 3, 64, 64),))
    assert batch_norms(folded) == 0
    x, mask = torch.rand(1, 3, 96, 64), (torch.rand(1, 1, 96, 64) > 0.5).float()
    with torch.inference_mode():
        assert torch.allclose(backbone(x, mask), folded(x, mask), atol=1e-4)


class BatchNormFirst(nn.Module):
    """Registers conv then batch norm, but runs the batch norm first: not foldable."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.bn(x))


def test_a_fold_that_changes_the_output_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    model = BatchNormFirst()
    randomise_statistics(model)
    with caplog.at_level(logging.WARNING):
        assert fold_batch_norms(model, (torch.rand(1, 3, 16, 16),)) is model
    assert "kept it unfolded" in caplog.text
    assert batch_norms(model) == 1  # the original is untouched


def test_a_network_without_batch_norm_is_returned_as_is() -> None:
    model = build_model(ModelConfig(architecture="unet", width=4, input_size=[64, 64]))
    assert fold_batch_norms(model, (torch.rand(1, 3, 64, 64),)) is model
