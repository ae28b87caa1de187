"""How long closing a large wardrobe takes while its similar-items index is being built.

    python tests/benchmarks/close_during_build.py [--garments 100000] [--dim 128]
        [--before SOURCE_TREE]

A temporary wardrobe gets N garments with random vectors (rows only: the index reads
nothing else). A child process opens it as the app does (``Wardrobe``, background
index), asks for one garment's similar items (the index opens and, with no build stored,
starts one in the background), waits ``--settle`` seconds so that Annoy is building, and
closes the wardrobe as the window's close does (``AppParts.close``). It reports how long
``close()`` took and how long the process took from then to its exit. A second child then
opens the wardrobe again and checks that similar items answer and that nothing the
abandoned build left is loaded or kept (a complete build, or none). With ``--before``
the same runs are made, in the same invocation, against another source tree (the code
before a change, e.g. a ``git archive`` of it), the index folder emptied between the two.
The last line is ``garments=<n> dim=<d> close_s=<f> exit_s=<f>`` (and ``before_close_s``,
``before_exit_s`` with ``--before``).

With ``--cli`` it times two commands instead (``wardrobe-cli similar 1`` and ``import`` of
one photo, the fake analyser of tests/fakes.py, its 32-d vectors) on a wardrobe whose
stored build lacks the last 10 garments (the app closed during its build), each in a
process of its own; the last line is then ``garments=<n> similar_s=<f> import_s=<f>``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]

_CLOSE = """
import json, sys, time
sys.path.insert(0, {tree!r})
import wardrobe_app
assert wardrobe_app.__file__.startswith({tree!r}), wardrobe_app.__file__
from wardrobe_app.service import Wardrobe
w = Wardrobe({home!r}, background_index=True)
w.similar(1, same_category=False)
time.sleep({settle!r})
start = time.monotonic()
print("closing", flush=True)
w.close()
print(json.dumps({{"close_s": time.monotonic() - start}}), flush=True)
"""

_REOPEN = """
import json, sys
sys.path.insert(0, {tree!r})
from wardrobe_app import paths
from wardrobe_app.search import storage
from wardrobe_app.service import Wardrobe
with Wardrobe({home!r}, background_index=False) as w:
    found = len(w.similar(1, k=5, same_category=False))
folder = paths.index_dir(w.home)
names = sorted(p.name for p in folder.iterdir())
try:
    kept = storage.load_build(folder, {dim!r}).build
except storage.IndexFileError:  # none stored (a command builds no large index)
    kept = None
print(json.dumps({{"found": found, "build": kept, "files": names}}), flush=True)
"""


def make_wardrobe(home: Path, n: int, dim: int, version: str = "bench") -> np.ndarray:
    """A wardrobe of ``n`` garments of one photo, each with a random unit vector (those)."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import insert

    from wardrobe_app.service import Wardrobe
    from wardrobe_app.store import Garment, Photo

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with Wardrobe(home, background_index=False) as w, w.store.write_session() as s:
        s.execute(
            insert(Photo),
            [
                {
                    "id": 1,
                    "sha256": "0" * 64,
                    "file_path": "files/x.jpg",
                    "width": 1,
                    "height": 1,
                    "original_width": 1,
                    "original_height": 1,
                    "kind": "item",
                }
            ],
        )
        rows = [
            {
                "id": i + 1,
                "photo_id": 1,
                "category": "top",
                "box_x0": 0,
                "box_y0": 0,
                "box_x1": 1,
                "box_y1": 1,
                "area": 1,
                "mask_path": "m",
                "cutout_path": "c",
                "thumbnail_path": "t",
                "vector": vectors[i].tobytes(),
                "vector_version": version,
            }
            for i in range(n)
        ]
        for start in range(0, n, 10_000):
            s.execute(insert(Garment), rows[start : start + 10_000])
    return vectors


_CLI = """
import sys
sys.path[:0] = [{tree!r}, {tests!r}]
import wardrobe_app
assert wardrobe_app.__file__.startswith({tree!r}), wardrobe_app.__file__
from wardrobe_app.cli import main
sys.exit(main(["--data-dir", {home!r}, *{args!r}]))
"""


