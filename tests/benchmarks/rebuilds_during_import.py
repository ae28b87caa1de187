"""What the similar-items index's background rebuilds cost during an import.

    python tests/benchmarks/rebuilds_during_import.py [--garments 3800] [--photos 100]
        [--rate 5]

An index over N garment vectors (272-d, clustered) runs in the background, as in the
app; an import is simulated by adding one vector at a time, ``--rate`` photos a second
(the app imports item photos at 5-8 a second on this project's 2-core CPU). Counted:
the builds that ran during the import and the seconds they took (each a thread beside
the import's analysis), with the rebuild policy as it is, and as it was before (a build
due one second, or twice the last build's time, after an edit, whatever the size), in
the same run. Below ``exact_below`` (5000) every query scans the vectors, so a build
buys nothing but a quicker next start. The last line is ``garments=<n> photos=<m>
builds=<k> build_s=<f> before_builds=<k> before_build_s=<f> build_s_over_before=<ratio>``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from wardrobe_app.search import SimilarIndex, storage  # noqa: E402
from wardrobe_app.search import index as index_module  # noqa: E402

DIM = 272


def clustered(rng: np.random.Generator, n: int) -> np.ndarray:
    centres = rng.normal(size=(max(1, n // 40), DIM)).astype(np.float32)
    rows = centres[rng.integers(0, len(centres), n)] + 0.5 * rng.normal(size=(n, DIM))
    return rows.astype(np.float32)


def simulate(garments: int, photos: int, rate: float, delay: float | None) -> tuple[int, float]:
    """(builds, seconds building) while ``photos`` vectors are added at ``rate`` a second;
    ``delay``: the small-index rebuild delay to use (None: as it is)."""
    rng = np.random.default_rng(0)
    ids = np.arange(1, garments + 1, dtype=np.int64)
    vectors = clustered(rng, garments + photos)
    rows = {"n": garments}

    def loader() -> tuple[np.ndarray, np.ndarray]:
        n = rows["n"]
        return np.arange(1, n + 1, dtype=np.int64), vectors[:n]

    timings: list[float] = []
    real_write = storage.write_build

    def timed_write(*args: object, **kwargs: object) -> None:
        start = time.perf_counter()
        real_write(*args, **kwargs)  # type: ignore[arg-type]
        timings.append(time.perf_counter() - start)

    kept = index_module._SMALL_REBUILD_DELAY
    storage.write_build = timed_write  # type: ignore[assignment]
    if delay is not None:
        index_module._SMALL_REBUILD_DELAY = delay
    try:
        with tempfile.TemporaryDirectory() as tmp:
            index = SimilarIndex(Path(tmp), DIM, loader, background=True)
            index.open()
            index.wait_idle(120)
            timings.clear()  # the first build is no part of the import
            for i in range(photos):
                time.sleep(1.0 / rate)
                rows["n"] = garments + i + 1
                index.add([int(ids[-1]) + i + 1], vectors[garments + i : garments + i + 1])
            builds, seconds = len(timings), sum(timings)
            index.close(30)
    finally:
        storage.write_build = real_write  # type: ignore[assignment]
        index_module._SMALL_REBUILD_DELAY = kept
    return builds, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--garments", type=int, default=3800)
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--rate", type=float, default=5.0, help="photos a second")
    args = parser.parse_args()
    before = simulate(args.garments, args.photos, args.rate, delay=0.0)
    now = simulate(args.garments, args.photos, args.rate, delay=None)
    print(f"import of {args.photos} photos into {args.garments} garments, {args.rate}/s:")
    print(f"  now:    {now[0]:3d} builds, {now[1]:6.2f} s building")
    print(f"  before: {before[0]:3d} builds, {before[1]:6.2f} s building")
    ratio = now[1] / before[1] if before[1] else float("nan")
    print(
        f"garments={args.garments} photos={args.photos} builds={now[0]} build_s={now[1]:.2f} "
        f"before_builds={before[0]} before_build_s={before[1]:.2f} "
        f"build_s_over_before={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
