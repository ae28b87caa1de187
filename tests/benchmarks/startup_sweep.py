"""How long the start-up sweep of the stored files takes in a large wardrobe.

    python tests/benchmarks/startup_sweep.py [--files 16000] [--home DATA_FOLDER]

Every start (the app, and each ``wardrobe-cli`` command) lists every stored file to
remove those no row references. A temporary store gets N small files (16,000 is what
3,600 garments from 2,750 photos hold: photo, label map, and mask, cut-out and thumbnail
of each garment). Median of 7: the listing the sweep makes (``FileStore.all_files``)
against the listing as it was before, in the same run (``Path.iterdir``,
``Path.is_file``: a stat() per file), and the whole sweep with every file referenced
(nothing to delete, the usual case). With ``--home`` the two listings are timed on the
files of an existing wardrobe instead (read only: no sweep there).
The last line is ``files=<n> list_ms=<f> before_ms=<f> sweep_ms=<f>
list_over_before=<ratio>``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from listing_speed import median_ms  # noqa: E402  (a script beside this one)

from wardrobe_app.store import FileStore  # noqa: E402

REPEATS = 7
_SHARD = re.compile(r"[0-9a-f]{2}")
_STORED = re.compile(r"([0-9a-f]{2})[0-9a-f]{62}(\.[0-9a-z]+)?")


def listing_before(root: Path) -> list[str]:
    """The stored files as FileStore listed them before (a stat() per file)."""
    out = []
    for shard in sorted(root.iterdir()):
        if not (shard.is_dir() and _SHARD.fullmatch(shard.name)):
            continue
        for entry in sorted(shard.iterdir()):
            named = _STORED.fullmatch(entry.name)
            if named and named.group(1) == shard.name and entry.is_file():
                out.append(f"files/{shard.name}/{entry.name}")
    return out


def measure(fs: FileStore, sweep: bool) -> dict[str, float]:
    refs = set(fs.all_files())
    assert set(listing_before(fs.root)) == refs
    figures = {
        "files": len(refs),
        "list_ms": median_ms(fs.all_files, REPEATS),
        "before_ms": median_ms(lambda: listing_before(fs.root), REPEATS),
    }
    if sweep:
        figures["sweep_ms"] = median_ms(lambda: fs.sweep(refs), REPEATS)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=16_000)
    parser.add_argument("--home", type=Path, help="time an existing wardrobe's files")
    args = parser.parse_args()
    if args.home is not None:
        if not (args.home / "files").is_dir():
            parser.error(f"{args.home} holds no wardrobe files")
        figures = measure(FileStore(args.home), sweep=False)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            fs = FileStore(Path(tmp), fsync=False)
            for i in range(args.files):
                fs.put_bytes(os.urandom(8) + i.to_bytes(4, "little"), ".png")
            figures = measure(fs, sweep=True)
    print(f"stored files     {int(figures['files']):8d}")
    for key, label in (
        ("list_ms", "listing"),
        ("before_ms", "listing before"),
        ("sweep_ms", "sweep"),
    ):
        if key in figures:
            print(f"{label:<16} {figures[key]:8.1f} ms")
    shown = " ".join(f"{k}={v:.1f}" for k, v in figures.items() if k != "files")
    ratio = figures["list_ms"] / figures["before_ms"]
    print(f"files={int(figures['files'])} {shown} list_over_before={ratio:.2f}")


if __name__ == "__main__":
    main()
