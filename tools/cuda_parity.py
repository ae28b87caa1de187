"""The shipped segmenter on CUDA in fp16 (as `Segmenter` runs it there), on CUDA in fp32
and on the CPU: IoU on CCP's val photos, label agreement, cascade consults, latency.

    python tools/cuda_parity.py --data gpu/ccp      # on a lent GPU (gpu/: CCP shrunk)

Without CUDA only the CPU line is printed. Latency: the median of many runs on the first
val photo resized to CCP's 550x825 (`segment`'s whole path, closer look included).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from wardrobe_app.training.ccp import label_lookup, load_pair, read_split
from wardrobe_app.training.metrics import ConfusionMatrix
from wardrobe_app.vision.ensemble import ProbabilityAverage
from wardrobe_app.vision.segmenter import Segmenter


def variants(model: Path | None) -> dict[str, Segmenter]:
    found: dict[str, Segmenter] = {}
    if torch.cuda.is_available():
        found["cuda-fp16"] = Segmenter(model, device="cuda")
        found["cuda-fp32"] = Segmenter(model, device="cuda", half=False)
    found["cpu"] = Segmenter(model, device="cpu")
    return found


def median_ms(segmenter: Segmenter, photo: np.ndarray, runs: int) -> float:
    for _ in range(5):  # warm-up: kernels chosen, caches filled
        segmenter.segment(photo)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        segmenter.segment(photo)  # returns a numpy array: the GPU has finished
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/ccp"))
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped one")
    args = parser.parse_args()
    table = label_lookup(args.data, 4)
    pairs = [load_pair(args.data, stem, table) for stem in read_split(args.data, "val.txt")]
    segmenters = variants(args.model)
    labels: dict[str, list[np.ndarray]] = {}
    for name, segmenter in segmenters.items():
        cascade = segmenter.model if isinstance(segmenter.model, ProbabilityAverage) else None
        if cascade:
            cascade.reset_counts()
        matrix = ConfusionMatrix(4)
        labels[name] = [segmenter.segment(rgb) for rgb, _ in pairs]
        for (_, target), prediction in zip(pairs, labels[name], strict=True):
            matrix.update(target, prediction)
        iou = matrix.iou()
        consults = (
            f"; member 2 on {cascade.images_consulted} of {cascade.images_seen} passes"
            if cascade
            else ""
        )
        print(
            f"{name}: top {iou[1]:.4f} bottom {iou[2]:.4f} one-piece {iou[3]:.4f} "
            f"mean {np.nanmean(iou[1:]):.4f}{consults}"
        )
    reference = "cuda-fp32" if "cuda-fp32" in segmenters else "cpu"
    for name in segmenters:
        pairs_of_maps = zip(labels[name], labels[reference], strict=True)
        same = sum(int((a == b).sum()) for a, b in pairs_of_maps)
        total = sum(a.size for a in labels[name])
        print(f"{name}: labels equal to {reference}'s on {same / total:.5f} of pixels")
    photo = cv2.resize(pairs[0][0], (550, 825), interpolation=cv2.INTER_CUBIC)
    for name, segmenter in segmenters.items():
        runs = 60 if name.startswith("cuda") else 10
        ms = median_ms(segmenter, photo, runs)
        print(f"{name}: {ms:.1f} ms median on a 550x825 photo ({runs} runs)")


if __name__ == "__main__":
    main()
