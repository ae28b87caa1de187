"""The fine type of item photos and the garment gate, on one sender split, as import reads them.

    python tests/benchmarks/item_types.py --split val [--limit N] [--model DIR]
        [--features FILE] [--thresholds 0.47,0.48,...]

Every photo of the split's senders of ../shared/data/clothing (``sender_split``; val for
tuning, test only to confirm at the end) goes through ``PhotoAnalyser.analyse_rgb`` with
kind "item", as ``import --kind item`` does: GrabCut's mask (``find_item``), the category
head, the garment gate, the clothing label head. Prints, for the garment photos (label not
"other"), each label's photos and how many were typed right (the type a user sees against
the label, in the app's words: "Outwear" is "Outerwear"), the commonest confusions
("nothing found" among them) and the overall share typed right; then the garment gate at
the folder's threshold and at ``--thresholds``: garment photos it refuses and "other" /
"Not sure" photos (shoes, hats, ...) it lets through, the category head's "other" counted
as the path counts it.

``--model`` names another embedder folder (a candidate head) to read the photos with.
``--features`` writes each photo's 1280-d features (of the mask the heads read: GrabCut's,
before the leg gap is taken out, mirror averaged as the app's) with its label and the
path's outcome to an ``.npz``, for trying heads offline on exactly what the app classifies.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from unittest import mock

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from wardrobe_app import paths  # noqa: E402
from wardrobe_app.training.clothing import ClothingItem, read_items, sender_split  # noqa: E402
from wardrobe_app.vision.embedder import CATEGORY_NAMES  # noqa: E402
from wardrobe_app.vision.fine_types import shown_type  # noqa: E402
from wardrobe_app.vision.image_io import load_image  # noqa: E402
from wardrobe_app.vision.pipeline import PhotoAnalyser, cap_size  # noqa: E402

CLOTHING = paths.SHARED_DATA_DIR / "clothing"
NOTHING = "(nothing found)"
NEARBY_THRESHOLDS = (0.46, 0.47, 0.48, 0.49, 0.5, 0.51, 0.52)


def read_split(analyser: PhotoAnalyser, items: list[ClothingItem]) -> dict[str, np.ndarray]:
    """Each photo's outcome through the item path, and the features its heads read."""
    embedder = analyser.embedder
    real = embedder.features
    seen: list[torch.Tensor] = []

    def features(items: list, whole: bool = False, flip: bool | None = None) -> torch.Tensor:
        out = real(items, whole=whole, flip=flip)
        seen.append(out.clone())
        return out

    outcome, feats, likeness, other = [], [], [], []
    zeros = torch.zeros(1, 1280)
    with mock.patch.object(embedder, "features", side_effect=features):
        for n, item in enumerate(items):
            seen.clear()
            rgb = load_image(item.path(CLOTHING), fit=cap_size)
            analysis = analyser.analyse_rgb(rgb, item.path(CLOTHING), "item")
            first = analysis.garments[0] if analysis.garments else None
            outcome.append(first.fine_type if first is not None and first.fine_type else NOTHING)
            # The first pass is the one the category, gate and type are read from (the
            # leg gap's and the vector's come after); none where find_item found nothing.
            f = seen[0] if seen else zeros
            feats.append(f[0].cpu().numpy())
            with torch.inference_mode():
                likeness.append(float(embedder.heads.garment_likeness(f)[0]) if seen else 0.0)
                probs = embedder.heads.category(f).softmax(1)[0]
            other.append(bool(seen) and int(probs.argmax()) == CATEGORY_NAMES.index("other"))
            if (n + 1) % 50 == 0:
                print(f"  {n + 1} of {len(items)} photos", flush=True)
    return {
        "image": np.array([i.image for i in items]),
        "label": np.array([i.label for i in items]),
        "garment": np.array([i.garment for i in items]),
        "sender": np.array([i.sender for i in items]),
        "outcome": np.array(outcome),
        "found_mask": np.array([np.abs(f).sum() > 0 for f in feats]),
        "features": np.stack(feats).astype(np.float32),
        "likeness": np.array(likeness, np.float32),
        "category_other": np.array(other),
    }


