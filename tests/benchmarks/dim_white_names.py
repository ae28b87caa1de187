"""First colour names of item photos with and without the dim-room white patch.

    python tests/benchmarks/dim_white_names.py --split val --out DIR [--limit N] [--compare DIR]

Garment photos (label not "other") of one sender split of ../shared/data/clothing, in
sha256(image id) order, cut out as the item path does (``find_item``, ``garment_from_mask``;
photos where nothing stands out are skipped, as the app files no garment, and counted):
each garment's colours with ``whites_in_dim_light`` and with it switched off. Prints every
garment whose first colour name differs and writes contact sheets of them under ``--out``
(photo | mask | cut-out, the two lists written on) for judging by eye. Faster than
``item_review.py`` (no category or type), so it reaches the val and train senders' photos.

Each garment's names are also written to ``records.json`` under ``--out``. ``--compare``
names an earlier ``--out`` of the same split and limit (made at another commit, with this
script copied into that checkout): the garments listed and drawn are then those whose first
name differs from that run's, its names written on as the "without".
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import item_review  # noqa: E402

from wardrobe_app.training.clothing import read_items, sender_split  # noqa: E402
from wardrobe_app.vision import colours  # noqa: E402
from wardrobe_app.vision.garments import garment_from_mask  # noqa: E402
from wardrobe_app.vision.grabcut import find_item  # noqa: E402
from wardrobe_app.vision.image_io import load_image  # noqa: E402
from wardrobe_app.vision.pipeline import cap_size  # noqa: E402


def _as_photographed(names: list[str], *_: object) -> list[str]:
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "val", "test"), required=True)
    parser.add_argument("--out", type=Path, required=True, help="contact sheets")
    parser.add_argument("--limit", type=int, help="only the first N garment photos")
    parser.add_argument("--compare", type=Path, help="an earlier --out to compare with")
    args = parser.parse_args()
    before = None
    if args.compare:
        before = json.loads((args.compare / "records.json").read_text(encoding="utf-8"))
    items = [
        i
        for i in read_items(item_review.CLOTHING)
        if sender_split(i.sender) == args.split and i.garment != "other"
    ]
    items = sorted(items, key=item_review._order)[: args.limit]
    rows, garments, nothing = [], 0, 0
    records: dict[str, list[str]] = {}
    for item in items:
        rgb = load_image(item.path(item_review.CLOTHING), fit=cap_size)
        mask = find_item(rgb)  # as the app's item path: None where nothing stands out
        if mask is None:
            nothing += 1
            continue
        garment = garment_from_mask(rgb, mask, "top", item_photo=True)
        if garment is None:
            continue
        garments += 1
        now = records[item.image] = [c.name for c in garment.colours]
        if before is not None:
            was = before.get(item.image, [])
        else:
            with mock.patch.object(colours, "whites_in_dim_light", _as_photographed):
                was = [c.name for c in colours.dominant_colours(rgb, garment.mask, item_photo=True)]
        if was[:1] != now[:1]:
            print(f"{item.image} {item.label}: {was} -> {now}", flush=True)
            rows.append(item_review.sheet_row(rgb, garment, [item.label, f"{was} -> {now}"]))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "records.json").write_text(json.dumps(records, indent=1), encoding="utf-8")
    if rows:
        item_review.write_sheets(rows, args.out)
    print(
        f"{garments} garments of {len(items)} photos ({nothing} with nothing standing out);"
        f" first colour name differs on {len(rows)}"
    )


if __name__ == "__main__":
    main()
