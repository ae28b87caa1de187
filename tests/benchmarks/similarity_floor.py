"""Where "similar" stops meaning anything: garment-vector cosines of held-out item photos.

    python tests/benchmarks/similarity_floor.py [--limit N]

Item photos of the clothing set's held-out senders (``sender_split`` == "test", never
trained on) are analysed as items; the cosine of every pair of garment vectors is split
into pairs of the same label and pairs of different labels ("Not sure" / "Other" left
out). The app shows a person only matches at or above ``SIMILAR_FLOOR``
(``wardrobe_app.service``); the last line says how that floor splits the two kinds:
``floor=<f> same_label_kept=<share> other_label_kept=<share> pairs=<n>``.
"""

from __future__ import annotations

import argparse
import sys
from itertools import combinations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from wardrobe_app import paths  # noqa: E402
from wardrobe_app.service import SIMILAR_FLOOR, default_analyser  # noqa: E402
from wardrobe_app.training.clothing import VAGUE_LABELS, read_items, sender_split  # noqa: E402

QUANTILES = (5, 25, 50, 75, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=300, help="photos analysed (default 300)")
    args = parser.parse_args()
    root = paths.SHARED_DATA_DIR / "clothing"
    if not root.exists():
        print(f"skipped: {root} is not present (held-out item photos are needed)")
        return
    items = [
        i
        for i in read_items(root)
        if sender_split(i.sender) == "test" and i.label not in VAGUE_LABELS and i.garment != "other"
    ][: args.limit]
    analyser = default_analyser()
    vectors, labels = [], []
    for item in items:
        analysis = analyser.analyse(item.path(root), "item")
        if analysis.garments and analysis.garments[0].vector is not None:
            vectors.append(np.asarray(analysis.garments[0].vector, np.float32))
            labels.append(item.label)
    matrix = np.stack(vectors)
    cosines = matrix @ matrix.T
    same, other = [], []
    for i, j in combinations(range(len(labels)), 2):
        (same if labels[i] == labels[j] else other).append(float(cosines[i, j]))
    for name, values in (("same label", same), ("other label", other)):
        q = np.percentile(values, QUANTILES)
        shown = " ".join(f"p{p}={v:.3f}" for p, v in zip(QUANTILES, q, strict=True))
        print(f"{name:<12} pairs={len(values):<6} {shown}")
    kept_same = float(np.mean(np.asarray(same) >= SIMILAR_FLOOR))
    kept_other = float(np.mean(np.asarray(other) >= SIMILAR_FLOOR))
    print(
        f"floor={SIMILAR_FLOOR} same_label_kept={kept_same:.3f} "
        f"other_label_kept={kept_other:.3f} pairs={len(same) + len(other)}"
    )


if __name__ == "__main__":
    main()
