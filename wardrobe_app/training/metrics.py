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
