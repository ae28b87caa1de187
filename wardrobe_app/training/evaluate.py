"""``wardrobe-cli evaluate``: the shipped segmenter on a labelled split, at each photo's size."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..vision.segmenter import Segmenter
from .ccp import label_lookup, load_pair, read_split
from .metrics import OUTCOMES, ConfusionMatrix, GarmentTally


def evaluate_folder(
    data: str | Path,
    split: str | Path = "val.txt",
    model: str | Path | None = None,
    device: str = "auto",
    per_photo: str | Path | None = None,
) -> dict[str, Any]:
    """IoU and confusion over the split, and what became of each garment in each photo.

    ``per_photo``: a CSV file to write, one row per photo (its pixel counts per class,
    true, predicted and both, and each garment's outcome), for looking at the failures.
    """
    data = Path(data)
    segmenter = Segmenter(model, device=device)
    names = segmenter.class_names
    table = label_lookup(data, len(names))
    stems = read_split(data, split)
    cm = ConfusionMatrix(len(names))
    tally = GarmentTally(names)
    rows = []
    for stem in tqdm(stems, desc="evaluate", unit="photo", leave=False):
        rgb, target = load_pair(data, stem, table)
        photo = ConfusionMatrix(len(names))
        photo.update(target, segmenter.segment(rgb))
        cm.matrix += photo.matrix
        outcomes = tally.update(photo.matrix)
        rows.append(_photo_row(stem, photo.matrix, names, outcomes))
    if per_photo is not None:
        _write_rows(Path(per_photo), rows)
    report = cm.summary(names)
    report["garments"] = tally.counts
    report.update(
        {
            "model": str(segmenter.model_dir),
            "split": str(split),
            "photos": len(stems),
            "classes": names,
        }
    )
    return report


def _photo_row(
    stem: str, matrix: Any, names: list[str], outcomes: dict[str, str]
) -> dict[str, Any]:
    row: dict[str, Any] = {"photo": stem}
    for i, name in enumerate(names):
        row[f"{name}_true"] = int(matrix[i].sum())
        row[f"{name}_predicted"] = int(matrix[:, i].sum())
        row[f"{name}_both"] = int(matrix[i, i])
    for name in names[1:]:
        row[f"{name}_outcome"] = outcomes.get(name, "")
    return row


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["photo"])
        writer.writeheader()
        writer.writerows(rows)


def format_report(report: dict[str, Any]) -> str:
    names: list[str] = report["classes"]
    lines = [
        f"{report['photos']} photos of {report['split']}, model {report['model']}",
        "",
        "IoU per class:",
    ]
    lines += [f"  {name:<11} {report['iou'][name]:.4f}" for name in names]
    lines += [
        f"mean IoU (garments) {report['mean_garment_iou']:.4f}",
        f"pixel accuracy      {report['pixel_accuracy']:.4f}",
        "",
        "confusion matrix (rows: truth, columns: prediction, pixels):",
        " " * 12 + "".join(f"{n[:10]:>12}" for n in names),
    ]
    for name, row in zip(names, report["confusion"], strict=True):
        lines.append(f"{name[:10]:>12}" + "".join(f"{v:>12}" for v in row))
    lines += [
        "",
        "garments (photos that show each class; found: >= 70% of its pixels right):",
        " " * 12 + "".join(f"{o:>12}" for o in ("photos", *OUTCOMES)),
    ]
    for name, counts in report["garments"].items():
        cells = [sum(counts.values()), *(counts[o] for o in OUTCOMES)]
        lines.append(f"{name[:10]:>12}" + "".join(f"{v:>12}" for v in cells))
    return "\n".join(lines)
