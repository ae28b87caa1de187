"""How fast the grid's listing, and deleting and undeleting all, are in a large wardrobe.

    python tests/benchmarks/listing_speed.py [--photos 1000]

A temporary wardrobe gets N synthetic outfit photos (2 garments each) through the tests'
fake analyser. Then, median of 15 each: ``list_garments`` unfiltered, by a colour, by a
word, sorted by colour; and, as the baseline in the same run, the same records made from
ORM objects, as the listing made them before it selected columns (with today's path
cache, which speeds the baseline too). Then deleting every
garment and undoing it (median of 5), against the same done one ORM object at a time as
before (a GUI-thread freeze). The last line is ``garments=<n> list_ms=<f> ...
list_over_orm_listing=<ratio> delete_undo_over_per_object=<ratio>``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FakeAnalyser, make_photo  # noqa: E402
from sqlalchemy import select  # noqa: E402

from wardrobe_app.service import Wardrobe  # noqa: E402
from wardrobe_app.services.records import garment_record  # noqa: E402
from wardrobe_app.store import Garment, Photo  # noqa: E402
from wardrobe_app.types import GarmentFilter  # noqa: E402

REPEATS = 15


def median_ms(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        for i in range(args.photos):
            make_photo(folder / f"p{i:05d}.jpg", seed=i, size=(96, 128))
        w = Wardrobe(Path(tmp) / "home", FakeAnalyser(), background_index=False)
        try:
            w.import_paths([folder])
            n = w.count()
            colour = w.colour_names()[0]
            figures = {
                "list_ms": median_ms(lambda: w.list_garments(GarmentFilter())),
                "colour_ms": median_ms(lambda: w.list_garments(GarmentFilter(colours={colour}))),
                "text_ms": median_ms(lambda: w.list_garments(GarmentFilter(text="red"))),
                "sort_colour_ms": median_ms(lambda: w.list_garments(GarmentFilter(sort="colour"))),
            }

            def orm_listing() -> None:
                stmt = select(Garment, Photo.file_path).join(Photo)
                stmt = stmt.where(Garment.deleted_at.is_(None)).order_by(Garment.created_at)
                abspath = w.store.files.abspath
                with w.store.session() as s:
                    [garment_record(row, photo, abspath) for row, photo in s.execute(stmt)]

            figures["orm_listing_ms"] = median_ms(orm_listing)
            ids = [r.id for r in w.list_garments()]

            def delete_and_undo() -> None:
                w.delete_garments(ids)
                w.undo_delete(ids)

            def per_object_delete_and_undo() -> None:
                for deleted in (True, False):
                    with w.store.Session.begin() as s:
                        stmt = select(Garment).where(Garment.id.in_(ids))
                        for row in s.scalars(stmt):
                            row.deleted_at = datetime.now() if deleted else None

            figures["delete_undo_ms"] = median_ms(delete_and_undo, repeats=5)
            figures["per_object_ms"] = median_ms(per_object_delete_and_undo, repeats=5)
        finally:
            w.close()
    for name, value in figures.items():
        print(f"{name:<16} {value:8.1f} ms")
    shown = " ".join(f"{k}={v:.1f}" for k, v in figures.items())
    ratio = figures["list_ms"] / figures["orm_listing_ms"]
    bulk = figures["delete_undo_ms"] / figures["per_object_ms"]
    print(
        f"garments={n} {shown} list_over_orm_listing={ratio:.2f} "
        f"delete_undo_over_per_object={bulk:.2f}"
    )


if __name__ == "__main__":
    main()
