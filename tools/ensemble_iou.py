"""Val IoU of every probability average (ensemble) of a few model folders, one pass each.

    python tools/ensemble_iou.py resources/models/segmenter runs/a/best runs/b/best

One line per non-empty subset of the models: the garment-class IoUs and their mean, each
photo at its own size. It says how much an ensemble could give a distilled student
(`wardrobe-cli train --teacher ...`) before anyone pays for one.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from wardrobe_app.training.ccp import label_lookup, load_pair, read_split
from wardrobe_app.training.metrics import ConfusionMatrix
from wardrobe_app.vision.segmenter import Segmenter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/ccp"))
    parser.add_argument("--split", default="val.txt")
    args = parser.parse_args()
    segmenters = [Segmenter(folder, device="cpu", reframe=False) for folder in args.models]
    num_classes = len(segmenters[0].class_names)
    table = label_lookup(args.data, num_classes)
    subsets = [
        subset
        for r in range(1, len(segmenters) + 1)
        for subset in itertools.combinations(range(len(segmenters)), r)
    ]
    matrices = {subset: ConfusionMatrix(num_classes) for subset in subsets}
    for stem in read_split(args.data, args.split):
        rgb, target = load_pair(args.data, stem, table)
        probs = [segmenter.probabilities(rgb) for segmenter in segmenters]
        for subset in subsets:
            average = sum(probs[i] for i in subset) / len(subset)
            matrices[subset].update(target, np.asarray(average).argmax(0).astype(np.uint8))
    names = segmenters[0].class_names[1:]
    print("models | " + " ".join(names) + " | mean")
    for subset in subsets:
        iou = matrices[subset].iou()[1:]
        members = " + ".join(str(args.models[i]) for i in subset)
        # nanmean: a class no photo truly has has no IoU (not 0)
        print(f"{members} | " + " ".join(f"{v:.4f}" for v in iou) + f" | {np.nanmean(iou):.4f}")


if __name__ == "__main__":
    main()
