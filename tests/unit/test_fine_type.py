"""A garment's fine type: from the worn-garment head for a cut from an outfit photo,
from the item photos' head otherwise, always within the garment's category."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import torch

from wardrobe_app import paths
from wardrobe_app.vision.embedder import Embedder
from wardrobe_app.vision.fine_types import CCP_FINE_TYPE, FINE_TYPE_CATEGORY


class _Favours(torch.nn.Module):
    """A head whose scores favour the given labels, in that order."""

    def __init__(self, names: list[str], favoured: list[str]) -> None:
        super().__init__()
        scores = torch.zeros(len(names))
        for rank, name in enumerate(favoured):
            scores[names.index(name)] = len(favoured) - rank
        self.scores = scores

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.scores.expand(len(x), -1)


@contextlib.contextmanager
def _replaced(heads: torch.nn.ModuleDict, name: str, head: torch.nn.Module) -> Iterator[None]:
    """``heads[name]`` is ``head`` meanwhile. (monkeypatch.setattr deleted the real head
    when it undid: a ModuleDict keeps its modules out of its __dict__, and the shared
    embedder lost its heads for the tests after.)"""
    real = heads[name]
    heads[name] = head
    try:
        yield
    finally:
        heads[name] = real


@pytest.fixture
def stack() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as stack:
        yield stack


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    if not (paths.DEFAULT_EMBEDDER / "config.json").exists():
        pytest.skip("no shipped embedder")
    return Embedder(device="cpu")


def test_every_worn_label_is_shown_as_a_type_of_its_category(embedder: Embedder) -> None:
    names = embedder.config.heads["ccp"]
    assert set(names) <= set(CCP_FINE_TYPE)
    assert set(CCP_FINE_TYPE.values()) <= set(FINE_TYPE_CATEGORY)


def test_a_worn_garment_is_typed_by_the_worn_garment_head(
    embedder: Embedder, stack: contextlib.ExitStack
) -> None:
    ccp, clothing = embedder.config.heads["ccp"], embedder.config.heads["clothing"]
    heads = embedder.heads.heads
    stack.enter_context(_replaced(heads, "ccp", _Favours(ccp, ["skirt", "jeans", "coat"])))
    item_head = _Favours(clothing, ["Pants", "Shorts", "Polo"])
    stack.enter_context(_replaced(heads, "clothing", item_head))
    features = torch.rand(3, 1280)
    categories = ["bottom", "top", "one-piece"]
    _, worn = embedder.classify_category(features, categories, worn=True)
    # Skirt beats jeans for the bottom; a coat is shown as "Outerwear"; no one-piece
    # label is favoured, so the dress and the romper tie and "Dress" wins either way.
    assert worn == ["Skirt", "Outerwear", "Dress"]
    _, item = embedder.classify_category(features, categories)
    assert item == ["Pants", "Polo", "Dress"]


def test_the_item_photos_label_outwear_is_shown_as_outerwear(
    embedder: Embedder, stack: contextlib.ExitStack
) -> None:
    """The clothing data set's spelling: "outerwear" in the search box found no coat."""
    clothing = embedder.config.heads["clothing"]
    favours_outwear = _Favours(clothing, ["Outwear"])
    stack.enter_context(_replaced(embedder.heads.heads, "clothing", favours_outwear))
    _, item = embedder.classify_category(torch.rand(1, 1280), ["top"])
    assert item == ["Outerwear"]
