"""Segmenter inference: any photo size in, a label map of exactly that size out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from wardrobe_app import paths
from wardrobe_app.vision.model_folder import ModelFolderError
from wardrobe_app.vision.segmenter import Segmenter, fit_size, framing_box, resolve_device

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


def _background_with_garments(
    shape: tuple[int, int], box: tuple[int, int, int, int]
) -> torch.Tensor:
    """A first pass's background probability: garments (0.1) inside ``box``, 0.9 elsewhere."""
    background = torch.full(shape, 0.9)
    y0, y1, x0, x1 = box
    background[y0:y1, x0:x1] = 0.1
    return background


def test_framing_box_zooms_on_a_small_figure() -> None:
    # Garments over rows 150-250 and columns 100-150 of a 384x256 first pass of a photo
    # twice that size: the window holds them with room for head, legs and arms.
    background = _background_with_garments((384, 256), (150, 250, 100, 150))
    box = framing_box(background, (768, 512), (384, 256))
    assert box is not None
    y0, y1, x0, x1 = box
    assert y0 < 300 and y1 > 500 and x0 < 200 and x1 > 300  # the garments, in photo pixels
    assert y0 >= 200 and y1 <= 600 and x0 >= 100 and x1 <= 400  # and much less than the photo


def test_framing_box_leaves_a_filled_frame_and_an_empty_photo_alone() -> None:
    full_length = _background_with_garments((384, 256), (60, 330, 60, 200))  # CCP-like
    assert framing_box(full_length, (825, 550), (384, 256)) is None
    empty = torch.full((384, 256), 0.9)
    assert framing_box(empty, (825, 550), (384, 256)) is None
    # Legs-only: the garments run into the top edge; the figure is cut, not small.
    cut_at_the_top = _background_with_garments((384, 256), (0, 150, 100, 150))
    assert framing_box(cut_at_the_top, (825, 550), (384, 256)) is None


def test_framing_box_ignores_stray_pixels() -> None:
    background = _background_with_garments((384, 256), (150, 250, 100, 150))
    background[0, 0] = background[383, 255] = 0.1  # two specks in opposite corners
    assert framing_box(background, (384, 256), (384, 256)) == framing_box(
        _background_with_garments((384, 256), (150, 250, 100, 150)), (384, 256), (384, 256)
    )


def test_small_figure_is_segmented_again_zoomed(
    tiny_segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second pass sees only the window, and its answer replaces the first inside it."""
    seen: list[tuple[int, ...]] = []

    def fake_forward(rgb: np.ndarray) -> torch.Tensor:
        seen.append(rgb.shape)
        if len(seen) == 1:  # the whole photo: a small garment in the middle
            probs = torch.zeros(1, 4, 96, 64)
            probs[0, 0] = _background_with_garments((96, 64), (40, 60, 25, 40))
            probs[0, 2] = 1 - probs[0, 0]  # called a bottom at first
            return probs
        probs = torch.zeros(1, 4, 48, 32)
        probs[0, 1] = 1.0  # the zoomed pass: a top everywhere in its window
        return probs

    monkeypatch.setattr(tiny_segmenter, "_forward", fake_forward)
    labels = tiny_segmenter.segment(np.zeros((300, 200, 3), np.uint8))
    assert len(seen) == 2 and seen[1][0] < 300 and seen[1][1] < 200
    assert labels.shape == (300, 200)
    assert labels[150, 100] == 1  # the window's verdict
    assert labels[5, 5] == 0 and labels[295, 195] == 0  # outside it, the first pass's
    top_rows = np.flatnonzero((labels == 1).any(1))
    assert top_rows[0] > 0 and top_rows[-1] < 299

    seen.clear()
    tiny_segmenter.reframe = False
    labels = tiny_segmenter.segment(np.zeros((300, 200, 3), np.uint8))
    assert len(seen) == 1 and labels[150, 100] == 2


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
