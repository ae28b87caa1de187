"""Similar-item retrieval on photos the models never saw, end to end through the service.

    python tests/benchmarks/retrieval.py [--limit N] [--device auto]

1. Item photos: the held-out senders of ../shared/data/clothing (``sender_split`` ==
   "test", about 15% of senders) are imported with ``--kind item`` into a temporary
   wardrobe. For each photo's largest garment, P@10 = share of its 10 ``similar``
   neighbours (same category, the default) with the same ``label``; "Not sure" / "Other"
   are not queried. Compared on the same garments and the same candidate sets with a
   colour-histogram-only ranking, plain ImageNet EfficientNet-Lite0 features of the whole
   photo, and chance. Also: the imported category vs the data set's garment class.
2. Outfit photos: CCP val photos imported as outfits; each garment's fine label is the
   majority CCP label under its mask; P@10 by fine label among val garments.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from wardrobe_app import paths  # noqa: E402
from wardrobe_app.service import Wardrobe  # noqa: E402
from wardrobe_app.training.ccp import read_split  # noqa: E402
from wardrobe_app.training.clothing import VAGUE_LABELS, read_items, sender_split  # noqa: E402
from wardrobe_app.vision.colour_descriptor import colour_histogram  # noqa: E402
from wardrobe_app.vision.embedder import split_rgba  # noqa: E402
from wardrobe_app.vision.image_io import load_image  # noqa: E402
from wardrobe_app.vision.pipeline import PhotoAnalyser  # noqa: E402


def p_at_k_exact(
    vectors: np.ndarray, labels: list[str], groups: list[str], queries: list[int], k: int = 10
) -> float:
    """P@k of cosine ranking restricted to the query's group (category), itself excluded."""
    v = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    lab, grp = np.array(labels), np.array(groups)
    scores = []
    for q in queries:
        sims = v @ v[q]
        sims[grp != grp[q]] = -np.inf
        sims[q] = -np.inf
        top = np.argsort(-sims)[:k]
        top = top[np.isfinite(sims[top])]
        if len(top):
            scores.append(float((lab[top] == lab[q]).mean()))
    return float(np.mean(scores))


def chance(labels: list[str], groups: list[str], queries: list[int]) -> float:
    lab, grp = np.array(labels), np.array(groups)
    out = []
    for q in queries:
        pool = (grp == grp[q]) & (np.arange(len(lab)) != q)
        if pool.any():
            out.append(float((lab[pool] == lab[q]).mean()))
    return float(np.mean(out))


def item_retrieval(
    wardrobe: Wardrobe, analyser: PhotoAnalyser, limit: int | None
) -> dict[str, float]:
    root = paths.SHARED_DATA_DIR / "clothing"
    items = [i for i in read_items(root) if sender_split(i.sender) == "test"][:limit]
    by_path = {str(i.path(root)): i for i in items}
    t0 = time.perf_counter()
    report = wardrobe.import_paths([i.path(root) for i in items], kind="item")
    seconds = time.perf_counter() - t0
    garment_rows = [i for i in items if i.garment in ("top", "bottom", "one-piece")]
    right = 0
    ids, labels, cats, photos = [], [], [], []
    for result in report.imported:
        item = by_path[str(result.path)]
        if not result.garments:
            continue
        g = max(result.garments, key=lambda r: r.area)
        right += int(item.garment == g.category)
        ids.append(g.id)
        labels.append(item.label)
        cats.append(g.category)
        photos.append(result.path)
    queries = [i for i, lab in enumerate(labels) if lab not in VAGUE_LABELS]
    hits = wardrobe.similar_many([ids[q] for q in queries], k=10, same_category=True)
    label_of = dict(zip(ids, labels, strict=True))
    ours = float(
        np.mean(
            [
                np.mean([label_of.get(h.garment.id) == labels[q] for h in hits[ids[q]]])
                if hits[ids[q]]
                else 0.0
                for q in queries
            ]
        )
    )
    # Baselines over exactly the same garments and the same category restriction.
    colour = np.stack([colour_histogram(*split_rgba(load_cutout(wardrobe, i))) for i in ids])
    whole = []
    for p in photos:
        rgb = load_image(p)
        whole.append(
            analyser.embedder.features([(rgb, np.ones(rgb.shape[:2], bool))], whole=True).numpy()[0]
        )
    return {
        "photos": len(items),
        "import_seconds": round(seconds, 1),
        "garments_queried": len(queries),
        "p10_ours": round(ours, 4),
        "p10_colour_only": round(p_at_k_exact(colour, labels, cats, queries), 4),
        "p10_imagenet_whole_photo": round(p_at_k_exact(np.stack(whole), labels, cats, queries), 4),
        "p10_chance": round(chance(labels, cats, queries), 4),
        "category_accuracy": round(right / max(1, len(garment_rows)), 4),
        "no_garment_on_garment_photos": sum(
            1
            for r in report.results
            if r.status == "imported" and not r.garments and by_path[str(r.path)].garment != "other"
        ),
        "failed": len(report.failed),
    }


