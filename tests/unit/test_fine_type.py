"""A garment's fine type: from the worn-garment head for a cut from an outfit photo,
from the item photos' head otherwise, always within the garment's category."""

from __future__ import annotations

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
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    ccp, clothing = embedder.config.heads["ccp"], embedder.config.heads["clothing"]
    heads = embedder.heads.heads
    monkeypatch.setattr(heads, "ccp", _Favours(ccp, ["skirt", "jeans", "coat"]))
    monkeypatch.setattr(heads, "clothing", _Favours(clothing, ["Pants", "Shorts", "Polo"]))
    features = torch.rand(3, 1280)
    categories = ["bottom", "top", "one-piece"]
    _, worn = embedder.classify_category(features, categories, worn=True)
    # Skirt beats jeans for the bottom; a coat is shown as "Outwear"; no one-piece label
    # is favoured, so the dress and the romper tie and "Dress" wins either way.
    assert worn == ["Skirt", "Outwear", "Dress"]
    _, item = embedder.classify_category(features, categories)
    assert item == ["Pants", "Polo", "Dress"]