def cli_once(tree: Path, home: Path, pristine: Path, *args: str) -> float:
    """Seconds a command takes in a process of its own, on a fresh copy of ``pristine``."""
    import os

    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(pristine, home)
    code = _CLI.format(tree=str(tree), tests=str(ROOT / "tests"), home=str(home), args=args)
    env = {**os.environ, "WARDROBE_ANALYSER": "fakes:make_fake"}
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    return time.monotonic() - start


def cli_figures(tmp: Path, n: int, before: Path | None) -> dict[str, float]:
    sys.path.insert(0, str(ROOT / "tests"))
    from fakes import FakeAnalyser, make_photo

    from wardrobe_app import paths
    from wardrobe_app.search import SimilarIndex

    pristine = tmp / "pristine"
    dim = FakeAnalyser().dim
    vectors = make_wardrobe(pristine, n, dim, FakeAnalyser().embedder_version)
    ids = np.arange(1, n + 1, dtype=np.int64)
    with SimilarIndex(
        paths.index_dir(pristine), dim, lambda: (ids[:-10], vectors[:-10]), background=False
    ):
        pass  # the stored build, 10 garments behind
    photo = make_photo(tmp / "new.jpg", seed=1)
    figures: dict[str, float] = {}
    trees = ([("before_", before.resolve())] if before is not None else []) + [("", ROOT)]
    for prefix, tree in trees:
        for name, args in (("similar", ("similar", "1")), ("import", ("import", str(photo)))):
            figures[f"{prefix}{name}_s"] = cli_once(tree, tmp / "home", pristine, *args)
    return figures


def close_once(tree: Path, home: Path, dim: int, settle: float) -> dict[str, float]:
    """Close during a build in a child process on ``tree``'s code; then reopen and check."""
    shutil.rmtree(home / "index", ignore_errors=True)
    code = _CLOSE.format(tree=str(tree), home=str(home), settle=settle)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "closing", line
    start = time.monotonic()
    reported = json.loads(child.stdout.readline())
    child.wait()
    exit_s = time.monotonic() - start
    assert child.returncode == 0, child.returncode
    check = subprocess.run(
        [sys.executable, "-c", _REOPEN.format(tree=str(tree), home=str(home), dim=dim)],
        capture_output=True,
        text=True,
        check=True,
    )
    after = json.loads(check.stdout.strip().splitlines()[-1])
    assert after["found"] == 5, after
    build = after["build"]
    expected = (
        set()
        if build is None
        else {"manifest.json", f"ids-{build}.npy", f"vectors-{build}.npy", f"index-{build}.ann"}
    )
    assert set(after["files"]) == expected, after["files"]  # nothing abandoned kept
    return {"close_s": reported["close_s"], "exit_s": exit_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--garments", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument(
        "--settle", type=float, default=1.5, help="seconds between opening the index and closing"
    )
    ap.add_argument("--before", type=Path, help="another source tree to time the same way")
    ap.add_argument("--cli", action="store_true", help="time two CLI commands instead")
    args = ap.parse_args()
    if args.cli:
        with tempfile.TemporaryDirectory(prefix="close-bench-") as tmp:
            figures = cli_figures(Path(tmp), args.garments, args.before)
        print(f"garments={args.garments} " + " ".join(f"{k}={v:.2f}" for k, v in figures.items()))
        return
    with tempfile.TemporaryDirectory(prefix="close-bench-") as tmp:
        home = Path(tmp) / "home"
        made = time.monotonic()
        make_wardrobe(home, args.garments, args.dim)
        print(f"wardrobe of {args.garments} garments made in {time.monotonic() - made:.1f} s")
        figures: dict[str, float] = {}
        if args.before is not None:
            before = close_once(args.before.resolve(), home, args.dim, args.settle)
            print(
                f"before ({args.before}): close {before['close_s']:.2f} s, "
                f"exit {before['exit_s']:.2f} s"
            )
            figures.update({f"before_{k}": v for k, v in before.items()})
        after = close_once(ROOT, home, args.dim, args.settle)
        print(f"this tree: close {after['close_s']:.2f} s, exit {after['exit_s']:.2f} s")
        figures.update(after)
    print(
        f"garments={args.garments} dim={args.dim} "
        + " ".join(f"{k}={v:.2f}" for k, v in figures.items())
    )


if __name__ == "__main__":
    main()
