"""Ensemble model folders: probabilities averaged, one folder, one clear error per misuse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from wardrobe_app.vision.ensemble import ProbabilityAverage, garment_ambiguity
from wardrobe_app.vision.image_io import load_image
from wardrobe_app.vision.model_folder import (
    ModelConfig,
    ModelFolderError,
    build_model,
    ensemble_of,
    load_model,
    read_config,
    save_model,
)
from wardrobe_app.vision.segmenter import Segmenter

ROOT = Path(__file__).resolve().parents[2]


def tiny_folder(folder: Path, seed: int, **overrides: object) -> Path:
    settings = {"architecture": "unet", "width": 4, "batch_norm": True, "input_size": [64, 64]}
    settings.update(overrides)
    config = ModelConfig(**settings)  # type: ignore[arg-type]
    torch.manual_seed(seed)
    model = build_model(config)
    # Non-trivial batch-norm statistics, so that folding them is really exercised.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)  # type: ignore[union-attr]
            module.running_var.uniform_(0.5, 2.0)  # type: ignore[union-attr]
    return save_model(model, config, folder, half=False)


@pytest.fixture()
def members(tmp_path: Path) -> list[Path]:
    return [tiny_folder(tmp_path / "a", 0), tiny_folder(tmp_path / "b", 1)]


def test_softmax_of_the_output_is_the_members_mean_probability(members: list[Path]) -> None:
    networks = [load_model(folder)[0] for folder in members]
    ensemble = ProbabilityAverage(networks)
    x = torch.rand(2, 3, 64, 64)
    with torch.inference_mode():
        expected = sum(net(x).softmax(1) for net in networks) / 2
        assert torch.allclose(ensemble(x).softmax(1), expected, atol=1e-6)
        assert torch.allclose(ensemble.probabilities(x), expected, atol=1e-6)
        assert torch.isfinite(ensemble(x)).all()


def test_an_ensemble_folder_round_trips_and_segments(members: list[Path], tmp_path: Path) -> None:
    model, config = ensemble_of(members, "pair")
    save_model(model, config, tmp_path / "pair", half=False)
    loaded, read = load_model(tmp_path / "pair")
    assert read.architecture == "ensemble" and read.name == "pair"
    assert read.describe_network() == "ensemble of unet + unet"
    assert read.training["ensemble_of"] == [str(folder) for folder in members]
    x = torch.rand(1, 3, 64, 64)
    with torch.inference_mode():
        assert torch.allclose(loaded(x), model(x), atol=1e-6)
    # The app's reader takes it as it is: batch norms folded, any photo size.
    segmenter = Segmenter(tmp_path / "pair", device="cpu")
    photo = np.random.default_rng(0).integers(0, 255, (71, 45, 3), dtype=np.uint8)
    labels = segmenter.segment(photo)
    assert labels.shape == (71, 45) and labels.dtype == np.uint8
    singles = [Segmenter(folder, device="cpu").probabilities(photo) for folder in members]
    assert np.allclose(segmenter.probabilities(photo), (singles[0] + singles[1]) / 2, atol=1e-4)


def test_one_folder_is_not_an_ensemble(members: list[Path]) -> None:
    with pytest.raises(ModelFolderError, match="at least two"):
        ensemble_of(members[:1], "one")


def test_members_of_other_classes_are_refused(members: list[Path], tmp_path: Path) -> None:
    seed_classes = tiny_folder(tmp_path / "c", 2, class_names=["background", "top", "bottom"])
    with pytest.raises(ModelFolderError, match="member 2: its class_names"):
        ensemble_of([members[0], seed_classes], "mixed")


def test_members_of_another_working_size_are_refused(members: list[Path], tmp_path: Path) -> None:
    bigger = tiny_folder(tmp_path / "c", 2, input_size=[96, 64])
    with pytest.raises(ModelFolderError, match="member 2: its input_size"):
        ensemble_of([members[0], bigger], "mixed")


def test_an_ensemble_does_not_nest(members: list[Path], tmp_path: Path) -> None:
    model, config = ensemble_of(members, "pair")
    save_model(model, config, tmp_path / "pair")
    with pytest.raises(ModelFolderError, match="is an ensemble already"):
        ensemble_of([tmp_path / "pair", members[0]], "nested")


def edit_config(folder: Path, edit: object) -> None:
    path = folder / "config.json"
    data = json.loads(path.read_text())
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["members"].pop(), "at least two members"),
        (lambda d: d["members"][1].update(depth=3), "member 2: config.json has unknown keys"),
        (lambda d: d["members"].__setitem__(0, [1, 2]), "member 1: not a JSON object"),
        (lambda d: d["members"][0].update(architecture="ensemble"), "cannot nest"),
        (lambda d: d.update(architecture="unet"), "lists members or consult_above, but unet"),
        (lambda d: d.update(consult_above=1.0), r"consult_above must be in \[0, 1\)"),
    ],
)
def test_a_broken_ensemble_config_is_one_clear_error(
    members: list[Path], tmp_path: Path, edit: object, message: str
) -> None:
    model, config = ensemble_of(members, "pair")
    save_model(model, config, tmp_path / "pair")
    edit_config(tmp_path / "pair", edit)
    with pytest.raises(ModelFolderError, match=message):
        read_config(tmp_path / "pair")


def test_weights_of_another_ensemble_are_a_clear_mismatch(
    members: list[Path], tmp_path: Path
) -> None:
    model, config = ensemble_of(members, "pair")
    save_model(model, config, tmp_path / "pair")
    edit_config(tmp_path / "pair", lambda d: d["members"][1].update(width=8))
    with pytest.raises(ModelFolderError, match=r"does not match .*ensemble of unet \+ unet"):
        load_model(tmp_path / "pair")


def test_combine_models_tool_writes_a_folder_the_app_reads(
    members: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "combined"
    tool = ROOT / "tools" / "combine_models.py"
    done = subprocess.run(
        [sys.executable, str(tool), str(out), *map(str, members)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "ensemble of unet + unet" in done.stdout
    assert read_config(out).name == "combined"
    failed = subprocess.run(
        [sys.executable, str(tool), str(tmp_path / "x"), str(members[0]), str(tmp_path / "nope")],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith("error:") and "does not exist" in failed.stderr
    assert not (tmp_path / "x").exists()


def probs_of(*pixels: list[float]) -> torch.Tensor:
    """(1, C, 1, n) probabilities from per-pixel class distributions."""
    return torch.tensor(pixels, dtype=torch.float32).T[None, :, None, :]


def test_garment_ambiguity_reads_the_margin_between_garment_classes() -> None:
    sure = probs_of([0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0])
    coin_toss = probs_of([0.0, 0.0, 0.5, 0.5], [0.1, 0.0, 0.45, 0.45])
    half = probs_of([0.0, 0.75, 0.25, 0.0])  # shares 0.75 / 0.25: margin 0.5
    nothing = probs_of([0.9, 0.1, 0.0, 0.0])
    values = garment_ambiguity(torch.cat([sure, coin_toss[..., :1].expand_as(sure)]))
    assert values.tolist() == pytest.approx([0.0, 1.0])
    assert garment_ambiguity(coin_toss).item() == pytest.approx(1.0)
    assert garment_ambiguity(half).item() == pytest.approx(0.5)
    assert garment_ambiguity(nothing).item() == 1.0  # nothing found is no reason to be sure
    one_garment = torch.tensor([0.2, 0.8])[None, :, None, None]
    assert garment_ambiguity(one_garment).item() == 0.0


class FixedNet(torch.nn.Module):
    """Returns the same log-probabilities for every image; counts the images it saw."""

    def __init__(self, per_image: list[list[float]]) -> None:
        super().__init__()
        self.logits = torch.tensor(per_image).log()[:, :, None, None]
        self.seen = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen += len(x)
        return self.logits[: len(x)].expand(len(x), -1, *x.shape[2:]).clone()


def test_a_cascade_consults_the_others_only_where_the_first_is_unsure() -> None:
    # Image 0: the first member is sure (a top); image 1: torn between bottom and one-piece.
    first = FixedNet([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]])
    second = FixedNet([[0.0, 0.0, 0.2, 0.8]])  # asked about image 1 alone: its first row
    cascade = ProbabilityAverage([first, second], consult_above=0.5)
    probs = cascade.probabilities(torch.zeros(2, 3, 4, 4))
    assert second.seen == 1 and (cascade.images_seen, cascade.images_consulted) == (2, 1)
    assert probs[0, :, 0, 0].tolist() == pytest.approx([0.0, 1.0, 0.0, 0.0])  # first's own
    assert probs[1, :, 0, 0].tolist() == pytest.approx([0.0, 0.0, 0.35, 0.65])  # the mean
    always = ProbabilityAverage([first, FixedNet([[1.0, 0, 0, 0], [1.0, 0, 0, 0]])])
    always.probabilities(torch.zeros(2, 3, 4, 4))
    assert always.images_consulted == 2


def test_combine_models_tool_calibrates_a_cascade_on_a_photo_folder(
    members: list[Path], tmp_path: Path
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(5):
        pixels = rng.integers(0, 255, (40 + 8 * i, 30, 3), dtype=np.uint8)
        cv2.imwrite(str(photos / f"{i}.png"), pixels)
    (photos / "broken.jpg").write_bytes(b"not a photo")
    tool = ROOT / "tools" / "combine_models.py"
    out = tmp_path / "cascade"
    args = [sys.executable, str(tool), str(out), *map(str, members), "--consult-share", "0.4"]
    refused = subprocess.run(args, capture_output=True, text=True)
    assert refused.returncode == 2 and "needs --calibrate" in refused.stderr
    done = subprocess.run([*args, "--calibrate", str(photos)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "broken.jpg" in done.stderr and "calibrated on 5 photos" in done.stdout
    assert read_config(out).training["consult_share"] == 0.4
    # On the photos it was calibrated on, the cascade consults on the share asked for.
    cascade = Segmenter(out, device="cpu", reframe=False)
    for i in range(5):
        cascade.segment(load_image(photos / f"{i}.png"))
    network = cascade.model
    assert isinstance(network, ProbabilityAverage)
    assert (network.images_seen, network.images_consulted) == (5, 2)


def test_a_threshold_out_of_range_is_refused_before_anything_is_written(
    members: list[Path],
) -> None:
    with pytest.raises(ModelFolderError, match=r"consult_above must be in \[0, 1\)"):
        ensemble_of(members, "never", consult_above=1.0)


def test_a_cascade_runs_in_half_precision_and_passes_gradients(members: list[Path]) -> None:
    first = FixedNet([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]])
    second = FixedNet([[0.0, 0.0, 0.2, 0.8]])
    half = ProbabilityAverage([first.half(), second.half()], consult_above=0.5)
    x = torch.zeros(2, 3, 4, 4, dtype=torch.float16).contiguous(memory_format=torch.channels_last)
    probs = half.probabilities(x)
    assert probs.dtype == torch.float32 and half.images_consulted == 1
    assert probs[1, :, 0, 0].tolist() == pytest.approx([0.0, 0.0, 0.35, 0.65], abs=1e-3)
    # Real networks with gradients on: the out-of-place mix lets backward() through.
    networks = [load_model(folder)[0] for folder in members]
    images = torch.rand(3, 3, 64, 64) * torch.tensor([0.2, 1.0, 5.0])[:, None, None, None]
    with torch.no_grad():
        ambiguity = garment_ambiguity(networks[0](images).softmax(1)).sort().values
    cascade = ProbabilityAverage(networks, consult_above=float(ambiguity[1]))
    cascade(images).sum().backward()
    assert cascade.images_consulted == 1  # the most ambiguous of the three
    assert all(p.grad is not None for net in networks for p in net.parameters())


def test_model_folder_files_are_readable_by_others(members: list[Path], tmp_path: Path) -> None:
    import stat

    for name in ("weights.pt", "config.json"):
        assert stat.S_IMODE((members[0] / name).stat().st_mode) == 0o644
    (members[0] / "config.json").chmod(0o640)
    model, config = load_model(members[0])
    config.name = "renamed"
    save_model(model, config, members[0])
    assert stat.S_IMODE((members[0] / "config.json").stat().st_mode) == 0o640  # kept


def test_average_models_tool_averages_one_network_and_refuses_others(tmp_path: Path) -> None:
    tool = ROOT / "tools" / "average_models.py"
    a, b = tiny_folder(tmp_path / "a", 1), tiny_folder(tmp_path / "b", 2)
    done = subprocess.run(
        [sys.executable, str(tool), str(tmp_path / "soup"), str(a), str(b)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    soup, _ = load_model(tmp_path / "soup")
    first, second = load_model(a)[0].state_dict(), load_model(b)[0].state_dict()
    for name, value in soup.state_dict().items():
        if value.is_floating_point():
            assert torch.allclose(value, (first[name] + second[name]) / 2, atol=1e-3), name
    # A 3-class model, or a wider one: a raw "stack expects each tensor to be equal size".
    for other, said in (
        (tiny_folder(tmp_path / "seed", 3, class_names=["background", "top", "bottom"]), "classes"),
        (tiny_folder(tmp_path / "wide", 4, width=8), "shapes"),
    ):
        refused = subprocess.run(
            [sys.executable, str(tool), str(tmp_path / "x"), str(a), str(other)],
            capture_output=True,
            text=True,
        )
        assert refused.returncode == 2 and "cannot be averaged" in refused.stderr
        assert said in refused.stderr and "Traceback" not in refused.stderr
        assert not (tmp_path / "x").exists()