def load_cutout(wardrobe: Wardrobe, garment_id: int) -> np.ndarray:
    rec = wardrobe.garment(garment_id)
    return cv2.cvtColor(cv2.imread(str(rec.cutout_path), cv2.IMREAD_UNCHANGED), cv2.COLOR_BGRA2RGBA)


def outfit_retrieval(wardrobe: Wardrobe, limit: int | None) -> dict[str, float]:
    root = paths.SHARED_DATA_DIR / "ccp"
    names = json.loads((root / "labels.json").read_text())["labels"]
    stems = read_split(root, "val.txt")[:limit]
    report = wardrobe.import_paths([root / "images" / f"{s}.jpg" for s in stems], kind="outfit")
    ids, fine, cats = [], [], []
    for result in report.imported:
        truth = cv2.imread(str(root / "labels" / f"{result.path.stem}.png"), cv2.IMREAD_UNCHANGED)
        labels = wardrobe.photo_labels(result.garments[0].id) if result.garments else None
        for g in result.garments:
            rec = wardrobe.garment(g.id)
            mask = cv2.imread(str(rec.mask_path), cv2.IMREAD_UNCHANGED) > 0
            t = cv2.resize(truth, mask.shape[::-1], interpolation=cv2.INTER_NEAREST)
            values = t[mask]
            values = values[values > 0]
            if len(values) == 0:
                continue
            ids.append(g.id)
            fine.append(names[Counter(values.tolist()).most_common(1)[0][0]])
            cats.append(g.category)
        del labels
    hits = wardrobe.similar_many(ids, k=10, same_category=True)
    label_of = dict(zip(ids, fine, strict=True))
    ours = float(
        np.mean(
            [
                np.mean([label_of.get(h.garment.id) == fine[i] for h in hits[gid]])
                if hits[gid]
                else 0.0
                for i, gid in enumerate(ids)
            ]
        )
    )
    return {
        "photos": len(stems),
        "garments": len(ids),
        "p10_by_fine_label": round(ours, 4),
        "p10_chance": round(chance(fine, cats, list(range(len(ids)))), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="at most N photos per part")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    if not (paths.SHARED_DATA_DIR / "clothing").exists():
        print("../shared/data/clothing not present: nothing to measure")
        return
    analyser = PhotoAnalyser.default(device=args.device)
    with tempfile.TemporaryDirectory() as home:
        with Wardrobe(Path(home) / "items", analyser) as wardrobe:
            items = item_retrieval(wardrobe, analyser, args.limit)
        with Wardrobe(Path(home) / "outfits", analyser) as wardrobe:
            outfits = outfit_retrieval(wardrobe, args.limit)
    print("item photos (held-out senders, --kind item):")
    for key, value in items.items():
        print(f"  {key:<32} {value}")
    print("outfit photos (CCP val):")
    for key, value in outfits.items():
        print(f"  {key:<32} {value}")
    print(
        f"p10_ours={items['p10_ours']} p10_colour={items['p10_colour_only']} "
        f"p10_imagenet={items['p10_imagenet_whole_photo']} p10_chance={items['p10_chance']} "
        f"category_acc={items['category_accuracy']} ccp_p10={outfits['p10_by_fine_label']}"
    )


if __name__ == "__main__":
    main()
