"""The photos an import is given: files as they are, folders expanded to their photos."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .. import paths
from ..vision.image_io import is_image_path, is_unread_image_path
from .export import is_export


def expand_paths(
    home: Path,
    paths_: Sequence[Path],
    skipped_exports: list[Path] | None = None,
    left_out: list[Path] | None = None,
    skipped_wardrobes: list[Path] | None = None,
) -> list[Path]:
    """Files as given, folders expanded recursively to their photos (hidden entries,
    the wardrobe's own data folder, the stored files of any other wardrobe (a backup),
    given as a folder or file by file, and the cut-outs of exports skipped); order
    kept, repeats dropped. The ``cutouts``
    folders of exports skipped are added to ``skipped_exports`` where given (to say
    why nothing was found), the data folders of wardrobes skipped (this one's too) to
    ``skipped_wardrobes``, and the photos and videos in the folders that Wardrobe
    cannot read (RAW, .psd, .mov...) to ``left_out``. A folder that cannot be listed
    is kept as an entry, so that its import fails saying so."""
    home = home.resolve()
    out: dict[Path, None] = {}
    unread: dict[Path, None] = {}  # a folder given twice counts its files once
    wardrobes: dict[Path, None] = {}
    for p in paths_:
        p = Path(p)
        if _is_folder(p):
            # A wardrobe's stored files are its photos and their cut-outs, masks, label
            # maps and thumbnails: a backup imported (to restore it) filed each of them
            # as a new photo, 18 "photos" and 34 garments from a backup of 3 photos.
            given = p.resolve()
            holder = home if given.is_relative_to(home) else paths.wardrobe_holding(given)
            if holder is not None:
                wardrobes.setdefault(holder, None)
                continue
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
                if "files" in dirs and paths.database_path(base).is_file():
                    dirs.remove("files")  # a wardrobe's data folder: a backup, say
                    wardrobes.setdefault(real, None)  # as one given itself is named
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
            # Given one by one (`find BACKUP -type f | wardrobe-cli import --from-file -`),
            # a backup's masks and cut-outs were each filed as a photo, as its folder's were.
            holder = _stored_by(home, p)
            if holder is not None:
                wardrobes.setdefault(holder, None)
                continue
            out.setdefault(p, None)
    if left_out is not None:
        left_out.extend(unread)
    if skipped_wardrobes is not None:
        skipped_wardrobes.extend(wardrobes)
    return list(out)


def _stored_by(home: Path, path: Path) -> Path | None:
    """The data folder of the wardrobe whose stored files (``files/``) hold the file
    ``path``, this one's included, or None (also where the disk will not say: kept, its
    own import says why)."""
    try:
        real = path.resolve()
        if real.is_relative_to(paths.files_dir(home)):
            return home
        return paths.wardrobe_holding(real.parent)
    except (OSError, RuntimeError):  # RuntimeError: a loop of links (3.11)
        return None


def _is_folder(path: Path) -> bool:
    """False also where the disk will not say (a folder on the way that may not be
    searched, a name too long): raised, it refused the whole import; kept as a file,
    its own import says why."""
    try:
        return path.is_dir()
    except OSError:
        return False
