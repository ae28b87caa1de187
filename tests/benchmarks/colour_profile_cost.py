"""What converting a photo's colour profile to sRGB adds to reading it.

    python tests/benchmarks/colour_profile_cost.py [--photos 4] [--repeats 5]
        [--source DIR] [--size 4032x3024]

CCP photos are enlarged to a phone's 12 MP (4032x3024) and saved as JPEG (quality 90)
twice, pixel for pixel the same: with a Display P3 profile (the tests' one, a matrix
profile like a phone's) and with none. ``load_image`` reads both, interleaved: at full
size, as the analyser does (shrunk to 2048 a side by ``cap_size`` before the colour
conversion), at full size and no more, and at the large-photo working size (2048, JPEG
decoded at reduced size). The last line is ``analyser_ratio=<float> full_ratio=<float>
small_ratio=<float>``: median time with the profile over without.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from icc import DISPLAY_P3  # noqa: E402

from wardrobe_app.vision.image_io import is_image_path, load_image  # noqa: E402
from wardrobe_app.vision.pipeline import cap_size  # noqa: E402

# How each read is made: (max_side, fit).
READS = {"analyser": (None, cap_size), "full": (None, None), "small": (2048, None)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=Path("/work/shared/data/ccp/images"))
    parser.add_argument("--photos", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--size", default="4032x3024")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    if not args.source.is_dir():
        print(f"no photos: {args.source} is missing", file=sys.stderr)
        return 2
    photos = sorted(p for p in args.source.iterdir() if is_image_path(p))[: args.photos]
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="wardrobe-icc-") as tmp:
        pairs = []
        for i, photo in enumerate(photos):
            with Image.open(photo) as image:
                big = image.convert("RGB").resize((width, height), Image.Resampling.BICUBIC)
            plain, tagged = Path(tmp) / f"{i}.jpg", Path(tmp) / f"{i}-p3.jpg"
            big.save(plain, quality=90)
            big.save(tagged, quality=90, icc_profile=DISPLAY_P3)
            pairs.append((plain, tagged))
        load_image(pairs[0][1])  # the first transform is built once, then cached
        for _ in range(args.repeats):
            for plain, tagged in pairs:
                for read, (max_side, fit) in READS.items():
                    for name, path in (("none", plain), ("p3", tagged)):
                        t0 = time.perf_counter()
                        load_image(path, max_side=max_side, fit=fit)
                        times.setdefault((name, read), []).append(time.perf_counter() - t0)
    ratios = {}
    for read in READS:
        none = statistics.median(times[("none", read)]) * 1000
        p3 = statistics.median(times[("p3", read)]) * 1000
        ratios[read] = p3 / none
        print(f"{read:>9}: no profile {none:7.1f} ms, Display P3 {p3:7.1f} ms ({p3 / none:.2f}x)")
    print(" ".join(f"{read}_ratio={ratio:.3f}" for read, ratio in ratios.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
