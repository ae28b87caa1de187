"""``wardrobe-cli evaluate``: the shipped segmenter on a labelled split, at each photo's size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..vision.segmenter import Segmenter
from .ccp import label_lookup, load_pair, read_split
from .metrics import ConfusionMatrix


def evaluate_folder(
    data: str | Path,
    split: str | Path = "val.txt",
    model: str | Path | None = None,
    device: str = "auto",
) -> dict[str, Any]:
    data = Path(data)
    segmenter = Segmenter(model, device=device)
    names = segmenter.class_names
    table = label_lookup(data, len(names))
    stems = read_split(data, split)
    cm = ConfusionMatrix(len(names))
    for stem in tqdm(stems, desc="evaluate", unit="photo", leave=False):
        rgb, target = load_pair(data, stem, table)
        cm.update(target, segmenter.segment(rgb))
    report = cm.summary(names)
    report.update(
        {
            "model": str(segmenter.model_dir),
            "split": str(split),
            "photos": len(stems),
            "classes": names,
        }
    )
    return report


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
    return "\n".join(lines)
