"""Model folders: round trip, and one clear error for each way a folder can be broken."""

from __future__ import annotations

import json
import re
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


def test_a_training_run_points_at_its_model(folder: Path) -> None:
    run = folder.parent / "run"  # wardrobe-cli train's --out: the model is in best/
    run.mkdir()
    folder.rename(run / "best")
    with pytest.raises(ModelFolderError, match=r"it is a training run, whose model is .*best"):
        load_model(run)


def test_truncated_weights(folder: Path) -> None:
    data = (folder / "weights.pt").read_bytes()
    (folder / "weights.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFolderError, match="truncated or corrupt"):
        load_model(folder)


def test_mismatched_config(folder: Path) -> None:
    config = json.loads((folder / "config.json").read_text())
    config["width"] = 8
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFolderError, match="does not match") as caught:
        load_model(folder)
    # one short line: how many tensors, one named with both shapes (torch's own message,
    # cut at 300 characters, stopped mid-key)
    message = str(caught.value)
    assert re.search(r"\d+ of another shape \(\S+: \d+(x\d+)* in the file, \d+(x\d+)* in", message)
    assert len(message) < 400 and message.count("\n") == 0


def test_bad_json_and_unknown_architecture(folder: Path) -> None:
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ModelFolderError, match="not valid JSON"):
        load_model(folder)
    (folder / "config.json").write_text(json.dumps({"architecture": "resnet"}))
    with pytest.raises(ModelFolderError, match="architecture"):
        load_model(folder)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("decoder_channels", "x", "decoder_channels should be a list"),
        ("decoder_channels", [64, 0], "list of whole numbers above 0"),
        ("input_size", [384], "two whole numbers"),
        ("input_size", "384x256", "input_size should be a list"),
        ("input_size", [384, 8], "of at least 32"),
        ("std", [0, 0, 0], "three numbers above 0"),
        ("mean", [0.5, "x", 0.5], "three numbers"),
        ("width", "64", "width should be a whole number"),
        ("width", 0, "at least 1"),
        ("batch_norm", "yes", "true or false"),
        ("class_names", ["background"], "two names or more"),
    ],
)
def test_config_values_of_the_wrong_kind_are_named(
    folder: Path, key: str, value: object, message: str
) -> None:
    # A hand-edited config.json crashed with a TypeError or IndexError at the first
    # photo, or (std 0) answered background everywhere without a word.
    config = json.loads((folder / "config.json").read_text())
    config[key] = value
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFolderError, match=message):
        load_model(folder)


def test_a_folder_of_another_model_is_named_with_its_config(tmp_path: Path) -> None:
    # `segment --model EMBEDDER` said "config.json has unknown keys: [...]": which file,
    # and of what, unsaid.
    embedder = tmp_path / "embedder"
    embedder.mkdir()
    (embedder / "config.json").write_text(json.dumps({"dim": 128, "heads": 2, "version": "e1"}))
    with pytest.raises(ModelFolderError) as refused:
        load_model(embedder)
    assert str(refused.value) == (
        f"{embedder / 'config.json'} has unknown keys: ['dim', 'heads', 'version'] (is it a "
        "segmenter's model folder? the similar-items model's is not)"
    )


def test_weights_that_are_no_state_dict(folder: Path) -> None:
    torch.save({"a": 1}, folder / "weights.pt")
    with pytest.raises(ModelFolderError, match="does not hold a state dict"):
        load_model(folder)


def test_encoder_is_part_of_the_folder(tmp_path: Path) -> None:
    config = ModelConfig(architecture="lite-unet", encoder="lite2", decoder_channels=[16, 8])
    save_model(build_model(config), config, tmp_path / "m")
    model, loaded = load_model(tmp_path / "m")
    assert loaded.encoder == "lite2" and model.encoder.variant == "lite2"  # type: ignore[union-attr]
    # A folder written before encoders were a choice holds Lite0 weights.
    data = json.loads((tmp_path / "m" / "config.json").read_text())
    del data["encoder"]
    assert ModelConfig.from_dict(data).encoder == "lite0"
    # Lite2 weights under a config that says Lite0: the mismatch is named.
    (tmp_path / "m" / "config.json").write_text(json.dumps(data))
    with pytest.raises(ModelFolderError, match="does not match"):
        load_model(tmp_path / "m")
    data["encoder"] = "lite7"
    (tmp_path / "m" / "config.json").write_text(json.dumps(data))
    with pytest.raises(ModelFolderError, match="encoder 'lite7'"):
        load_model(tmp_path / "m")


def test_context_module_is_part_of_the_folder(tmp_path: Path) -> None:
    config = ModelConfig(architecture="lite-unet", decoder_channels=[16, 8], context=True)
    model = build_model(config).eval()
    torch.nn.init.normal_(model.context.scale.weight)  # type: ignore[union-attr]
    save_model(model, config, tmp_path / "m")
    loaded, loaded_config = load_model(tmp_path / "m")
    assert loaded_config.context
    x = torch.rand(1, 3, 64, 64)
    with torch.inference_mode():
        logits, presence = loaded.forward_with_presence(x)  # type: ignore[operator]
        assert presence.shape == (1, 3)  # top, bottom, one-piece
        assert torch.allclose(logits, model(x), atol=1e-2)  # fp16 storage
    # Folders from before the module existed read as without it.
    data = json.loads((tmp_path / "m" / "config.json").read_text())
    del data["context"]
    assert not ModelConfig.from_dict(data).context
    (tmp_path / "m" / "config.json").write_text(json.dumps(data))
    with pytest.raises(ModelFolderError, match=r"does not match.*the network does not have"):
        load_model(tmp_path / "m")


def test_weights_are_loaded_without_unpickling(folder: Path) -> None:
    # A pickle that would run code must be refused by weights_only loading.
    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("pwned",))

    torch.save({"x": Evil()}, folder / "weights.pt")
    with pytest.raises(ModelFolderError):
        load_model(folder)


def test_batch_norm_statistics_beyond_fp16_survive_saving(tmp_path: Path) -> None:
    """A running variance above fp16's 65504 once became inf and silenced its channel."""
    config = tiny_config()
    model = build_model(config)
    bn = next(m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
    bn.running_var.fill_(1e6)
    first_conv = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    with torch.no_grad():
        first_conv.weight[0, 0, 0, 0] = 1e5  # a weight out of fp16's range stays exact too
    save_model(model, config, tmp_path / "m")
    loaded, _ = load_model(tmp_path / "m")
    state = loaded.state_dict()
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
    name = next(n for n, m in model.named_modules() if m is bn) + ".running_var"
    assert torch.equal(state[name], bn.running_var)
    stored = torch.load(tmp_path / "m" / "weights.pt", weights_only=True)
    assert any(v.dtype == torch.float16 for v in stored.values())  # the rest stays lean


def test_non_finite_weights_are_refused(folder: Path) -> None:
    state = torch.load(folder / "weights.pt", weights_only=True)
    name = next(k for k, v in state.items() if k.endswith("running_var"))
    state[name] = torch.full_like(state[name], float("inf"))
    torch.save(state, folder / "weights.pt")
    with pytest.raises(ModelFolderError, match="inf or NaN"):
        load_model(folder)
