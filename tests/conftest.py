"""Shared fixtures: temporary wardrobe homes, a fake analyser, synthetic photos."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakes import FakeAnalyser, make_photo


@pytest.fixture(scope="session", autouse=True)
def ctrl_c_as_in_a_terminal() -> Iterator[None]:
    """Ctrl+C (SIGINT) handled as Python handles it by default. A run started with it
    ignored (`pytest &` in a script, a background job) kept it ignored, as the CLI
    rightly does: the tests that send themselves a Ctrl+C saw nothing, and 6 failed."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture
def fake_analyser() -> FakeAnalyser:
    return FakeAnalyser()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder; WARDROBE_HOME points at it."""
    path = tmp_path / "home"
    monkeypatch.setenv("WARDROBE_HOME", str(path))
    return path


@pytest.fixture
def make_wardrobe(home: Path, fake_analyser: FakeAnalyser) -> Iterator[Callable[..., object]]:
    """Open wardrobes on ``home`` with the fake analyser (closed at the end)."""
    from wardrobe_app.service import Wardrobe

    opened: list[Wardrobe] = []

    def make(analyser: object | None = None, **kwargs: object) -> Wardrobe:
        kwargs.setdefault("background_index", False)
        w = Wardrobe(home, analyser if analyser is not None else fake_analyser, **kwargs)  # type: ignore[arg-type]
        opened.append(w)
        return w

    yield make
    for w in opened:
        w.close()


@pytest.fixture
def wardrobe(make_wardrobe: Callable[..., object]) -> object:
    return make_wardrobe()


@pytest.fixture
def photos(tmp_path: Path) -> Callable[..., list[Path]]:
    """``photos(n, start=0, folder="in", suffix=".jpg")``: n distinct synthetic photos."""

    def make(n: int, start: int = 0, folder: str = "in", suffix: str = ".jpg") -> list[Path]:
        return [
            make_photo(tmp_path / folder / f"photo{i:03d}{suffix}", seed=i)
            for i in range(start, start + n)
        ]

    return make


@pytest.fixture
def cli(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """``cli(*args) -> (exit status, stdout, stderr)`` against ``home``, fake analyser."""
    from wardrobe_app import service
    from wardrobe_app.cli import main

    monkeypatch.setattr(service, "ANALYSER_FACTORY", FakeAnalyser)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        rc = main(["--data-dir", str(home), *args])
        out, err = capsys.readouterr()
        return rc, out, err

    return run


@pytest.fixture(scope="session")
def tiny_model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A narrow seed UNet (width 4) saved as a model folder: fast, untrained."""
    import torch

    from wardrobe_app.vision.model_folder import ModelConfig, build_model, save_model

    folder = tmp_path_factory.mktemp("tiny-model")
    config = ModelConfig(architecture="unet", width=4, batch_norm=True, input_size=[96, 64])
    torch.manual_seed(0)
    save_model(build_model(config), config, folder)
    return folder


@pytest.fixture()
def tiny_ccp(tmp_path: Path) -> Path:
    """A CCP-style folder: 6 photos of 96x64 (4 in train.txt, 2 in val.txt), labels.json."""
    import json

    import cv2
    import numpy as np

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
