"""Segmenter inference: any photo size in, a label map of exactly that size out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from wardrobe_app import paths
from wardrobe_app.vision.model_folder import ModelFolderError
from wardrobe_app.vision.segmenter import Segmenter, resolve_device

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


def _pass_with_garments(
    shape: tuple[int, int], box: tuple[int, int, int, int], cls: int
) -> torch.Tensor:
    """A pass's probabilities (1, 4, *shape): class ``cls`` inside ``box``, background elsewhere."""
    y0, y1, x0, x1 = box
    probs = torch.zeros(1, 4, *shape)
    probs[0, 0] = 0.9
    probs[0, cls] = 0.1
    probs[0, 0, y0:y1, x0:x1] = 0.1
    probs[0, cls, y0:y1, x0:x1] = 0.9
    return probs


def test_small_figure_is_segmented_again_zoomed(
    tiny_segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second pass sees only the window, and its answer replaces the first inside it."""
    seen: list[tuple[int, ...]] = []

    def fake_forward(rgb: np.ndarray) -> torch.Tensor:
        seen.append(rgb.shape)
        if len(seen) == 1:  # the whole photo: a small garment in the middle, called a bottom
            return _pass_with_garments((96, 64), (40, 60, 25, 40), cls=2)
        # The zoomed pass: a top, framed in its window as the window framed it.
        return _pass_with_garments((48, 32), (10, 38, 9, 23), cls=1)

    monkeypatch.setattr(tiny_segmenter, "_forward", fake_forward)
    labels = tiny_segmenter.segment(np.zeros((300, 200, 3), np.uint8))
    assert len(seen) == 2 and seen[1][0] < 300 and seen[1][1] < 200
    assert labels.shape == (300, 200)
    assert labels[150, 100] == 1  # the window's verdict
    assert labels[5, 5] == 0 and labels[295, 195] == 0  # outside it, the first pass's
    assert not (labels == 2).any()

    seen.clear()
    tiny_segmenter.reframe = False
    labels = tiny_segmenter.segment(np.zeros((300, 200, 3), np.uint8))
    assert len(seen) == 1 and labels[150, 100] == 2


def test_zoomed_window_grows_when_the_first_pass_found_half_the_figure(
    tiny_segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first pass saw only the top of a far figure; the closer look finds garments
    running out of its window's bottom, so the next window reaches further down."""
    windows: list[tuple[int, ...]] = []

    def fake_forward(rgb: np.ndarray) -> torch.Tensor:
        windows.append(rgb.shape)
        if len(windows) == 1:
            return _pass_with_garments((96, 96), (30, 40, 40, 50), cls=1)
        return _pass_with_garments((48, 48), (5, 48, 20, 28), cls=3)  # to the bottom edge

    monkeypatch.setattr(tiny_segmenter, "_forward", fake_forward)
    labels = tiny_segmenter.segment(np.zeros((600, 600, 3), np.uint8))
    assert len(windows) == 1 + tiny_segmenter.zoom_passes
    assert windows[2][0] > windows[1][0]  # a taller window the second time
    rows = np.flatnonzero((labels == 3).any(1))
    first_window_bottom = 600 * (40 + 0.35 * 10) / 96
    assert rows[-1] > first_window_bottom


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


@pytest.mark.data
@pytest.mark.slow
def test_small_figure_on_a_backdrop_is_found_better_zoomed() -> None:
    """A val photo shrunk onto a studio backdrop (as shops show clothes): the zoomed
    second pass must beat a single pass over the whole frame."""
    if not CCP.exists():
        pytest.skip("../shared/data/ccp not present")
    import cv2

    from wardrobe_app.training.ccp import label_lookup, load_pair, read_split
    from wardrobe_app.training.metrics import ConfusionMatrix

    zoomed, single = Segmenter(device="cpu"), Segmenter(device="cpu", reframe=False)
    table = label_lookup(CCP, 4)
    matrices = {"zoomed": ConfusionMatrix(4), "single": ConfusionMatrix(4)}
    for stem in read_split(CCP, "val.txt")[:12]:
        rgb, target = load_pair(CCP, stem, table)
        h, w = target.shape
        photo = cv2.copyMakeBorder(
            rgb, h // 4, h // 4, w // 2, w // 2, cv2.BORDER_CONSTANT, value=(245,) * 3
        )
        truth = cv2.copyMakeBorder(
            target, h // 4, h // 4, w // 2, w // 2, cv2.BORDER_CONSTANT, value=0
        )
        matrices["zoomed"].update(truth, zoomed.segment(photo))
        matrices["single"].update(truth, single.segment(photo))
    means = {k: float(np.nanmean(m.iou()[1:])) for k, m in matrices.items()}
    assert means["zoomed"] > means["single"] + 0.05, means
