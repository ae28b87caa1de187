"""Confusion-matrix segmentation metrics (torchvision references style)."""

from __future__ import annotations

import math
import warnings
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
        """IoU per class; NaN for a class no pixel truly has (as ``_resampled_ious``: a
        stray pixel of it would make it 0, so one split's figure would differ from the
        middle of its own interval)."""
        m = self.matrix.astype(np.float64)
        inter = np.diag(m)
        union = m.sum(0) + m.sum(1) - inter
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(m.sum(1) > 0, inter / union, np.nan)

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


# How sure a val figure is: 80 photos move a class IoU by several hundredths between
# epochs, so a figure and a comparison come with a bootstrap interval over photos.
BOOTSTRAP_ROUNDS = 2000


def _resampled_ious(photo_matrices: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IoU per class (rounds, C) and mean garment IoU (rounds,) for each resample of photos.

    ``draws`` (rounds, photos) counts how often each photo is in each resample.
    """
    inter = np.einsum("pcc->pc", photo_matrices).astype(np.float64)
    true = photo_matrices.sum(2).astype(np.float64)
    predicted = photo_matrices.sum(1).astype(np.float64)
    union = draws @ (true + predicted - inter)
    shown = (draws @ true) > 0
    # A class no photo of the resample shows has no IoU (not 0 for a stray pixel, not 1
    # for silence): both would move the mean by chance, and differently for two models.
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(shown & (union > 0), (draws @ inter) / union, np.nan)
    with warnings.catch_warnings():  # a resample without any garment: NaN, said plainly
        warnings.simplefilter("ignore", RuntimeWarning)
        return iou, np.nanmean(iou[:, 1:], axis=1)


def _draws(photos: int, rounds: int, seed: int) -> np.ndarray:
    if photos == 0:
        raise ValueError("no photos to resample")
    rng = np.random.default_rng(seed)
    return rng.multinomial(photos, np.full(photos, 1.0 / photos), size=rounds).astype(np.float64)


def _interval(values: np.ndarray, level: float) -> list[float]:
    tail = (1.0 - level) / 2 * 100
    with warnings.catch_warnings():  # a class no photo shows: NaN, not a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanpercentile(values, [tail, 100 - tail], axis=0)
    return [round(float(low), 4), round(float(high), 4)]


def bootstrap_intervals(
    photo_matrices: np.ndarray,
    class_names: list[str],
    rounds: int = BOOTSTRAP_ROUNDS,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, object]:
    """Percentile bootstrap intervals (photos resampled) of each IoU and the garment mean.

    ``photo_matrices``: (photos, C, C), one confusion matrix per photo.
    """
    iou, mean = _resampled_ious(photo_matrices, _draws(len(photo_matrices), rounds, seed))
    sources, garment_sources = _sources(_touched(photo_matrices))
    return {
        "level": level,
        "rounds": rounds,
        "iou": {
            name: _interval(iou[:, i], level) if sources[i] > 1 else [math.nan, math.nan]
            for i, name in enumerate(class_names)
        },
        "mean_garment_iou": _interval(mean, level) if garment_sources > 1 else [math.nan, math.nan],
    }


def _touched(photo_matrices: np.ndarray) -> np.ndarray:
    """(photos, C): whether each photo has a pixel of each class, true or predicted."""
    inter = np.einsum("pcc->pc", photo_matrices)
    return (photo_matrices.sum(2) + photo_matrices.sum(1) - inter) > 0


def _sources(touched: np.ndarray) -> tuple[np.ndarray, int]:
    """The photos each class's figure comes from (C,), and the garment mean's.

    One alone gives the same figure in every resample, and "0.8909 to 0.8909" read as
    a sure figure: below two there is no interval (NaN, as for a class no photo shows).
    """
    return touched.sum(0), int(touched[:, 1:].any(1).sum())


def paired_difference(
    baseline: np.ndarray,
    candidate: np.ndarray,
    class_names: list[str],
    rounds: int = BOOTSTRAP_ROUNDS,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, object]:
    """Candidate minus baseline on the same photos, with a paired bootstrap interval.

    Both models are scored on each resample, so the photo-to-photo spread (the hard
    photos are hard for both) cancels: far tighter than comparing two intervals.
    ``better_share`` is the share of resamples where the candidate's garment mean is
    higher, ``tied_share`` where it is the same.
    """
    if baseline.shape != candidate.shape:
        raise ValueError("both models must be scored on the same photos")
    draws = _draws(len(baseline), rounds, seed)
    iou_a, mean_a = _resampled_ious(baseline, draws)
    iou_b, mean_b = _resampled_ious(candidate, draws)
    everyone = np.ones((1, len(baseline)))  # the whole split once: the point figures
    point_a, point_mean_a = _resampled_ious(baseline, everyone)
    point_b, point_mean_b = _resampled_ious(candidate, everyone)
    gain = point_b[0] - point_a[0]
    mean_gain = point_mean_b[0] - point_mean_a[0]
    # A photo counts for a class where either model has a pixel of it there.
    sources, garment_sources = _sources(_touched(baseline) | _touched(candidate))
    return {
        "level": level,
        "rounds": rounds,
        "iou": {
            name: {
                "difference": round(float(gain[i]), 4),
                "ci": _interval(iou_b[:, i] - iou_a[:, i], level)
                if sources[i] > 1
                else [math.nan, math.nan],
            }
            for i, name in enumerate(class_names)
        },
        "mean_garment_iou": {
            "difference": round(float(mean_gain), 4),
            "ci": _interval(mean_b - mean_a, level)
            if garment_sources > 1
            else [math.nan, math.nan],
        },
        "better_share": round(float(np.mean(mean_b > mean_a)), 4),
        "tied_share": round(float(np.mean(mean_b == mean_a)), 4),
    }
