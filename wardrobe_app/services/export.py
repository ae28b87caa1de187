"""Export: the cut-outs and a wardrobe.csv, for other programs (Wardrobe does not read
them back). An export into a folder that holds one already replaces it, and removes only
what an export wrote; a garment whose name and category are unchanged keeps its file's
name there."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import errno
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from .. import paths
from ..store import Store
from ..store.asked_names import named_as_asked
from ..types import CATEGORIES, GarmentFilter, GarmentRecord
from .browse import Browse
from .naming import display_name


@dataclasses.dataclass(frozen=True)
class ExportResult:
    csv_path: Path
    garments: int  # rows written
    missing_cutouts: list[int]  # garment ids whose cut-out file is gone or damaged (rows kept)


@dataclasses.dataclass(frozen=True)
class _Listed:
    """A cut-out an earlier export's CSV lists, and the row it is listed on."""

    garment_id: str  # the row's id, as written
    name: str  # the garment's name as that export wrote it
    user_names_only: bool  # an export from before made-up names (its name: the user's)


# Garments exported between two calls of an export's ``progress``: a call per garment
# (40,000) would flood the window with signals.
PROGRESS_EVERY = 100


def export_wardrobe(
    directory: Path,
    store: Store,
    browse: Browse,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Cut-outs (PNG) of every garment + wardrobe.csv into ``directory``. A garment
    whose cut-out file is missing or damaged (see ``verify``) keeps its row, with no
    cut-out (or the good copy an earlier export here made). ``progress(done, total)``
    is told every ``PROGRESS_EVERY`` garments and at the end."""
    directory = Path(directory)
    _refuse_inside_a_wardrobe(directory)
    cutouts = directory / "cutouts"
    listed_before = _earlier_export(directory)  # what an earlier export here wrote
    earlier_of = {listed.garment_id: (file, listed) for file, listed in listed_before.items()}
    try:
        cutouts.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file by that name: "cutouts: File exists" alone
        raise FileExistsError(
            errno.EEXIST,
            "is a file, not the folder of cut-outs an export writes: choose an empty folder "
            "or move it",
            str(cutouts),
        ) from exc
    except OSError as exc:
        named_as_asked(exc, cutouts, cutouts)  # its folder named where it cannot be written
        raise
    written: set[str] = set()
    records = browse.list_garments(GarmentFilter(descending=False))
    csv_path = directory / "wardrobe.csv"
    fields = [
        "id",
        "photo_id",
        "category",
        "fine_type",
        "name",
        "named_by_user",
        "colours",
        "colour_hex",
        "tags",
        "notes",
        "favourite",
        "area",
        "box",
        "created_at",
        "cutout",
        "photo",
    ]
    tmp = csv_path.with_name(csv_path.name + ".part")
    missing: list[int] = []
    with (
        _named_as_asked(tmp, csv_path),
        _removed_on_error(tmp),
        open(tmp, "w", newline="", encoding="utf-8") as fh,
    ):
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for done, r in enumerate(records):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, len(records))
            # The name the window shows: the user's, or the one made up from the garment's
            # colour and type ("Light blue dress"), which the CSV left empty.
            shown = display_name(r)
            name = _cutout_name(r, shown, earlier_of.get(str(r.id)))
            unusable = _damaged(store, r.cutout_path)  # cut short, or written over
            try:
                if not unusable:
                    _copy_whole(r.cutout_path, cutouts / name)
            except FileNotFoundError:
                if Path(r.cutout_path).exists():
                    raise  # the target's folder went away: not this garment's fault
                unusable = True
            if unusable:
                missing.append(r.id)
                if not (cutouts / name).is_file():  # an earlier export's copy is kept
                    name = ""
            written.add(name)
            writer.writerow(
                {
                    "id": r.id,
                    "photo_id": r.photo_id,
                    "category": r.category,
                    "fine_type": r.fine_type or "",
                    "name": shown,
                    "named_by_user": int(bool(r.name)),  # 0: made up, as the window does
                    "colours": ";".join(c.name for c in r.colours),
                    "colour_hex": ";".join(c.hex for c in r.colours),
                    "tags": ";".join(r.tags),
                    "notes": r.notes,
                    "favourite": int(r.favourite),
                    "area": r.area,
                    "box": " ".join(map(str, r.box)),
                    "created_at": r.created_at.isoformat(),
                    "cutout": f"cutouts/{name}" if name else "",
                    "photo": str(r.photo_path),
                }
            )
    with _named_as_asked(tmp, csv_path):
        os.replace(tmp, csv_path)
    if progress is not None:
        progress(len(records), len(records))
    # Cut-outs an earlier export here listed (or an export stopped before its CSV
    # wrote), of garments deleted since, and copies a stopped export left half-done.
    # Only those: anything else in the folder is not ours to remove.
    leftovers = {p.name for p in cutouts.glob("*.png.part") if _EXPORT_CUTOUT.fullmatch(p.name)}
    for old in (set(listed_before) - written) | leftovers:
        (cutouts / old).unlink(missing_ok=True)
    return ExportResult(csv_path, len(records), missing)


def _cutout_name(r: GarmentRecord, shown: str, earlier: tuple[str, _Listed] | None) -> str:
    """The file name of ``r``'s cut-out: its id, category and ``shown`` name
    ("00012-top-linen-shirt.png"), or the one an ``earlier`` export here gave it where
    its category and name are still those that export wrote. The file follows a change
    of the garment, not one of how names are made: re-exported after made-up names came
    in, each garment not renamed had its "00002-bottom.png" replaced by
    "00002-bottom-navy-bottom.png", every file of the folder new to a program or a sync."""
    prefix = f"{r.id:05d}-{r.category}"
    made = "-".join(p for p in (prefix, _slug(shown)) if p) + ".png"
    if earlier is None:
        return made
    file, listed = earlier
    same_category = file == f"{prefix}.png" or file.startswith(f"{prefix}-")
    named_as_then = (r.name or "") if listed.user_names_only else shown
    return file if same_category and listed.name == named_as_then else made


def _refuse_inside_a_wardrobe(directory: Path) -> None:
    """``OSError`` (EINVAL) where ``directory`` is a wardrobe's data folder (this one's,
    another's, a backup's) or inside one, changing nothing. An export there was written
    among that wardrobe's files: left out of its backups (they copy what the database
    references), swept by its clean-up in its files/, mixed into a backup's copy
    (``paths.wardrobe_problem``, whose rule --data-dir, Settings and backup follow):
    another wardrobe's folder and its index/ were taken."""
    problem = paths.wardrobe_problem(directory.resolve())
    if problem is not None:
        raise OSError(errno.EINVAL, f"{problem} (an export is for other programs)", str(directory))


