"""Self-describing model folders: ``config.json`` beside ``weights.pt``.

The network is rebuilt from the config and the weights are loaded with
``weights_only=True`` (never unpickling arbitrary objects). Any missing, truncated or
mismatched folder raises one :class:`ModelFolderError` that says what is wrong.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .efficientnet_lite import ENCODERS
from .ensemble import ProbabilityAverage
from .lite_unet import LiteUNet
from .unet import UNet

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.pt"
FORMAT_VERSION = 1
ARCHITECTURES = ("unet", "lite-unet", "ensemble")
GARMENT_CLASSES = ("background", "top", "bottom", "one-piece")
SEED_CLASSES = ("background", "top", "bottom")


class ModelFolderError(RuntimeError):
    """A model folder that cannot be used, with the reason."""


@dataclass
class ModelConfig:
    architecture: str = "lite-unet"
    class_names: list[str] = field(default_factory=lambda: list(GARMENT_CLASSES))
    width: int = 64  # seed UNet only
    batch_norm: bool = False  # seed UNet only
    dropout: float = 0.0  # seed UNet only
    decoder_channels: list[int] = field(default_factory=lambda: [128, 64, 48, 32])
    encoder: str = "lite0"  # lite-unet only: EfficientNet-Lite0, 1 or 2
    context: bool = False  # lite-unet only: image-level context and presence head
    input_size: list[int] = field(default_factory=lambda: [384, 256])  # working (height, width)
    mean: list[float] = field(default_factory=lambda: [0.5, 0.5, 0.5])
    std: list[float] = field(default_factory=lambda: [0.5, 0.5, 0.5])
    name: str = "segmenter"
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    # ensemble only: the config of each member network, averaged in probability.
    members: list[dict[str, Any]] = field(default_factory=list)
    # ensemble only: consult the members after the first only on photos whose garment
    # ambiguity under the first exceeds this (``ensemble.garment_ambiguity``); 0: always.
    consult_above: float = 0.0
    format_version: int = FORMAT_VERSION

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ModelFolderError(
                f"config.json has unknown keys: {sorted(unknown)} (is it a segmenter's "
                "model folder? the similar-items model's is not)"
            )
        _check_values(data)
        config = cls(**data)
        if config.architecture not in ARCHITECTURES:
            raise ModelFolderError(
                f"config.json names architecture {config.architecture!r}; "
                f"known: {', '.join(ARCHITECTURES)}"
            )
        if config.encoder not in ENCODERS:
            raise ModelFolderError(
                f"config.json names encoder {config.encoder!r}; known: {', '.join(ENCODERS)}"
            )
        if config.format_version > FORMAT_VERSION:
            raise ModelFolderError(
                f"model folder format {config.format_version} is newer than this app "
                f"understands ({FORMAT_VERSION}); update Wardrobe"
            )
        if config.architecture == "ensemble":
            config.member_configs()  # validates them
            check_consult_above(config.consult_above)
        elif config.members or config.consult_above:
            raise ModelFolderError(
                f"config.json lists members or consult_above, but {config.architecture} "
                "is no ensemble"
            )
        return config

    def member_configs(self) -> list[ModelConfig]:
        """The members of an ensemble, each checked to read the same input and to
        predict the same classes as the whole."""
        if len(self.members) < 2:
            raise ModelFolderError("config.json: an ensemble needs at least two members")
        configs = []
        for i, data in enumerate(self.members, start=1):
            if not isinstance(data, dict):
                raise ModelFolderError(f"config.json, member {i}: not a JSON object")
            if data.get("architecture") == "ensemble":
                raise ModelFolderError(f"config.json, member {i}: an ensemble cannot nest")
            try:
                member = ModelConfig.from_dict(data)
            except (ModelFolderError, TypeError) as exc:
                raise ModelFolderError(f"config.json, member {i}: {exc}") from exc
            for key in ("class_names", "input_size", "mean", "std"):
                if getattr(member, key) != getattr(self, key):
                    raise ModelFolderError(
                        f"config.json, member {i}: its {key} {getattr(member, key)} differs "
                        f"from the ensemble's {getattr(self, key)}"
                    )
            configs.append(member)
        return configs

    def describe_network(self) -> str:
        """E.g. "lite-unet on lite0", "ensemble of lite-unet on lite0 + lite-unet on lite2"."""
        if self.architecture == "ensemble":
            members = " + ".join(m.describe_network() for m in self.member_configs())
            return f"ensemble of {members}"
        if self.architecture == "lite-unet":
            return f"lite-unet on {self.encoder}"
        return self.architecture


def check_consult_above(value: float) -> None:
    """A cascade's threshold must leave the other members a chance: garment_ambiguity
    lies in [0, 1], and 0 means "always consult"."""
    if not 0.0 <= value < 1.0:
        raise ModelFolderError(f"config.json: consult_above must be in [0, 1), not {value}")


def build_model(config: ModelConfig) -> nn.Module:
    """The untrained network a config describes."""
    if config.architecture == "ensemble":
        return ProbabilityAverage(
            [build_model(member) for member in config.member_configs()], config.consult_above
        )
    if config.architecture == "unet":
        return UNet(
            width=config.width,
            num_classes=config.num_classes,
            batch_norm=config.batch_norm,
            dropout=config.dropout,
        )
    return LiteUNet(
        num_classes=config.num_classes,
        decoder_channels=tuple(config.decoder_channels),
        encoder=config.encoder,
        context=config.context,
    )


def read_config(folder: str | os.PathLike[str]) -> ModelConfig:
    folder = Path(folder)
    if folder.is_file():
        raise ModelFolderError(
            f"{folder} is a file; a model folder holds config.json and weights.pt"
        )
    if not folder.is_dir():
        raise ModelFolderError(f"model folder {folder} does not exist")
    path = folder / CONFIG_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        hint = ""
        if (folder / "best" / CONFIG_FILE).is_file():  # the --out of wardrobe-cli train
            hint = f": it is a training run, whose model is {folder / 'best'}"
        raise ModelFolderError(f"model folder {folder} has no {CONFIG_FILE}{hint}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFolderError(f"{path} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ModelFolderError(f"{path} must hold a JSON object")
    try:
        return ModelConfig.from_dict(data)
    except TypeError as exc:
        raise ModelFolderError(f"{path} is malformed: {exc}") from exc
    except ModelFolderError as exc:  # "config.json has unknown keys": which one
        said = str(exc)
        if not said.startswith(CONFIG_FILE):
            raise
        raise ModelFolderError(f"{path}{said.removeprefix(CONFIG_FILE)}") from exc


def _check_values(data: dict[str, Any]) -> None:
    """A hand-edited or damaged config.json: each value of the type (and length) the
    network is built from, or one clear error naming the key (not a TypeError later, nor
    a model that quietly answers "background" everywhere, as a zero std did)."""
    defaults = ModelConfig()

    def bad(key: str, wanted: str) -> ModelFolderError:
        return ModelFolderError(f"config.json: {key} should be {wanted}, not {data[key]!r}")

    def is_number(v: object) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

    for key, value in data.items():
        default = getattr(defaults, key)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise bad(key, "true or false")
        elif isinstance(default, int):
            if not isinstance(value, int) or isinstance(value, bool):
                raise bad(key, "a whole number")
        elif isinstance(default, float):
            if not is_number(value):
                raise bad(key, "a number")
        elif isinstance(default, str | dict | list) and not isinstance(value, type(default)):
            raise bad(key, f"a {type(default).__name__}")
    shapes = {
        "input_size": (2, "two whole numbers (height, width) of at least 32"),
        "mean": (3, "three numbers (red, green, blue)"),
        "std": (3, "three numbers above 0 (red, green, blue)"),
    }
    for key, (length, wanted) in shapes.items():
        if key in data:
            value = data[key]
            if len(value) != length or not all(is_number(v) for v in value):
                raise bad(key, wanted)
    if "input_size" in data and not all(isinstance(v, int) and v >= 32 for v in data["input_size"]):
        raise bad("input_size", shapes["input_size"][1])
    if "std" in data and not all(v > 0 for v in data["std"]):
        raise bad("std", shapes["std"][1])
    if "decoder_channels" in data and not (
        data["decoder_channels"]
        and all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0
            for v in data["decoder_channels"]
        )
    ):
        raise bad("decoder_channels", "a list of whole numbers above 0")
    if "width" in data and data["width"] < 1:
        raise bad("width", "a whole number of at least 1")
    if "class_names" in data and not (
        len(data["class_names"]) >= 2 and all(isinstance(n, str) for n in data["class_names"])
    ):
        raise bad("class_names", "a list of two names or more")


def load_model(folder: str | os.PathLike[str]) -> tuple[nn.Module, ModelConfig]:
    """Rebuild the network of a model folder and load its weights (CPU, eval mode)."""
    folder = Path(folder)
    config = read_config(folder)
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise ModelFolderError(f"model folder {folder} has no {WEIGHTS_FILE}")
    try:
        state = torch.load(weights, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a damaged file
        raise ModelFolderError(f"{weights} cannot be read (truncated or corrupt?): {exc}") from exc
    model = build_model(config)
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise ModelFolderError(f"{weights} does not hold a state dict (names to tensors)")
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    broken = [k for k, v in state.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if broken:
        raise ModelFolderError(f"{weights} holds inf or NaN values (in {', '.join(broken[:3])})")
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ModelFolderError(
            f"{weights} does not match the network in {CONFIG_FILE} "
            f"({config.describe_network()}, {config.num_classes} classes): "
            f"{_mismatch(model.state_dict(), state)}"
        ) from exc
    model.eval()
    return model, config


def _shape(tensor: torch.Tensor) -> str:
    return "x".join(map(str, tensor.shape)) or "a scalar"


def _mismatch(expected: dict[str, torch.Tensor], found: dict[str, torch.Tensor]) -> str:
    """How a state dict differs from the network's, in one short line: counts and a first
    example of each kind (torch's own message lists every key, hundreds of them)."""
    missing = [k for k in expected if k not in found]
    extra = [k for k in found if k not in expected]
    resized = [k for k in expected if k in found and expected[k].shape != found[k].shape]
    parts = []
    if resized:
        k = resized[0]
        parts.append(
            f"{len(resized)} of another shape ({k}: {_shape(found[k])} in the file, "
            f"{_shape(expected[k])} in the network)"
        )
    if missing:
        parts.append(f"{len(missing)} missing from the file (e.g. {missing[0]})")
    if extra:
        parts.append(f"{len(extra)} the network does not have (e.g. {extra[0]})")
    return "; ".join(parts) or "the tensors differ"


def ensemble_of(
    folders: Sequence[str | os.PathLike[str]], name: str, consult_above: float = 0.0
) -> tuple[ProbabilityAverage, ModelConfig]:
    """The network and config of one model folder that averages several folders'
    probabilities; ``save_model`` writes it. The members must read the same input and
    predict the same classes. ``consult_above``: see ``ProbabilityAverage``."""
    if len(folders) < 2:
        raise ModelFolderError("an ensemble needs at least two model folders")
    check_consult_above(consult_above)
    loaded = [load_model(folder) for folder in folders]
    nested = [str(f) for f, (_, c) in zip(folders, loaded, strict=True) if c.members]
    if nested:
        raise ModelFolderError(f"{nested[0]} is an ensemble already: name its members instead")
    first = loaded[0][1]
    config = ModelConfig(
        architecture="ensemble",
        class_names=list(first.class_names),
        input_size=list(first.input_size),
        mean=list(first.mean),
        std=list(first.std),
        name=name,
        training={"ensemble_of": [str(folder) for folder in folders]},
        members=[asdict(member) for _, member in loaded],
        consult_above=consult_above,
    )
    config.member_configs()  # every member agrees with the first
    return ProbabilityAverage([model for model, _ in loaded], consult_above), config


def atomic_write(path: Path, write: Any) -> None:
    """``write(tmp)`` to a temporary file beside ``path``, then renamed onto it: a kill
    or a full disk mid-write never leaves half a file under the final name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        # mkstemp's file is owner-only, but a model folder is read by whoever runs the
        # app: keep the replaced file's mode, or the usual rw-r--r--.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_FULL_PRECISION_SUFFIXES = ("running_mean", "running_var")


def stored_tensor(name: str, tensor: torch.Tensor, half: bool) -> torch.Tensor:
    """``tensor`` as a weight file keeps it: fp16 when ``half``, except batch-norm
    statistics and values out of fp16's range."""
    if not half or not tensor.is_floating_point() or name.endswith(_FULL_PRECISION_SUFFIXES):
        return tensor
    if not torch.isfinite(tensor.half()).all():  # out of fp16's range: keep it exact
        return tensor.float()
    return tensor.half()


def save_model(
    model: nn.Module, config: ModelConfig, folder: str | os.PathLike[str], half: bool = True
) -> Path:
    """Write a model folder; ``half`` stores float weights as fp16 to keep the repo lean.

    Batch-norm statistics stay float32: a running variance can pass fp16's 65504 and would
    turn into inf, silencing its channel (it happened). They are a tiny part of the file.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {
        k: stored_tensor(k, v.detach(), half).cpu().contiguous()
        for k, v in model.state_dict().items()
    }
    atomic_write(folder / WEIGHTS_FILE, lambda tmp: torch.save(state, tmp))
    write_config(config, folder)
    return folder


def write_config(config: ModelConfig, folder: str | os.PathLike[str]) -> None:
    """Replace a model folder's config.json in one step (never half-written)."""
    text = json.dumps(asdict(config), indent=2) + "\n"
    path = Path(folder) / CONFIG_FILE
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
