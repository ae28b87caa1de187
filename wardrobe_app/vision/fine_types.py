"""The fine types a user sees and filters by (the clothing data set's labels), and which
garment class each belongs to. Torch-free: the service and the review read them too."""

from __future__ import annotations

# The clothing data set's labels by garment class (as its items.csv maps them).
FINE_TYPE_CATEGORY = {
    **dict.fromkeys(
        [
            "T-Shirt",
            "Shirt",
            "Top",
            "Outwear",
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
    **dict.fromkeys(["coat", "jacket", "cape", "vest", "cardigan"], "Outwear"),
    **dict.fromkeys(["blazer", "suit"], "Blazer"),
    "blouse": "Blouse",
    "shirt": "Shirt",
    "t-shirt": "T-Shirt",
    "top": "Top",
    **dict.fromkeys(["hoodie", "sweatshirt"], "Hoodie"),
    **dict.fromkeys(["sweater", "jumper"], "Longsleeve"),
    "bodysuit": "Body",
}
