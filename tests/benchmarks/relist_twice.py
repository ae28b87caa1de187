"""What the grid's listing costs where the listing's newest logged garment was edited
twice since (a garment edited, Back, opened again and its name then its tags edited,
Back), against once, and against a listing made from scratch.

    python tests/benchmarks/relist_twice.py [--garments 40000] [--photos 16000]

A temporary wardrobe (``big_wardrobe.build_big``), listed once; then, median of 5 each:
``once``, a garment's notes edited, listed, its name edited, listed (timed);
``twice``, the same, then its name and its tags edited, listed (timed); ``full``, a
listing with nothing cached (a fresh ``Browse``). Also how many garments each timed
listing read again. The last line is
``garments=<n> once_ms=<f> twice_ms=<f> full_ms=<f> once_read=<n> twice_read=<n>``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from big_wardrobe import built_big, size_options  # noqa: E402
from fakes import FakeAnalyser  # noqa: E402

from wardrobe_app.service import Wardrobe  # noqa: E402
from wardrobe_app.services import records  # noqa: E402
from wardrobe_app.services.browse import Browse  # noqa: E402
from wardrobe_app.types import GarmentRecord  # noqa: E402

REPEATS = 5


def main() -> None:
    args = size_options(__doc__).parse_args()
    read: list[int] = []
    real = records.garment_record

    def counted(row: object, *more: object) -> GarmentRecord:
        read.append(0)
        return real(row, *more)  # type: ignore[arg-type]

    records.garment_record = counted  # type: ignore[assignment]
    with built_big(args) as tmp, Wardrobe(tmp / "home", FakeAnalyser()) as w:
        ids = [r.id for r in w.list_garments()]
        picked = ids[len(ids) // 3 :: max(1, len(ids) // (3 * REPEATS))][:REPEATS]
        times: dict[str, list[float]] = {"once": [], "twice": [], "full": []}
        reads: dict[str, int] = {}
        for i, garment_id in enumerate(picked):
            for step, edits in (("once", 1), ("twice", 2)):
                w.update_garment(garment_id, notes=f"{step} {i}")
                w.list_garments()  # its row the listing's newest
                w.update_garment(garment_id, name=f"{step} {i}")
                if edits == 2:
                    w.update_garment(garment_id, tags=[f"{step}{i}"])
                read.clear()
                start = time.perf_counter()
                w.list_garments()
                times[step].append((time.perf_counter() - start) * 1000)
                reads[step] = len(read)
            fresh = Browse(w.store)
            start = time.perf_counter()
            fresh.list_garments()
            times["full"].append((time.perf_counter() - start) * 1000)
            fresh.close()
        shown = " ".join(f"{k}_ms={statistics.median(v):.1f}" for k, v in times.items())
        print(f"garments={len(ids)} {shown} once_read={reads['once']} twice_read={reads['twice']}")


if __name__ == "__main__":
    main()
