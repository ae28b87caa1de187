"""Training-step time of the Lite UNet per encoder, interleaved in one run.

    python tests/benchmarks/train_step_speed.py [--repeats 5] [--batch 8] [--encoders lite0,lite2]

One step = forward, cross-entropy, backward and an AdamW update on a random batch at the
384x256 working size, the CPU's threads as torch sets them. The first round is warm-up.
The last line is ``<encoder>_s=<median> ... ratio=<last/first>``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from wardrobe_app.vision.lite_unet import LiteUNet  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--encoders", default="lite0,lite2")
    args = parser.parse_args()
    torch.manual_seed(0)
    variants = args.encoders.split(",")
    models = {v: LiteUNet(4, encoder=v).train() for v in variants}
    optimizers = {v: torch.optim.AdamW(m.parameters(), 1e-4) for v, m in models.items()}
    x = torch.randn(args.batch, 3, 384, 256)
    y = torch.randint(0, 4, (args.batch, 384, 256))
    times: dict[str, list[float]] = {v: [] for v in variants}
    for round_ in range(args.repeats + 1):
        for v, model in models.items():
            start = time.perf_counter()
            loss = F.cross_entropy(model(x), y)
            optimizers[v].zero_grad()
            loss.backward()
            optimizers[v].step()
            if round_:  # round 0 warms up
                times[v].append(time.perf_counter() - start)
    medians = {v: statistics.median(t) for v, t in times.items()}
    print(f"threads={torch.get_num_threads()} batch={args.batch} at 384x256")
    figures = " ".join(f"{v}_s={s:.2f}" for v, s in medians.items())
    print(f"{figures} ratio={medians[variants[-1]] / medians[variants[0]]:.2f}")


if __name__ == "__main__":
    main()
