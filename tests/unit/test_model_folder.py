"""Model folders: round trip, and one clear error for each way a folder can be broken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from wardrobe_app.vision.model_folder import (
    ModelConfig,
    ModelFolderError,
    build_model,
    load_model,
    save_model,
)


def tiny_config(**overrides: object) -> ModelConfig:
    base = {"architecture": "unet", "width": 4, "batch_norm": True, "input_size": [64, 64]}
    base.update(overrides)
    return ModelConfig(**base)  # type: ignore[arg-type]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    config = tiny_config()
    save_model(build_model(config), config, tmp_path / "m")
    return tmp_path / "m"


def test_round_trip_rebuilds_the_network(folder: Path) -> None:
    model, config = load_model(folder)
    assert config.num_classes == 4 and config.class_names[3] == "one-piece"
    assert not model.training
    with torch.inference_mode():
        assert model(torch.rand(1, 3, 64, 64)).shape == (1, 4, 64, 64)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelFolderError, match="does not exist"):
        load_model(tmp_path / "nope")


def test_missing_weights(folder: Path) -> None:
    (folder / "weights.pt").unlink()
    with pytest.raises(ModelFolderError, match=r"no weights\.pt"):
        load_model(folder)


def test_missing_config(folder: Path) -> None:
    (folder / "config.json").unlink()
    with pytest.raises(ModelFolderError, match=r"no config\.json"):
        load_model(folder)


def test_truncated_weights(folder: Path) -> None:
    data = (folder / "weights.pt").read_bytes()
    (folder / "weights.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFolderError, match="truncated or corrupt"):
        load_model(folder)


def test_mismatched_config(folder: Path) -> None:
    config = json.loads((folder / "config.json").read_text())
    config["width"] = 8
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFolderError, match="does not match"):
        load_model(folder)


def test_bad_json_and_unknown_architecture(folder: Path) -> None:
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ModelFolderError, match="not valid JSON"):
        load_model(folder)
    (folder / "config.json").write_text(json.dumps({"architecture": "resnet"}))
    with pytest.raises(ModelFolderError, match="architecture"):
        load_model(folder)


def test_weights_are_loaded_without_unpickling(folder: Path) -> None:
    # A pickle that would run code must be refused by weights_only loading.
    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("pwned",))

    torch.save({"x": Evil()}, folder / "weights.pt")
    with pytest.raises(ModelFolderError):
        load_model(folder)
