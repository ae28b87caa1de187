"""What the grid's listing costs after one change in a wardrobe of many years, here and
in an earlier checkout.

    git worktree add /tmp/old <commit>
    python tests/benchmarks/relist_speed.py --old-tree /tmp/old [--garments 40000]
        [--photos 16000]

For each tree, in a process of its own running that tree's code: a temporary wardrobe
(that tree's ``big_wardrobe.build_big``), listed once; then, median of 5 each, the listing
(``list_garments``, all garments) after one change: a garment renamed, a favourite
toggled, one deleted, one restored (its delete undone), one photo imported, a garment
renamed by another Store on the same file (the CLI beside the app), and with nothing
changed; and, median of 20, the window's test of whether to list again
(``change_mark``) after a garment's notes were edited. Then what the change log costs
writers: deleting every garment and undoing it (median of 3), and the build (a bulk
insert of its rows). The last line is
``garments=<n> <step>_ms=<f> ... <step>_old_ms=<f> ... after_change_over_old=<ratio>``
(the ratio of the sums of the listings after a change).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPEATS = 5
MARK_REPEATS = 20
WRITE_REPEATS = 3
CHANGES = ("rename", "favourite", "delete", "restore", "import", "elsewhere")


def measure(tree: Path, garments: int, photos: int) -> dict[str, float]:
    """The figures of ``tree``'s code (this process imports it from there)."""
    for path in (tree / "tests" / "benchmarks", tree / "tests", tree):
        sys.path.insert(0, str(path))
    from big_wardrobe import build_big
    from fakes import FakeAnalyser, make_photo

    import wardrobe_app
    from wardrobe_app.service import Wardrobe

    assert Path(wardrobe_app.__file__).is_relative_to(tree), wardrobe_app.__file__
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="wardrobe-relist-") as tmp:
        home = Path(tmp) / "home"
        start = time.perf_counter()
        build_big(home, garments, photos)
        figures["build_s"] = time.perf_counter() - start
        new_photos = [
            make_photo(Path(tmp) / "new" / f"n{i}.jpg", seed=10_000 + i, size=(180, 240))
            for i in range(REPEATS)
        ]
        with (
            Wardrobe(home, FakeAnalyser(), background_index=False) as w,
            Wardrobe(home, FakeAnalyser(), background_index=False) as elsewhere,
        ):
            ids = [r.id for r in w.list_garments()]
            figures["garments"] = len(ids)
            picked = ids[len(ids) // 3 :: max(1, len(ids) // (3 * REPEATS))][:REPEATS]
            steps: dict[str, Callable[[int], object]] = {
                "unchanged": lambda i: None,
                "rename": lambda i: w.update_garment(picked[i], name=f"renamed {i}"),
                "favourite": lambda i: w.update_garment(picked[i], favourite=i % 2 == 0),
                "delete": lambda i: w.delete_garments([picked[i]]),
                "restore": lambda i: w.undo_delete([picked[i]]),
                "import": lambda i: w.import_paths([new_photos[i]]),
                "elsewhere": lambda i: elsewhere.update_garment(picked[i], notes=f"cli {i}"),
            }
            for name, change in steps.items():
                w.list_garments()
                times = []
                for i in range(REPEATS):
                    change(i)
                    start = time.perf_counter()
                    w.list_garments()
                    times.append((time.perf_counter() - start) * 1000)
                figures[f"{name}_ms"] = statistics.median(times)
            marks = []
            for i in range(MARK_REPEATS):
                w.update_garment(picked[i % REPEATS], notes=f"mark {i}")
                start = time.perf_counter()
                w.change_mark()  # read again: the database changed since the last
                marks.append((time.perf_counter() - start) * 1000)
            figures["mark_after_change_ms"] = statistics.median(marks)
            deletes, undos = [], []
            for _ in range(WRITE_REPEATS):
                start = time.perf_counter()
                w.delete_garments(ids)
                deletes.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                w.undo_delete(ids)
                undos.append((time.perf_counter() - start) * 1000)
            figures["delete_all_ms"] = statistics.median(deletes)
            figures["undo_all_ms"] = statistics.median(undos)
    return figures


def run_tree(tree: Path, args: argparse.Namespace) -> dict[str, float]:
    command = [sys.executable, __file__, "--tree", str(tree)]
    command += ["--garments", str(args.garments), "--photos", str(args.photos)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tree)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: exit {done.returncode}\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--old-tree", type=Path, help="an earlier checkout")
    parser.add_argument("--tree", type=Path, help=argparse.SUPPRESS)  # a child's
    parser.add_argument("--garments", type=int, default=40_000)
    parser.add_argument("--photos", type=int, default=16_000)
    args = parser.parse_args()
    if args.tree is not None:
        print(json.dumps(measure(args.tree.resolve(), args.garments, args.photos)))
        return
    if args.old_tree is None or not (args.old_tree / "wardrobe_app").is_dir():
        raise SystemExit("--old-tree: an earlier checkout (git worktree add /tmp/old <commit>)")
    old = run_tree(args.old_tree.resolve(), args)
    new = run_tree(ROOT, args)
    n = int(new["garments"])
    print(f"{n} garments, median of {REPEATS} (ms):          now      old   now/old")
    for key in new:
        if key != "garments":
            print(f"  {key:<20} {new[key]:10.1f} {old[key]:8.1f} {new[key] / old[key]:9.3f}")
    ratio = sum(new[f"{k}_ms"] for k in CHANGES) / sum(old[f"{k}_ms"] for k in CHANGES)
    shown = " ".join(f"{k}={v:.1f}" for k, v in new.items() if k != "garments")
    shown_old = " ".join(
        f"{k.rpartition('_')[0]}_old_{k.rpartition('_')[2]}={v:.1f}"
        for k, v in old.items()
        if k != "garments"
    )
    print(f"garments={n} {shown} {shown_old} after_change_over_old={ratio:.3f}")


if __name__ == "__main__":
    main()
