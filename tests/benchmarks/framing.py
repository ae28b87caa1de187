"""Segmenter IoU on CCP val photos framed unlike CCP's full-length portraits.

    python tests/benchmarks/framing.py [--model DIR ...] [--limit N] [--single-pass] [--raw-edges]

Other fashion sites and people's own photos are often waist-up, legs-only, closer, or a
small figure on a studio background. Each val photo is cut or padded that way (labels
alike) and segmented at its new size; the studio framings first put the person (CCP's
labels other than null) on a plain wall, as a shop's photo. IoU over the split per
framing, for each model in the same run (default: the shipped one). The last line per
model is ``<name> (<folder>): as_is=<m> upper=<m> ... studio_no_head=<m> worst_ratio=<r>``
(mean garment IoU; worst_ratio = the worst framing's mean over the whole photo's).
``--framings a,b`` runs only those. ``--single-pass`` also runs each model without the
closer look at a small figure (``Segmenter(reframe=False)``) and prints the ratio
closer look / single pass per framing. ``--raw-edges`` likewise runs each model with its
edges as upsampled (``Segmenter(refine_edges=False)``) and prints snapped / raw.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from wardrobe_app import paths  # noqa: E402
from wardrobe_app.training.ccp import label_lookup, load_pair, read_split  # noqa: E402
from wardrobe_app.training.metrics import ConfusionMatrix  # noqa: E402
from wardrobe_app.vision.segmenter import Segmenter  # noqa: E402

Pair = tuple[np.ndarray, np.ndarray]
Sample = tuple[np.ndarray, np.ndarray, np.ndarray]
Framing = Callable[[np.ndarray, np.ndarray, np.ndarray], Pair]  # photo, labels, person
STUDIO_GREY = (245, 245, 245)
STUDIO_WALL = (236, 234, 230)


def upper(rgb: np.ndarray, labels: np.ndarray, _person: np.ndarray) -> Pair:
    """Waist-up: the top 55% of the photo."""
    cut = int(labels.shape[0] * 0.55)
    return rgb[:cut], labels[:cut]


def lower(rgb: np.ndarray, labels: np.ndarray, _person: np.ndarray) -> Pair:
    """Legs and lower body: the bottom 65%."""
    cut = int(labels.shape[0] * 0.35)
    return rgb[cut:], labels[cut:]


def zoom(rgb: np.ndarray, labels: np.ndarray, _person: np.ndarray) -> Pair:
    """Closer: the central two thirds each way."""
    h, w = labels.shape
    y, x = h // 6, w // 6
    return rgb[y : h - y, x : w - x], labels[y : h - y, x : w - x]


def small(rgb: np.ndarray, labels: np.ndarray, _person: np.ndarray) -> Pair:
    """A smaller figure on a light studio background (frame 1.5x as tall, 2x as wide)."""
    h, w = labels.shape
    ph, pw = h // 4, w // 2
    padded = cv2.copyMakeBorder(rgb, ph, ph, pw, pw, cv2.BORDER_CONSTANT, value=STUDIO_GREY)
    return padded, cv2.copyMakeBorder(labels, ph, ph, pw, pw, cv2.BORDER_CONSTANT, value=0)


def far(rgb: np.ndarray, labels: np.ndarray, _person: np.ndarray) -> Pair:
    """A figure across the room: half the frame's height, a third of its width."""
    h, w = labels.shape
    padded = cv2.copyMakeBorder(rgb, h // 2, h // 2, w, w, cv2.BORDER_CONSTANT, value=STUDIO_GREY)
    return padded, cv2.copyMakeBorder(labels, h // 2, h // 2, w, w, cv2.BORDER_CONSTANT, value=0)


def wide(rgb: np.ndarray, labels: np.ndarray, _person: np.ndarray) -> Pair:
    """A landscape photo: the full-height figure in the middle third, a plain wall beside."""
    w = labels.shape[1]
    padded = cv2.copyMakeBorder(rgb, 0, 0, w, w, cv2.BORDER_CONSTANT, value=STUDIO_GREY)
    return padded, cv2.copyMakeBorder(labels, 0, 0, w, w, cv2.BORDER_CONSTANT, value=0)


def studio(pad_y: float, pad_x: float) -> Framing:
    """A shop's studio shot: the person (every pixel CCP does not label null) on a plain
    wall, the frame then widened by ``pad_y`` of its height above and below and ``pad_x``
    of its width each side (the photo pasted on a backdrop above keeps its street)."""

    def frame(rgb: np.ndarray, labels: np.ndarray, person: np.ndarray) -> Pair:
        h, w = labels.shape
        py, px = int(h * pad_y), int(w * pad_x)
        wall = np.array(STUDIO_WALL, np.uint8)
        cut_out = np.where(person[..., None], rgb, wall).astype(np.uint8)
        shot = cv2.copyMakeBorder(cut_out, py, py, px, px, cv2.BORDER_CONSTANT, value=STUDIO_WALL)
        return shot, cv2.copyMakeBorder(labels, py, py, px, px, cv2.BORDER_CONSTANT, value=0)

    return frame


def no_head(rgb: np.ndarray, labels: np.ndarray, _person: np.ndarray) -> Pair:
    """Cut just above the garments, as shops often crop out the model's face."""
    rows = np.flatnonzero((labels > 0).any(1))
    cut = max(0, int(rows[0]) - labels.shape[0] // 33) if len(rows) else 0
    return rgb[cut:], labels[cut:]


def then(first: Framing, second: Framing) -> Framing:
    """One framing applied to the result of another."""

    def frame(rgb: np.ndarray, labels: np.ndarray, person: np.ndarray) -> Pair:
        shot, truth = first(rgb, labels, person)
        return second(shot, truth, np.ones(truth.shape, bool))

    return frame


FRAMINGS: dict[str, Framing] = {
    "as_is": lambda rgb, labels, _person: (rgb, labels),
    "upper": upper,
    "lower": lower,
    "zoom": zoom,
    "small": small,
    "far": far,
    "wide": wide,
    "studio": studio(0, 0),
    "studio_small": studio(0.25, 0.5),
    "studio_far": studio(0.5, 1.0),
    "studio_wide": studio(0, 1.0),
    "no_head": no_head,
    "studio_no_head": then(studio(0, 0), no_head),
}


def load_sample(ccp: Path, stem: str, table: np.ndarray) -> Sample:
    """Photo, garment labels and the person's mask (CCP's labels other than null)."""
    rgb, labels = load_pair(ccp, stem, table)
    fine = cv2.imread(str(ccp / "labels" / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
    names = json.loads((ccp / "labels.json").read_text())["labels"]
    return rgb, labels, fine != names.index("null")


def score(
    segmenter: Segmenter, samples: list[Sample], label: str, framings: list[str]
) -> dict[str, float]:
    """Mean garment IoU per framing, one line per framing as it goes."""
    names = segmenter.class_names  # 3 (seed) or 4 classes
    means: dict[str, float] = {}
    for name in framings:
        frame = FRAMINGS[name]
        matrix = ConfusionMatrix(len(names))
        for rgb, labels, person in samples:
            photo, truth = frame(rgb, labels, person)
            matrix.update(truth, segmenter.segment(np.ascontiguousarray(photo)))
        iou = matrix.iou()
        means[name] = float(np.nanmean(iou[1:]))
        per_class = " ".join(f"{n} {v:.3f}" for n, v in zip(names[1:], iou[1:], strict=True))
        print(f"{label} {name:<12} {per_class} mean {means[name]:.3f}", flush=True)
    return means


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", default=None)
    parser.add_argument("--limit", type=int, default=0, help="first N val photos (0: all)")
    parser.add_argument(
        "--single-pass", action="store_true", help="also without the zoomed second pass"
    )
    parser.add_argument("--raw-edges", action="store_true", help="also with the edges as upsampled")
    parser.add_argument(
        "--framings", default="", help=f"comma-separated subset of {', '.join(FRAMINGS)}"
    )
    args = parser.parse_args()
    ccp = paths.SHARED_DATA_DIR / "ccp"
    if not ccp.exists():
        print(f"skipped: {ccp} is not present (CCP val photos and labels are needed)")
        return
    framings = [f for f in args.framings.split(",") if f] or list(FRAMINGS)
    unknown = set(framings) - set(FRAMINGS)
    if unknown:
        parser.error(f"unknown framings {sorted(unknown)}; known: {', '.join(FRAMINGS)}")
    stems = read_split(ccp, "val.txt")[: args.limit or None]
    for model in args.model or [paths.DEFAULT_SEGMENTER]:
        segmenter = Segmenter(model, device="cpu")
        table = label_lookup(ccp, len(segmenter.class_names))
        samples = [load_sample(ccp, stem, table) for stem in stems]
        single: dict[str, float] = {}
        if args.single_pass:
            one_pass = Segmenter(model, device="cpu", reframe=False)
            single = score(one_pass, samples, f"{model} single", framings)
        raw: dict[str, float] = {}
        if args.raw_edges:
            raw_edges = Segmenter(model, device="cpu", refine_edges=False)
            raw = score(raw_edges, samples, f"{model} raw-edges", framings)
        means = score(segmenter, samples, str(model), framings)
        for title, baseline in (("closer_look/single_pass", single), ("snapped/raw_edges", raw)):
            if baseline:
                ratios = " ".join(f"{k}={means[k] / baseline[k]:.3f}" for k in means)
                print(f"{title} ({model}): {ratios}")
        figures = " ".join(f"{k}={v:.3f}" for k, v in means.items())
        others = [v for k, v in means.items() if k != "as_is"]
        if "as_is" in means and others:
            figures += f" worst_ratio={min(others) / means['as_is']:.2f}"
        print(f"{segmenter.config.name} ({model}): {figures}")


if __name__ == "__main__":
    main()
