"""Figures of a trained embedder folder (the shipped one by default), without training.

The test senders' item photos are cut out by today's ``item_foreground`` masks and CCP's
val garments by their labels; features come from the folder's own backbone, mirror
averaged where its config says so (as the app computes them); the figures are
``embedder_train``'s own, with the folder's colour weight and garment gate.

    python -m wardrobe_app.training.embedder_eval --clothing ../shared/data/clothing \
        --ccp ../shared/data/ccp --model resources/models/embedder

Features are cached under ``--cache``, the test photos' under a hash of the code that
makes item masks (``mask_cache``): after a change to the masks, a cache of the old ones
is not read.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..vision.embedder import Embedder
from . import mask_cache
from .clothing import VAGUE_LABELS
from .embedder_train import extract_ccp, extract_clothing, gate_figures, held_out_figures


class FolderFeatures:
    """``FeatureExtractor``'s call on an embedder folder: garments mirror averaged as
    its config says (or as ``flip`` says), whole photos never (as ``item_probability``)."""

    def __init__(self, embedder: Embedder, flip: bool | None = None) -> None:
        self.embedder = embedder
        self.flip = embedder.config.flip_average if flip is None else flip

    def __call__(
        self, items: list[tuple[np.ndarray, np.ndarray]], whole: bool = False
    ) -> np.ndarray:
        flip = False if whole else self.flip
        return self.embedder.features(items, whole=whole, flip=flip).cpu().numpy()


def evaluate_folder(
    model: Path, clothing_root: Path, ccp_root: Path, cache: Path, flip: bool | None = None
) -> dict[str, Any]:
    """The held-out figures of the embedder in ``model`` (see the module's doc)."""
    embedder = Embedder(model, device="cpu")
    extractor = FolderFeatures(embedder, flip)
    mode, masks = "flip" if extractor.flip else "plain", mask_cache.mask_code()
    features = mask_cache.clothing_cache(cache, f"clothing_test_{mode}")
    clothing = extract_clothing(clothing_root, extractor, features, splits=("test",))
    ccp = extract_ccp(ccp_root, extractor, cache / f"ccp_val_{mode}.npz", splits=("val",))
    figures: dict[str, Any] = {
        "model": str(model),
        "version": embedder.version,
        "flip_average": extractor.flip,
        "mask_code": masks,
        "colour_weight": embedder.config.colour_weight,
        "test_photos": len(clothing["label"]),
        "test_photos_queried": int((~np.isin(clothing["label"], VAGUE_LABELS)).sum()),
        "ccp_val_garments": len(ccp["fine"]),
    }
    figures.update(
        held_out_figures(embedder.heads, embedder.config.colour_weight, clothing, ccp, ccp["whole"])
    )
    figures.update(gate_figures(embedder.heads, clothing, embedder.config.garment_threshold))
    return figures


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clothing", default="../shared/data/clothing")
    p.add_argument("--ccp", default="../shared/data/ccp")
    p.add_argument("--model", default="resources/models/embedder")
    p.add_argument("--cache", default="runs/embedder_eval")
    p.add_argument(
        "--no-flip",
        action="store_true",
        help="garment features without the mirror average (as the training's cache)",
    )
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--json", help="also write the figures to this file")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    figures = evaluate_folder(
        Path(args.model),
        Path(args.clothing),
        Path(args.ccp),
        Path(args.cache),
        False if args.no_flip else None,
    )
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    print(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
