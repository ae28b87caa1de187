"""The single-garment clothing data set and its sender-level split."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

# Labels too vague to query with in retrieval figures.
VAGUE_LABELS = ("Not sure", "Other")


@dataclass(frozen=True)
class ClothingItem:
    image: str
    label: str
    garment: str  # top, bottom, one-piece, other
    kids: bool
    sender: str

    def path(self, root: Path) -> Path:
        return root / "images" / f"{self.image}.jpg"


def read_items(root: Path) -> list[ClothingItem]:
    with (root / "items.csv").open(newline="", encoding="utf-8") as f:
        return [
            ClothingItem(r["image"], r["label"], r["garment"], r["kids"] == "True", r["sender_id"])
            for r in csv.DictReader(f)
        ]


def sender_split(sender: str) -> str:
    """``test`` (~15% of senders, never trained on), ``val`` (~10%, for tuning) or ``train``.

    A hash of the sender id: stable across machines and runs, and whole senders stay on
    one side because their photos share rooms, light and often garments.
    """
    bucket = int(hashlib.sha256(f"wardrobe-split:{sender}".encode()).hexdigest(), 16) % 100
    if bucket < 15:
        return "test"
    if bucket < 25:
        return "val"
    return "train"
