"""How long an export of a large wardrobe goes without saying how far it is.

    python tests/benchmarks/export_feedback.py [--garments 40000] [--photos 16000]

A temporary wardrobe (``big_wardrobe.build_big``: its garments share a few dozen cut-out
files, so the copies are of files in the disk cache, a best case), exported twice into
new folders, in turn: without ``progress`` (as before: the window said "Exporting…" and
nothing more until the end) and with it (as the window asks now). Measured: each
export's time, how many times progress was told and the longest time between two of
those (or from the start to the first); before, that gap is the whole export. The last
line is ``garments=<n> export_s=<f> before_s=<f> reports=<n> longest_quiet_s=<f>
quiet_over_before=<ratio> export_over_before=<ratio>``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from big_wardrobe import built_big, size_options  # noqa: E402  (a script beside this one)
from fakes import FakeAnalyser  # noqa: E402

from wardrobe_app.service import Wardrobe  # noqa: E402


def main() -> None:
    parser = size_options(__doc__)
    args = parser.parse_args()
    with (
        built_big(args) as tmp,
        Wardrobe(tmp / "home", FakeAnalyser(), background_index=False) as w,
    ):
        start = time.perf_counter()
        result = w.export(tmp / "before")
        before_s = time.perf_counter() - start
        told: list[float] = []
        start = time.perf_counter()
        w.export(tmp / "now", progress=lambda _done, _total: told.append(time.perf_counter()))
        export_s = time.perf_counter() - start
    gaps = [b - a for a, b in zip([start, *told], told, strict=False)]
    quiet = max(gaps) if gaps else export_s
    print(f"export of {result.garments} garments:")
    print(f"  before, without progress {before_s:6.1f} s: quiet all along")
    print(
        f"  now, with progress        {export_s:6.1f} s: told {len(told)} times, "
        f"at most {quiet:.2f} s apart"
    )
    print(
        f"garments={result.garments} export_s={export_s:.2f} before_s={before_s:.2f} "
        f"reports={len(told)} longest_quiet_s={quiet:.2f} "
        f"quiet_over_before={quiet / before_s:.4f} export_over_before={export_s / before_s:.2f}"
    )


if __name__ == "__main__":
    main()
