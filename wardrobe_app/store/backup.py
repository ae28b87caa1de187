"""A backup of one wardrobe: a complete data folder of its own, made while it is in use.

The database is copied with SQLite's online backup (one consistent moment, even while
the app or an import writes), then every stored file that copy references, each checked
against its content hash on the way, so the backup never holds a damaged copy. Where a
file went because the wardrobe replaced it meanwhile (a touch-up saved), the database is
copied again and the files it adds are copied too. All of it is written into a hidden
folder beside the destination and renamed into place last (``partial_folder``): a
backup that was stopped, or cut short by a crash, never looks complete, and what a
killed one left is removed by the next backup made in the same place.

A read-only wardrobe (``read_only``) is backed up too: a backup only reads it.

The result is a data folder like any other: open it (Settings' data folder,
``--data-dir``) or copy it back to restore. The similar-items index is left out; it is
rebuilt from the vectors in the database when the folder is opened.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .. import paths
from .files import FILES, FileStore, claimed_hash, fsync_path, write_all
from .models import Garment, Photo
from .partial_folder import partial_folder, remove_leftovers
from .read_only import read_only_uri
from .store import Store

Progress = Callable[[int, int], None]  # files copied, files in all
# Database copies taken at most: a touch-up or a new reading of a photo saved while the
# files were copied replaces (deletes) files the first copy still references.
SNAPSHOTS = 3


class BackupError(RuntimeError):
    """The destination cannot take a backup; the message says why. Nothing was written."""


class BackupCancelled(Exception):
    """Asked to stop; what had been written was removed."""


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    garments: int
    photos: int
    files: int  # stored files copied
    size: int  # their bytes, the database's included
    # Stored files left out because they are missing or damaged in the wardrobe itself
    # (see ``verify``), each with what it was for ("cut-out of garment #2").
    left_out: dict[str, str]


@dataclass
class _Copied:
    """The stored files written into the work folder so far, with their sizes: the
    backup's size and the folders to flush, without walking the copy again (twice, ~1 s
    of 11 at 16,000 files)."""

    sizes: dict[str, int] = field(default_factory=dict)

    def folders(self, work: Path) -> set[Path]:
        """The work folder and every folder under it that holds a copied file."""
        # By name first: a Path made for each of 16,000 files took 0.2 s.
        names = {rel.rpartition("/")[0] for rel in self.sizes}
        for name in list(names):
            while "/" in name:
                name = name.rpartition("/")[0]
                names.add(name)
        return {work, work / FILES, *(work / name for name in names if name)}


def destination_problem(home: Path, destination: Path) -> str | None:
    """Why ``destination`` cannot take a backup of the wardrobe in ``home``, or None.
    A backup goes into a new folder or an empty one, outside the wardrobe."""
    home, destination = home.resolve(), destination.expanduser().resolve()
    if destination == home or home in destination.parents:
        return f"{destination} is inside the wardrobe itself: choose a folder outside {home}"
    nested = paths.nested_problem(destination)
    if nested is not None:  # it could not be opened there (--data-dir, Settings refuse it)
        return f"{destination} {nested}"
    if destination.is_file():
        return f"{destination} is a file: a backup is a folder"
    if destination.is_dir() and any(destination.iterdir()):
        return f"{destination} is not empty: a backup goes into a new folder or an empty one"
    if destination.is_dir() and os.path.ismount(destination):
        # The copy is made beside it and renamed into place: that would be on another
        # disk, and the top folder of a mounted one cannot be replaced.
        return (
            f"{destination} is the top folder of a disk: give a new folder on it, such as "
            f"{destination / 'Wardrobe backup'}"
        )
    return None


def back_up(
    store: Store,
    destination: Path,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> BackupResult:
    """Copy the wardrobe of ``store`` into ``destination`` (see the module's words)."""
    problem = destination_problem(store.home, destination)
    if problem is not None:
        raise BackupError(problem)
    destination = destination.expanduser().resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(destination.parent)  # of backups killed before they finished here
    work: Path | None = None
    try:
        with partial_folder(destination) as work:
            refs, garments, photos, left_out, copied = _snapshot(store, work, progress, cancelled)
            database = paths.database_path(work)
            size = database.stat().st_size + sum(copied.sizes.values())
            for folder in sorted(copied.folders(work)):
                _sync_folder(folder)
            _check_all_there(work, refs.difference(left_out))
            if destination.is_dir():
                destination.rmdir()  # empty, as checked: the finished copy takes its place
    except OSError as exc:
        raise _named_as_destination(exc, work, destination) from exc
    except (sqlite3.Error, SQLAlchemyError) as exc:
        raise _not_written(exc, destination) from exc
    _sync_folder(destination.parent)
    users = store.file_users(left_out)
    return BackupResult(
        destination,
        garments,
        photos,
        len(refs) - len(left_out),
        size,
        {rel: users.get(rel, "") for rel in left_out},
    )


def _snapshot(
    store: Store, work: Path, progress: Progress | None, cancelled: Callable[[], bool]
) -> tuple[set[str], int, int, list[str], _Copied]:
    """The database copied into ``work`` and the files it references: (those files,
    garments, photos, files left out, files copied). Copied again where files went
    meanwhile because the wardrobe replaced them (see SNAPSHOTS)."""
    database = paths.database_path(work)
    copied = _Copied()
    for _attempt in range(SNAPSHOTS):
        database.unlink(missing_ok=True)
        _copy_database(paths.database_path(store.home), database, store.read_only)
        refs, garments, photos = _contents(database, store, work, copied)
        _remove_unreferenced(work, refs, copied)
        (work / FILES).mkdir(exist_ok=True)
        left_out = _copy_files(store, sorted(refs), work, copied, progress, cancelled)
        if not _replaced_meanwhile(store, left_out):
            return refs, garments, photos, left_out, copied
    # Still replaced under it: left out, those files would be called missing or damaged
    # in the wardrobe itself, and the backup would not pass its own ``verify``.
    raise BackupError(
        "the wardrobe kept changing while it was copied (cut-outs touched up or photos "
        "analysed again): no backup was made; try again once it is done"
    )


def _named_as_destination(exc: OSError, work: Path | None, destination: Path) -> OSError:
    """``exc`` naming the folder asked for, not the hidden work folder beside it (which
    the user never saw, and which is gone by now)."""
    name = exc.filename
    if work is not None and isinstance(name, str) and Path(name).is_relative_to(work):
        exc.filename = str(destination / Path(name).relative_to(work))
    return exc


def _copy_database(source: Path, target: Path, read_only: bool = False) -> None:
    """SQLite's online backup: one consistent state, whatever writes meanwhile. The copy
    is a single file (rollback journal, not WAL), so it can be moved as it is.
    ``read_only``: the source is read as the read-only store reads it (opened for
    writing, SQLite fails on a read-only disk where a WAL database has no -shm file)."""
    if read_only:
        reader = sqlite3.connect(read_only_uri(source), uri=True, timeout=10)
    else:
        reader = sqlite3.connect(source, timeout=10)
    with (
        contextlib.closing(reader) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    fsync_path(target)


def _not_written(exc: Exception, destination: Path) -> OSError:
    """SQLite failing to write the copy of the database (a full disk, most often), as
    the OSError writing a file there gives: what the app and the CLI put in words,
    naming the destination rather than the wardrobe's own database."""
    reason = str(getattr(exc, "orig", None) or exc)
    if "full" in reason.lower():
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(destination))
    return OSError(
        errno.EIO, f"the database could not be copied there ({reason})", str(destination)
    )


def _contents(
    database: Path, store: Store, work: Path, copied: _Copied
) -> tuple[set[str], int, int]:
    """The stored files the copied database references, and its garments and photos,
    after purging the garments deleted in the wardrobe (deleted for good at its next
    start: a backup does not bring them back). Their pixels are erased from their
    photos' label maps as the wardrobe's purge erases them: new maps, read from the
    wardrobe and written into ``work`` (noted in ``copied``)."""
    engine = create_engine(f"sqlite:///{database}")
    target = FileStore(work)
    written: list[str] = []
    try:
        with Session(engine) as session, session.begin():
            Store.purge_deleted(session, target, source=store.files, created=written)
        for rel in written:
            copied.sizes[rel] = (work / rel).stat().st_size
        with contextlib.suppress(OSError):  # empty: an opened data folder makes its own
            target.incoming.rmdir()
        with Session(engine) as session:
            refs = Store.referenced_files(session)
            garments = session.scalar(select(func.count()).select_from(Garment)) or 0
            photos = session.scalar(select(func.count()).select_from(Photo)) or 0
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM")  # the purged rows' pages are not carried along
    finally:
        engine.dispose()
    return refs, int(garments), int(photos)


def _copy_files(
    store: Store,
    rels: list[str],
    work: Path,
    copied: _Copied,
    progress: Progress | None,
    cancelled: Callable[[], bool],
) -> list[str]:
    """Copy ``rels`` from the store into ``work`` (noted in ``copied``); returns those
    left out (unreadable, or no longer holding the bytes their name is the hash of)."""
    left_out: list[str] = []
    for done, rel in enumerate(rels, 1):
        if cancelled():
            raise BackupCancelled
        # A file already there was copied, and checked, for an earlier snapshot.
        if rel not in copied.sizes:
            size = _copy_checked(store, rel, work)
            if size is None:
                left_out.append(rel)
            else:
                copied.sizes[rel] = size
        if progress is not None:
            progress(done, len(rels))
    return left_out


def _copy_checked(store: Store, rel: str, work: Path) -> int | None:
    """Copy one stored file into ``work``; its size, or None where it is unreadable or
    no longer holds the bytes its name is the hash of."""
    try:
        data = store.files.abspath(rel).read_bytes()
    except OSError:
        return None
    claimed = claimed_hash(rel)
    if claimed and hashlib.sha256(data).hexdigest() != claimed:
        return None
    _write_durably(work / rel, data)
    return len(data)


def _replaced_meanwhile(store: Store, left_out: list[str]) -> bool:
    """Whether a file left out went because the wardrobe no longer uses it (replaced
    after the database was copied), not because it is lost: worth a new snapshot."""
    if not left_out:
        return False
    with store.session() as session:
        return len(Store.files_in_use(session, left_out)) < len(set(left_out))


def _remove_unreferenced(work: Path, refs: set[str], copied: _Copied) -> None:
    """Files an earlier snapshot wanted and this one does not (they were replaced)."""
    for rel in [rel for rel in copied.sizes if rel not in refs]:
        (work / rel).unlink()
        del copied.sizes[rel]


def _check_all_there(work: Path, rels: set[str]) -> None:
    """Before the copy is renamed into place: one that someone removed (a part of)
    meanwhile is no backup."""
    for path in (paths.database_path(work), *(work / rel for rel in rels)):
        if not path.is_file():
            raise FileNotFoundError(
                errno.ENOENT, "removed while the backup was being written", str(path)
            )


def _write_durably(path: Path, data: bytes) -> None:
    # Its shard folder only: a work folder removed meanwhile (with the database in it)
    # is an error, not made again to be finished and renamed into place as a backup.
    path.parent.mkdir(exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Flush ``folder``'s entries (the names made in it) to disk, where the OS can."""
    if os.name == "posix":
        fsync_path(folder)
