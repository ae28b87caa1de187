"""A text search finds garments by the words users type for their types and categories
("jeans" a pair of Pants, "tee" a T-Shirt), hyphens and spaces aside, in the window and
in the CLI alike (both list through the service)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fakes import FakeAnalyser

from wardrobe_app import service
from wardrobe_app.service import Wardrobe
from wardrobe_app.types import GarmentFilter

Photos = Callable[..., list[Path]]
Run = Callable[..., tuple[int, str, str]]  # the ``cli`` fixture (tests/conftest.py)

TYPES = ["T-Shirt", "Pants", "Longsleeve", "Dress", "Hoodie", "Skirt"]


def _typed(w: Wardrobe, photos: Photos) -> dict[str, int]:
    """Garments of the types above (no names), by type: their ids."""
    w.import_paths(photos(len(TYPES) // 2))
    ids = sorted(r.id for r in w.list_garments())
    for garment_id, fine_type in zip(ids, TYPES, strict=True):
        w.update_garment(garment_id, fine_type=fine_type)
    return dict(zip(TYPES, ids, strict=True))


def _found(w: Wardrobe, text: str) -> set[int]:
    return {r.id for r in w.list_garments(GarmentFilter(text=text))}


@pytest.mark.parametrize(
    ("text", "fine_type"),
    [
        ("jeans", "Pants"),
        ("trousers", "Pants"),
        ("Trousers", "Pants"),
        ("tshirt", "T-Shirt"),
        ("t-shirt", "T-Shirt"),
        ("t shirt", "T-Shirt"),
        ("tee", "T-Shirt"),
        ("sweater", "Longsleeve"),
        ("jumper", "Longsleeve"),
        ("long sleeve", "Longsleeve"),
        ("frock", "Dress"),
        ("sweatshirt", "Hoodie"),
    ],
)
def test_a_word_users_type_finds_the_type_it_means(
    wardrobe: Wardrobe, photos: Photos, text: str, fine_type: str
) -> None:
    # They found nothing: the types are the clothing labels' (Pants, T-Shirt, ...).
    by_type = _typed(wardrobe, photos)
    assert _found(wardrobe, text) == {by_type[fine_type]}


def test_synonyms_add_to_a_search_and_keep_its_other_words(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    by_type = _typed(wardrobe, photos)
    pants = wardrobe.garment(by_type["Pants"])
    colour = pants.colours[0].name
    # each word must still find something: a colour and a synonym together narrow
    assert by_type["Pants"] in _found(wardrobe, f"{colour} jeans")
    assert _found(wardrobe, "jeans zzz") == set()
    # a name of the user's still found by the word itself, hyphens aside
    wardrobe.update_garment(by_type["Skirt"], name="Mini-skirt from the market")
    assert _found(wardrobe, "miniskirt") == _found(wardrobe, "mini skirt") == {by_type["Skirt"]}
    wardrobe.update_garment(by_type["Dress"], name="White t shirt dress")
    assert _found(wardrobe, "t-shirt") == {by_type["T-Shirt"], by_type["Dress"]}
    # categories in the plural
    bottoms = {r.id for r in wardrobe.list_garments() if r.category == "bottom"}
    assert bottoms and _found(wardrobe, "bottoms") == bottoms


def test_the_cli_finds_what_the_window_finds(cli: Run, home: Path, photos: Photos) -> None:
    with service.Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        by_type = _typed(w, photos)
        window = _found(w, "jeans")
    rc, out, _ = cli("list", "--text", "jeans")
    assert rc == 0 and window == {by_type["Pants"]}
    assert [line.split()[0] for line in out.splitlines()] == [f"#{by_type['Pants']}"]
