"""One photo in, its garments out: load, segment, extract, classify, embed.

``PhotoAnalyser`` implements the ``types.Analyser`` protocol that the service uses.
Outfit photos (a person wearing clothes) take their garments from the segmenter; item
photos (one garment laid flat or hung) take the garment's outline from GrabCut seeded by
the segmenter and its category from a classifier, because a segmenter trained on worn
outfits splits a lone garment into mixed classes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import torch

from ..types import (
    CATEGORIES,
    MIN_ANALYSIS_SIDE,
    DetectedGarment,
    KindChoice,
    PhotoAnalysis,
    PhotoKind,
)
from .colour_descriptor import colour_histogram
from .embedder import Embedder, split_rgba
from .garments import extract_garments, garment_from_mask
from .grabcut import find_item
from .image_io import load_image, shrunk_to
from .leg_gap import open_leg_gap
from .segmenter import Segmenter

# Photos are analysed at most this large (long side); the original file is kept as is.
MAX_ANALYSIS_SIDE = 2048
# An item photo whose "other" probability wins (shoes, a hat, a landscape) yields nothing;
# so does a photo of someone wearing the clothes, read as one item (by choice, in the
# review or with --kind item): "is it shoes, a hat…?" alone read oddly there. Said for the
# GUI and the CLI alike.
NO_GARMENT_MESSAGE = (
    "no garment found as one item (is it shoes, a hat or something other than clothes? "
    "If someone is wearing it, analyse it as an outfit photo)"
)
# An item photo whose middle looks like its edge (pure noise, a bare wall) yields nothing:
# the classifier alone filed noise as a Dress.
NOTHING_STANDS_OUT = "no garment found: nothing in the photo stands out from its background"


# A bottom keeps the bed between its legs where, without it, the category head is less
# sure than this that it is a bottom (figures: the embedder's MODEL.md).
LEG_GAP_MIN_SURE = 0.9


def cap_size(rgb: np.ndarray, max_side: int = MAX_ANALYSIS_SIDE) -> np.ndarray:
    return shrunk_to(rgb, max_side)


class PhotoAnalyser:
    def __init__(self, segmenter: Segmenter, embedder: Embedder) -> None:
        self.segmenter = segmenter
        self.embedder = embedder
        # The models run one photo at a time, whichever thread asks (GUI workers, CLI).
        self._lock = threading.RLock()

    @classmethod
    def default(
        cls,
        device: str = "auto",
        segmenter_dir: str | os.PathLike[str] | None = None,
        embedder_dir: str | os.PathLike[str] | None = None,
    ) -> PhotoAnalyser:
        return cls(Segmenter(segmenter_dir, device=device), Embedder(embedder_dir, device=device))

    @property
    def embedder_version(self) -> str:
        return self.embedder.version

    @property
    def dim(self) -> int:
        return self.embedder.dim

    @property
    def device(self) -> str:
        return self.segmenter.device.type

    def describe(self) -> str:
        return self.segmenter.describe()

    def analyse(self, path: Path, kind: KindChoice = "auto") -> PhotoAnalysis:
        rgb = load_image(path, fit=cap_size)
        return self.analyse_rgb(rgb, Path(path), kind)

    def analyse_rgb(self, rgb: np.ndarray, path: Path, kind: KindChoice = "auto") -> PhotoAnalysis:
        height, width = rgb.shape[:2]
        if min(height, width) < MIN_ANALYSIS_SIDE:
            return PhotoAnalysis(
                path=path,
                rgb=rgb,
                kind="item" if kind == "item" else "outfit",
                labels=np.zeros((height, width), np.uint8),
                garments=[],
                message=f"no garment found: the photo is too small ({width}x{height} pixels; "
                f"at least {MIN_ANALYSIS_SIDE} a side)",
            )
        with self._lock, torch.inference_mode():
            chosen: PhotoKind
            if kind == "auto":
                chosen = "item" if self.embedder.item_probability(rgb) >= 0.5 else "outfit"
            else:
                chosen = kind
            if chosen == "outfit":
                labels, probs = self.segmenter.labels_and_probabilities(rgb)
                garments = extract_garments(rgb, labels, probs)
                message = "" if garments else "no garment found"
                if garments:
                    self._fill_vectors(garments)
            else:
                labels = np.zeros(rgb.shape[:2], np.uint8)
                garments, message = self._item_garment(rgb, labels)
        return PhotoAnalysis(
            path=path, rgb=rgb, kind=chosen, labels=labels, garments=garments, message=message
        )

    def _item_garment(
        self, rgb: np.ndarray, labels: np.ndarray
    ) -> tuple[list[DetectedGarment], str]:
        # GrabCut from the frame alone: the segmenter, trained on worn outfits, finds half
        # garments on item photos, and the category head was trained on these masks.
        mask = find_item(rgb)
        if mask is None:
            return [], NOTHING_STANDS_OUT
        features = self.embedder.features([(rgb, mask)])
        probs, fine = self.embedder.classify_category(features)
        best = int(probs[0].argmax())
        if best == len(CATEGORIES) or not self.embedder.is_garment(features)[0]:
            return [], NO_GARMENT_MESSAGE
        if CATEGORIES[best] == "bottom":
            mask = self._without_leg_gap(rgb, mask, fine[0])
        garment = garment_from_mask(rgb, mask, CATEGORIES[best], item_photo=True)
        if garment is None:
            return [], NO_GARMENT_MESSAGE
        garment.confidence = float(probs[0, best])
        garment.fine_type = fine[0]
        # The item label map: the whole garment as its one class, for overlays.
        labels[garment.mask] = best + 1
        self._fill_vectors([garment])
        return [garment], ""

    def _without_leg_gap(
        self, rgb: np.ndarray, mask: np.ndarray, fine_type: str | None
    ) -> np.ndarray:
        """A bottom's ``mask`` without the bed between its legs (``open_leg_gap``) for the
        cut-out, colours and vector, where the heads still read it as before: they were
        trained on GrabCut's masks, the gap in, and where they no longer do (a bottom read
        as a top, or as a bottom only 58% sure) the vector had moved among other types'
        (a pair of pants among skirts). The category and type stay those of ``mask``."""
        opened = open_leg_gap(rgb, mask)
        if (opened == mask).all():
            return mask
        probs, fine = self.embedder.classify_category(self.embedder.features([(rgb, opened)]))
        bottom = CATEGORIES.index("bottom")
        if fine[0] == fine_type and float(probs[0, bottom]) >= LEG_GAP_MIN_SURE:
            return opened
        return mask

    def _fill_vectors(self, garments: list[DetectedGarment]) -> None:
        """Vectors from the cut-outs (as ``reindex`` will compute them) and, where a
        garment has none yet, a fine type: one cut from a worn outfit (an item photo's
        garment is typed before, by the item photos' head)."""
        items = [split_rgba(g.cutout) for g in garments]
        features = self.embedder.features(items)
        colours = np.stack([colour_histogram(rgb, mask) for rgb, mask in items])
        vectors = self.embedder.combine(features, colours)
        categories = [g.category for g in garments]
        _, fine = self.embedder.classify_category(features, categories, worn=True)
        for garment, vector, fine_type in zip(garments, vectors, fine, strict=True):
            garment.vector = vector
            garment.fine_type = garment.fine_type or fine_type

    def fill_vectors(self, garments: list[DetectedGarment]) -> None:
        with self._lock, torch.inference_mode():
            self._fill_vectors(garments)

    def embed_cutouts(self, cutouts: list[np.ndarray]) -> np.ndarray:
        with self._lock:
            return self.embedder.embed([split_rgba(c) for c in cutouts])
