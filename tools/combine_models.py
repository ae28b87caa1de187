"""Combine model folders into one ensemble folder: their probabilities averaged.

    python tools/combine_models.py OUT_FOLDER FOLDER FOLDER [FOLDER ...] [--name NAME]

Unlike networks (a Lite0-UNet and a Lite2-UNet, say) err on different photos, so their
average beats each one; it also costs the sum of their latencies. Score every subset
first with ``tools/ensemble_iou.py``, and the folder written here with
``wardrobe-cli evaluate --model OUT_FOLDER --against ...``. Any model folder reader
(the app, ``segment``, ``evaluate``, ``train --teacher``) takes the result as it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wardrobe_app.vision.model_folder import ModelFolderError, ensemble_of, save_model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--name", default=None, help="the model's name (default: OUT's name)")
    args = parser.parse_args()
    try:
        model, config = ensemble_of(args.folders, args.name or args.out.name)
    except ModelFolderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    save_model(model, config, args.out)
    print(f"{args.out}: {config.describe_network()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
