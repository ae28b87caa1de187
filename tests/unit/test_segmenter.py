"""Segmenter inference: any photo size in, a label map of exactly that size out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from memory import peak_growth_mb

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


def test_labels_and_probabilities_from_one_pass(tiny_segmenter: Segmenter) -> None:
    rgb = np.random.default_rng(2).integers(0, 255, (70, 50, 3), dtype=np.uint8)
    labels, probs = tiny_segmenter.labels_and_probabilities(rgb)
    assert labels.dtype == np.uint8 and probs.dtype == np.float32
    assert np.array_equal(labels, tiny_segmenter.segment(rgb))
    assert np.allclose(probs, tiny_segmenter.probabilities(rgb))
    assert np.array_equal(labels, probs.argmax(0))


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
    assert labels[5, 5] == 0 and labels[295, 195] == 0  # outside it, background
    assert not (labels == 2).any()

    seen.clear()
    tiny_segmenter.zoom_passes = 0
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


def _scripted_passes(
    segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch, passes: list[torch.Tensor]
) -> list[tuple[int, ...]]:
    """Make the network answer ``passes`` in turn (the last one again after that); the
    returned list fills with the shape of each photo or window it is shown."""
    seen: list[tuple[int, ...]] = []

    def fake_forward(rgb: np.ndarray) -> torch.Tensor:
        seen.append(rgb.shape)
        return passes[min(len(seen), len(passes)) - 1]

    monkeypatch.setattr(segmenter, "_forward", fake_forward)
    return seen


SMALL_FIGURE = _pass_with_garments((96, 64), (40, 60, 25, 40), cls=2)
FRAMED_TOP = _pass_with_garments((48, 32), (10, 38, 9, 23), cls=1)
NOTHING = _pass_with_garments((48, 32), (0, 0, 0, 0), cls=1)


def test_garment_specks_outside_the_window_become_background(
    tiny_segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = SMALL_FIGURE.clone()
    first[0, 0, 90:93, 2:5], first[0, 3, 90:93, 2:5] = 0.1, 0.9  # a one-piece speck far off
    # On this flat photo the edge filter alone would blur a 3-pixel speck away: off, so
    # that only the window decides.
    tiny_segmenter.refine_edges = False
    _scripted_passes(tiny_segmenter, monkeypatch, [first, FRAMED_TOP])
    labels = tiny_segmenter.segment(np.zeros((300, 200, 3), np.uint8))
    assert not (labels == 3).any() and labels[150, 100] == 1
    tiny_segmenter.zoom_passes = 0
    _scripted_passes(tiny_segmenter, monkeypatch, [first])
    assert (tiny_segmenter.segment(np.zeros((300, 200, 3), np.uint8)) == 3).any()


def test_a_closer_look_that_finds_nothing_keeps_the_first_pass(
    tiny_segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _scripted_passes(tiny_segmenter, monkeypatch, [SMALL_FIGURE, NOTHING])
    labels = tiny_segmenter.segment(np.zeros((300, 200, 3), np.uint8))
    assert len(seen) == 2
    assert labels[150, 100] == 2  # the first pass's bottom, not lost


def test_a_later_look_that_finds_nothing_keeps_the_last_window(
    tiny_segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first closer look finds a top in a corner of its window (so the window moves),
    # the next finds nothing: the first closer look's answer stands.
    corner_top = _pass_with_garments((48, 32), (2, 12, 2, 10), cls=1)
    seen = _scripted_passes(tiny_segmenter, monkeypatch, [SMALL_FIGURE, corner_top, NOTHING])
    labels = tiny_segmenter.segment(np.zeros((300, 200, 3), np.uint8))
    assert len(seen) == 3
    assert (labels == 1).any() and not (labels == 2).any()


def test_closer_look_at_another_output_size_and_on_a_landscape_photo(
    tiny_segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window is pasted where it belongs at any output size, either orientation."""
    wide_figure = _pass_with_garments((64, 96), (25, 40, 40, 55), cls=2)
    landscape = np.zeros((200, 300, 3), np.uint8)
    _scripted_passes(tiny_segmenter, monkeypatch, [wide_figure, FRAMED_TOP])
    full = tiny_segmenter.segment(landscape)
    _scripted_passes(tiny_segmenter, monkeypatch, [wide_figure, FRAMED_TOP])
    half = tiny_segmenter.probabilities(landscape, out_size=(100, 150)).argmax(0)
    assert full.shape == (200, 300) and half.shape == (100, 150)
    for labels, scale in ((full, 1.0), (half, 0.5)):
        rows = np.flatnonzero((labels == 1).any(1))
        cols = np.flatnonzero((labels == 1).any(0))
        # FRAMED_TOP's top fills rows 10-38 of 48 and columns 9-23 of 32 of the window.
        ys, xs = np.flatnonzero((full == 1).any(1)), np.flatnonzero((full == 1).any(0))
        assert abs(rows[0] - ys[0] * scale) <= 2 and abs(rows[-1] - ys[-1] * scale) <= 2
        assert abs(cols[0] - xs[0] * scale) <= 2 and abs(cols[-1] - xs[-1] * scale) <= 2
    seen = _scripted_passes(tiny_segmenter, monkeypatch, [wide_figure, FRAMED_TOP])
    tiny = tiny_segmenter.probabilities(landscape, out_size=(1, 2))  # a thumbnail
    assert len(seen) > 1
    assert tiny.shape == (4, 1, 2) and np.allclose(tiny.sum(0), 1.0, atol=1e-4)
    # The window sits around the figure: the middle of the photo, not its corner.
    assert 60 < ys.mean() < 140 and 110 < xs.mean() < 190


