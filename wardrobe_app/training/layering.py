"""Synthetic "dress under a top" photos: another photo's top pasted over a one-piece.

The segmenter's remaining errors are dresses worn under a cardigan, jacket or blouse,
where only a skirt-like part shows and the model calls it a bottom. CCP has few such
photos. This makes more (copy-paste augmentation, Ghiasi et al., CVPR 2021, aimed at
that one confusion): a top cut from another training photo by its label is scaled to
the dress's width and laid over its upper part. What stays visible of the dress keeps
its one-piece label; the pasted pixels become top.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch.utils.data

TOP, ONE_PIECE = 1, 3
MIN_PIXELS = 400  # at the working size: smaller garments are slivers, not donors
MIN_VISIBLE = 0.3  # keep at least this share of the dress in sight, or skip


def _box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(mask)
    if len(ys) < MIN_PIXELS:
        return None
    return int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1


def layer_top(
    image: np.ndarray,
    labels: np.ndarray,
    donor_image: np.ndarray,
    donor_labels: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The photo with the donor's top laid over its one-piece, or None where that does
    not make a plausible picture (no dress, no top, or the dress would be hidden)."""
    dress = labels == ONE_PIECE
    worn = dress | (labels == TOP)
    top = _box(donor_labels == TOP)
    clothing = _box(worn)
    if _box(dress) is None or top is None or clothing is None:
        return None
    ty0, ty1, tx0, tx1 = top
    cy0, cy1, _, _ = clothing
    # The shoulders: the upper fifth of the clothes gives where the top goes and how wide.
    band = worn[cy0 : cy0 + max(1, (cy1 - cy0) // 5)]
    xs = np.nonzero(band.any(0))[0]
    bx0, bx1 = int(xs.min()), int(xs.max()) + 1
    # A cardigan or jacket is as wide as the shoulders or a little wider.
    scale = (bx1 - bx0) * rng.uniform(1.0, 1.3) / (tx1 - tx0)
    height = max(1, round((ty1 - ty0) * scale))
    width = max(1, round((tx1 - tx0) * scale))
    patch = cv2.resize(donor_image[ty0:ty1, tx0:tx1], (width, height), interpolation=cv2.INTER_AREA)
    cut = cv2.resize(
        (donor_labels[ty0:ty1, tx0:tx1] == TOP).astype(np.uint8),
        (width, height),
        interpolation=cv2.INTER_NEAREST,
    ).astype(bool)
    y = cy0 - round(height * rng.uniform(0.0, 0.08))
    x = (bx0 + bx1) // 2 - width // 2
    h, w = labels.shape
    sy0, sx0 = max(y, 0), max(x, 0)
    sy1, sx1 = min(y + height, h), min(x + width, w)
    if sy1 <= sy0 or sx1 <= sx0:
        return None
    region = cut[sy0 - y : sy1 - y, sx0 - x : sx1 - x]
    out_labels = labels.copy()
    out_labels[sy0:sy1, sx0:sx1][region] = TOP
    if (out_labels == ONE_PIECE).sum() < MIN_VISIBLE * dress.sum():
        return None
    out_image = image.copy()
    out_image[sy0:sy1, sx0:sx1][region] = patch[sy0 - y : sy1 - y, sx0 - x : sx1 - x][region]
    return out_image, out_labels


class LayeredTops:
    """For a training set: with probability ``p``, a photo that shows a one-piece gets a
    top from a random other photo laid over it (:func:`layer_top`)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, p: float, seed: int = 0) -> None:
        self.images, self.labels, self.p, self.seed = images, labels, p, seed
        flat = labels.reshape(len(labels), -1)
        self.donors = np.flatnonzero((flat == TOP).sum(1) >= MIN_PIXELS)
        self._rng = np.random.default_rng(seed)
        self._worker_seed: int | None = None

    def _generator(self) -> np.random.Generator:
        # Each data-loader worker holds a copy of this object: seeded alike, they would all
        # draw the same choices. Torch gives every worker (and every epoch) its own seed.
        info = torch.utils.data.get_worker_info()
        if info is not None and info.seed != self._worker_seed:
            self._worker_seed = info.seed
            self._rng = np.random.default_rng([self.seed, info.seed])
        return self._rng

    def reseed(self, epoch: int) -> None:
        """Draws of the main process for ``epoch`` from (seed, epoch) alone, so that a
        resumed run draws what the uninterrupted one did (workers reseed themselves)."""
        self._rng = np.random.default_rng([self.seed, epoch])

    def __call__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        image, labels = self.images[index], self.labels[index]
        rng = self._generator()
        donors = self.donors[self.donors != index]
        if len(donors) and rng.random() < self.p:
            donor = int(rng.choice(donors))
            layered = layer_top(image, labels, self.images[donor], self.labels[donor], rng)
            if layered is not None:
                return layered
        return image, labels
