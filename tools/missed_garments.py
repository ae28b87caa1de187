"""Garments that no model finds, from the per-photo files of several `evaluate` runs.

    wardrobe-cli evaluate --data ../shared/data/ccp --model A --per-photo a.csv   # and b, c...
    python tools/missed_garments.py a.csv b.csv c.csv --garment one-piece

Lists the photos whose garment of that class some model does not find (its outcome in each
file), counts those that none finds, and gives the first file's IoU per garment class with
and without those photos. Where every model fails on the same photos the limit is the data
(a label, a framing, a kind of garment training lacks), not one network.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

GARMENTS = ("top", "bottom", "one-piece")

Rows = dict[str, dict[str, str]]


def read_rows(path: Path) -> Rows:
    with path.open(newline="") as handle:
        return {row["photo"]: row for row in csv.DictReader(handle)}


def pooled_iou(rows: Iterable[dict[str, str]], garment: str) -> float:
    """IoU of one class over the photos' pixels together, as `evaluate` reports it."""
    true = predicted = both = 0
    for row in rows:
        true += int(row[f"{garment}_true"])
        predicted += int(row[f"{garment}_predicted"])
        both += int(row[f"{garment}_both"])
    union = true + predicted - both
    return both / union if union else float("nan")


def never_found(runs: Sequence[Rows], garment: str) -> list[str]:
    """Photos showing that garment which no run finds (outcome other than "found")."""
    photos = [p for p, row in runs[0].items() if row[f"{garment}_outcome"]]
    return [p for p in photos if all(run[p][f"{garment}_outcome"] != "found" for run in runs)]


def report(runs: Sequence[Rows], names: Sequence[str], garment: str) -> list[str]:
    key = f"{garment}_outcome"
    shown = [p for p, row in runs[0].items() if row[key]]
    lines = [f"{len(shown)} photos show a {garment}; outcome in " + ", ".join(names)]
    for photo in shown:
        outcomes = [run[photo][key] for run in runs]
        if any(outcome != "found" for outcome in outcomes):
            lines.append(f"  {photo}: " + " ".join(outcomes))
    missed = never_found(runs, garment)
    pixels = sum(int(runs[0][p][f"{garment}_true"]) for p in shown)
    missed_pixels = sum(int(runs[0][p][f"{garment}_true"]) for p in missed)
    share = missed_pixels / pixels if pixels else 0.0
    lines.append(
        f"found by none: {len(missed)} of {len(shown)} ({share:.0%} of the {garment} pixels): "
        + " ".join(missed)
    )
    rest = [row for p, row in runs[0].items() if p not in set(missed)]
    for label, rows in (("all photos", list(runs[0].values())), ("without those", rest)):
        ious = [pooled_iou(rows, g) for g in GARMENTS]
        figures = " ".join(f"{g} {v:.3f}" for g, v in zip(GARMENTS, ious, strict=True))
        present = [v for v in ious if not math.isnan(v)]  # as `evaluate`: absent classes out
        mean = sum(present) / len(present) if present else float("nan")
        lines.append(f"{names[0]}, {label} ({len(rows)}): {figures} mean {mean:.3f}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+", help="evaluate --per-photo CSVs")
    parser.add_argument("--garment", choices=GARMENTS, default="one-piece")
    args = parser.parse_args(argv)
    runs = [read_rows(path) for path in args.files]
    if any(set(run) != set(runs[0]) for run in runs):
        print("error: the files cover different photos (another --split?)", file=sys.stderr)
        return 1
    print("\n".join(report(runs, [path.stem for path in args.files], args.garment)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