def test_edges_follow_the_photo_unless_asked_raw(
    tiny_segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The network puts a top's edge at column 100 of 320, the photo's colour changes at
    112: by default the label map follows the photo; ``refine_edges=False`` keeps 100."""
    photo = np.zeros((480, 320, 3), np.uint8)
    photo[:, :112] = (200, 40, 40)
    photo[:, 112:] = (60, 90, 160)
    tiny_segmenter.zoom_passes = 0
    _scripted_passes(
        tiny_segmenter, monkeypatch, [_pass_with_garments((48, 32), (0, 48, 0, 10), cls=1)]
    )
    snapped = tiny_segmenter.segment(photo)
    tiny_segmenter.refine_edges = False
    raw = tiny_segmenter.segment(photo)
    for labels, edge in ((snapped, 112), (raw, 100)):
        columns = np.flatnonzero((labels[100:380] == 1).all(0))
        assert abs(columns.max() + 1 - edge) <= 2, (edge, columns.max())
    assert not Segmenter(tiny_segmenter.model_dir, device="cpu", refine_edges=False).refine_edges


def test_a_big_photo_is_snapped_at_a_capped_size_then_upsampled(
    tiny_segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A phone photo's edges are snapped with the photo shrunk to REFINE_MAX_SIDE: the
    filter's cost stays bounded, and the label map still has the photo's size."""
    from wardrobe_app.vision import segmenter as segmenter_module
    from wardrobe_app.vision.edge_refine import EdgeRefinement

    guides: list[tuple[int, ...]] = []
    real = EdgeRefinement.__call__

    def recording(self: EdgeRefinement, guide: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
        guides.append(tuple(guide.shape))
        return real(self, guide, probs)

    monkeypatch.setattr(EdgeRefinement, "__call__", recording)
    tiny_segmenter.zoom_passes = 0
    side = segmenter_module.REFINE_MAX_SIDE
    big = np.random.default_rng(3).integers(0, 255, (2 * side, 3 * side // 2, 3), np.uint8)
    labels = tiny_segmenter.segment(big)
    assert labels.shape == big.shape[:2]
    assert guides == [(1, 3, side, 3 * side // 4)]
    small = big[:300, :200]
    assert tiny_segmenter.segment(small).shape == (300, 200)
    assert guides[-1] == (1, 3, 300, 200)  # at its own size


@pytest.mark.parametrize("refine_edges", [True, False])
@pytest.mark.parametrize("closer_look", [True, False])
def test_a_big_photos_labels_are_its_upsampled_probabilities_argmax(
    tiny_segmenter: Segmenter,
    monkeypatch: pytest.MonkeyPatch,
    refine_edges: bool,
    closer_look: bool,
) -> None:
    """The label map of a photo bigger than REFINE_MAX_SIDE, upsampled a strip at a time,
    is the argmax of its probabilities upsampled whole, pixel for pixel, with or without
    a closer look's window (its outside background) and with edges snapped or raw."""
    big = np.random.default_rng(4).integers(0, 255, (1531, 1103, 3), np.uint8)
    tiny_segmenter.refine_edges = refine_edges
    passes = [SMALL_FIGURE, FRAMED_TOP] if closer_look else [SMALL_FIGURE]
    if not closer_look:
        tiny_segmenter.zoom_passes = 0
    seen = _scripted_passes(tiny_segmenter, monkeypatch, passes)
    labels = tiny_segmenter.segment(big)
    assert len(seen) == len(passes)
    _scripted_passes(tiny_segmenter, monkeypatch, passes)
    expected, probs = tiny_segmenter.labels_and_probabilities(big)
    assert labels.shape == big.shape[:2]
    assert np.array_equal(labels, expected)
    assert np.array_equal(labels, probs.argmax(0))
    assert (labels == (1 if closer_look else 2)).any() and (labels == 0).any()


@pytest.mark.parametrize("closer_look", [True, False])
def test_raw_edges_label_map_is_made_a_strip_at_a_time(
    tiny_segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch, closer_look: bool
) -> None:
    """With raw edges too, a big photo's label map never comes from its probabilities
    upsampled whole (``_upsampled``), and is still their argmax, pixel for pixel."""
    big = np.random.default_rng(5).integers(0, 255, (1531, 1103, 3), np.uint8)
    tiny_segmenter.refine_edges = False
    passes = [SMALL_FIGURE, FRAMED_TOP] if closer_look else [SMALL_FIGURE]
    if not closer_look:
        tiny_segmenter.zoom_passes = 0
    _scripted_passes(tiny_segmenter, monkeypatch, passes)
    expected, _ = tiny_segmenter.labels_and_probabilities(big)

    def whole(*args: object) -> torch.Tensor:
        raise AssertionError("the probabilities upsampled whole")

    monkeypatch.setattr(tiny_segmenter, "_upsampled", whole)
    _scripted_passes(tiny_segmenter, monkeypatch, passes)
    labels = tiny_segmenter.segment(big)
    assert np.array_equal(labels, expected)
    assert (labels == (1 if closer_look else 2)).any() and (labels == 0).any()


@pytest.mark.parametrize("writable", [True, False])
@pytest.mark.parametrize("shape", [(1, 1), (17, 301), (301, 17), (1531, 1103)])
def test_the_photo_resized_a_colour_at_a_time_is_as_all_three_at_once(
    tiny_segmenter: Segmenter, shape: tuple[int, int], writable: bool
) -> None:
    """On the CPU the network's input is made one colour plane at a time (a third of the
    float32 memory): the very values of the three resized together, as on CUDA."""
    rgb = np.random.default_rng(sum(shape)).integers(0, 255, (*shape, 3), np.uint8)
    rgb.flags.writeable = writable
    size = (96, 64)
    together = torch.from_numpy(rgb.copy()).permute(2, 0, 1)[None].float()
    together = F.interpolate(
        together, size=size, mode="bilinear", antialias=True, align_corners=False
    )
    expected = (together / 255.0 - tiny_segmenter._mean) / tiny_segmenter._std
    assert torch.equal(tiny_segmenter._prepare(rgb, size), expected)


def test_a_writable_photos_colour_planes_are_not_copied_out(tiny_segmenter: Segmenter) -> None:
    """Each plane was copied out of the photo before being made float32 (108 MB at
    108 MP): numpy's allocations, which tracemalloc sees (torch's it does not)."""
    import tracemalloc

    rgb = np.random.default_rng(7).integers(0, 255, (2000, 1500, 3), np.uint8)
    tracemalloc.start()
    try:
        tiny_segmenter._prepare(rgb, (96, 64))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < rgb[:, :, 0].size // 2, peak


@pytest.mark.parametrize("refine_edges", [True, False])
def test_a_big_photo_is_segmented_without_its_probabilities_at_full_size(
    tiny_segmenter: Segmenter, refine_edges: bool
) -> None:
    """A 12 MP photo: 4 classes of float32 probabilities at its size are 192 MB, their
    argmax's indices 96 MB, the photo in float32 144 MB; segmenting it took about 320 MB
    more than before it began. Upsampled a strip at a time, one colour at a time: 90.
    Raw edges, upsampled whole by torch, took 320 MB too; a strip at a time, 46."""
    tiny_segmenter.zoom_passes = 0
    tiny_segmenter.refine_edges = refine_edges
    big = np.random.default_rng(3).integers(0, 255, (4000, 3000, 3), np.uint8)
    tiny_segmenter.segment(big[:500, :400].copy())  # first-call set-up, not the photo's
    growth = peak_growth_mb(lambda: tiny_segmenter.segment(big))
    assert growth < 150, f"{growth:.0f} MB"


def test_device_choice() -> None:
    assert resolve_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        assert resolve_device("auto").type == "cpu"
        with pytest.raises(RuntimeError, match="CUDA"):
            resolve_device("cuda")
    with pytest.raises(ValueError):
        resolve_device("tpu")


def test_precision_follows_the_device_unless_asked(tiny_model_folder: Path) -> None:
    assert not Segmenter(tiny_model_folder, device="cpu").half
    assert not Segmenter(tiny_model_folder, device="cpu", half=False).half
    with pytest.raises(ValueError, match="CUDA"):
        Segmenter(tiny_model_folder, device="cpu", half=True)
    if torch.cuda.is_available():
        assert Segmenter(tiny_model_folder, device="cuda").half
        fp32 = Segmenter(tiny_model_folder, device="cuda", half=False)
        assert not fp32.half and next(fp32.model.parameters()).dtype == torch.float32


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
@pytest.mark.parametrize(
    ("pad_y", "pad_x", "studio", "gain"),
    [
        (0.25, 0.5, False, 0.05),  # the street photo shrunk onto a backdrop
        (0.5, 1.0, True, 0.2),  # the person alone on a plain wall, across the room
    ],
)
def test_small_figure_is_found_better_with_the_closer_look(
    pad_y: float, pad_x: float, studio: bool, gain: float
) -> None:
    """Val photos framed as shops and people photograph a figure from further away: the
    closer look must beat a single pass over the whole frame."""
    if not CCP.exists():
        pytest.skip("../shared/data/ccp not present")
    import cv2

    from wardrobe_app.training.ccp import label_lookup, load_pair, read_split
    from wardrobe_app.training.metrics import ConfusionMatrix

    zoomed, single = Segmenter(device="cpu"), Segmenter(device="cpu", reframe=False)
    table = label_lookup(CCP, 4)
    matrices = {"zoomed": ConfusionMatrix(4), "single": ConfusionMatrix(4)}
    wall = (236, 234, 230)
    for stem in read_split(CCP, "val.txt")[:12]:
        rgb, target = load_pair(CCP, stem, table)
        if studio:  # every pixel CCP labels other than null (0) is the person
            fine = cv2.imread(str(CCP / "labels" / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
            person = np.asarray(fine) != 0
            rgb = np.where(person[..., None], rgb, np.array(wall, np.uint8)).astype(np.uint8)
        h, w = target.shape
        py, px = int(h * pad_y), int(w * pad_x)
        photo = cv2.copyMakeBorder(rgb, py, py, px, px, cv2.BORDER_CONSTANT, value=wall)
        truth = cv2.copyMakeBorder(target, py, py, px, px, cv2.BORDER_CONSTANT, value=0)
        matrices["zoomed"].update(truth, zoomed.segment(photo))
        matrices["single"].update(truth, single.segment(photo))
    means = {k: float(np.nanmean(m.iou()[1:])) for k, m in matrices.items()}
    assert means["zoomed"] > means["single"] + gain, means


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("backdrop", [False, True])
def test_shipped_model_on_an_upscaled_val_photo_labels_as_its_probabilities(
    monkeypatch: pytest.MonkeyPatch, backdrop: bool
) -> None:
    """A val photo upscaled to 11 MP (and set on a wide backdrop: a closer look's window),
    segmented with the shipped model: its label map, upsampled a strip at a time, is the
    argmax of its probabilities upsampled whole, pixel for pixel."""
    if not CCP.exists():
        pytest.skip("../shared/data/ccp not present")
    import cv2

    from wardrobe_app.training.ccp import read_split
    from wardrobe_app.vision.image_io import load_image

    stem = read_split(CCP, "val.txt")[0]
    rgb = load_image(CCP / "images" / f"{stem}.jpg")
    if backdrop:
        h, w = rgb.shape[:2]
        rgb = cv2.copyMakeBorder(
            rgb, h // 2, h // 2, w, w, cv2.BORDER_CONSTANT, value=(236, 234, 230)
        )
    scale = (11e6 / (rgb.shape[0] * rgb.shape[1])) ** 0.5
    size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
    big = cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC)
    segmenter = Segmenter(device="cpu")
    windows: list[object] = []
    look = segmenter._look

    def recorded(rgb: np.ndarray, out: tuple[int, int]) -> object:
        chosen = look(rgb, out)
        windows.append(chosen.region)
        return chosen

    monkeypatch.setattr(segmenter, "_look", recorded)
    labels = segmenter.segment(big)
    assert (windows[0] is not None) == backdrop  # a closer look on the backdrop only
    expected, _ = segmenter.labels_and_probabilities(big)
    assert labels.shape == big.shape[:2]
    assert np.array_equal(labels, expected)
    assert len(np.unique(labels)) > 1
