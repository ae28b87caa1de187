"""``wardrobe-cli evaluate``: the shipped segmenter on a labelled split, at each photo's size."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from .. import paths
from ..vision.ensemble import ProbabilityAverage
from ..vision.model_folder import ModelFolderError, read_config, write_config
from ..vision.segmenter import Segmenter
from .ccp import (
    check_data_folder,
    check_samples,
    label_lookup,
    load_pair,
    read_split,
    split_path,
)
from .metrics import (
    OUTCOMES,
    ConfusionMatrix,
    GarmentTally,
    bootstrap_intervals,
    paired_difference,
)


def photo_matrices(
    segmenters: Sequence[Segmenter], data: Path, stems: list[str]
) -> list[np.ndarray]:
    """For each segmenter, (photos, C, C): one confusion matrix per photo, each photo at
    its own size. Each photo is read once, whatever the number of models."""
    names = segmenters[0].class_names
    table = label_lookup(data, len(names))
    matrices: list[list[np.ndarray]] = [[] for _ in segmenters]
    # The bar on a terminal only (disable=None): not dozens of its states in a log.
    for stem in tqdm(stems, desc="evaluate", unit="photo", leave=False, disable=None):
        rgb, target = load_pair(data, stem, table)
        for segmenter, rows in zip(segmenters, matrices, strict=True):
            photo = ConfusionMatrix(len(names))
            photo.update(target, segmenter.segment(rgb))
            rows.append(photo.matrix)
    empty = np.zeros((0, len(names), len(names)), np.int64)
    return [np.stack(rows) if rows else empty for rows in matrices]


def evaluate_folder(
    data: str | Path,
    split: str | Path = "val.txt",
    model: str | Path | None = None,
    device: str = "auto",
    per_photo: str | Path | None = None,
    against: str | Path | None = None,
    reframe: bool = True,
    refine_edges: bool = True,
) -> dict[str, Any]:
    """IoU and confusion over the split, and what became of each garment in each photo.

    Every figure comes with a 95% bootstrap interval over photos. ``per_photo``: a CSV
    file to write, one row per photo (its pixel counts per class, true, predicted and
    both, and each garment's outcome), for looking at the failures. ``against``: another
    model folder to compare with on the same photos (its figures and the paired
    difference, this model minus that one). ``reframe``: False segments each photo in
    one pass, without the zoomed second look at a small figure (both models alike).
    ``refine_edges``: False keeps the network's upsampled edges (both models alike).
    """
    data = Path(data)
    check_data_folder(data)
    stems = read_split(data, split)
    if not stems:
        raise ValueError(f"{split} lists no photos")
    check_samples(data, stems, split)
    if per_photo is not None:
        _check_writable(Path(per_photo))
    segmenter = Segmenter(model, device=device, reframe=reframe, refine_edges=refine_edges)
    names = segmenter.class_names
    models = [segmenter]
    if against is not None:
        other = Segmenter(against, device=device, reframe=reframe, refine_edges=refine_edges)
        if other.class_names != names:
            raise RuntimeError(f"{against} has other classes ({other.class_names}) than {names}")
        models.append(other)
    matrices, *baselines = photo_matrices(models, data, stems)
    cm = ConfusionMatrix(len(names))
    tally = GarmentTally(names)
    rows = []
    for stem, matrix in zip(stems, matrices, strict=True):
        cm.matrix += matrix
        rows.append(_photo_row(stem, matrix, names, tally.update(matrix)))
    if per_photo is not None:
        _write_rows(Path(per_photo), rows)
    report = cm.summary(names)
    report["ci95"] = bootstrap_intervals(matrices, names)
    report["garments"] = tally.counts
    report.update(
        {
            "model": str(segmenter.model_dir),
            # Resolved, as --record and training keep it: a relative folder named
            # another one read from another working folder.
            "data": str(data.resolve()),
            # The file read, resolved too: as given ("val.txt", "../x.txt"), it named a
            # file of --data or one relative to where it ran, not saying which.
            "split": str(split_path(data, split).resolve()),
            "photos": len(stems),
            "zoom_passes": segmenter.zoom_passes,
            "edges_refined": segmenter.refine_edges,
            "classes": names,
        }
    )
    network = segmenter.model
    if isinstance(network, ProbabilityAverage):
        report["ensemble"] = {
            "members": len(network.members),
            "consult_above": network.consult_above,
            "network_passes": network.images_seen,
            "consulted": network.images_consulted,
        }
    if baselines:
        (baseline,) = baselines
        total = ConfusionMatrix(len(names))
        total.matrix = baseline.sum(0)
        report["against"] = {
            "model": str(models[1].model_dir),
            **total.summary(names),
            "difference": paired_difference(baseline, matrices, names),
        }
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


def _check_writable(path: Path) -> None:
    """OSError, in words, where the --per-photo file cannot be written: found when it
    was written, after the work (minutes), it lost the figures too ("[Errno 13]
    Permission denied"). Nothing is left by asking: a file made to ask is removed."""
    if path.is_dir():
        raise IsADirectoryError(f"--per-photo {path} is a folder: name a CSV file")
    existed = path.exists()
    above = next(folder for folder in path.absolute().parents if folder.exists())
    if not existed and not above.is_dir():
        raise NotADirectoryError(f"--per-photo {path} cannot be written: {above} is a file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise OSError(f"--per-photo {path} cannot be written ({exc.strerror or exc})") from exc
    if not existed:
        path.unlink(missing_ok=True)


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["photo"])
        writer.writeheader()
        writer.writerows(rows)


# What ``record_metrics`` keeps of a report (not the comparison with another model).
RECORDED = (
    "data",
    "split",
    "photos",
    "zoom_passes",
    "edges_refined",
    "iou",
    "mean_garment_iou",
    "pixel_accuracy",
    "confusion",
    "garments",
    "ci95",
    "ensemble",
)


def _held(metrics: dict[str, Any]) -> str:
    """The figures a config.json holds, in words ("" for none)."""
    if "mean_garment_iou" not in metrics:
        return ""
    photos = metrics.get("photos", "?")
    # (Training recorded no data folder before it kept one: any folder's val.txt, then.)
    data = metrics.get("data", "a data folder not recorded, perhaps another")
    return (
        f"mean {metrics['mean_garment_iou']} on {metrics.get('split', '?')} "
        f"({photos} photo{'' if photos == 1 else 's'}) from {data}"
    )


def recorded_elsewhere(model: str | Path | None, data: str | Path, split: str | Path) -> str:
    """The figures ``model``'s folder holds, in words, where they come from another split
    than ``data``'s ``split`` (another file, or one of another data folder): a two-photo
    check recorded over a model's val figures took their place unseen. "" where it
    holds none, the same split's, or its folder cannot be read (evaluate says why)."""
    try:
        metrics = read_config(Path(model) if model else paths.DEFAULT_SEGMENTER).metrics or {}
    except (ModelFolderError, OSError):
        return ""
    if not _held(metrics):
        return ""
    # Both the split's name and its data folder. A folder not recorded (training kept
    # "val.txt" alone before) is not taken for this one: the split may be another
    # folder's, and replacing figures unseen is what this check is for (--force does).
    same = (
        Path(str(metrics.get("split", ""))).name == Path(split).name
        and "data" in metrics
        and Path(str(metrics["data"])).resolve() == Path(data).resolve()
    )
    return "" if same else _held(metrics)


def record_metrics(report: dict[str, Any]) -> str:
    """Write a report's figures into its model folder's config.json, as its metrics:
    a model folder carries its own val figures. Returns what they replaced, in words
    ("" for nothing), so that a run on another split does not replace them unseen."""
    folder = Path(report["model"])
    config = read_config(folder)
    replaced = _held(config.metrics or {})
    config.metrics = json_safe({key: report[key] for key in RECORDED if key in report})
    # Resolved, as training records it: a relative --data named another folder when
    # compared from another working folder.
    config.metrics["data"] = str(Path(report["data"]).resolve())
    config.metrics["split"] = _recorded_split(report)
    config.metrics["resolution"] = "each photo's own size (wardrobe-cli evaluate)"
    write_config(config, folder)
    return replaced


def _recorded_split(report: dict[str, Any]) -> str:
    """The report's split as a model folder keeps it: its name in the data folder where
    it is one of its files ("val.txt", as training records it), else its full path."""
    split, data = Path(report["split"]), Path(report["data"]).resolve()
    return split.relative_to(data).as_posix() if split.is_relative_to(data) else str(split)


def json_safe(value: Any) -> Any:
    """``value`` with NaN (a class no photo of the split shows) as None: JSON has no NaN,
    and strict readers (jq, JavaScript) refuse Python's."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _num(value: float | None, spec: str = ".4f") -> str:
    """A figure for the text report: "n/a" where the split gives none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return format(value, spec)


def format_report(report: dict[str, Any]) -> str:
    names: list[str] = report["classes"]
    lines = [
        f"{report['photos']} photo{'' if report['photos'] == 1 else 's'} of {report['split']}, "
        f"model {report['model']}",
        "zoomed second pass for small figures: "
        + ("on" if report.get("zoom_passes") else "off (--single-pass)"),
        "edges snapped to the photo's: "
        + ("on" if report.get("edges_refined") else "off (--raw-edges)"),
    ]
    if "ensemble" in report:
        ensemble = report["ensemble"]
        lines.append(
            f"ensemble of {ensemble['members']}: the members after the first ran on "
            f"{ensemble['consulted']} of {ensemble['network_passes']} network "
            + ("pass" if ensemble["network_passes"] == 1 else "passes")
            + (
                f" (ambiguity above {ensemble['consult_above']:.4f})"
                if ensemble["consult_above"]
                else ""
            )
        )
    lines += ["", "IoU per class:"]
    ci = report["ci95"]
    lines += [
        f"  {name:<11} {_num(report['iou'][name])}  {_span(ci['iou'][name], report['iou'][name])}"
        for name in names
    ]
    lines += [
        f"mean IoU (garments) {_num(report['mean_garment_iou'])}  "
        + _span(ci["mean_garment_iou"], report["mean_garment_iou"]),
        f"pixel accuracy      {_num(report['pixel_accuracy'])}",
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
    if "against" in report:
        lines += ["", *_comparison_lines(report["against"], names)]
    return "\n".join(lines)


def _span(interval: list[float], figure: float | None) -> str:
    if _num(interval[0]) == "n/a" and _num(figure) != "n/a":
        return "(from one photo: no interval)"  # see metrics.bootstrap_intervals
    return f"(95% interval over photos {_num(interval[0])} to {_num(interval[1])})"


def _paired_span(interval: list[float], difference: float | None) -> str:
    if _num(interval[0]) == "n/a":
        # A difference one photo alone gives (see metrics.paired_difference), or none.
        return "from one photo: no interval" if _num(difference) != "n/a" else "n/a"
    return f"{_num(interval[0], '+.4f')} to {_num(interval[1], '+.4f')}"


def _comparison_lines(against: dict[str, Any], names: list[str]) -> list[str]:
    difference = against["difference"]
    lines = [
        f"against {against['model']} on the same photos (this model minus that one,",
        "paired bootstrap over photos):",
        f"  {'':<11} {'that':>7} {'this-that':>10}   95% interval",
    ]
    rows = [(name, against["iou"][name], difference["iou"][name]) for name in names]
    rows.append(("mean", against["mean_garment_iou"], difference["mean_garment_iou"]))
    for name, that, d in rows:
        lines.append(
            f"  {name:<11} {_num(that):>7} {_num(d['difference'], '+.4f'):>10}"
            f"   {_paired_span(d['ci'], d['difference'])}"
        )
    share = f"  this model's mean higher in {difference['better_share']:.1%} of resamples"
    if difference["tied_share"]:
        share += f", the same in {difference['tied_share']:.1%}"
    lines.append(share)
    return lines
