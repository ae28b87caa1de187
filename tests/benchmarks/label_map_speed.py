"""What keeping a photo's label map exact costs a garment's edits: this tree against others.

    python tests/benchmarks/label_map_speed.py [--sizes 4000x3000,2000x1500] [--specks 2000]
        [--repeats 5] [--tree DIR ...]

A synthetic label map per size (width x height, a phone photo's 12 MP first): two people
side by side, one in a top over a bottom, the other in a one-piece, each garment's mask
its region of the map shrunk by 3 pixels with its spurs left out (the model's edges the
pipeline cleans away, which ``model_region`` finds again), and ``--specks`` specks of 1
to 6 pixels across in any class scattered over the photo (the model's stray pixels; a
third of them near a garment). Timed (the median of ``--repeats``, each step run in
turn so that a busy machine's drifts hit them alike), with ``wardrobe_app.vision.
label_map`` of this tree and of each ``--tree`` (a checkout of another commit: ``git
worktree add /tmp/old 4c0785b``):

* ``category``: the top made a one-piece and back (``recategorised`` twice), what
  ``Edits.update_garment`` works out on the GUI thread when a page's category changes;
* ``purge``: the top gone for good (``without``), as a purge or an import erases it;
* ``page``: the map as the bottom's page draws it, the top deleted (``of_garments``);
* ``region``: the top's ``model_region`` (a touch-up's and a merge's share of the work).

Then the whole save on the GUI thread: ``Wardrobe.update_garment`` making the top of a
photo of the first size a one-piece and back (imported through the tests' fake
analyser: its map is two rectangles, no specks; the map and masks read, written and
hashed as the app does), in a temporary wardrobe. And, for the save's reads and writes,
the map's PNG encoded and decoded (the store's ``encode_png``, ``read_png``). Each
tree's maps are compared with this tree's, pixel for pixel ("same"). The last line is
``size=<WxH> category_ms=<f> ... save_ms=<f>`` for the first size, this tree's medians.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tests"))

import fakes  # noqa: E402
from timing import interleaved_medians_ms  # noqa: E402

from wardrobe_app.service import Wardrobe  # noqa: E402
from wardrobe_app.store.files import encode_png, read_png  # noqa: E402
from wardrobe_app.types import LABEL_OF_CATEGORY  # noqa: E402
from wardrobe_app.vision import label_map as this_tree  # noqa: E402

TOP, BOTTOM, ONE_PIECE = (LABEL_OF_CATEGORY[c] for c in ("top", "bottom", "one-piece"))


def scene(
    width: int, height: int, specks: int, seed: int = 0
) -> tuple[np.ndarray, list[np.ndarray]]:
    """A label map and its garments' masks (top, bottom, one-piece), as described above."""
    rng = np.random.default_rng(seed)
    labels = np.zeros((height, width), np.uint8)
    w, h = width, height
    # The first person: a top over a bottom; the second: a one-piece
    cv2.ellipse(labels, (w // 4, h * 3 // 10), (w // 7, h // 5), 0, 0, 360, TOP, -1)
    cv2.rectangle(labels, (w // 4 - w // 9, h // 2), (w // 4 + w // 9, h * 9 // 10), BOTTOM, -1)
    cv2.ellipse(labels, (w // 4, h * 3 // 10), (w // 7, h // 5), 0, 20, 160, TOP, -1)
    cv2.ellipse(labels, (w * 3 // 4, h // 2), (w // 8, h * 2 // 5), 0, 0, 360, ONE_PIECE, -1)
    # Ragged edges: short spurs of each class out of its region
    for _ in range(300):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        label = int(labels[y, x])
        if label:
            dx, dy = (int(v) for v in rng.integers(-h // 60, h // 60, 2))
            cv2.line(labels, (x, y), (x + dx, y + dy), label, int(rng.integers(1, 4)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    masks = [cv2.erode((labels == c).view(np.uint8), kernel) > 0 for c in (TOP, BOTTOM, ONE_PIECE)]
    # The model's stray pixels: a third near the garments, the rest anywhere
    near = np.argwhere(labels > 0)
    for i in range(specks):
        if i % 3 == 0:
            y, x = near[int(rng.integers(0, len(near)))] + rng.integers(-h // 20, h // 20, 2)
        else:
            x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.circle(labels, (int(x), int(y)), int(rng.integers(0, 4)), int(rng.integers(1, 4)), -1)
    return labels, masks


def load_tree(tree: Path) -> ModuleType:
    """``wardrobe_app/vision/label_map.py`` of another checkout, importing this tree's
    package for its relative imports (the types it uses have not changed)."""
    path = tree / "wardrobe_app" / "vision" / "label_map.py"
    name = f"wardrobe_app.vision._label_map_{abs(hash(str(tree)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn`` with those of ``kwargs`` it takes (an older tree's takes fewer)."""
    accepted = inspect.signature(fn).parameters
    return fn(*args, **{k: v for k, v in kwargs.items() if k in accepted})


def steps(
    lm: ModuleType, labels: np.ndarray, masks: list[np.ndarray]
) -> dict[str, Callable[[], Any]]:
    """What is timed, each returning the maps it made (compared between trees)."""
    top, bottom, one_piece = masks
    others = [bottom, one_piece]
    classes = [BOTTOM, ONE_PIECE]

    def category() -> tuple[Any, Any]:
        there = call(
            lm.recategorised,
            labels,
            top,
            others,
            "top",
            "one-piece",
            specks=True,
            other_classes=classes,
        )
        back = (
            None
            if there is None
            else call(
                lm.recategorised,
                there,
                top,
                others,
                "one-piece",
                "top",
                specks=True,
                other_classes=classes,
            )
        )
        return there, back

    return {
        "category": category,
        "purge": lambda: call(lm.without, labels, [top], others, kept_classes=classes),
        "page": lambda: call(lm.of_garments, labels, others, [top], classes=classes),
        "region": lambda: lm.model_region(labels, top, others),
    }


def same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple):
        return all(same(x, y) for x, y in zip(a, b, strict=True))
    if a is None or b is None:
        return a is b
    return bool(np.array_equal(a, b))


def save_ms(width: int, height: int, repeats: int) -> float:
    """The median of ``update_garment`` making an imported photo's top a one-piece and
    back, in ms."""
    with tempfile.TemporaryDirectory() as tmp:
        kept, fakes.MAX_SIDE = fakes.MAX_SIDE, max(width, height)  # analysed at full size
        try:
            photo = fakes.make_photo(Path(tmp) / "photo.jpg", seed=1, size=(width, height))
            w = Wardrobe(Path(tmp) / "home", fakes.FakeAnalyser())
            report = w.import_paths([photo])
        finally:
            fakes.MAX_SIDE = kept
        try:
            top = next(g.id for g in report.results[0].garments if g.category == "top")

            def round_trip() -> None:
                w.update_garment(top, category="one-piece")
                w.update_garment(top, category="top")

            return interleaved_medians_ms([round_trip], repeats, warmup=1)[0]
        finally:
            w.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="4000x3000,2000x1500")
    ap.add_argument("--specks", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument(
        "--tree",
        type=Path,
        action="append",
        default=[],
        help="another checkout to compare (repeatable)",
    )
    args = ap.parse_args()
    trees = [("this tree", this_tree)] + [(str(t), load_tree(t)) for t in args.tree]
    last = ""
    for size in args.sizes.split(","):
        width, height = (int(v) for v in size.split("x"))
        labels, masks = scene(width, height, args.specks)
        print(
            f"{width}x{height}, {args.specks} specks, garments of "
            + ", ".join(f"{int(m.sum())}" for m in masks)
            + " pixels"
        )
        runs = [steps(lm, labels, masks) for _, lm in trees]
        names = list(runs[0])
        fns = [run[name] for name in names for run in runs]
        ms = interleaved_medians_ms(fns, args.repeats, warmup=1)
        for t, (label, _) in enumerate(trees):
            row = [f"{name} {ms[i * len(trees) + t]:7.1f} ms" for i, name in enumerate(names)]
            agree = all(same(runs[t][n](), runs[0][n]()) for n in names)
            print(f"  {label:>12}: " + "  ".join(row) + f"  same={'yes' if agree else 'no'}")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "labels.png"
            path.write_bytes(encode_png(labels))
            coded = [partial(encode_png, labels), partial(read_png, path)]
            enc, dec = interleaved_medians_ms(coded, args.repeats, warmup=1)
        print(f"  map PNG: encode {enc:.1f} ms, decode {dec:.1f} ms")
        if not last:
            last = (
                f"size={size} "
                + " ".join(f"{name}_ms={ms[i * len(trees)]:.1f}" for i, name in enumerate(names))
                + f" png_encode_ms={enc:.1f} png_decode_ms={dec:.1f}"
            )
    width, height = (int(v) for v in args.sizes.split(",")[0].split("x"))
    save = save_ms(width, height, args.repeats)
    print(f"{width}x{height} photo, update_garment top -> one-piece -> top: {save:.1f} ms")
    print(f"{last} save_ms={save:.1f}")


if __name__ == "__main__":
    main()
