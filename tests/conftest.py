"""Shared fixtures: temporary wardrobe homes, a fake analyser, synthetic photos."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakes import FakeAnalyser, make_photo


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
