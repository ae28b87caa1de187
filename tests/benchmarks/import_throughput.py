"""End-to-end import throughput: photos in, garments filed, with the real analyser.

    python tests/benchmarks/import_throughput.py [--photos 40] [--device auto] [--kind auto]

Imports N photos from ../shared/data/ccp/unlabeled (outfit photos, 550x825) into a
temporary wardrobe with ``PhotoAnalyser.default()``: load, segment, extract, embed,
write the files (fsync'd), commit the rows, index the vectors. Model loading is timed
apart; the first photo (warm-up) is reported apart too. Goal: >= 3 outfit photos/s.
``--fake`` uses the tests' FakeAnalyser (checks the script and measures the storage
side alone). The last line is ``photos=<n> seconds=<float> photos_per_s=<float>
goal=3.0 ok=<bool>``; ``--strict`` exits 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from wardrobe_app import paths  # noqa: E402
from wardrobe_app.service import Wardrobe  # noqa: E402
from wardrobe_app.types import Analyser  # noqa: E402
from wardrobe_app.vision.image_io import is_image_path  # noqa: E402

GOAL = 3.0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--source", type=Path, default=paths.SHARED_DATA_DIR / "ccp" / "unlabeled")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--kind", choices=("auto", "outfit", "item"), default="auto")
    parser.add_argument("--fake", action="store_true", help="the tests' fake analyser")
    parser.add_argument("--strict", action="store_true", help="exit 1 below the goal")
    args = parser.parse_args()

    if not args.source.is_dir():
        print(f"no photos: {args.source} is missing", file=sys.stderr)
        return 2
    photos = sorted(p for p in args.source.iterdir() if is_image_path(p))[: args.photos]
    if len(photos) < 2:
        print(f"need at least 2 photos in {args.source}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    analyser: Analyser
    if args.fake:
        sys.path.insert(0, str(ROOT / "tests"))
        from fakes import FakeAnalyser

        analyser = FakeAnalyser()
    else:
        try:
            from wardrobe_app.vision.pipeline import PhotoAnalyser

            analyser = cast(Analyser, PhotoAnalyser.default(device=args.device))
        except Exception as exc:  # models not trained / shipped yet
            print(f"the real analyser cannot load: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
    load_s = time.perf_counter() - t0

    with tempfile.TemporaryDirectory(prefix="wardrobe-bench-") as tmp:
        home = Path(tmp) / "home"
        with Wardrobe(home, analyser, background_index=True) as w:
            print(
                f"analyser: {w.analyser.describe()} (device {w.analyser.device}), "
                f"loaded in {load_s:.2f} s; threads={os.cpu_count()}"
            )
            print(f"{len(photos)} photos from {args.source}")
            t1 = time.perf_counter()
            first = w.import_photo(photos[0], kind=args.kind)
            warm_s = time.perf_counter() - t1
            t2 = time.perf_counter()
            report = w.import_paths(photos[1:], kind=args.kind)
            rest_s = time.perf_counter() - t2
            total_s = warm_s + rest_s
            results = [first, *report.results]
            imported = [r for r in results if r.status == "imported"]
            failed = [r for r in results if r.status == "failed"]
            n_garments = sum(len(r.garments) for r in imported)
            kinds = {k: sum(r.kind == k for r in imported) for k in ("outfit", "item")}
            t3 = time.perf_counter()
            hits = w.similar_many([r.garments[0].id for r in imported if r.garments], k=10)
            similar_ms = (time.perf_counter() - t3) * 1000 / max(1, len(hits))
    steady = (len(photos) - 1) / rest_s
    overall = len(photos) / total_s
    print(
        f"imported {len(imported)} ({kinds['outfit']} outfit, {kinds['item']} item), "
        f"{n_garments} garments, {len(failed)} failed"
    )
    for r in failed[:5]:
        print(f"  failed: {r.error}")
    print(f"first photo (warm-up): {warm_s * 1000:.0f} ms")
    print(f"steady state: {steady:.2f} photos/s ({rest_s * 1000 / (len(photos) - 1):.0f} ms each)")
    print(f"similar query: {similar_ms:.1f} ms each")
    ok = overall >= GOAL
    print(
        f"photos={len(photos)} seconds={total_s:.2f} photos_per_s={overall:.2f} goal={GOAL} ok={ok}"
    )
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
