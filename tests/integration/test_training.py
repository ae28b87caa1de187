"""A tiny training run end to end: log, curves, checkpoint, best model folder, resume."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from wardrobe_app.training.train import TrainArgs, train
from wardrobe_app.vision.model_folder import load_model


@pytest.fixture()
def tiny_ccp(tmp_path: Path) -> Path:
    data = tmp_path / "ccp"
    (data / "images").mkdir(parents=True)
    (data / "labels").mkdir()
    names = ["null", "skin", "t-shirt", "jeans", "dress"]
    garment = {
        "null": "background",
        "skin": "background",
        "t-shirt": "top",
        "jeans": "bottom",
        "dress": "one-piece",
    }
    (data / "labels.json").write_text(
        json.dumps(
            {
                "labels": names,
                "garment_classes": ["background", "top", "bottom", "one-piece"],
                "garment_of_label": garment,
            }
        )
    )
    rng = np.random.default_rng(0)
    stems = [f"{i:04d}" for i in range(6)]
    for i, stem in enumerate(stems):
        image = rng.integers(0, 60, (96, 64, 3), dtype=np.uint8)
        labels = np.zeros((96, 64), np.uint8)
        labels[20:50, 16:48] = 2 if i % 2 else 4  # a t-shirt or a dress
        labels[50:80, 20:44] = 3 if i % 2 else 4
        image[labels == 2] = (200, 40, 40)
        image[labels == 3] = (40, 40, 200)
        image[labels == 4] = (40, 200, 40)
        cv2.imwrite(str(data / "images" / f"{stem}.jpg"), image)
        cv2.imwrite(str(data / "labels" / f"{stem}.png"), labels)
    (data / "train.txt").write_text("\n".join(stems[:4]))
    (data / "val.txt").write_text("\n".join(stems[4:]))
    return data


def args_for(data: Path, out: Path, epochs: int, resume: bool = False) -> TrainArgs:
    return TrainArgs(
        data=str(data),
        out=str(out),
        architecture="unet",
        width=4,
        size=(96, 64),
        crop=(64, 64),
        epochs=epochs,
        batch=2,
        pretrained=False,
        resume=resume,
        threads=1,
    )


def test_train_writes_everything_and_resumes(tiny_ccp: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = train(args_for(tiny_ccp, out, epochs=1), log=lambda _: None)
    assert (out / "checkpoint.pt").exists() and (out / "curves.png").exists()
    _model, config = load_model(out / "best")
    assert config.architecture == "unet" and config.class_names[3] == "one-piece"
    assert config.metrics["split"] == "val.txt"
    assert 0.0 <= result["best_mean_garment_iou"] <= 1.0

    train(args_for(tiny_ccp, out, epochs=2, resume=True), log=lambda _: None)
    with (out / "log.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert {"iou_top", "iou_one-piece", "mean_garment_iou"} <= set(rows[0])


def test_seed_class_set_maps_one_piece_to_top(tiny_ccp: Path) -> None:
    from wardrobe_app.training.ccp import label_lookup

    four, three = label_lookup(tiny_ccp, 4), label_lookup(tiny_ccp, 3)
    assert four[4] == 3 and three[4] == 1  # dress: one-piece, or top in the seed's set
    assert four[3] == three[3] == 2
