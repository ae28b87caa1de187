"""Write the ImageNet weights of EfficientNet-Lite encoders as small fp16 files to carry.

    python tools/encoder_weights_fp16.py gpu --encoders lite1,lite2

A lent GPU machine has torch but not the weights packages; `train --encoder-weights`
reads these files. Only the encoder's tensors are kept (no classifier head), and the
batch-norm statistics stay float32, as in model folders (model_folder.stored_tensor).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from wardrobe_app.vision.efficientnet_lite import encoder_state, imagenet_weights_path
from wardrobe_app.vision.model_folder import stored_tensor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="folder to write <encoder>_imagenet_fp16.pth")
    parser.add_argument("--encoders", default="lite0,lite1,lite2")
    args = parser.parse_args()
    args.target.mkdir(parents=True, exist_ok=True)
    for variant in args.encoders.split(","):
        state = torch.load(imagenet_weights_path(variant), map_location="cpu", weights_only=True)
        small = {k: stored_tensor(k, v, half=True) for k, v in encoder_state(state).items()}
        path = args.target / f"{variant}_imagenet_fp16.pth"
        torch.save(small, path)
        print(f"{path}: {len(small)} tensors, {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
