"""The words of a text search: each word of the search box and `list --text`, with
the types and categories it stands for ("jeans" finds Pants, "tee" a T-Shirt), and
compared with hyphens and spaces in a word left out ("tshirt", "t-shirt" and
"t shirt" all find a T-Shirt). The types are the clothing labels' (vision.fine_types),
which users rarely type: "jeans", "trousers", "sweater" or "frock" found nothing."""

from __future__ import annotations

from ..types import GarmentRecord

# A word searched for -> the types and categories it also finds, all in ``compact`` form
# (lower case, no hyphens or spaces). Explicit, and small: only words that mean one of
# the types a garment is given (or a category), so that a search stays predictable.
SYNONYMS: dict[str, tuple[str, ...]] = {
    # Pants (CCP's jeans, pants and leggings are given that type)
    **dict.fromkeys(
        ["jeans", "jean", "trousers", "trouser", "slacks", "chinos", "leggings", "joggers"],
        ("pants",),
    ),
    # T-Shirt
    **dict.fromkeys(["tee", "tees", "teeshirt", "tshirts"], ("tshirt",)),
    # Longsleeve (CCP's sweaters and jumpers), Hoodie (its sweatshirts)
    **dict.fromkeys(["sweater", "sweaters", "jumper", "jumpers", "pullover"], ("longsleeve",)),
    **dict.fromkeys(["sweatshirt", "hoody"], ("hoodie",)),
    # Outerwear (CCP's coats, jackets, capes, vests and cardigans), Blazer (its suits)
    **dict.fromkeys(["coat", "jacket", "cardigan", "parka", "anorak"], ("outerwear",)),
    "suit": ("blazer",),
    "bodysuit": ("body",),
    "poloshirt": ("polo",),
    # Dress (CCP's rompers too), and the one-piece category
    **dict.fromkeys(["frock", "gown", "dresses"], ("dress",)),
    **dict.fromkeys(["romper", "jumpsuit", "playsuit"], ("dress", "onepiece")),
    # categories, in the plural as a user asks for them
    "tops": ("top",),
    "bottoms": ("bottom",),
}
# Words typed apart that are one word here: "t shirt", "one piece", "long sleeve".
_JOINED = {"tshirt", "onepiece", "longsleeve", "teeshirt", "poloshirt", "sweatshirt"}


def compact(text: str) -> str:
    """Lower case, hyphens and spaces left out: how a search and a garment compare."""
    return text.lower().replace("-", "").replace(" ", "")


def search_terms(text: str) -> list[tuple[str, ...]]:
    """Each word of a search (a word typed apart joined where it is one here, "t shirt"),
    with what else it finds: a garment matches where each word finds something in it."""
    words = [w for w in (compact(part) for part in text.split()) if w]
    terms: list[tuple[str, ...]] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words) and words[i] + words[i + 1] in _JOINED | SYNONYMS.keys():
            word, i = words[i] + words[i + 1], i + 2
        else:
            word, i = words[i], i + 1
        terms.append((word, *SYNONYMS.get(word, ())))
    return terms


def searched_text(r: GarmentRecord) -> str:
    """What a search looks in: name, notes, category, type, tags and colours in
    ``compact`` form ("white t shirt" is found by "tshirt", "Light-blue" by "light
    blue"; a word with no spaces found in the text as written is found in this too),
    kept apart by newlines, which no word searched for holds. Made in one go, as it is
    for every garment at each key typed."""
    parts = [r.name, r.notes, r.category, r.fine_type or "", *r.tags, *(c.name for c in r.colours)]
    return "\n".join(parts).lower().replace("-", "").replace(" ", "")


def matches(haystack: str, terms: list[tuple[str, ...]]) -> bool:
    """Whether every term finds one of its words (as part of a word) in ``searched_text``."""
    for term in terms:  # loops, not all(any(...)): this runs for 40,000 garments a key
        for word in term:
            if word in haystack:
                break
        else:
            return False
    return True
