"""Latency of the shipped segmenter on CCP photos vs the seed-width UNet at 256x256.

    python tests/benchmarks/segment_speed.py [--repeats 30] [--photos 10] [--model DIR]
        [--encoders lite1,lite2]

The shipped segmenter is timed end to end on 550x825 CCP photos, already decoded, model
loaded (resize, network, probabilities brought to the photo's size with their edges
snapped to it, argmax); the same segmenter with its edges as upsampled (the edge step
off) is timed interleaved with it. The seed
UNet (width 64, 3 classes) is timed on a 256x256 input in the same run, same threads,
and the shipped model with its batch norms left unfolded, interleaved with the folded
one so that both see the same machine. An ensemble is timed beside each of its members
alone; a cascade (``consult_above``) runs its other members on some photos only, so its
mean is printed beside the median, how many passes consulted them, and what the same
ensemble costs with every member on every photo (a consulted photo's cost). The same network
on the bigger Lite1 and Lite2 encoders (random weights: latency does not depend on
them) is interleaved too, for the latency budget of a bigger model. Then the same
photos shrunk onto a studio backdrop (a small figure, which the segmenter finds and
segments again zoomed), timed with and without that second look. The last line is
``shipped_ms=<float> seed_ms=<float> speedup=<float>``.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from timing import interleaved_medians_ms, interleaved_times_ms  # noqa: E402

from wardrobe_app import paths  # noqa: E402
from wardrobe_app.vision.ensemble import ProbabilityAverage  # noqa: E402
from wardrobe_app.vision.image_io import load_image  # noqa: E402
from wardrobe_app.vision.model_folder import (  # noqa: E402
    build_model,
    load_model,
    read_config,
    save_model,
)
from wardrobe_app.vision.segmenter import Segmenter  # noqa: E402
from wardrobe_app.vision.unet import UNet  # noqa: E402


def median_ms(fn: Callable[[], object], repeats: int, warmup: int = 3) -> float:
    return interleaved_medians_ms([fn], repeats, warmup)[0]


def consulted(segmenter: Segmenter) -> str:
    """How often an ensemble ran its other members since the last call (counts reset);
    empty for a single network."""
    network = segmenter.model
    if not isinstance(network, ProbabilityAverage):
        return ""
    share = f"{network.images_consulted} of {network.images_seen}"
    network.reset_counts()
    return f"; other members consulted on {share} network passes"


def cycling(segmenter: Segmenter, photos: list[np.ndarray]) -> Callable[[], object]:
    """Segment the next photo on each call. Each timed variant has its own counter, so
    all of them are timed on the same photos."""
    turn = itertools.count()
    return lambda: segmenter.segment(photos[next(turn) % len(photos)])


def encoder_variant(model_dir: Path, encoder: str, folder: Path) -> Segmenter:
    """The shipped model's network (an ensemble's first member) on another encoder,
    random weights, as a Segmenter."""
    config = read_config(model_dir)
    if config.architecture == "ensemble":
        config = config.member_configs()[0]
    config.encoder = encoder
    torch.manual_seed(0)
    save_model(build_model(config), config, folder)
    return Segmenter(folder, device="cpu")


def ensemble_members(model_dir: Path, folder: Path) -> list[Segmenter]:
    """Each member of an ensemble model folder as a Segmenter of its own (none for a
    single network)."""
    model, config = load_model(model_dir)
    if not isinstance(model, ProbabilityAverage):
        return []
    members = config.member_configs()
    return [
        Segmenter(save_model(network, member, folder / str(i)), device="cpu")
        for i, (network, member) in enumerate(zip(model.members, members, strict=True))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--model", type=Path, default=paths.DEFAULT_SEGMENTER)
    parser.add_argument(
        "--encoders", default="lite1,lite2", help="other Lite encoders to time (empty: none)"
    )
    args = parser.parse_args()

    ccp = paths.SHARED_DATA_DIR / "ccp"
    if ccp.exists():
        stems = (ccp / "val.txt").read_text().split()[: args.photos]
        photos = [load_image(ccp / "images" / f"{s}.jpg") for s in stems]
        source = f"{len(photos)} CCP val photos"
    else:
        rng = np.random.default_rng(0)
        photos = [rng.integers(0, 255, (825, 550, 3), dtype=np.uint8) for _ in range(args.photos)]
        source = f"{len(photos)} random 550x825 images (../shared/data/ccp not present)"
    segmenter = Segmenter(args.model, device="cpu")
    print(f"threads={torch.get_num_threads()} shipped={segmenter.describe()} photos: {source}")
    print(
        f"photo size {photos[0].shape[1]}x{photos[0].shape[0]}, "
        f"working size {segmenter.config.input_size}"
    )

    unfolded = Segmenter(args.model, device="cpu", fold_bn=False)
    raw_edges = Segmenter(args.model, device="cpu", refine_edges=False)
    variants = [name for name in args.encoders.split(",") if name]
    with tempfile.TemporaryDirectory() as tmp:
        rivals = [encoder_variant(args.model, name, Path(tmp) / name) for name in variants]
        members = ensemble_members(args.model, Path(tmp) / "members")
    always = []  # a cascade with every member on every photo: what a consulted photo costs
    if members and segmenter.config.consult_above > 0:
        every_photo = Segmenter(args.model, device="cpu")
        assert isinstance(every_photo.model, ProbabilityAverage)
        every_photo.model.consult_above = 0.0
        always.append(every_photo)
    timed = [
        cycling(s, photos) for s in [segmenter, unfolded, raw_edges, *rivals, *members, *always]
    ]
    for fn in timed * 3:  # warm-up, then count the timed passes only
        fn()
    consulted(segmenter)
    shipped_times, *other_times = interleaved_times_ms(timed, args.repeats, warmup=0)
    shipped = statistics.median(shipped_times)
    shipped_line = f"mean {statistics.mean(shipped_times):.1f} ms{consulted(segmenter)}"
    unfolded_ms, raw_ms, *rival_ms = [statistics.median(t) for t in other_times]
    rival_ms, member_ms = rival_ms[: len(rivals)], rival_ms[len(rivals) :]
    member_ms, always_ms = member_ms[: len(members)], member_ms[len(members) :]

    # A small figure: the framing benchmark's "small" (frame 1.5x as tall, 2x as wide).
    backdrop = [
        cv2.copyMakeBorder(
            p,
            p.shape[0] // 4,
            p.shape[0] // 4,
            p.shape[1] // 2,
            p.shape[1] // 2,
            cv2.BORDER_CONSTANT,
            value=(245, 245, 245),
        )
        for p in photos
    ]
    single = Segmenter(args.model, device="cpu", reframe=False)
    timed = [cycling(s, backdrop) for s in [segmenter, single]]
    for fn in timed * 3:
        fn()
    consulted(segmenter)
    zoomed_ms, single_ms = interleaved_medians_ms(timed, args.repeats, warmup=0)
    zoomed_line = consulted(segmenter)

    seed = UNet(width=64, num_classes=3).eval()
    x = torch.rand(1, 3, 256, 256)

    def run_seed() -> None:
        with torch.inference_mode():
            seed(x).softmax(1).argmax(1)

    seed_ms = median_ms(run_seed, max(5, args.repeats // 3), warmup=1)
    print(
        f"batch norms unfolded: median {unfolded_ms:.1f} ms, "
        f"folded {shipped:.1f} ms (x{unfolded_ms / shipped:.2f} faster folded)"
    )
    print(
        f"edges as upsampled (--raw-edges): median {raw_ms:.1f} ms; snapped to the photo's "
        f"{shipped:.1f} ms (x{shipped / raw_ms:.2f})"
    )
    for name, ms in zip(variants, rival_ms, strict=True):
        print(f"same UNet on a {name} encoder: median {ms:.1f} ms (x{ms / shipped:.2f} shipped)")
    for member, ms in zip(members, member_ms, strict=True):
        print(f"ensemble member {member.config.describe_network()} alone: median {ms:.1f} ms")
    if members:
        alone = sum(member_ms)
        print(f"the ensemble costs x{shipped / alone:.2f} its members run one after the other")
    for ms in always_ms:
        print(f"the same with every member on every photo: median {ms:.1f} ms")
    print(
        f"small figure on a backdrop ({backdrop[0].shape[1]}x{backdrop[0].shape[0]}): zoomed "
        f"{zoomed_ms:.1f} ms, single pass {single_ms:.1f} ms "
        f"(x{zoomed_ms / single_ms:.2f}){zoomed_line}"
    )
    print(f"shipped segmenter, 550x825 photo end to end: median {shipped:.1f} ms, {shipped_line}")
    print(f"seed UNet width 64 at 256x256 (network + softmax + argmax): median {seed_ms:.1f} ms")
    print(f"shipped_ms={shipped:.1f} seed_ms={seed_ms:.1f} speedup={seed_ms / shipped:.2f}")


if __name__ == "__main__":
    main()