def _damaged(store: Store, path: Path) -> bool:
    """Whether a stored file (an absolute path in this home) is there but no longer
    holds the bytes it was stored with (see ``verify``)."""
    return path.is_file() and store.files.is_damaged(path.relative_to(store.home).as_posix())


def _slug(text_: str, limit: int = 40) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text_).strip("-").lower()[:limit]


# The first columns of the wardrobe.csv that ``export_wardrobe`` writes, and the names
# it gives cut-outs ("00012-top-linen-shirt.png", see ``export_wardrobe``).
_EXPORT_HEADER = "id,photo_id,category,"
# A cut-out an export writes, or its temporary name while it is copied.
_EXPORT_CUTOUT = re.compile(rf"\d{{5,}}-({'|'.join(CATEGORIES)})(-[a-z0-9-]+)?\.png(\.part)?")


def _copy_whole(source: Path, target: Path) -> None:
    """Copy to a temporary name, then rename: a copy stopped part-way (a kill, a full
    disk) never leaves a truncated file where an earlier export's good one was."""
    part = target.with_name(target.name + ".part")
    with _named_as_asked(part, target), _removed_on_error(part):
        shutil.copyfile(source, part)
        os.replace(part, target)


@contextlib.contextmanager
def _named_as_asked(part: Path, target: Path) -> Iterator[None]:
    """An error of ``part`` (``target`` written under a temporary name) said of
    ``target``: "wardrobe.csv.part: Permission denied" named a file never seen."""
    try:
        yield
    except OSError as exc:
        named_as_asked(exc, part, target)
        raise


