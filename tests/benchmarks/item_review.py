"""What a person gets from their own item photos: a fixed sample, analysed as at import.

    python tests/benchmarks/item_review.py --out DIR [--set sample|holdout] [--compare DIR]

Photos of the held-out senders of ../shared/data/clothing (``sender_split`` == "test"):
- ``sample``: for each label, its first 10 photos in sha256(image id) order (all of a
  label with fewer): 151 photos, 33 of them hats, shoes, "Not sure" and "Other".
- ``holdout``: the other 265 test-sender photos.

Each photo goes through ``Wardrobe.analyse`` (kind "auto", as ``import`` does) in a
temporary wardrobe. Prints counts (found, category, type against the labels), writes
``records.json`` and contact sheets ``sheet_NN.png`` (photo | mask over the photo |
cut-out, with category / type / colours written on) under ``--out`` for looking at.
``--compare`` names an earlier ``--out`` of the same set (e.g. made from another
commit) and prints every photo whose garment, category, type or first colour differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from wardrobe_app.service import Wardrobe  # noqa: E402
from wardrobe_app.training.clothing import ClothingItem, read_items, sender_split  # noqa: E402
from wardrobe_app.types import DetectedGarment  # noqa: E402
from wardrobe_app.vision.fine_types import shown_type  # noqa: E402

CLOTHING = ROOT.parent / "shared" / "data" / "clothing"
PER_LABEL = 10
ROW_HEIGHT = 200


def _order(item: ClothingItem) -> str:
    return hashlib.sha256(item.image.encode()).hexdigest()


def pick(which: str, root: Path = CLOTHING) -> list[ClothingItem]:
    test = [i for i in read_items(root) if sender_split(i.sender) == "test"]
    by_label: dict[str, list[ClothingItem]] = defaultdict(list)
    for item in sorted(test, key=_order):
        by_label[item.label].append(item)
    sample = [i for label in sorted(by_label) for i in by_label[label][:PER_LABEL]]
    if which == "sample":
        return sample
    chosen = {i.image for i in sample}
    return [i for i in sorted(test, key=_order) if i.image not in chosen]


def _text(img: np.ndarray, lines: list[str]) -> None:
    for n, line in enumerate(lines):
        y = 14 + 15 * n
        cv2.putText(img, line, (3, y), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 3)
        cv2.putText(img, line, (3, y), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (255, 255, 255), 1)


def _fit(img: np.ndarray) -> np.ndarray:
    scale = ROW_HEIGHT / img.shape[0]
    return cv2.resize(img, (max(1, round(img.shape[1] * scale)), ROW_HEIGHT))


def sheet_row(rgb: np.ndarray, garment: DetectedGarment | None, lines: list[str]) -> np.ndarray:
    """Photo | photo darkened outside the mask | cut-out on a checkerboard."""
    shown = rgb.copy()
    if garment is not None:
        shown[~garment.mask] = (shown[~garment.mask] * 0.25).astype(np.uint8)
        cut = garment.cutout
        alpha = cut[..., 3:].astype(np.float32) / 255
        board = np.full((*cut.shape[:2], 3), 255, np.uint8)
        board[(np.indices(cut.shape[:2]).sum(0) // 8) % 2 == 1] = 200
        third = _fit((cut[..., :3] * alpha + board * (1 - alpha)).astype(np.uint8))
    else:
        third = np.full((ROW_HEIGHT, 120, 3), 60, np.uint8)
    row = np.concatenate([_fit(rgb), _fit(shown), third], 1)
    _text(row, lines)
    return row


def write_sheets(rows: list[np.ndarray], out: Path, per_sheet: int = 8) -> None:
    for start in range(0, len(rows), per_sheet):
        chunk = rows[start : start + per_sheet]
        width = max(r.shape[1] for r in chunk) + 4
        chunk = [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0))) for r in chunk]
        if len(chunk) % 2:
            chunk.append(np.zeros_like(chunk[0]))
        pairs = [np.concatenate(chunk[i : i + 2], 1) for i in range(0, len(chunk), 2)]
        name = out / f"sheet_{start // per_sheet:02d}.png"
        cv2.imwrite(str(name), cv2.cvtColor(np.concatenate(pairs, 0), cv2.COLOR_RGB2BGR))


def review(items: list[ClothingItem], out: Path, sheets: bool) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    rows = []
    with tempfile.TemporaryDirectory() as home, Wardrobe(Path(home) / "w") as wardrobe:
        for n, item in enumerate(items):
            analysis = wardrobe.analyse(item.path(CLOTHING), "auto")
            first = analysis.garments[0] if analysis.garments else None
            records.append(
                {
                    "n": n,
                    "image": item.image,
                    "label": item.label,
                    "truth": item.garment,
                    "kind": analysis.kind,
                    "message": analysis.message,
                    "garments": [
                        {
                            "category": g.category,
                            "fine": g.fine_type,
                            "confidence": round(g.confidence, 3),
                            "frame_share": round(g.area / g.mask.size, 3),
                            "colours": [[c.name, round(c.share, 2)] for c in g.colours],
                        }
                        for g in analysis.garments
                    ],
                }
            )
            if sheets:
                lines = [f"#{n} {item.label} ({item.garment}) -> {analysis.kind}"]
                if first is None:
                    lines += ["nothing found"]
                else:
                    lines += [
                        f"{first.category} / {first.fine_type} {first.confidence:.2f}",
                        ", ".join(f"{c.name} {c.share:.2f}" for c in first.colours),
                    ]
                    if len(analysis.garments) > 1:
                        lines.append(f"+{len(analysis.garments) - 1} more garments")
                rows.append(sheet_row(analysis.rgb, first, lines))
    if rows:
        write_sheets(rows, out)
    return records


def type_right(record: dict[str, Any]) -> bool:
    """Whether the first garment's type is the photo's label, in the words the app shows
    (the label "Outwear" is the type "Outerwear": compared as spelt, no coat was right)."""
    return bool(record["garments"][0]["fine"] == shown_type(record["label"]))


def summary(records: list[dict[str, Any]]) -> None:
    garments = [r for r in records if r["truth"] != "other"]
    found = [r for r in garments if r["garments"]]
    right = [r for r in found if r["garments"][0]["category"] == r["truth"]]
    typed = [r for r in found if type_right(r)]
    others = [r for r in records if r["truth"] == "other"]
    print(f"photos {len(records)}; read as item photos {sum(r['kind'] == 'item' for r in records)}")
    print(f"garment photos {len(garments)}: nothing found {len(garments) - len(found)}")
    print(
        f"  category right {len(right)}, wrong {len(found) - len(right)}; type right {len(typed)}"
    )
    print(f"other photos {len(others)}: nothing found {sum(not r['garments'] for r in others)}")


def _outcome(record: dict[str, Any]) -> tuple[str, str | None, str | None] | None:
    """(category, type, first colour name) of the photo's first garment; None if none."""
    if not record["garments"]:
        return None
    g = record["garments"][0]
    return g["category"], g["fine"], g["colours"][0][0] if g["colours"] else None


def compare(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    before = {r["image"]: r for r in old}
    changed = 0
    for r in new:
        was, now = _outcome(before[r["image"]]), _outcome(r)
        if was != now:
            changed += 1
            print(f"#{r['n']} {r['label']}: {was} -> {now}")
    print(f"{changed} of {len(new)} photos differ (garment found, category, type, first colour)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="records.json and sheets")
    parser.add_argument("--set", choices=("sample", "holdout"), default="sample")
    parser.add_argument("--compare", type=Path, help="an earlier --out of the same set")
    parser.add_argument("--no-sheets", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    records = review(pick(args.set), args.out, not args.no_sheets)
    (args.out / "records.json").write_text(json.dumps(records, indent=1), encoding="utf-8")
    summary(records)
    if args.compare:
        compare(json.loads((args.compare / "records.json").read_text(encoding="utf-8")), records)


if __name__ == "__main__":
    main()
