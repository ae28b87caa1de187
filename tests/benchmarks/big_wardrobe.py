"""A large wardrobe, made quickly, for the benchmarks of what a user of many years feels.

    python tests/benchmarks/big_wardrobe.py HOME [--garments 30000] [--photos 12000]

``build_big(home, garments, photos)`` imports a few dozen small synthetic photos through
the tests' fake analyser (so every stored file is a real one: photo, label map, mask,
cut-out, thumbnail), then adds rows straight into the database up to ``garments``
garments on ``photos`` photos, spread over five years: each a copy of one of those
garments with its own thumbnail file (the same picture with a distinct PNG text chunk,
so the thumbnail cache cannot share them), a vector near its model's (the fake
analyser's 32-d, so ``similar`` works), a fine type, and for some a name and tags.
"""

from __future__ import annotations

import argparse
import contextlib
import struct
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FakeAnalyser, make_photo  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from wardrobe_app.service import Wardrobe  # noqa: E402
from wardrobe_app.store import Garment, Photo, Store  # noqa: E402

BASE_PHOTOS = 48
FINE_TYPES = {
    "top": ["t-shirt", "shirt", "sweater", "blouse"],
    "bottom": ["jeans", "trousers", "skirt", "shorts"],
    "one-piece": ["dress", "jumpsuit"],
}
WORDS = ["work", "summer", "winter", "party", "gift", "linen", "wool", "cotton"]


def tagged_png(png: bytes, text: str) -> bytes:
    """The same picture with a tEXt chunk before IEND: other bytes (another stored
    file), the same decoding cost."""
    body = b"Comment\x00" + text.encode()
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + body) & 0xFFFFFFFF)
    return png[:-12] + chunk + png[-12:]


def build_big(home: Path, garments: int, photos: int, seed: int = 0) -> None:
    """A wardrobe at ``home`` of ``garments`` live garments on ``photos`` photos."""
    rng = np.random.default_rng(seed)
    folder = home.parent / (home.name + "-photos")
    for i in range(BASE_PHOTOS):
        name = f"item{i:03d}.jpg" if i % 4 == 3 else f"p{i:03d}.jpg"
        make_photo(folder / name, seed=seed + i, size=(180, 240))
    with Wardrobe(home, FakeAnalyser(), background_index=False) as w:
        w.import_paths([folder])
    store = Store(home, fsync=False)
    try:
        with store.session() as s:
            base_photos = s.scalars(select(Photo)).all()
            base = [
                [
                    {c.name: getattr(g, c.name) for c in Garment.__table__.columns}
                    for g in p.garments
                ]
                for p in base_photos
            ]
            photo_cols = [
                {c.name: getattr(p, c.name) for c in Photo.__table__.columns} for p in base_photos
            ]
        thumbs = {
            g["thumbnail_path"]: store.files.abspath(g["thumbnail_path"]).read_bytes()
            for gs in base
            for g in gs
        }
        start = datetime(2021, 1, 1, tzinfo=UTC)
        made = sum(len(gs) for gs in base)
        photo_rows: list[dict[str, object]] = []
        garment_rows: list[dict[str, object]] = []
        next_photo = len(base_photos) + 1
        for i in range(len(base_photos), photos):
            # the garments still to make spread over the photos still to make
            left_photos = photos - i
            want = max(1, round((garments - made) / left_photos))
            pick = int(rng.integers(len(base)))
            models = base[pick]
            when = start + timedelta(minutes=int(i * 5 * 365 * 24 * 60 / photos))
            photo = dict(photo_cols[pick], id=next_photo, sha256=f"{i:064x}", imported_at=when)
            photo_rows.append(photo)
            for k in range(min(want, 3)):
                model = models[k % len(models)]
                vector = np.frombuffer(model["vector"], np.float32)
                vector = vector + rng.normal(scale=0.05, size=vector.shape).astype(np.float32)
                vector = np.abs(vector) / np.linalg.norm(vector)
                thumb = tagged_png(thumbs[model["thumbnail_path"]], f"{i}-{k}")
                row = {k2: v for k2, v in model.items() if k2 != "id"}
                named = rng.random() < 0.2
                row.update(
                    photo_id=next_photo,
                    fine_type=str(rng.choice(FINE_TYPES[str(model["category"])])),
                    name=f"{rng.choice(WORDS)} {model['category']} {i}" if named else "",
                    tags=[str(t) for t in rng.choice(WORDS, size=int(rng.integers(0, 3)))],
                    favourite=bool(rng.random() < 0.05),
                    thumbnail_path=store.files.put_bytes(thumb, ".png")[0],
                    vector=vector.astype(np.float32).tobytes(),
                    created_at=when,
                    updated_at=when,
                )
                garment_rows.append(row)
                made += 1
            next_photo += 1
        with store.write_session() as s:
            s.execute(insert(Photo), photo_rows)
            s.execute(insert(Garment), garment_rows)
    finally:
        store.close()


def size_options(description: str | None) -> argparse.ArgumentParser:
    """A benchmark's parser with the size of the wardrobe it builds (--garments,
    --photos), its description the first line of ``description``."""
    parser = argparse.ArgumentParser(description=(description or "").splitlines()[0])
    parser.add_argument("--garments", type=int, default=40_000)
    parser.add_argument("--photos", type=int, default=16_000)
    return parser


@contextlib.contextmanager
def built_big(args: argparse.Namespace) -> Iterator[Path]:
    """A temporary folder holding ``home``, a wardrobe built as ``args`` say (see
    ``size_options``), removed on leaving."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        build_big(tmp / "home", args.garments, args.photos)
        yield tmp


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--garments", type=int, default=30_000)
    parser.add_argument("--photos", type=int, default=12_000)
    args = parser.parse_args()
    start = time.perf_counter()
    build_big(args.home, args.garments, args.photos)
    with Wardrobe(args.home, FakeAnalyser(), background_index=False) as w:
        print(
            f"built {w.count()} garments on {w.stats()['photos']} photos at {args.home} "
            f"in {time.perf_counter() - start:.0f} s"
        )


if __name__ == "__main__":
    main()
