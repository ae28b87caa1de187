"""Wardrobe commands: import, list, show, similar, similar-to, delete, export, backup,
verify, reindex.

Machine-readable output (``--json``) is a contract other tools read: stdout then holds
exactly one JSON document; progress bars and messages go to stderr.

Tests swap the vision pipeline by setting ``wardrobe_app.service.ANALYSER_FACTORY`` (or
``WARDROBE_ANALYSER=module:callable`` in a child process), or by monkeypatching
:func:`open_wardrobe`.
"""

from __future__ import annotations

import argparse
import codecs
import dataclasses
import os
import shutil
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import json_document
from .arguments import int_at_least, path_arg, whole
from .interrupts import INTERRUPTED, stop_on_first_interrupt
from .text import counted, error, one_line, plural

if TYPE_CHECKING:
    from ..service import Wardrobe
    from ..types import GarmentRecord, ImportReport, SimilarHit

CATEGORY_CHOICES = ("top", "bottom", "one-piece")
KIND_CHOICES = ("auto", "outfit", "item")
KIND_HELP = (
    "what the photo shows: outfit (garments worn by a person), item (one garment laid "
    "flat or on a plain background), or auto to decide (default)"
)
JSON_HELP = "one JSON document on stdout"
STDIN = Path("-")  # a path argument for stdin (a file of that name is ./-)
# SQLite's integers are 64-bit: a larger id is no garment, not an overflow.
MAX_ID = 2**63 - 1


def garment_id(text: str) -> int:
    """argparse type: a garment id (a positive integer SQLite can hold), also written as
    list, show and import write it ('#12': it was "not a garment id")."""
    value = int_at_least(
        text.removeprefix("#"),
        1,
        f"not a garment id: {text!r}",
        f"not a garment id: {text} (ids start at 1)",
    )
    if value > MAX_ID:
        raise argparse.ArgumentTypeError(f"no garment has an id as large as {text}")
    return value


positive_int = whole(1)  # argparse type: a count of at least 1


def category_name(text: str) -> str:
    """argparse type: a category in any case, as colours are taken ('Top' was refused
    beside --colour White); 'one piece' with a space too."""
    name = "-".join(text.lower().split())
    if name not in CATEGORY_CHOICES:
        raise argparse.ArgumentTypeError(
            f"no category {text!r}; the categories are: {', '.join(CATEGORY_CHOICES)}"
        )
    return name


def colour_name(text: str) -> str:
    """argparse type: a palette colour name (American spellings taken too)."""
    from ..vision.colours import PALETTE_NAMES

    name = " ".join(text.lower().replace("gray", "grey").split())
    if name not in PALETTE_NAMES:
        raise argparse.ArgumentTypeError(
            f"no colour {text!r}; the colours are: {', '.join(PALETTE_NAMES)}"
        )
    return name


def open_wardrobe(create: bool = False) -> Wardrobe:
    """The wardrobe at the data folder (``--data-dir`` / WARDROBE_HOME); analyser lazy.
    A folder named there that does not exist, or holds no wardrobe, is an error unless
    ``create`` (import): a mistyped or unmounted path listed an empty wardrobe, made on
    the spot, and ``--data-dir ~/Pictures list`` left a wardrobe's database and folders
    among the photos. The default folder is made on first use (an empty list)."""
    import errno
    import os

    from .. import paths
    from ..service import Wardrobe
    from ..store.database import database_tables
    from ..store.files import holds_stored_files

    home = paths.chosen_home()
    if home.exists() and not home.is_dir():  # $WARDROBE_HOME a file: not "File exists"
        raise NotADirectoryError(
            errno.ENOTDIR, f"is a file, not a folder (check ${paths.ENV_HOME})", str(home)
        )
    # Named: an empty $WARDROBE_HOME is no name (chosen_home() takes the default, which
    # a first command on a new machine makes).
    if not create and os.environ.get(paths.ENV_HOME):
        advice = f"check --data-dir or ${paths.ENV_HOME}; `import` starts a wardrobe in it"
        if not home.exists():
            raise FileNotFoundError(
                errno.ENOENT, f"no wardrobe here: the folder does not exist ({advice})", str(home)
            )
        # None: no database, or one with no table (0 bytes), and no stored file (an
        # empty files/ folder, left by a wardrobe moved away, was made a new wardrobe by
        # `list`). Stored files without the database: the store says that in its words.
        db = paths.database_path(home)
        no_database = not db.exists() or (db.is_file() and database_tables(db) == [])
        if no_database and not holds_stored_files(home):
            raise FileNotFoundError(
                errno.ENOENT, f"no wardrobe here: the folder holds none ({advice})", str(home)
            )
    # A command is short-lived: index builds run in the foreground, once, at close, and
    # only for a small wardrobe (services/vectors.py, QUICK_BUILD_BELOW).
    return Wardrobe(paths.data_home(), background_index=False)