@contextlib.contextmanager
def _removed_on_error(path: Path) -> Iterator[None]:
    """``path`` (a file being written) deleted if the block fails."""
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _earlier_export(folder: Path) -> dict[str, _Listed]:
    """File names in ``folder/cutouts`` that an earlier export in ``folder`` lists, with
    their rows (the CSV read once: its header says whether it is an export); empty where
    there is none.

    ``FileExistsError`` where an export would overwrite what no export wrote: a
    wardrobe.csv of the user's own, or files in a cutouts/ folder beside no CSV that are
    not named as exports name them (an export stopped part-way leaves those: a retry may
    replace them)."""
    csv_path = folder / "wardrobe.csv"
    refused = FileExistsError(
        errno.EEXIST,
        "exists and is not a Wardrobe export: choose an empty folder or move it",
        str(csv_path),
    )
    try:
        fh = open(csv_path, newline="", encoding="utf-8")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        cutouts = folder / "cutouts"
        listed = list(cutouts.iterdir()) if cutouts.is_dir() else []
        if any(not _EXPORT_CUTOUT.fullmatch(p.name) for p in listed):
            raise FileExistsError(
                errno.EEXIST,
                "holds files that no Wardrobe export wrote: choose an empty folder",
                str(cutouts),
            ) from None
        # An export killed before its CSV was in place lists what it wrote in the
        # wardrobe.csv.part it left; without one, nothing here is known to be ours to
        # remove (cut-outs of another export whose CSV was moved away, say).
        try:
            part_path = csv_path.with_name(csv_path.name + ".part")
            with open(part_path, newline="", encoding="utf-8") as part:
                return _cutouts_listed(part) or {}
        except (OSError, UnicodeDecodeError, csv.Error):
            return {}
    except OSError as exc:  # a folder by that name, or unreadable: no export either
        raise refused from exc
    with fh:
        listed_names = _cutouts_listed(fh)
    if listed_names is None:
        raise refused
    return listed_names


def _cutouts_listed(fh: TextIO) -> dict[str, _Listed] | None:
    """The cut-out file names an export's CSV lists, with their rows; None if it is no
    export's."""
    if not fh.readline().startswith(_EXPORT_HEADER):
        return None
    fh.seek(0)
    reader = csv.DictReader(fh)
    # Its name column held the user's name alone, "" for the others, before it said
    # whether a name was the user's.
    user_names_only = "named_by_user" not in (reader.fieldnames or ())
    listed: dict[str, _Listed] = {}
    for row in reader:
        cutout = row.get("cutout") or ""
        name = cutout[len("cutouts/") :]
        # Only names an export gives: a row edited by hand must not get a file of the
        # user's removed ("cutouts/holiday.jpg"), or a folder ("cutouts/..").
        if cutout.startswith("cutouts/") and _EXPORT_CUTOUT.fullmatch(name):
            listed[name] = _Listed(row.get("id") or "", row.get("name") or "", user_names_only)
    return listed


def is_export(folder: Path) -> bool:
    """Whether ``folder`` holds what ``export_wardrobe`` writes (wardrobe.csv + cutouts/)."""
    try:
        with open(folder / "wardrobe.csv", encoding="utf-8") as fh:
            return fh.readline().startswith(_EXPORT_HEADER)
    except OSError:
        return False
