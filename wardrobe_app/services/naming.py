"""What a garment is called: the user's name, or one made up from its main colour and
its type ("Light blue dress"). One rule for the window, the CLI and an export (no Qt):
an export's name column was empty for every garment the user had not renamed, while
the window showed "Light blue dress"."""

from __future__ import annotations

from ..types import GarmentRecord

CATEGORY_LABELS: dict[str, str] = {"top": "Top", "bottom": "Bottom", "one-piece": "One-piece"}


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category.capitalize())


def type_label(fine_type: str) -> str:
    """A fine type as shown everywhere: its first letter raised, the rest as stored
    ("T-Shirt" stays "T-Shirt", a typed "jeans" reads "Jeans")."""
    return fine_type[:1].upper() + fine_type[1:]


def display_name(record: GarmentRecord) -> str:
    """The user's name where they gave one, else the made-up one (see ``made_up_name``)."""
    return record.name or made_up_name(record)


def made_up_name(record: GarmentRecord) -> str:
    # Sentence case, as a user names one ("Light blue dress", "Black dress", "Navy top"):
    # the type read "Dress" after a one-word colour and a two-word one alike, so "Light
    # blue Dress". A type spelled with capitals inside ("T-Shirt") keeps them.
    kind = record.fine_type or category_label(record.category)
    if kind[1:] == kind[1:].lower():
        kind = kind.lower()
    colour = record.colours[0].name if record.colours else ""
    return type_label(f"{colour} {kind}".strip())
