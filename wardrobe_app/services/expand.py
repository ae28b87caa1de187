"""The photos an import is given: files as they are, folders expanded to their photos."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..vision.image_io import is_image_path, is_unread_image_path
from .export import is_export


def expand_paths(
    home: Path,
    paths_: Sequence[Path],
    skipped_exports: list[Path] | None = None,
    left_out: list[Path] | None = None,
) -> list[Path]:
    """Files as given, folders expanded recursively to their photos (hidden entries,
    the wardrobe's own data folder and the cut-outs of its exports skipped); order
    kept, repeats dropped. The ``cutouts`` folders of exports skipped are added to
    ``skipped_exports`` where given (to say why nothing was found), and the photos
    and videos in the folders that Wardrobe cannot read (RAW, .psd, .mov...) to
    ``left_out``. A folder that cannot be listed is kept as an entry, so that its
    import fails saying so."""
    home = home.resolve()
    out: dict[Path, None] = {}
    unread: dict[Path, None] = {}  # a folder given twice counts its files once
    for p in paths_:
        p = Path(p)
        if _is_folder(p):
            if p.resolve().is_relative_to(home):
                continue  # the wardrobe's own files
            found: list[Path] = []
            unlisted: list[OSError] = []  # os.walk's default: passed over in silence
            # Linked folders are walked (not following them passed their photos over in
            # silence, where linked photos were taken), each real folder once: a link to
            # a folder above it ends there instead of looping.
            walked: set[Path] = set()
            for root, dirs, names in os.walk(p, onerror=unlisted.append, followlinks=True):
                base = Path(root)
                try:
                    real = base.resolve()
                except (OSError, RuntimeError):  # RuntimeError: a loop of links (3.11)
                    continue
                if real in walked or real.is_relative_to(home):
                    dirs[:] = []
                    continue
                walked.add(real)
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                if "cutouts" in dirs and is_export(base):
                    dirs.remove("cutouts")  # garments already in a wardrobe, not photos
                    if skipped_exports is not None:
                        skipped_exports.append(base / "cutouts")
                found.extend(
                    base / n for n in names if not n.startswith(".") and is_image_path(Path(n))
                )
                for n in sorted(names):
                    if not n.startswith(".") and is_unread_image_path(Path(n)):
                        unread.setdefault(base / n, None)
            found.extend(Path(exc.filename or p) for exc in unlisted)
            for f in sorted(found):
                out.setdefault(f, None)
        else:
            out.setdefault(p, None)
    if left_out is not None:
        left_out.extend(unread)
    return list(out)


def _is_folder(path: Path) -> bool:
    """False also where the disk will not say (a folder on the way that may not be
    searched, a name too long): raised, it refused the whole import; kept as a file,
    its own import says why."""
    try:
        return path.is_dir()
    except OSError:
        return False
