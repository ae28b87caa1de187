"""Pseudo-labels: written in CCP's layout, unsure pixels ignored by the loss, trainable."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from fakes import tiny_train_args

from wardrobe_app.cli import main
from wardrobe_app.training.losses import IGNORE_INDEX, CrossEntropyDice
from wardrobe_app.training.pseudo import load_pseudo, write_pseudo_labels
from wardrobe_app.training.train import train


@pytest.fixture()
def unlabeled(tiny_ccp: Path) -> Path:
    """tiny_ccp with an unlabeled/ folder: two of its photos and one corrupt file."""
    folder = tiny_ccp / "unlabeled"
    folder.mkdir()
    for stem in ["0000", "0001"]:
        shutil.copy(tiny_ccp / "images" / f"{stem}.jpg", folder / f"u{stem}.jpg")
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    return tiny_ccp


def test_pseudo_labels_keep_confident_pixels_and_report_bad_photos(
    unlabeled: Path, tiny_model_folder: Path, tmp_path: Path
) -> None:
    photos = sorted((unlabeled / "unlabeled").glob("*.jpg"))
    calls: list[tuple[int, int]] = []
    manifest = write_pseudo_labels(
        photos, tmp_path / "p", tiny_model_folder, 0.3, progress=lambda *a: calls.append(a)
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]  # the corrupt photo counts as done too
    assert manifest["photos"] == 2 and len(manifest["skipped"]) == 1  # type: ignore[arg-type]
    assert "broken.jpg" in manifest["skipped"][0]  # type: ignore[index]
    labels = cv2.imread(str(tmp_path / "p" / "labels" / "u0000.png"), cv2.IMREAD_UNCHANGED)
    assert labels.shape == (96, 64)  # the model's working size
    assert set(np.unique(labels)) <= {0, 1, 2, 3, IGNORE_INDEX}

    # Nothing reaches a probability of 1.01: every pixel is left unlabelled.
    good = unlabeled / "unlabeled" / "u0000.jpg"
    write_pseudo_labels([good], tmp_path / "none", tiny_model_folder, threshold=1.01)
    unsure = cv2.imread(str(tmp_path / "none" / "labels" / "u0000.png"), cv2.IMREAD_UNCHANGED)
    assert (unsure == IGNORE_INDEX).all()

    images, loaded = load_pseudo(tmp_path / "p", (48, 32), 4)
    assert images.shape == (2, 48, 32, 3) and loaded.shape == (2, 48, 32)
    with pytest.raises(ValueError, match="4-class"):
        load_pseudo(tmp_path / "p", (48, 32), 3)
    with pytest.raises(FileNotFoundError, match="is not a pseudo-label folder"):
        load_pseudo(unlabeled / "unlabeled", (48, 32), 4)  # photos, not pseudo-labels


def test_loss_ignores_unlabelled_pixels() -> None:
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 8, 8, requires_grad=True)
    target = torch.randint(0, 4, (2, 8, 8))
    target[:, :4] = IGNORE_INDEX
    criterion = CrossEntropyDice(torch.ones(4))
    loss = criterion(logits, target)
    changed = logits.detach().clone()
    changed[:, :, :4] = torch.randn(2, 4, 4, 8) * 10  # only where the target is ignored
    assert torch.allclose(criterion(changed, target), loss)
    loss.backward()
    assert logits.grad is not None and logits.grad[:, :, :4].abs().max() == 0

    nothing = criterion(logits, torch.full_like(target, IGNORE_INDEX))
    assert torch.isfinite(nothing) and nothing.item() == 0.0


def test_cli_pseudo_label_then_train_on_it(
    unlabeled: Path, tiny_model_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pseudo"
    args = ["pseudo-label", "--data", str(unlabeled), "--out", str(out)]
    code = main([*args, "--model", str(tiny_model_folder), "--threshold", "0.3"])
    assert code == 1  # the corrupt photo is reported, the others are written
    captured = capsys.readouterr()
    assert "broken.jpg" in captured.err
    assert "\r" not in captured.err  # the bar is for a terminal, not this log
    assert json.loads((out / "pseudo.json").read_text())["photos"] == 2

    lines: list[str] = []
    run = tmp_path / "run"
    train(tiny_train_args(unlabeled, run, 1, pseudo=str(out)), log=lines.append)
    assert any("2 pseudo-labelled photos" in line for line in lines)
    assert any("train 6 /" in line for line in lines)  # 4 labelled + 2 pseudo
    with (run / "log.csv").open() as f:
        assert len(list(csv.DictReader(f))) == 1


def test_training_on_a_pseudo_label_folder_of_no_photos_is_refused(
    unlabeled: Path, tiny_model_folder: Path, tmp_path: Path
) -> None:
    # It trained with "+ 0 pseudo-labelled photos" and no warning.
    photos = sorted((unlabeled / "unlabeled").glob("*.jpg"))
    empty = tmp_path / "empty"
    manifest = write_pseudo_labels(photos[:1], empty, tiny_model_folder)  # broken.jpg alone
    assert manifest["photos"] == 0 and manifest["confident_pixel_share"] is None  # not 0.0
    # A folder of no photos, as one made before such a run wrote nothing, or emptied.
    empty.mkdir()
    (empty / "train.txt").write_text("")
    (empty / "pseudo.json").write_text(json.dumps(manifest))
    run = tmp_path / "run"
    with pytest.raises(ValueError, match=r"--pseudo .*empty holds no pseudo-labelled photos"):
        train(tiny_train_args(unlabeled, run, 1, pseudo=str(empty)), log=lambda _: None)
    assert not run.exists()  # refused before --out is made


def test_cli_pseudo_label_reads_every_photo_suffix_as_import_does(
    unlabeled: Path, tiny_model_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only lowercase *.jpg was read: .JPG, .jpeg and .png photos were passed over unsaid.
    folder, images = unlabeled / "unlabeled", unlabeled / "images"
    shutil.copy(images / "0002.jpg", folder / "u0002.JPG")
    shutil.copy(images / "0003.jpg", folder / "u0003.jpeg")
    cv2.imwrite(str(folder / "u0004.png"), cv2.imread(str(images / "0004.jpg")))
    cv2.imwrite(str(folder / "u0000.png"), cv2.imread(str(images / "0005.jpg")))  # same stem
    (folder / "notes.txt").write_text("not a photo")
    out = tmp_path / "pseudo"
    args = ["pseudo-label", "--data", str(unlabeled), "--out", str(out)]
    assert main([*args, "--model", str(tiny_model_folder), "--threshold", "0.3"]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'u0000.png'}: skipped, its pseudo-label would replace" in err
    assert json.loads((out / "pseudo.json").read_text())["photos"] == 5  # broken.jpg: skipped
    stems = (out / "train.txt").read_text().split()
    assert stems == ["u0000", "u0001", "u0002", "u0003", "u0004"]
    # u0000's pseudo-label is u0000.jpg's (the first), not the .png's of the same stem
    written = cv2.imread(str(out / "images" / "u0000.jpg")).astype(float)

    def off(photo: str) -> float:
        return float(np.abs(written - cv2.imread(str(folder / photo)).astype(float)).mean())

    assert off("u0000.jpg") < off("u0000.png") / 2


def test_cli_pseudo_label_of_no_readable_photo_writes_nothing(
    unlabeled: Path, tiny_model_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every photo unreadable: an empty folder was made, and an earlier run's train.txt
    # and pseudo.json there were replaced by empty ones ("photos": 0).
    out = tmp_path / "pseudo"
    model = ["--model", str(tiny_model_folder)]
    assert main(["pseudo-label", "--data", str(unlabeled), "--out", str(out), *model]) == 1
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = tmp_path / "broken"
    (broken / "unlabeled").mkdir(parents=True)
    (broken / "unlabeled" / "x.jpg").write_bytes(b"not a jpeg")
    capsys.readouterr()
    for target in (out, tmp_path / "new"):
        assert main(["pseudo-label", "--data", str(broken), "--out", str(target), *model]) == 1
        out_text, err = capsys.readouterr()
        assert json.loads(out_text)["photos"] == 0
        assert err.endswith(
            f"wardrobe-cli: error: no photo could be labelled: nothing was written in {target}\n"
        )
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "new").exists()


def test_cli_pseudo_label_without_unlabeled_photos(
    tiny_ccp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It said "no photos in D/unlabeled" of a folder that was not there, and not where
    # the photos go.
    folder = tiny_ccp / "unlabeled"
    assert main(["pseudo-label", "--data", str(tiny_ccp), "--out", str(tmp_path / "p")]) == 2
    assert capsys.readouterr().err == (
        f"wardrobe-cli: error: no photos to label in {folder}: there is no such folder "
        "(pseudo-label reads the photos in the unlabeled/ folder of --data)\n"
    )
    # a file of that name is there: "there is no such folder" sent one looking for it
    folder.write_text("not a folder")
    assert main(["pseudo-label", "--data", str(tiny_ccp), "--out", str(tmp_path / "p")]) == 2
    assert capsys.readouterr().err == (
        f"wardrobe-cli: error: no photos to label in {folder}: it is a file, not a folder "
        "(pseudo-label reads the photos in the unlabeled/ folder of --data)\n"
    )
    folder.unlink()
    folder.mkdir()
    (folder / "notes.txt").write_text("not a photo")
    assert main(["pseudo-label", "--data", str(tiny_ccp), "--out", str(tmp_path / "p")]) == 2
    assert f"{folder}: it holds no photo (" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_cli_pseudo_label_never_writes_into_a_folder_of_other_files(
    unlabeled: Path, tiny_model_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    split = (unlabeled / "train.txt").read_text()
    args = ["pseudo-label", "--data", str(unlabeled), "--out", str(unlabeled)]
    assert main([*args, "--model", str(tiny_model_folder)]) == 2  # --out the CCP folder
    assert "already holds files that are not pseudo-labels" in capsys.readouterr().err
    assert (unlabeled / "train.txt").read_text() == split
    assert not (unlabeled / "images" / "u0000.jpg").exists()
    a_file = unlabeled / "train.txt"  # --out a file: said as train's --out is
    assert main(["pseudo-label", "--data", str(unlabeled), "--out", str(a_file)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"wardrobe-cli: error: --out {a_file} is a file; name a folder for the pseudo-labels\n"
    )
    assert a_file.read_text() == split


def test_cli_pseudo_label_error_has_its_own_line(
    unlabeled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The error followed the progress bar on its line ("pseudo-label: 0%| ... error:")."""
    broken = tmp_path / "broken-model"
    broken.mkdir()
    args = ["pseudo-label", "--data", str(unlabeled), "--out", str(tmp_path / "p")]
    assert main([*args, "--model", str(broken)]) == 2
    err = capsys.readouterr().err
    assert any(line.startswith("wardrobe-cli: error: ") for line in err.splitlines())
