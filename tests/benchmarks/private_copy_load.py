"""What mapping a private copy of each similar-items build costs at load.

    python tests/benchmarks/private_copy_load.py [--sizes 10000,50000] [--dim 272]
        [--trees 80] [--repeats 7] [--dir FOLDER]

``storage.load_build`` copies a build's Annoy file and vectors to files no other program
can reach (checking their CRC-32 as it copies) and maps the copies, so that a build
truncated or written over on disk during a query cannot kill the process (SIGBUS). Mapped
in place instead, it reads every byte for the CRC-32 and maps the files themselves. For
each size: a build of that many garments' vectors (clustered unit vectors of the app's
width: 128 learned + 144 colour bins) written to ``--dir`` (a folder on the wardrobe's
file system; a temporary one by default), then both loads timed in turn (``--repeats``,
after a warm-up; each load's maps let go before the next). One line a size::

    garments=<n> files_mb=<f> copy_ms=<f> in_place_ms=<f> ratio=<f> first_query_copy_ms=<f>
    first_query_in_place_ms=<f>

(medians; ``files_mb``: the Annoy file and the vectors, what each process copies).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).parent)]

from timing import interleaved_times_ms  # noqa: E402

from wardrobe_app.search import storage  # noqa: E402
from wardrobe_app.search.index import DEFAULT_SEARCH_K, DEFAULT_TREES  # noqa: E402


def clustered(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    centres = rng.standard_normal((max(8, n // 200), dim)).astype(np.float32)
    x = centres[rng.integers(0, len(centres), n)]
    return x + 0.5 * rng.standard_normal((n, dim)).astype(np.float32)


def load(folder: Path, dim: int, private: bool) -> storage.Built:
    built = storage._load_build(folder, dim, private=private)
    assert (built.mapped == ()) == private and built.ann is not None  # as asked
    return built


def let_go(built: storage.Built) -> None:
    assert built.ann is not None
    built.ann.unload()


def measure(folder: Path, n: int, dim: int, trees: int, repeats: int) -> str:
    rng = np.random.default_rng(n)
    ids = np.arange(1, n + 1, dtype=np.int64)
    vectors = storage.normalise(clustered(rng, n, dim), dim)
    with storage.exclusive(folder):
        storage.write_build(
            folder,
            storage.next_build_number(folder),
            ids,
            vectors,
            n_trees=trees,
            search_k=DEFAULT_SEARCH_K,
        )
    build = storage.read_manifest(folder)["build"]
    files_mb = (
        sum(
            (folder / f"{name}-{build}.{ext}").stat().st_size
            for name, ext in (("index", "ann"), ("vectors", "npy"))
        )
        / 1e6
    )

    def loaded(private: bool) -> None:
        let_go(load(folder, dim, private))

    copy_ms, in_place_ms = interleaved_times_ms(
        [lambda: loaded(True), lambda: loaded(False)], repeats, warmup=1
    )
    first: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(repeats):
        for private in (True, False):
            built = load(folder, dim, private)
            assert built.ann is not None
            q = vectors[int(rng.integers(0, n))].tolist()
            t0 = time.perf_counter()
            built.ann.get_nns_by_vector(q, 20, DEFAULT_SEARCH_K * 2)
            first[private].append((time.perf_counter() - t0) * 1000)
            let_go(built)
    storage.clean(folder, keep=None)  # the next size's build alone
    c, p = statistics.median(copy_ms), statistics.median(in_place_ms)
    return (
        f"garments={n} files_mb={files_mb:.1f} copy_ms={c:.1f} in_place_ms={p:.1f} "
        f"ratio={c / p:.2f} first_query_copy_ms={statistics.median(first[True]):.2f} "
        f"first_query_in_place_ms={statistics.median(first[False]):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--dim", type=int, default=272)
    parser.add_argument("--trees", type=int, default=DEFAULT_TREES)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        for n in (int(s) for s in args.sizes.split(",")):
            print(measure(folder, n, args.dim, args.trees, args.repeats), flush=True)


if __name__ == "__main__":
    main()
