"""Peak memory and time of segmenting a very big photo: this tree against another.

    python tests/benchmarks/huge_photo.py --old-tree DIR [--sizes 108,24] [--photo 0011]
        [--repeats 1] [--device cpu] [--agreement N] [--raw-edges]

Makes synthetic photos from a CCP val photo, upscaled (bicubic, JPEG quality 92):
9000x12000 (108 MP) and 4000x6000 (24 MP). Each is segmented by ``wardrobe-cli segment``
(a full-size label map written) with this tree's code and with ``--old-tree``'s, a
checkout of an earlier commit (``git worktree add /tmp/old <commit>``), both with this
tree's model folder, each run in a process of its own: its peak resident memory (the
process's max RSS, from ``wait4``: decoding, model, segmenting and writing together) and
its wall time. Then the same again in a bare process that loads the model, then the
photo, then segments it: the load and segment times apart, and the peak memory of each
step above what the process held before it (Linux: the peak is reset through
/proc/self/clear_refs; elsewhere those two columns are left out). Runs alternate old and
new. The label maps of the two trees are compared pixel for pixel. The last line is
``mp=<int> peak_ratio=<float> time_ratio=<float> agreement=<float>`` for the first
size of ``--sizes``: the CLI's peak and time, new over old (under 1 is better).
``--agreement N`` first compares the two trees' label maps on the first N val photos,
each upscaled to 4000x6000 (24 MP) and set on a wall in a wide frame upscaled to
12000x9000 (108 MP, a small figure: the closer look's window), one CLI run per tree.
``--raw-edges`` segments with the network's edges as upsampled (``segment --raw-edges``,
``Segmenter(refine_edges=False)``) in every run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SIZES = {108: (9000, 12000), 24: (4000, 6000)}  # megapixels: (width, height)

# The bare process: this script's code, the tree's package (first on sys.path).
STEPS = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from wardrobe_app.vision.image_io import load_image
from wardrobe_app.vision.segmenter import Segmenter

def status(key):
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith(key)) / 1024

def reset():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return status("VmRSS:")
    except OSError:
        return None

segmenter = Segmenter(sys.argv[3], device=sys.argv[4], refine_edges=sys.argv[5] != "raw")
segmenter.segment(np.zeros((64, 48, 3), np.uint8))  # first-call set-up
out = {}
before, t = reset(), time.perf_counter()
rgb = load_image(sys.argv[2])
out["load_s"] = time.perf_counter() - t
out["load_peak_mb"] = None if before is None else status("VmHWM:") - before
before, t = reset(), time.perf_counter()
labels = segmenter.segment(rgb)
out["segment_s"] = time.perf_counter() - t
out["segment_peak_mb"] = None if before is None else status("VmHWM:") - before
print(json.dumps(out))
"""


def run_measured(command: list[str], tree: Path) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB and output of ``command`` (under WRAPPER), run with
    ``tree``'s package."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"{' '.join(command)} failed in {tree}:\n{stderr}")
    # Each command runs under WRAPPER, which reports that one process's max RSS (this
    # process's children's rusage would be the largest of all of them so far).
    lines = stdout.strip().splitlines()
    peak = json.loads(lines[-1])["max_rss_mb"]
    return wall, peak, "\n".join(lines[:-1])


# Runs argv[1:] and prints its output, then its max RSS (MB) as the last JSON line.
WRAPPER = r"""
import json, os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(proc.pid, 0)
if os.waitstatus_to_exitcode(status):
    sys.exit(os.waitstatus_to_exitcode(status))
scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
print(json.dumps({"max_rss_mb": usage.ru_maxrss * scale / 1024 / 1024}), flush=True)
"""


CCP = ROOT.parent / "shared" / "data" / "ccp"
WALL = (230, 234, 236)  # BGR: the off-white wall a wide frame sets the person on
UNDER_WRAPPER = [sys.executable, "-c", WRAPPER]


def cli_segment(photos: list[Path], out_dir: Path, args: argparse.Namespace) -> list[str]:
    """``wardrobe-cli segment`` of ``photos``, run under WRAPPER."""
    return [
        *UNDER_WRAPPER,
        *(sys.executable, "-m", "wardrobe_app.cli", "segment", *map(str, photos)),
        *("--out-dir", str(out_dir), "--model", str(args.model), "--device", args.device),
        *(["--raw-edges"] if args.raw_edges else []),
    ]


def read_labels(path: Path) -> np.ndarray:
    labels = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if labels is None:
        raise SystemExit(f"no label map {path}")
    return labels


def read_photo(stem: str) -> np.ndarray:
    photo = cv2.imread(str(CCP / "images" / f"{stem}.jpg"))
    if photo is None:
        raise SystemExit(f"no CCP photo {stem} under {CCP / 'images'}")
    return photo