def type_table(data: dict[str, np.ndarray]) -> None:
    garment = data["garment"] != "other"
    truth = np.array([shown_type(v) for v in data["label"]])[garment]
    said = data["outcome"][garment]
    print(f"\nfine type of {int(garment.sum())} garment photos (label -> type shown):")
    print(f"  {'label':<12} {'photos':>6} {'right':>6} {'share':>6}  most often instead")
    for label in sorted(set(truth)):
        rows = truth == label
        right = int((said[rows] == label).sum())
        wrong = Counter(said[rows & (said != label)]).most_common(3)
        instead = ", ".join(f"{w} {c}" for w, c in wrong)
        print(
            f"  {label:<12} {int(rows.sum()):>6} {right:>6} {right / rows.sum():>6.2f}  {instead}"
        )
    pairs = Counter(zip(truth[said != truth], said[said != truth], strict=True))
    print("top confusions (label -> type shown: photos):")
    for (t, s), c in pairs.most_common(12):
        print(f"  {t} -> {s}: {c}")
    right = int((said == truth).sum())
    labels = sorted(set(truth))
    mean_class = float(np.mean([(said[truth == lab] == lab).mean() for lab in labels]))
    print(
        f"type right {right} of {len(truth)} ({right / len(truth):.4f}); mean per-label "
        f"share {mean_class:.4f}; nothing found {int((said == NOTHING).sum())}"
    )


def gate_table(data: dict[str, np.ndarray], folder_threshold: float, extra: list[float]) -> None:
    garment = data["garment"] != "other"
    reached = data["found_mask"] & ~data["category_other"]  # what the gate is asked about
    print(
        f"\ngarment gate ({int(garment.sum())} garment photos, {int((~garment).sum())} "
        f"other / Not sure; category head's 'other' and GrabCut's nothing counted apart):"
    )
    print(
        f"  garment photos: nothing stands out {int((garment & ~data['found_mask']).sum())}, "
        f"category 'other' {int((garment & data['found_mask'] & data['category_other']).sum())}"
    )
    print(
        f"  other photos: nothing stands out {int((~garment & ~data['found_mask']).sum())}, "
        f"category 'other' {int((~garment & data['found_mask'] & data['category_other']).sum())}"
    )
    print(f"  {'threshold':>9} {'garments refused':>17} {'others let through':>19}")
    for t in sorted({folder_threshold, *extra}):
        refused = int((garment & reached & (data["likeness"] < t)).sum())
        through = int((~garment & reached & (data["likeness"] >= t)).sum())
        mark = "  (the folder's)" if t == folder_threshold else ""
        print(
            f"  {t:>9.4f} {refused:>8} ({refused / garment.sum():.3f}) "
            f"{through:>9} ({through / max(1, (~garment).sum()):.3f}){mark}"
        )
    near = garment & reached & (np.abs(data["likeness"] - folder_threshold) < 0.02)
    for i in np.flatnonzero(near):
        print(
            f"  garment near the threshold: {data['image'][i]} {data['label'][i]} "
            f"{data['likeness'][i]:.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "val", "test"), default="val")
    parser.add_argument("--limit", type=int, help="only the split's first N photos")
    parser.add_argument("--model", type=Path, help="embedder folder (default: the shipped one)")
    parser.add_argument("--features", type=Path, help="write features and outcomes here (.npz)")
    parser.add_argument(
        "--thresholds",
        default=",".join(str(t) for t in NEARBY_THRESHOLDS),
        help="garment gate thresholds to count at, besides the folder's",
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args()
    if not (CLOTHING / "items.csv").exists():
        print(f"{CLOTHING} not present: nothing to measure (skipped)")
        return
    torch.set_num_threads(args.threads)
    analyser = PhotoAnalyser.default(device="cpu", embedder_dir=args.model)
    items = [i for i in read_items(CLOTHING) if sender_split(i.sender) == args.split]
    items = items[: args.limit]
    print(f"{len(items)} photos of the {args.split} senders, model {analyser.embedder.model_dir}")
    t0 = time.perf_counter()
    data = read_split(analyser, items)
    print(f"read in {time.perf_counter() - t0:.0f} s")
    if args.features:
        args.features.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.features, **data)
    type_table(data)
    extra = [float(t) for t in args.thresholds.split(",") if t]
    gate_table(data, analyser.embedder.config.garment_threshold, extra)


if __name__ == "__main__":
    main()