_emit_json = json_document.emit  # the command's one document (--json)
_err = error  # (the name every command here uses)


def _key_error(exc: KeyError) -> str:
    return str(exc.args[0]) if exc.args else str(exc)


def _colours(record: GarmentRecord) -> list[dict[str, object]]:
    return [c.to_dict() for c in record.colours]


def _garment_summary(r: GarmentRecord) -> dict[str, Any]:
    return {"id": r.id, "category": r.category, "area": r.area, "colours": _colours(r)}


def _garment_dict(r: GarmentRecord) -> dict[str, Any]:
    from ..services.naming import display_name  # (here: numpy is not loaded for --help)

    return {
        "id": r.id,
        "photo_id": r.photo_id,
        "category": r.category,
        "fine_type": r.fine_type,
        "name": display_name(r),  # as the window and an export name it
        "named_by_user": bool(r.name),
        "colours": _colours(r),
        "tags": list(r.tags),
        "notes": r.notes,
        "favourite": r.favourite,
        "area": r.area,
        "box": list(r.box),
        "cutout_path": str(r.cutout_path),
        "thumbnail_path": str(r.thumbnail_path),
        "mask_path": str(r.mask_path),
        "photo_path": str(r.photo_path),
        "created_at": r.created_at.isoformat(),
        "updated_at": r.updated_at.isoformat(),
    }


def _hits(hits: list[SimilarHit], alike: bool | None = None) -> list[dict[str, Any]]:
    """Each hit's id and score, and whether it passes the similar floor where given."""
    extra = {} if alike is None else {"alike": alike}
    return [{"id": h.garment.id, "score": round(float(h.score), 6)} | extra for h in hits]


def _describe(r: GarmentRecord) -> str:
    from ..services.naming import display_name

    colours = ", ".join(c.name for c in r.colours[:3]) or "-"
    label = one_line(display_name(r))  # a name with a newline broke the list
    return f"#{r.id:<5} {r.category:<9} {colours:<28} {label}".rstrip()


SHOW_INDENT = " " * 12  # where `show` writes its values, after "key:" in 11 columns


def _show_value(value: object, lines: bool = False) -> str:
    """A value of ``show`` escaped (one_line); with ``lines`` (notes, written over several
    lines on purpose) each line of it under the first, at the values' column, so that a
    line of the notes cannot pass for a field of its own."""
    parts = (str(value).splitlines() or [""]) if lines else [value]
    first, *more = [one_line(part) for part in parts]
    return first + "".join(f"\n{SHOW_INDENT}{line}".rstrip(" ") for line in more)


# -- import -----------------------------------------------------------------------------
def import_report_json(report: ImportReport, stopped: Sequence[Path] = ()) -> dict[str, list[Any]]:
    """The ``import --json`` document; ``stopped``: the photos a bug kept it from."""
    return {
        "imported": [
            {
                "photo_id": int(r.photo_id or 0),
                "path": str(r.path),
                "kind": str(r.kind),
                "garments": [_garment_summary(g) for g in r.garments],
            }
            for r in report.imported
        ],
        "duplicates": [
            {"path": str(r.path), "photo_id": int(r.photo_id or 0)} for r in report.duplicates
        ],
        "failed": [{"path": str(r.path), "error": str(r.error or "")} for r in report.failed],
        "cancelled": [{"path": str(r.path)} for r in report.results if r.status == "cancelled"],
        "left_out": [str(p) for p in report.left_out],
        "stopped": [str(p) for p in stopped],
    }


