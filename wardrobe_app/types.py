"""Domain types shared by the vision, store, search, service, CLI and GUI layers (no Qt).

These are the contract between the layers: plain dataclasses, numpy arrays for pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

Category = Literal["top", "bottom", "one-piece"]
CATEGORIES: tuple[Category, ...] = ("top", "bottom", "one-piece")
# Label-map values of the segmenter: 0 background, 1 top, 2 bottom, 3 one-piece.
CATEGORY_OF_LABEL: dict[int, Category] = {1: "top", 2: "bottom", 3: "one-piece"}
LABEL_OF_CATEGORY: dict[Category, int] = {v: k for k, v in CATEGORY_OF_LABEL.items()}

PhotoKind = Literal["outfit", "item"]
KindChoice = Literal["auto", "outfit", "item"]


@dataclass(frozen=True)
class Colour:
    """One dominant colour of a garment: palette name, mean sRGB as #rrggbb, pixel share."""

    name: str
    hex: str
    share: float

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "hex": self.hex, "share": round(self.share, 4)}


@dataclass
class DetectedGarment:
    """A garment found in a photo, before it is stored.

    ``mask`` is a bool array at the photo's size; ``box`` is (x0, y0, x1, y1), exclusive
    end; ``cutout`` is RGBA uint8 cropped to the box with a transparent background.
    """

    category: Category
    mask: np.ndarray
    box: tuple[int, int, int, int]
    cutout: np.ndarray
    colours: list[Colour] = field(default_factory=list)
    confidence: float = 1.0
    fine_type: str | None = None
    vector: np.ndarray | None = None  # filled by the embedder

    @property
    def area(self) -> int:
        return int(self.mask.sum())


# A photo narrower than this on its short side (a thumbnail, a sliver) has no garment
# to find: the networks' smallest feature maps would be under 2 pixels, and their
# answers on it were confident nonsense (a 3x500 strip filed as a top).
MIN_ANALYSIS_SIDE = 48


@dataclass
class PhotoAnalysis:
    """What the vision pipeline found in one photo (nothing saved yet)."""

    path: Path
    rgb: np.ndarray  # EXIF-rotated RGB uint8
    kind: PhotoKind
    labels: np.ndarray  # uint8 label map at the photo's size
    garments: list[DetectedGarment]
    message: str = ""  # why nothing was found, e.g. vision.pipeline.NO_GARMENT_MESSAGE

    @property
    def too_small(self) -> bool:
        """Too small to analyse (MIN_ANALYSIS_SIDE): read as either kind, nothing is found."""
        return min(self.rgb.shape[:2]) < MIN_ANALYSIS_SIDE


@dataclass
class GarmentRecord:
    """A stored garment as the service returns it (paths are absolute)."""

    id: int
    photo_id: int
    category: Category
    fine_type: str | None
    name: str
    tags: list[str]
    notes: str
    favourite: bool
    colours: list[Colour]
    box: tuple[int, int, int, int]
    area: int
    cutout_path: Path
    thumbnail_path: Path
    mask_path: Path
    photo_path: Path
    created_at: datetime
    updated_at: datetime


@dataclass
class SimilarHit:
    garment: GarmentRecord
    score: float  # cosine similarity in [-1, 1], higher is more alike


@dataclass
class SimilarItems:
    """A garment's nearest others, split at the similar floor: ``alike`` scored at or
    above it (what "similar" means), ``less_alike`` under it, nearest first in each."""

    alike: list[SimilarHit]
    less_alike: list[SimilarHit]


@dataclass
class ImportResult:
    path: Path
    status: Literal["imported", "duplicate", "failed", "cancelled"]
    photo_id: int | None = None
    kind: PhotoKind | None = None
    garments: list[GarmentRecord] = field(default_factory=list)
    error: str | None = None
    message: str = ""


@dataclass
class ImportReport:
    results: list[ImportResult] = field(default_factory=list)
    left_out: list[Path] = field(default_factory=list)  # photos and videos it cannot read
    # The data folders of wardrobes given or found in the folders (a backup), skipped:
    # their files are that wardrobe's photos, cut-outs and masks.
    wardrobes: list[Path] = field(default_factory=list)

    @property
    def imported(self) -> list[ImportResult]:
        return [r for r in self.results if r.status == "imported"]

    @property
    def duplicates(self) -> list[ImportResult]:
        return [r for r in self.results if r.status == "duplicate"]

    @property
    def failed(self) -> list[ImportResult]:
        return [r for r in self.results if r.status == "failed"]


@dataclass
class GarmentFilter:
    """Browse filters; ``None`` / empty means "any"."""

    categories: set[str] = field(default_factory=set)
    colours: set[str] = field(default_factory=set)
    fine_types: set[str] = field(default_factory=set)
    favourites_only: bool = False
    text: str = ""
    sort: Literal["date", "colour", "category"] = "date"
    descending: bool = True


class Analyser(Protocol):
    """The vision pipeline as the service sees it (``vision.pipeline.PhotoAnalyser``).

    Tests substitute a fast fake. ``analyse`` raises ``vision.image_io.ImageLoadError``
    for a file that is not a usable photo; vectors of the returned garments are filled.
    """

    @property
    def embedder_version(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def device(self) -> str: ...

    def analyse(self, path: Path, kind: KindChoice = "auto") -> PhotoAnalysis: ...

    def embed_cutouts(self, cutouts: list[np.ndarray]) -> np.ndarray:
        """(N, dim) float32, L2-normalised rows, for RGBA cut-outs."""
        ...

    def fill_vectors(self, garments: list[DetectedGarment]) -> None:
        """Set each garment's vector, and its fine type where it has none, from its
        cut-out and category (as ``analyse`` does; for a garment made by the user)."""
        ...

    def describe(self) -> str:
        """One line for a status bar, e.g. "segmenter lite0-unet-v1 on CPU"."""
        ...
