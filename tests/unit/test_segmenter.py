"""Segmenter inference: any photo size in, a label map of exactly that size out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from wardrobe_app import paths
from wardrobe_app.vision.model_folder import ModelFolderError
from wardrobe_app.vision.segmenter import Segmenter, fit_size, resolve_device

CCP = paths.SHARED_DATA_DIR / "ccp"


@pytest.fixture()
def tiny_segmenter(tiny_model_folder: Path) -> Segmenter:
    return Segmenter(tiny_model_folder, device="cpu")


@pytest.mark.parametrize("shape", [(825, 550), (101, 77), (37, 300), (64, 64), (1, 1)])
def test_label_map_has_the_photo_size(tiny_segmenter: Segmenter, shape: tuple[int, int]) -> None:
    rgb = np.random.default_rng(0).integers(0, 255, (*shape, 3), dtype=np.uint8)
    labels = tiny_segmenter.segment(rgb)
    assert labels.shape == shape and labels.dtype == np.uint8
    assert labels.max() < 4


def test_probabilities_sum_to_one(tiny_segmenter: Segmenter) -> None:
    rgb = np.full((50, 40, 3), 128, np.uint8)
    probs = tiny_segmenter.probabilities(rgb)
    assert probs.shape == (4, 50, 40)
    assert np.allclose(probs.sum(0), 1.0, atol=1e-4)


def test_batch_matches_single(tiny_segmenter: Segmenter) -> None:
    rng = np.random.default_rng(1)
    photos = [rng.integers(0, 255, s, dtype=np.uint8) for s in [(80, 60, 3), (60, 90, 3)]]
    batch = tiny_segmenter.segment_batch(photos)
    for photo, labels in zip(photos, batch, strict=True):
        assert np.array_equal(labels, tiny_segmenter.segment(photo))


def test_shipped_model_folded_matches_unfolded() -> None:
    """Folding the batch norms is an inference speed-up, not a different model."""
    if not paths.DEFAULT_SEGMENTER.exists():
        pytest.skip("no shipped segmenter")
    folded = Segmenter(device="cpu")
    plain = Segmenter(device="cpu", fold_bn=False)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.model.modules())
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in plain.model.modules())
    rgb = np.random.default_rng(0).integers(0, 255, (200, 130, 3), dtype=np.uint8)
    a, b = folded.probabilities(rgb), plain.probabilities(rgb)
    assert np.abs(a - b).max() < 1e-3


def test_rejects_non_rgb(tiny_segmenter: Segmenter) -> None:
    with pytest.raises(ValueError, match="RGB uint8"):
        tiny_segmenter.segment(np.zeros((10, 10), np.uint8))


def test_fit_size_keeps_aspect_and_orientation() -> None:
    assert fit_size(825, 550, (384, 256), 32) == (384, 256)
    assert fit_size(550, 825, (384, 256), 32) == (256, 384)  # landscape uses the transpose
    h, w = fit_size(1000, 1000, (384, 256), 32)
    assert h == w == 256


def test_device_choice() -> None:
    assert resolve_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        assert resolve_device("auto").type == "cpu"
        with pytest.raises(RuntimeError, match="CUDA"):
            resolve_device("cuda")
    with pytest.raises(ValueError):
        resolve_device("tpu")


def test_missing_model_folder_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFolderError, match="does not exist"):
        Segmenter(tmp_path / "missing")


@pytest.mark.data
@pytest.mark.slow
def test_shipped_model_on_val_photos() -> None:
    if not CCP.exists():
        pytest.skip("../shared/data/ccp not present")
    from wardrobe_app.training.ccp import label_lookup, load_pair, read_split
    from wardrobe_app.training.metrics import ConfusionMatrix

    segmenter = Segmenter(device="cpu")
    assert segmenter.class_names == ["background", "top", "bottom", "one-piece"]
    table = label_lookup(CCP, 4)
    cm = ConfusionMatrix(4)
    for stem in read_split(CCP, "val.txt")[:12]:
        rgb, target = load_pair(CCP, stem, table)
        labels = segmenter.segment(rgb)
        assert labels.shape == target.shape
        cm.update(target, labels)
    iou = cm.iou()
    assert iou[0] > 0.85  # background
    assert np.nanmean(iou[1:]) > 0.5  # a floor well under the shipped figures, far over chance