def _cmd_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .. import paths
    from ..services.expand import expand_paths
    from ..services.vectors import EmbeddingInterrupted, EmbeddingStopped
    from ..types import ImportReport
    from ..vision.image_io import left_out_note
    from . import _is_model_folder_error

    stopped: list[Path] = []  # not reached: a stop (Ctrl+C twice, the models failing)
    interrupted = False

    if STDIN in args.paths:  # not a photo's bytes: an import keeps where each photo was
        _err("import -: for the paths listed on stdin use --from-file - (a file named - is ./-)")
        return 2
    if not args.paths and not args.from_file:
        _err("import: give photos or folders, or --from-file FILE (one path a line)")
        return 2
    try:
        listed = _listed_paths(args.from_file, args.null) if args.from_file else []
    except ValueError as exc:  # a photo given as the list, or find -print0 without -0
        _err(exc)
        return 2
    exports: list[Path] = []
    left_out: list[Path] = []
    # Before the wardrobe is opened: a new --data-dir (a typo) given no photo to import
    # was made all the same, an empty wardrobe that `list` then showed.
    wardrobes: list[Path] = []
    home = paths.chosen_home()
    files = expand_paths(home, [*args.paths, *listed], exports, left_out, wardrobes)
    if not files:
        note = f" ({left_out_note(left_out)})" if left_out else ""
        where = [str(p) for p in args.paths]
        if args.from_file:
            where.append(f"the paths listed in {_shown_path(args.from_file)}")
        _err("no photos found in " + ", ".join(where) + note)
        _say_skipped(exports, wardrobes, home, _err)
        if args.json:
            _emit_json(import_report_json(ImportReport(left_out=left_out)))
        return 1
    # Beside photos that are imported, what was skipped is a note, not an error: it was
    # said only when nothing else was found, and a backup in the folder went unmentioned.
    _say_skipped(exports, wardrobes, home, _note)
    # The bar on a terminal only (disable=None), as `backup`: in a log or a pipe its
    # every state was a line of carriage returns; the summary says what was done.
    with (
        open_wardrobe(create=True) as w,
        tqdm(
            total=len(files), unit="photo", file=sys.stderr, dynamic_ncols=True, disable=None
        ) as bar,
    ):

        def progress(done: int, total: int, current: Path) -> None:
            bar.n = done
            bar.set_postfix_str(current.name[:30], refresh=False)
            bar.refresh()

        with stop_on_first_interrupt(w.interrupt) as stop:
            report = ImportReport()
            try:
                w.import_paths(
                    files,
                    kind=args.kind,
                    progress=progress,
                    is_cancelled=stop.is_set,
                    into=report,
                )
            except KeyboardInterrupt as exc:
                # Ctrl+C twice: stopped at once, the photo in progress not saved; what
                # was saved before it is still said (the JSON document was lost).
                if str(exc):  # a re-embedding for a new model, stopped: what it kept
                    _err(f"interrupted: {exc}")
                interrupted = True
                stopped = files[len(report.results) :]
            except EmbeddingStopped as exc:
                # Ctrl+C once during the re-embedding for a new model, before the
                # first photo it needed: what it kept, and the photos not reached.
                _err(f"interrupted: {EmbeddingInterrupted(exc.done, exc.total)}")
                interrupted = True
                stopped = files[len(report.results) :]
            except Exception as exc:
                if _is_model_folder_error(exc) or not report.results:
                    raise  # main() says it
                # What stopped the import part-way (a bad photo, a bug at one, is its
                # failed result): its traceback for a report, then what was done
                # before it (saved), which the traceback alone left unsaid.
                traceback.print_exception(exc, file=sys.stderr)
                stopped = files[len(report.results) :]
            # The similar-items index is built here, once: a Ctrl+C during the build
            # lets it finish, and what was imported is still reported.
            w.close()
    report.left_out = left_out  # found here, by the expansion import_paths was spared
    if left_out:
        print(left_out_note(left_out), file=sys.stderr)
    for r in report.imported:
        if not r.garments:
            print(f"{one_line(r.path)}: {r.message or 'no garment found'}", file=sys.stderr)
    if args.json:
        _emit_json(import_report_json(report, stopped))
    else:
        n_garments = sum(len(r.garments) for r in report.imported)
        # Filed all the same (imported again, each is a duplicate): the count says so, as
        # the app's summary does ("4 without garments"), not only the lines below
        empty = sum(not r.garments for r in report.imported)
        if empty and empty == len(report.imported):
            # Not "Imported 1 photo with 0 garments (1 of them without garments)"
            found = "without garments"
        else:
            without = f" ({empty} of them without garments)" if empty else ""
            found = f"with {counted(n_garments, 'garment')}{without}"
        print(
            f"Imported {counted(len(report.imported), 'photo')} {found}; "
            f"{counted(len(report.duplicates), 'duplicate')}; {len(report.failed)} failed."
        )
        for r in report.imported:
            found = ", ".join(f"#{g.id} {g.category}" for g in r.garments) or "no garment"
            print(f"  {one_line(r.path)} ({r.kind}): {found}")
        for r in report.duplicates:
            print(f"  {one_line(r.path)}: already imported (photo {r.photo_id})")
        for r in report.failed:
            print(f"  FAILED {one_line(r.error)}")
    if stopped and not interrupted:
        _err(f"stopped by that error: {counted(len(stopped), 'photo')} not imported")
    cancelled = [r for r in report.results if r.status == "cancelled"]
    if cancelled or interrupted:
        _err(
            f"interrupted: {counted(len(cancelled) + len(stopped), 'photo')} not imported "
            "(the same command goes on: what was imported is skipped as a duplicate)"
        )
        return INTERRUPTED
    # As `segment` does: every photo that could be read is imported, and a failure
    # anywhere still shows in the exit status, so scripts can tell.
    return 1 if report.failed or not (report.imported or report.duplicates) else 0


