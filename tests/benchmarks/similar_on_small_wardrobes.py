"""How often a garment page has nothing similar to show, on small random wardrobes.

    python tests/benchmarks/similar_on_small_wardrobes.py [--seed 1] [--photos 100]
        [--sizes 20 50 100] [--work DIR]

``--photos`` item photos of the clothing set, drawn at random (``--seed``), are imported
with the installed models into ``--work`` (a temporary folder unless given; a folder
given is imported into once and reused). Each wardrobe of ``--sizes`` keeps the garments
of the first photos drawn (a copy, the others deleted). For each garment, the page's
call (``similar_items_many``, its k): the share with 0, 1-2 and 3+ garments at or above
``SIMILAR_FLOOR`` ("alike"), and shown (the alike ones, or ``closest_shown``); then each
garment with none alike, with its label and its nearest's, to tell a floor set too high
(a garment of its label and category there, under the floor) from a wardrobe with nothing like it.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from wardrobe_app import paths  # noqa: E402
from wardrobe_app.service import SIMILAR_FLOOR, Wardrobe, closest_shown  # noqa: E402
from wardrobe_app.training.clothing import ClothingItem, read_items  # noqa: E402
from wardrobe_app.ui.garment_view import SIMILAR_K  # noqa: E402

BUCKETS = ("0", "1-2", "3+")


def bucket(n: int) -> str:
    return "0" if n == 0 else "1-2" if n <= 2 else "3+"


def shares(counts: Counter[str], total: int) -> str:
    return " ".join(f"{b}={counts[b] / total:.0%}" for b in BUCKETS)


def drawn(seed: int, n: int) -> list[ClothingItem]:
    items = read_items(paths.SHARED_DATA_DIR / "clothing")
    random.Random(seed).shuffle(items)
    return items[:n]


def import_once(work: Path, items: list[ClothingItem]) -> list[str]:
    """The photo id of each item drawn, in order ("None": not imported), kept beside
    ``work`` so that a second run reuses the import."""
    order = Path(f"{work}.order")
    if not order.exists():
        root = paths.SHARED_DATA_DIR / "clothing"
        with Wardrobe(work, background_index=False) as w:
            report = w.import_paths([i.path(root) for i in items], kind="item")
        by_path = {str(r.path): r.photo_id for r in report.results}
        order.write_text("\n".join(str(by_path.get(str(i.path(root)))) for i in items))
    return order.read_text().splitlines()


def measure(work: Path, size: int, order: list[str], items: list[ClothingItem]) -> None:
    label_of = {pid: item.label for pid, item in zip(order, items, strict=True)}
    kept = set(order[:size])
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "wardrobe"
        shutil.copytree(work, copy)
        with Wardrobe(copy, background_index=False) as w:
            w.delete_garments([g.id for g in w.list_garments() if str(g.photo_id) not in kept])
            garments = {g.id: g for g in w.list_garments()}
            label = {gid: label_of[str(g.photo_id)] for gid, g in garments.items()}
            found = w.similar_items_many(list(garments), k=SIMILAR_K)
    alike = Counter(bucket(len(r.alike)) for r in found.values())
    shown = Counter(bucket(len(r.alike or closest_shown(r))) for r in found.values())
    n = len(found)
    categories = dict(Counter(g.category for g in garments.values()))
    print(
        f"photos={size} garments={n} categories={categories}"
        f" alike: {shares(alike, n)} shown: {shares(shown, n)}"
    )
    for gid, r in sorted(found.items()):
        if r.alike:
            continue
        same = [f"{h.score:.3f}" for h in r.less_alike if label[h.garment.id] == label[gid]]
        near = ", ".join(f"{label[h.garment.id]} {h.score:.3f}" for h in r.less_alike[:3])
        print(
            f"  none alike: #{gid} {garments[gid].category} {label[gid]}: "
            f"same label in its category {same or 'none'}; nearest: {near or 'none'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--photos", type=int, default=100, help="photos drawn (default 100)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 50, 100])
    parser.add_argument("--work", type=Path, help="the import's folder, reused once made")
    args = parser.parse_args()
    if not (paths.SHARED_DATA_DIR / "clothing").exists():
        print("skipped: the clothing item photos are not present")
        return
    items = drawn(args.seed, args.photos)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp) / "wardrobe"
        order = import_once(work, items)
        print(f"seed={args.seed} floor={SIMILAR_FLOOR} k={SIMILAR_K}")
        for size in args.sizes:
            measure(work, size, order, items)


if __name__ == "__main__":
    main()
