"""Confusion-matrix segmentation metrics (torchvision references style)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ConfusionMatrix:
    num_classes: int

    def __post_init__(self) -> None:
        self.matrix = np.zeros((self.num_classes, self.num_classes), dtype=np.int64)

    def update(self, target: np.ndarray, prediction: np.ndarray) -> None:
        """Rows are the true class, columns the predicted one."""
        n = self.num_classes
        valid = target < n
        idx = n * target[valid].astype(np.int64) + prediction[valid].astype(np.int64)
        self.matrix += np.bincount(idx, minlength=n * n).reshape(n, n)

    def iou(self) -> np.ndarray:
        m = self.matrix.astype(np.float64)
        inter = np.diag(m)
        union = m.sum(0) + m.sum(1) - inter
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(union > 0, inter / union, np.nan)

    def pixel_accuracy(self) -> float:
        total = self.matrix.sum()
        return float(np.trace(self.matrix) / total) if total else float("nan")

    def summary(self, class_names: list[str]) -> dict[str, object]:
        iou = self.iou()
        garment_iou = [float(v) for v in iou[1:] if not np.isnan(v)]
        return {
            "iou": {name: round(float(v), 4) for name, v in zip(class_names, iou, strict=True)},
            "mean_garment_iou": round(float(np.mean(garment_iou)), 4) if garment_iou else None,
            "pixel_accuracy": round(self.pixel_accuracy(), 4),
            "confusion": self.matrix.tolist(),
        }


# A garment counts as found when this share of its pixels gets its class.
FOUND_RECALL = 0.7
OUTCOMES = ("found", "split", "missed", "wrong_class")


def garment_outcome(row: np.ndarray, true_class: int) -> str:
    """What became of one garment in one photo, from its row of the photo's confusion matrix.

    ``found``: at least 70% of its pixels get its class. Otherwise ``missed`` when most of
    it is called background, ``wrong_class`` when most of it is called one other garment
    class (a dress taken for a skirt), else ``split`` between classes. Mean IoU hides these
    whole-garment errors, which are what a user sees.
    """
    share = row / max(int(row.sum()), 1)
    if share[true_class] >= FOUND_RECALL:
        return "found"
    others = share.copy()
    others[true_class] = 0.0
    worst = int(others.argmax())
    if others[worst] >= 0.5:
        return "missed" if worst == 0 else "wrong_class"
    return "split"


@dataclass
class GarmentTally:
    """Per garment class, how many photos show it and what became of it in each."""

    class_names: list[str]
    min_share: float = 0.002  # smaller slivers of a class are label noise, not garments

    def __post_init__(self) -> None:
        self.counts = {name: dict.fromkeys(OUTCOMES, 0) for name in self.class_names[1:]}

    def update(self, photo_matrix: np.ndarray) -> dict[str, str]:
        """Count one photo; returns the outcome of each garment class it shows."""
        total = photo_matrix.sum()
        outcomes = {}
        for index, name in enumerate(self.class_names[1:], start=1):
            row = photo_matrix[index]
            if total and row.sum() / total >= self.min_share:
                outcome = garment_outcome(row, index)
                self.counts[name][outcome] += 1
                outcomes[name] = outcome
        return outcomes
