"""What the similar-items index's staleness check costs each query at 100k garments.

    python tests/benchmarks/staleness_check.py [--garments 100000] [--dim 128]
        [--repeats 50] [--before SOURCE_TREE]

Before each similar-items query the index checks whether another process (the CLI beside
the app) added, deleted or restored garments since it last looked (``Vectors.mark``,
in ``current_index``). A temporary wardrobe gets N garments with random vectors
(``close_during_build.make_wardrobe``), made and timed in a child process on each source
tree (this one, and ``--before``'s, e.g. a ``git archive`` of the code before a change):
the median and slowest of ``--repeats`` checks (``mark()``, and ``current_index()``, the
whole check of a query where nothing changed), of ``current_index()`` after one
garment's vector was changed behind the index's back (a touch-up elsewhere: the catch-up
with it), and what soft-deleting and restoring every garment in one statement each takes
(the cost a trigger adds to the writes). The last line is ``garments=<n> mark_ms=<f>
current_index_ms=<f> touched_elsewhere_ms=<f> delete_all_ms=<f> restore_all_ms=<f>``
(each with its ``_max_ms``; and the same with ``before_`` with ``--before``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_CHILD = """
import json, statistics, sys, time
sys.path[:0] = [{tree!r}, {benchmarks!r}]
import wardrobe_app
assert wardrobe_app.__file__.startswith({tree!r}), wardrobe_app.__file__
from close_during_build import make_wardrobe
from sqlalchemy import select, update
from wardrobe_app.service import Wardrobe
from wardrobe_app.store import Garment
from wardrobe_app.store.models import utcnow

make_wardrobe({home!r}, {n!r}, {dim!r})


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


with Wardrobe({home!r}, background_index=False) as w:
    vectors = w._vectors
    w.similar(1, same_category=False)  # the index open and caught up
    figures = {{}}
    checks = (("mark", vectors.mark), ("current_index", vectors.current_index))
    for name, fn in checks:
        timed(fn, 3)  # warm
        figures[name + "_ms"], figures[name + "_max_ms"] = timed(fn, {repeats!r})
    with w.store.session() as s:
        blob = s.scalar(select(Garment.vector).where(Garment.id == 1))
    touched = []
    for i in range({repeats!r}):
        # Not told to the index: as another process's touch-up of garment i + 2.
        with w.store.write_session() as s:
            s.execute(
                update(Garment).where(Garment.id == i + 2).values(vector=blob, updated_at=utcnow())
            )
        touched.append(timed(vectors.current_index, 1)[0])
    figures["touched_elsewhere_ms"] = statistics.median(touched)
    figures["touched_elsewhere_max_ms"] = max(touched)
    with w.store.write_session() as s:
        start = time.perf_counter()
        s.execute(update(Garment).values(deleted_at=utcnow()))
        figures["delete_all_ms"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        s.execute(update(Garment).values(deleted_at=None))
        figures["restore_all_ms"] = (time.perf_counter() - start) * 1000
print(json.dumps(figures), flush=True)
"""


def figures(tree: Path, home: Path, n: int, dim: int, repeats: int) -> dict[str, float]:
    code = _CHILD.format(
        tree=str(tree),
        benchmarks=str(ROOT / "tests" / "benchmarks"),
        home=str(home),
        n=n,
        dim=dim,
        repeats=repeats,
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--garments", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--before", type=Path, help="another source tree to time the same way")
    args = ap.parse_args()
    found: dict[str, float] = {}
    trees = ([("before_", args.before.resolve())] if args.before else []) + [("", ROOT)]
    for prefix, tree in trees:
        with tempfile.TemporaryDirectory(prefix="staleness-bench-") as tmp:
            got = figures(tree, Path(tmp) / "home", args.garments, args.dim, args.repeats)
        print(f"{tree}: " + ", ".join(f"{k} {v:.1f}" for k, v in got.items()), flush=True)
        found.update({prefix + k: v for k, v in got.items()})
    print(f"garments={args.garments} " + " ".join(f"{k}={v:.1f}" for k, v in found.items()))


if __name__ == "__main__":
    main()
