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

from wardrobe_app.vision.model_folder import ModelConfig, load_model, save_model


def _unlike(
    config: ModelConfig,
    state: dict[str, torch.Tensor],
    other: ModelConfig,
    other_state: dict[str, torch.Tensor],
) -> str:
    """Why two model folders are not one network to average ("" if they are)."""
    if other.class_names != config.class_names:
        return f"its classes are {other.class_names}, not {config.class_names}"
    if other.input_size != config.input_size or (other.mean, other.std) != (
        config.mean,
        config.std,
    ):
        return "it works at another size or normalisation"
    if other.describe_network() != config.describe_network():
        return f"it is {other.describe_network()}, not {config.describe_network()}"
    shapes = {name: tuple(t.shape) for name, t in state.items()}
    if shapes != {name: tuple(t.shape) for name, t in other_state.items()}:
        return "its weights have other names or shapes"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("folders", type=Path, nargs="+")
    args = parser.parse_args()
    models = [load_model(folder) for folder in args.folders]
    model, config = models[0]
    states = [m.state_dict() for m, _ in models]
    for folder, (_, other), state in zip(args.folders[1:], models[1:], states[1:], strict=True):
        problem = _unlike(config, states[0], other, state)
        if problem:
            parser.error(f"{folder} cannot be averaged with {args.folders[0]}: {problem}")
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