def _shown_path(path: Path) -> str:
    """``path`` as messages name it: - is stdin."""
    return "stdin" if path == STDIN else str(path)


def _listed_paths(source: Path, null: bool) -> list[Path]:
    """The paths listed in ``source`` (- for stdin), one a line, or ending with NUL with
    ``null`` (`find -print0`), as xargs reads them; blank entries skipped. Bytes, as
    argv: a name that is not UTF-8 is kept as the file system has it. ValueError for a
    list with NUL bytes without ``null``: no path holds one."""
    if source == STDIN:
        data = sys.stdin.buffer.read() if sys.stdin is not None else b""
    else:
        data = source.read_bytes()
    if not null and b"\0" in data:
        # Each NUL-bearing entry was a path the disk refused: an "unexpected error" and
        # its traceback per line (a photo given as the list: hundreds of them).
        raise ValueError(
            f"--from-file {_shown_path(source)} holds NUL bytes: it is no list of paths, "
            "one a line (for paths ending with NUL, as find -print0 writes them, add -0)"
        )
    # A list saved by Notepad or PowerShell starts with a UTF-8 byte order mark: its
    # first path was "\ufeff/photos/a.jpg: no such file".
    data = data.removeprefix(codecs.BOM_UTF8)
    entries = data.split(b"\0") if null else data.splitlines()
    return [Path(os.fsdecode(entry)) for entry in entries if entry.strip()]


# -- browse -----------------------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    from ..types import GarmentFilter

    flt = GarmentFilter(
        categories=set(args.category or ()),
        colours=set(args.colour or ()),
        favourites_only=args.favourites,
        text=args.text or "",
        sort=args.sort,
    )
    with open_wardrobe() as w:
        records = w.list_garments(flt)
    if args.json:
        _emit_json([_garment_dict(r) for r in records])
    else:
        for r in records:
            print(_describe(r))
        print(counted(len(records), "garment"), file=sys.stderr)
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    with open_wardrobe() as w:
        try:
            r = w.garment(args.id)
            worn = w.worn_with(args.id)
        except KeyError as exc:
            _err(_key_error(exc))
            return 1
    if args.json:
        _emit_json(_garment_dict(r) | {"worn_with": [g.id for g in worn]})
        return 0
    from ..services.naming import display_name

    colours = ", ".join(f"{c.name} {c.hex} ({c.share:.0%})" for c in r.colours) or "-"
    rows = [
        ("garment", f"#{r.id}"),
        ("category", r.category + (f" ({r.fine_type})" if r.fine_type else "")),
        ("name", display_name(r) + ("" if r.name else " (made up from its colour and type)")),
        ("colours", colours),
        ("tags", ", ".join(r.tags) or "-"),
        ("favourite", "yes" if r.favourite else "no"),
        ("notes", r.notes or "-"),
        ("area", f"{r.area} px, box {r.box}"),
        ("photo", f"#{r.photo_id} {r.photo_path}"),
        ("cut-out", str(r.cutout_path)),
        ("thumbnail", str(r.thumbnail_path)),
        ("mask", str(r.mask_path)),
        ("worn with", ", ".join(f"#{g.id} {g.category}" for g in worn) or "-"),
        ("added", r.created_at.astimezone().strftime("%Y-%m-%d %H:%M")),
    ]
    for key, value in rows:
        print(f"{key + ':':<11} {_show_value(value, lines=key == 'notes')}")
    return 0


