"""Combine model folders into one ensemble folder: their probabilities averaged.

    python tools/combine_models.py OUT_FOLDER FIRST OTHER [OTHER ...] [--name NAME]
        [--consult-share S --calibrate PHOTO_FOLDER]

Unlike networks (a Lite0-UNet and a Lite2-UNet, say) err on different photos, so their
average beats each one; it also costs the sum of their latencies. ``--consult-share``
makes it a cascade: the OTHER members are run only on the share S of photos that FIRST
is least sure of (``garment_ambiguity``), the threshold read from FIRST's answers on
the photos of PHOTO_FOLDER (unlabelled photos will do: no labels are read, and photos
held out for evaluation must not be used). Score every subset first with
``tools/ensemble_iou.py``, and the folder written here with ``wardrobe-cli evaluate
--model OUT_FOLDER --against ...``. Any model folder reader (the app, ``segment``,
``evaluate``, ``train --teacher``) takes the result as it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from wardrobe_app.vision.ensemble import garment_ambiguity
from wardrobe_app.vision.framing import fit_size
from wardrobe_app.vision.image_io import ImageLoadError, is_image_path, load_image
from wardrobe_app.vision.model_folder import ModelFolderError, ensemble_of, save_model
from wardrobe_app.vision.segmenter import Segmenter


def ambiguities(model: Path, photos: Path) -> np.ndarray:
    """``garment_ambiguity`` of each readable photo in a folder under one model folder,
    at its working size, one pass (as the ensemble's first member sees it)."""
    segmenter = Segmenter(model, device="cpu", reframe=False)
    values = []
    for path in sorted(p for p in photos.iterdir() if is_image_path(p)):
        try:
            rgb = load_image(path)
        except ImageLoadError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        size = fit_size(rgb.shape[0], rgb.shape[1], segmenter.target, segmenter.stride)
        probs = torch.from_numpy(segmenter.probabilities(rgb, size))[None]
        values.append(float(garment_ambiguity(probs)[0]))
    if not values:
        raise ModelFolderError(f"{photos} holds no photo to calibrate on")
    return np.array(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--name", default=None, help="the model's name (default: OUT's name)")
    parser.add_argument(
        "--consult-share",
        type=float,
        default=1.0,
        help="share of photos on which the other members are run (default 1: all)",
    )
    parser.add_argument("--calibrate", type=Path, default=None, help="photos to set it on")
    args = parser.parse_args()
    if not 0.0 < args.consult_share <= 1.0:
        parser.error("--consult-share must be in (0, 1]")
    if args.consult_share < 1.0 and args.calibrate is None:
        parser.error("--consult-share below 1 needs --calibrate PHOTO_FOLDER")
    try:
        consult_above = 0.0
        if args.consult_share < 1.0:
            if not args.calibrate.is_dir():
                raise ModelFolderError(f"{args.calibrate} is not a folder of photos")
            values = ambiguities(args.folders[0], args.calibrate)
            consult_above = float(np.quantile(values, 1.0 - args.consult_share))
            print(
                f"calibrated on {len(values)} photos: consult above ambiguity "
                f"{consult_above:.4f} (median {np.median(values):.4f})"
            )
        model, config = ensemble_of(args.folders, args.name or args.out.name, consult_above)
    except ModelFolderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.calibrate is not None:
        config.training["consult_share"] = args.consult_share
        config.training["calibrated_on"] = str(args.calibrate)
    save_model(model, config, args.out)
    print(f"{args.out}: {config.describe_network()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