def make_photo(
    stem: str, size: tuple[int, int], folder: Path, source: np.ndarray | None = None
) -> Path:
    """The CCP photo ``stem`` (or ``source``) upscaled to ``size`` (width, height)."""
    if source is None:
        source = read_photo(stem)
    path = folder / f"{stem}_{size[0]}x{size[1]}.jpg"
    big = cv2.resize(source, size, interpolation=cv2.INTER_CUBIC)
    cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path


def agreement(args: argparse.Namespace, trees: dict[str, Path], folder: Path) -> None:
    """Pixels on which the two trees' label maps agree, over N val photos made big."""
    stems = (CCP / "val.txt").read_text().split()[: args.agreement]
    made: dict[str, list[Path]] = {"4000x6000": [], "12000x9000 in a wide frame": []}
    for stem in stems:
        photo = make_photo(stem, (4000, 6000), folder)
        made["4000x6000"].append(photo)
        small = read_photo(stem)
        h, w = small.shape[:2]
        wide = cv2.copyMakeBorder(
            small, h // 2, h // 2, 2 * w, 2 * w, cv2.BORDER_CONSTANT, None, WALL
        )
        made["12000x9000 in a wide frame"].append(
            make_photo(f"{stem}w", (12000, 9000), folder, wide)
        )
    every = [p for photos in made.values() for p in photos]
    for name, tree in trees.items():
        run_measured(cli_segment(every, folder / f"agree_{name}", args), tree)
    for kind, photos in made.items():
        same = total = 0
        for photo in photos:
            old, new = (read_labels(folder / f"agree_{k}" / f"{photo.stem}.png") for k in trees)
            same += int((old == new).sum())
            total += old.size
        print(
            f"labels, {len(photos)} val photos at {kind}: the same on {same / total:.6%} "
            f"of {total} pixels ({total - same} differ)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--old-tree", type=Path, required=True, help="an earlier checkout")
    parser.add_argument("--sizes", default="108,24", help="megapixels, of 108 and 24")
    parser.add_argument("--photo", default="0011", help="the CCP val photo upscaled")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model", type=Path, default=ROOT / "resources" / "models" / "segmenter")
    parser.add_argument("--agreement", type=int, default=0, metavar="N")
    parser.add_argument("--raw-edges", action="store_true", help="edges as upsampled")
    args = parser.parse_args()
    trees = {"old": args.old_tree.resolve(), "new": ROOT}
    if not (trees["old"] / "wardrobe_app").is_dir():
        raise SystemExit(f"--old-tree {args.old_tree} holds no wardrobe_app")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    summary = ""
    with tempfile.TemporaryDirectory(prefix="wardrobe-huge-") as tmp:
        folder = Path(tmp)
        if args.agreement:
            agreement(args, trees, folder)
        small = make_photo(args.photo, (550, 825), folder)
        for tree in trees.values():  # the libraries read once from disk, not timed
            run_measured(cli_segment([small], folder / "warm-up", args), tree)
        for mp in sizes:
            photo = make_photo(args.photo, SIZES[mp], folder)
            runs: dict[str, dict[str, list[float]]] = {k: {} for k in trees}
            for _ in range(args.repeats):
                for name, tree in trees.items():
                    wall, peak, _ = run_measured(cli_segment([photo], folder / name, args), tree)
                    steps = [*UNDER_WRAPPER, sys.executable, "-c", STEPS, str(tree), str(photo)]
                    edges = "raw" if args.raw_edges else "snapped"
                    _, _, printed = run_measured(
                        [*steps, str(args.model), args.device, edges], tree
                    )
                    figures = {"cli_s": wall, "cli_peak_mb": peak, **json.loads(printed)}
                    for key, value in figures.items():
                        if value is not None:
                            runs[name].setdefault(key, []).append(value)
            labels = {k: read_labels(folder / k / f"{photo.stem}.png") for k in trees}
            same = float(np.mean(labels["old"] == labels["new"]))
            edges = ", raw edges" if args.raw_edges else ""
            print(f"{mp} MP photo ({SIZES[mp][0]}x{SIZES[mp][1]}), {args.device}{edges}:")
            med = {k: {f: statistics.median(v) for f, v in r.items()} for k, r in runs.items()}
            for field in med["new"]:
                old, new = med["old"][field], med["new"][field]
                unit = "s" if field.endswith("_s") else "MB"
                ratio = new / old
                print(f"  {field:16s} old {old:8.2f} {unit}  new {new:8.2f} {unit}  x{ratio:.2f}")
            print(f"  labels: the same on {same:.6%} of {labels['new'].size} pixels")
            ratio_peak = med["new"]["cli_peak_mb"] / med["old"]["cli_peak_mb"]
            ratio_time = med["new"]["cli_s"] / med["old"]["cli_s"]
            if not summary:
                summary = (
                    f"mp={mp} peak_ratio={ratio_peak:.3f} time_ratio={ratio_time:.3f} "
                    f"agreement={same:.6f}"
                )
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