# -- similar ----------------------------------------------------------------------------
def _cmd_similar(args: argparse.Namespace) -> int:
    with open_wardrobe() as w:
        # An unknown id is said, and the others answered (as delete does): `similar 12 99`
        # printed "no garment 99" alone, and nothing of #12.
        ids, missing = _known_ids(w, args.ids)
        if not ids:  # nothing to do (with --json, main() writes the errors' document)
            _err("no garment " + ", ".join(str(i) for i in missing))
            return 1
        try:
            # The garment page's call: the k nearest, split at the similar floor.
            found = w.similar_items_many(ids, k=args.k, same_category=not args.any_category)
        except KeyError as exc:  # deleted meanwhile (the app)
            _err(_key_error(exc))
            return 1
        left_out = set(w.not_compared())
        _say_not_compared(len(left_out))
        if missing:
            _err("no garment " + ", ".join(str(i) for i in missing))
        if args.json:  # the k nearest as before; "alike": at or above the floor
            document: dict[str, Any] = {
                str(gid): _hits(found[gid].alike, alike=True)
                + _hits(found[gid].less_alike, alike=False)
                for gid in ids
            }
            if missing:  # in the document too: said on stderr alone, a script missed it
                document["errors"] = json_document.errors()
            _emit_json(document)
            return 1 if missing else 0
        for gid in ids:
            print(f"Similar to {_describe(w.garment(gid))}")
            items = found[gid]
            if gid in left_out:
                none = "(not compared: described by another similar-items model)"
            else:
                none = "" if items.alike else "(nothing similar yet)"
            _print_split(items.alike, items.less_alike, none)
    return 1 if missing else 0


def _print_split(alike: list[SimilarHit], less_alike: list[SimilarHit], none: str) -> None:
    """Hits split at the similar floor, as the garment page heads them: ``none`` said
    after the alike ones (where there are none, most often), the less alike below."""
    from ..service import SIMILAR_FLOOR  # loaded by open_wardrobe anyway

    for h in alike:
        print(f"  {h.score:6.3f}  {_describe(h.garment)}")
    if none:
        print(f"  {none}")
    if less_alike:
        lead = "less alike" if alike else "closest in your wardrobe, less alike"
        print(f"  -- {lead} (score under {SIMILAR_FLOOR}):")
    for h in less_alike:
        print(f"  {h.score:6.3f}  {_describe(h.garment)}")


