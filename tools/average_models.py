"""Average the weights of model folders of one network (a "model soup").

    python tools/average_models.py OUT_FOLDER FOLDER [FOLDER ...]

Meant for runs that share a lineage (one warm-started from another): their weights sit
in one basin, and the average is often better than either. The config of the first
folder is kept, with the sources recorded under training.averaged_from.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from wardrobe_app.vision.model_folder import load_model, save_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("folders", type=Path, nargs="+")
    args = parser.parse_args()
    models = [load_model(folder) for folder in args.folders]
    model, config = models[0]
    states = [m.state_dict() for m, _ in models]
    averaged = {}
    for name, value in states[0].items():
        if value.is_floating_point():
            averaged[name] = torch.stack([s[name] for s in states]).mean(0)
        else:  # counters such as num_batches_tracked
            averaged[name] = value
    model.load_state_dict(averaged)
    config.training = {
        **(config.training or {}),
        "averaged_from": [str(folder) for folder in args.folders],
    }
    config.metrics = {}
    save_model(model, config, args.out)


if __name__ == "__main__":
    main()
