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
import tempfile
from pathlib import Path

import numpy as np

from wardrobe_app.vision.ensemble import ProbabilityAverage
from wardrobe_app.vision.image_io import ImageLoadError, is_image_path, load_image
from wardrobe_app.vision.model_folder import ModelFolderError, ensemble_of, save_model
from wardrobe_app.vision.segmenter import Segmenter


def ambiguities(ensemble: Path, photos: Path) -> np.ndarray:
    """``garment_ambiguity`` of each readable photo in a folder, measured where the
    ensemble folder's cascade measures it: its first member, as stored, on its first
    pass (padding and all). So the threshold means the same here and at inference."""
    segmenter = Segmenter(ensemble, device="cpu", reframe=False)
    assert isinstance(segmenter.model, ProbabilityAverage)
    probe = ProbabilityAverage([segmenter.model.members[0]], consult_above=0.5)  # any > 0
    segmenter.model = probe
    values = []
    for path in sorted(p for p in photos.iterdir() if is_image_path(p)):
        try:
            rgb = load_image(path)
        except ImageLoadError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        segmenter.probabilities(rgb)
        assert probe.last_ambiguity is not None
        values.append(float(probe.last_ambiguity[0]))
    if not values:
        raise ModelFolderError(f"{photos} holds no photo to calibrate on")
    return np.array(values)


def threshold_for(values: np.ndarray, share: float) -> float:
    """The ambiguity above which ``share`` of the calibration photos lie."""
    threshold = float(np.quantile(values, 1.0 - share))
    if threshold >= 1.0:
        raise ModelFolderError(
            "the first member found no garment on most calibration photos "
            "(ambiguity 1): calibrate on photos of people in clothes"
        )
    if threshold <= 0.0:
        raise ModelFolderError(
            f"the first member is fully sure on more than {1 - share:.0%} of the calibration "
            "photos (ambiguity 0): no threshold splits them as asked"
        )
    return threshold


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
        model, config = ensemble_of(args.folders, args.name or args.out.name)
        if args.consult_share < 1.0:
            if not args.calibrate.is_dir():
                raise ModelFolderError(f"{args.calibrate} is not a folder of photos")
            with tempfile.TemporaryDirectory() as scratch:
                # Calibrated on the weights as the folder will store them (fp16).
                values = ambiguities(save_model(model, config, scratch), args.calibrate)
            model.consult_above = config.consult_above = threshold_for(values, args.consult_share)
            config.training["consult_share"] = args.consult_share
            config.training["calibrated_on"] = str(args.calibrate)
            print(
                f"calibrated on {len(values)} photos: consult above ambiguity "
                f"{config.consult_above:.4f} (median {np.median(values):.4f})"
            )
    except ModelFolderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    save_model(model, config, args.out)
    print(f"{args.out}: {config.describe_network()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