def _known_ids(w: Wardrobe, ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """``ids`` (each once, in order) split into the garments there are and the others."""
    known, missing = [], []
    for gid in dict.fromkeys(ids):
        try:
            w.garment(gid)
        except KeyError:
            missing.append(gid)
        else:
            known.append(gid)
    return known, missing


def _note(message: str) -> None:
    """``wardrobe-cli: MESSAGE`` on stderr, on one line: said, but not an error."""
    print(f"wardrobe-cli: {one_line(message)}", file=sys.stderr)


def _say_skipped(
    exports: list[Path], wardrobes: list[Path], home: Path, say: Callable[[str], None]
) -> None:
    """Name the folders an import passed over: an export's cut-outs, a wardrobe's data
    folder (a backup, or this wardrobe's own)."""
    for cutouts in exports:
        # An export is no backup: its cut-outs would come back as new garments.
        say(
            f"{cutouts} holds the cut-outs of a Wardrobe export, skipped: they are "
            "garments already in a wardrobe (to import them as photos anyway, give "
            "that folder itself)"
        )
    for folder in wardrobes:
        if folder == home.resolve():
            say(f"{folder} is this wardrobe's data folder: what it holds is filed already")
        else:  # a backup, most often: imported, its every mask became a photo
            say(
                f"{folder} holds a wardrobe (a backup?), skipped: its files are that "
                f"wardrobe's photos, cut-outs and masks; open it with --data-dir {folder}"
            )


def _say_not_compared(count: int) -> None:
    """On stderr (beside --json too): garments a read-only wardrobe leaves out of the
    comparison, described by another similar-items model than the one compared."""
    if count:  # not an error: the answer stands for the others (exit 0)
        print(
            f"wardrobe-cli: {counted(count, 'garment')} could not be compared: "
            "described by another version of the similar-items model, which this read-only "
            "wardrobe cannot replace (copy its folder to one you can write to and open the copy)",
            file=sys.stderr,
        )


def _stdin_photo(folder: Path) -> Path:
    """The photo piped in on stdin (`curl URL | wardrobe-cli similar-to -`), written to
    a file in ``folder``: the analyser reads files."""
    photo = folder / "stdin"
    with photo.open("wb") as f:
        if sys.stdin is not None:  # started with stdin closed: an empty photo
            shutil.copyfileobj(sys.stdin.buffer, f)
    return photo


def _cmd_similar_to(args: argparse.Namespace) -> int:
    import tempfile

    from ..service import SIMILAR_FLOOR
    from ..vision.image_io import ImageLoadError

    from_stdin = args.photo == STDIN
    if from_stdin and sys.stdin is not None and sys.stdin.isatty():
        _err("similar-to -: reads a photo from stdin, not typed in: pipe one in")
        return 2
    shown = _shown_path(args.photo)
    with open_wardrobe() as w, tempfile.TemporaryDirectory(prefix="wardrobe-") as scratch:
        photo = _stdin_photo(Path(scratch)) if from_stdin else Path(args.photo)
        try:
            analysis, results = w.similar_to_photo(photo, k=args.k, kind=args.kind)
            # This very photo (by content) already filed: its own garments head the
            # matches at 1.0, said as if it were another photo of them (the app says so)
            own = [g.id for g in w.garments_of_same_photo(photo)]
        except ImageLoadError as exc:
            _err(str(exc).replace(str(photo), shown))  # not the scratch file's name
            return 1
        _say_not_compared(len(w.not_compared()))
    if own:
        ids = ", ".join(str(i) for i in own)
        noun = "garment" if len(own) == 1 else "garments"
        print(
            f"{one_line(shown)}: this very photo is already in the wardrobe ({noun} {ids})",
            file=sys.stderr,
        )
    # No garment found: nothing compared, an error (exit 1), as a photo it cannot read and
    # `similar 999` are; exit 0 read as "nothing like it in the wardrobe". (`import` files
    # such a photo, its work done: exit 0.) Why, on stderr and in the document's "errors".
    failed = not analysis.garments
    if failed:
        _err(f"{shown}: {analysis.message or 'no garment found'}")
    if args.json:
        document: dict[str, Any] = {
            "path": str(args.photo),
            "kind": analysis.kind,
            "in_wardrobe": own,  # ids of this very photo's garments, [] if not filed
            "garments": [
                {
                    "category": g.category,
                    "area": g.area,
                    "colours": [c.to_dict() for c in g.colours],
                    "similar": _hits([h for h in hits if h.score >= SIMILAR_FLOOR], True)
                    + _hits([h for h in hits if h.score < SIMILAR_FLOOR], False),
                }
                for g, hits in zip(analysis.garments, results, strict=True)
            ],
        }
        if failed:
            document["errors"] = json_document.errors()
        _emit_json(document)
        return 1 if failed else 0
    for g, hits in zip(analysis.garments, results, strict=True):
        colours = ", ".join(c.name for c in g.colours[:3]) or "-"
        print(f"{g.category} ({colours}):")
        # Split at the floor, as `similar` and the app's "Do I own this?" (which shows
        # the alike only): a match of 0.05 was listed as one of 1.0 was.
        alike = [h for h in hits if h.score >= SIMILAR_FLOOR]
        less_alike = [h for h in hits if h.score < SIMILAR_FLOOR]
        _print_split(alike, less_alike, "" if alike else "(nothing similar in the wardrobe)")
    return 1 if failed else 0


# -- edit / maintenance -----------------------------------------------------------------
def _cmd_delete(args: argparse.Namespace) -> int:
    with open_wardrobe() as w:
        deleted = w.delete_garments(args.ids)
    missing = sorted(set(args.ids) - set(deleted))
    if deleted:
        ids = ", ".join(f"#{i}" for i in deleted)
        print(f"deleted {counted(len(deleted), 'garment')}: {ids}")
    if missing:
        _err("no garment " + ", ".join(str(i) for i in missing))
        return 1
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    if directory.is_file():  # not "<file>/wardrobe.csv: exists and is not a Wardrobe export"
        _err(f"{directory} is a file, not a folder")
        return 2
    from tqdm import tqdm

    # A bar, as backup has: 40,000 garments take 15 s, and nothing was printed meanwhile.
    # On a terminal only (disable=None): a log or a pipe gets the summary.
    with (
        open_wardrobe() as w,
        tqdm(unit="garment", file=sys.stderr, dynamic_ncols=True, leave=False, disable=None) as bar,
    ):

        def progress(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
                bar.refresh()  # "0/40000" at once, not the count alone until 0.1 s passed
            bar.update(done - bar.n)

        result = w.export(directory, progress=progress)
    where = result.csv_path
    print(
        f"exported {counted(result.garments, 'garment')} to {one_line(where.parent)} "
        f"({where.name} + cutouts/)"
    )
    if result.missing_cutouts:
        ids = ", ".join(f"#{i}" for i in result.missing_cutouts)
        _err(f"the cut-out file of {ids} is missing or damaged: exported without it (see `verify`)")
        return 1
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..store.backup import BackupCancelled, BackupError

    # The bar on a terminal only (disable=None): a log or a pipe gets the summary.
    with (
        open_wardrobe() as w,
        tqdm(unit="file", file=sys.stderr, dynamic_ncols=True, leave=False, disable=None) as bar,
    ):

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            result = w.backup(args.directory, progress=progress)
        except BackupError as exc:
            _err(str(exc))
            return 2
        except (BackupCancelled, KeyboardInterrupt):
            _err("interrupted: no backup was made (nothing half-written was left)")
            return INTERRUPTED
    left_out = result.left_out
    if args.json:
        _emit_json(
            {
                "folder": str(result.folder),
                "garments": result.garments,
                "photos": result.photos,
                "files": result.files,
                "bytes": result.size,
                "left_out": [{"file": rel, "of": what} for rel, what in left_out.items()],
            }
        )
    else:
        print(
            f"backed up {counted(result.garments, 'garment')} from "
            f"{counted(result.photos, 'photo')} to "
            f"{one_line(result.folder)} ({result.size / 1e6:.1f} MB); open it with --data-dir, or "
            "in the app's Settings, or copy it back to restore"
        )
    for rel, what in left_out.items():
        _err(f"{rel} ({what or 'not referenced'}) is missing or damaged: left out (see `verify`)")
    return 1 if left_out else 0


def _cmd_verify(args: argparse.Namespace) -> int:
    repaired = None
    with open_wardrobe() as w:
        if args.repair:
            said = sys.stderr if args.json else sys.stdout  # --json: one document on stdout
            repaired = w.repair()
            if repaired.photos:
                ids = ", ".join(f"#{i}" for i in repaired.photos)
                n = len(repaired.photos)
                where = "the file it was" if n == 1 else "the files they were"
                print(f"put back {plural(n, 'photo')} {ids} from {where} imported from", file=said)
            if repaired.thumbnails:
                ids = ", ".join(f"#{i}" for i in repaired.thumbnails)
                n = len(repaired.thumbnails)
                what = "the thumbnail of garment" if n == 1 else "the thumbnails of garments"
                print(f"made {what} {ids} again from the cut-out", file=said)
            if not (repaired.photos or repaired.thumbnails):
                print("nothing could be repaired", file=said)
        report = w.verify()
        users = w.store.file_users([*report.missing_files, *report.damaged_files])
    problems = {
        "database integrity": [] if report.integrity == "ok" else [report.integrity],
        "broken references": [counted(report.foreign_key_violations, "row")]
        if report.foreign_key_violations
        else [],
        "missing files": report.missing_files,
        "damaged files": report.damaged_files,
        "files no garment uses": report.unreferenced_files,
        "unfinished writes": report.temp_files,
    }
    if args.json:
        found = {k.replace(" ", "_"): v for k, v in problems.items()}
        # What --repair made again, in the document too: a script reads no stderr.
        done = {"repaired": dataclasses.asdict(repaired)} if repaired is not None else {}
        _emit_json({"ok": report.ok} | done | found | {"in_use": report.in_use})
    else:
        for what, found in problems.items():
            if what == "database integrity":  # "none" read as no integrity at all
                print(f"{what}: {'damaged' if found else 'ok'}")
            else:
                print(f"{what}: {len(found) if found else 'none'}")
            for item in found[:20]:
                print(f"  {item} ({users[item]})" if item in users else f"  {item}")
            if len(found) > 20:
                print(f"  ... and {len(found) - 20} more")
        print("the wardrobe is consistent" if report.ok else "the wardrobe has problems")
        for advice in _verify_advice(report):
            print(advice)
    return 0 if report.ok else 1


def _verify_advice(report: Any) -> list[str]:
    """What to do about what ``verify`` found, in words."""
    advice = []
    if report.missing_files or report.damaged_files:
        advice.append(
            "`verify --repair` puts back photos still at the place they were imported "
            "from, and thumbnails. Cut-outs, masks and label maps cannot be made again: "
            "copy the files back from a backup of the data folder (same names), or delete "
            "the garments named and, after the next start, import their photos again."
        )
    if (report.unreferenced_files or report.temp_files) and report.in_use:
        # An import or the app between writing a file and saving its row: no problem.
        advice.append(
            "Another program was using this wardrobe: files no garment uses and "
            "unfinished writes may be what it is saving (not counted as problems); run "
            "`verify` again once it is closed to be sure."
        )
    elif report.unreferenced_files or report.temp_files:
        advice.append(
            "Files no garment uses and unfinished writes are removed at the next start "
            "that finds no other program using this wardrobe."
        )
    if report.integrity != "ok" or report.foreign_key_violations:
        advice.append(
            "The database file is damaged: copy the data folder aside before anything "
            "else, then restore wardrobe.sqlite3 from a backup."
        )
    return advice


def _cmd_reindex(args: argparse.Namespace) -> int:
    with open_wardrobe() as w:
        result = w.reindex()
        version = w.analyser.embedder_version
    print(f"re-embedded {counted(result.embedded, 'garment')} with {version}")
    if result.unreadable:
        # Without a readable cut-out a garment cannot be embedded again; the user should
        # know which ones, and where to look, rather than find them missing from `similar`.
        ids = ", ".join(f"#{gid}" for gid in result.unreadable)
        print(
            f"{counted(len(result.unreadable), 'garment')} skipped, "
            f"{'its cut-out is' if len(result.unreadable) == 1 else 'their cut-outs are'} "
            f"missing or damaged: {ids} (run `wardrobe-cli verify`)",
            file=sys.stderr,
        )
        return 1
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import",
        help="import photos (files or folders, recursive); exit 1 if any photo failed",
    )
    p.add_argument("paths", nargs="*", type=path_arg, metavar="PATH", help="photo files or folders")
    p.add_argument(
        "--from-file",
        type=path_arg,
        metavar="FILE",
        help="also import the paths listed in FILE, one a line (- for stdin: "
        "`find ... | wardrobe-cli import --from-file -`)",
    )
    p.add_argument(
        "-0", "--null", action="store_true", help="--from-file's paths end with NUL (find -print0)"
    )
    p.add_argument("--kind", choices=KIND_CHOICES, default="auto", help=KIND_HELP)
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("similar", help="garments similar to stored garments")
    p.add_argument("ids", nargs="+", type=garment_id, metavar="ID", help="garment ids (see list)")
    p.add_argument(
        "-k",
        type=positive_int,
        default=10,
        help="results per garment (default 10): the nearest, those under the similar "
        "floor marked less alike",
    )
    p.add_argument("--any-category", action="store_true", help="do not restrict to the category")
    p.add_argument(
        "--json",
        action="store_true",
        help=f'{JSON_HELP}: the hits under each garment id, and "errors" beside them '
        "naming the ids that are no garment (exit 1)",
    )
    p.set_defaults(func=_cmd_similar)

    p = sub.add_parser(
        "similar-to",
        help="garments similar to those in a photo (not imported); exit 1 if no garment is "
        "found in it",
    )
    p.add_argument(
        "photo", type=path_arg, metavar="PHOTO", help="a photo file, or - to read one from stdin"
    )
    p.add_argument(
        "-k", type=positive_int, default=10, help="results per garment found (default 10)"
    )
    p.add_argument("--kind", choices=KIND_CHOICES, default="auto", help=KIND_HELP)
    p.add_argument(
        "--json",
        action="store_true",
        help=f'{JSON_HELP}: each garment found with its hits, and "errors" beside them '
        "where no garment is found (exit 1)",
    )
    p.set_defaults(func=_cmd_similar_to)

    p = sub.add_parser("list", help="list garments")
    p.add_argument(
        "--category",
        action="append",
        type=category_name,
        metavar="{" + ",".join(CATEGORY_CHOICES) + "}",
        help="only this category (repeat for several)",
    )
    p.add_argument(
        "--colour",
        "--color",
        action="append",
        type=colour_name,
        metavar="NAME",
        help="only garments with this colour (repeat for any of several)",
    )
    p.add_argument("--favourites", action="store_true", help="only favourites")
    p.add_argument("--text", help="words in name, notes, tags, type or colours")
    p.add_argument(
        "--sort",
        choices=("date", "colour", "category"),
        default="date",
        help="order (default date: newest first)",
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("show", help="details of one garment")
    p.add_argument("id", type=garment_id, metavar="ID", help="a garment id (see list)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("delete", help="delete garments (for good at the next start)")
    p.add_argument("ids", nargs="+", type=garment_id, metavar="ID", help="garment ids (see list)")
    p.set_defaults(func=_cmd_delete)

    p = sub.add_parser("export", help="cut-outs (PNG) + wardrobe.csv into a folder")
    p.add_argument(
        "directory", type=path_arg, metavar="DIR", help="folder to write (made if absent)"
    )
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser(
        "backup",
        help="a complete copy of the wardrobe, made while it is in use",
        description="Copy the wardrobe (database, photos, cut-outs, everything) into a new "
        "or empty folder. The copy is a wardrobe of its own: open it with --data-dir or in "
        "the app's Settings, or copy it back to restore. Safe while the app or an import "
        "runs; an interrupted backup leaves nothing behind. Exit 1 if a stored file was "
        "missing or damaged (it is left out and named).",
    )
    p.add_argument("directory", type=path_arg, metavar="DIR", help="a new folder, or an empty one")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser("verify", help="check the database and its files (exit 1 on a problem)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.add_argument(
        "--repair",
        action="store_true",
        help="first put back lost photos (from where they were imported) and thumbnails",
    )
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("reindex", help="re-embed every garment and rebuild the index")
    p.set_defaults(func=_cmd_reindex)
