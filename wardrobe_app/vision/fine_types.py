"""The fine types a user sees and filters by (the clothing data set's labels), and which
garment class each belongs to. Torch-free: the service and the review read them too."""

from __future__ import annotations

# The clothing data set's labels in the words a user reads and searches for: it spells
# outerwear "Outwear" (so "outerwear" in the search box found no coat).
CLOTHING_LABEL_WORDS = {"Outwear": "Outerwear"}

# The types a user sees and filters by, by garment class: the clothing data set's labels
# (as its items.csv maps them), in those words.
FINE_TYPE_CATEGORY = {
    **dict.fromkeys(
        [
            "T-Shirt",
            "Shirt",
            "Top",
            "Outerwear",
            "Body",
            "Longsleeve",
            "Undershirt",
            "Polo",
            "Blouse",
            "Hoodie",
            "Blazer",
        ],
        "top",
    ),
    **dict.fromkeys(["Shorts", "Pants", "Skirt"], "bottom"),
    "Dress": "one-piece",
}
# The "ccp" head's labels (CCP's fine labels of worn garments) in the words of the
# clothing labels, the types a user sees and filters by.
CCP_FINE_TYPE = {
    **dict.fromkeys(["jeans", "pants", "leggings"], "Pants"),
    "skirt": "Skirt",
    "shorts": "Shorts",
    **dict.fromkeys(["dress", "romper"], "Dress"),
    **dict.fromkeys(["coat", "jacket", "cape", "vest", "cardigan"], "Outerwear"),
    **dict.fromkeys(["blazer", "suit"], "Blazer"),
    "blouse": "Blouse",
    "shirt": "Shirt",
    "t-shirt": "T-Shirt",
    "top": "Top",
    **dict.fromkeys(["hoodie", "sweatshirt"], "Hoodie"),
    **dict.fromkeys(["sweater", "jumper"], "Longsleeve"),
    "bodysuit": "Body",
}


def shown_type(label: str) -> str:
    """A clothing label as the type a user sees ("Outwear" -> "Outerwear")."""
    return CLOTHING_LABEL_WORDS.get(label, label)
