"""What a change of filter in the grid costs in a wardrobe of many years.

    python tests/benchmarks/filter_speed.py [--garments 40000] [--photos 16000]

A temporary wardrobe (``big_wardrobe.build_big``). Then, median of 5 each, what the
grid's listing job asks for each step of a user's search: the whole wardrobe, a word
typed ("wool"), a colour chip, a category chip, sorting by colour, and everything again;
first as now (the last listing's records filtered while the database has not changed),
then with those records dropped before each call, as every call made them all before
(the baseline, in the same run: the listing at the previous commit also made them all,
filtering categories in SQL, so its category step made fewer). Then the cost of noticing
a change: a listing after a garment was renamed. The last line is ``garments=<n>
<step>_ms=<f> ... <step>_before_ms=<f> ... filter_over_before=<ratio>`` (the ratio of
the sums of the filtered steps).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from big_wardrobe import built_big, size_options  # noqa: E402  (a script beside this one)
from fakes import FakeAnalyser  # noqa: E402

from wardrobe_app.service import Wardrobe  # noqa: E402
from wardrobe_app.types import GarmentFilter  # noqa: E402

REPEATS = 5


def median_ms(fn: Callable[[], object], before: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        before()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = size_options(__doc__)
    args = parser.parse_args()
    with built_big(args) as tmp:
        home = tmp / "home"
        with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
            n = w.count()
            colour = w.colour_names()[0]
            steps = {
                "all": GarmentFilter(),
                "word": GarmentFilter(text="wool"),
                "colour": GarmentFilter(colours={colour}),
                "category": GarmentFilter(categories={"top"}),
                "sort_colour": GarmentFilter(sort="colour"),
            }
            browse = w._browse

            def drop() -> None:
                browse._listing = None

            figures: dict[str, float] = {}
            w.list_garments()
            for name, flt in steps.items():
                figures[f"{name}_ms"] = median_ms(lambda f=flt: w.list_garments(f), lambda: None)
            for name, flt in steps.items():
                figures[f"{name}_before_ms"] = median_ms(lambda f=flt: w.list_garments(f), drop)
            first = w.list_garments()[0].id
            figures["after_rename_ms"] = median_ms(
                w.list_garments,
                lambda: w.update_garment(first, name=f"renamed {time.perf_counter()}"),
            )
    filtered = [k for k in steps if k != "all"]
    ratio = sum(figures[f"{k}_ms"] for k in filtered) / sum(
        figures[f"{k}_before_ms"] for k in filtered
    )
    print(f"{n} garments, median of {REPEATS} (ms):   now   before")
    for name in steps:
        print(f"  {name:<12} {figures[name + '_ms']:10.1f} {figures[name + '_before_ms']:8.1f}")
    print(f"  listing after a rename: {figures['after_rename_ms']:.1f}")
    shown = " ".join(f"{k}={v:.1f}" for k, v in figures.items())
    print(f"garments={n} {shown} filter_over_before={ratio:.3f}")


if __name__ == "__main__":
    main()
