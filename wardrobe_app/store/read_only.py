"""A wardrobe whose folder cannot be written (a backup on a read-only disk or mount, a
folder without write permission) is opened read-only: browsed, searched and exported,
never changed. This module tells such a folder, opens its database read-only and says
in one sentence why a change is refused."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

DATABASE_FILE = "wardrobe.sqlite3"  # paths.database_path's name (not imported: light)


class ReadOnlyWardrobe(RuntimeError):
    """A change asked of a wardrobe opened read-only; the message says why, in words.
    (Not an OSError: the code that saves takes those for a file's trouble.)"""


def read_only_reason(home: Path, db_path: Path) -> str | None:
    """Why the wardrobe in ``home`` cannot be written ("it is on a read-only disk"), or
    None where it can (or does not exist yet: it is then made)."""
    if not home.is_dir():
        return None
    try:
        if os.statvfs(home).f_flag & os.ST_RDONLY:
            return "it is on a read-only disk"
    except (OSError, AttributeError):  # no statvfs (Windows): access() below tells
        pass
    # access() answers for this user (root may write where the permissions say no).
    if not os.access(home, os.W_OK | os.X_OK):
        return "you may not write in its folder"
    if db_path.is_file() and not os.access(db_path, os.W_OK):
        return "you may not write to its database"
    return None


def opens_read_only(home: Path) -> bool:
    """Whether ``home`` holds a wardrobe that cannot be written: it opens read-only (a
    folder that cannot be written and holds none cannot be used at all)."""
    db = home / DATABASE_FILE
    return db.is_file() and read_only_reason(home, db) is not None


def refusal(home: Path, reason: str) -> str:
    """The one sentence that refuses a change."""
    return (
        f"The wardrobe in {home} is read-only ({reason}): to change it, copy its folder to "
        "one you can write to and open the copy."
    )


def read_only_uri(db_path: Path) -> str:
    """The SQLite URI that reads ``db_path`` without writing anything beside it: read-only
    mode where SQLite can still share the file with a writer (its ``-shm`` file there or
    possible), else as immutable (a read-only disk: nothing else can change it there)."""
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError:  # a WAL database whose -shm file cannot be made
        _refuse_unread_changes(db_path)  # (or a hot journal: see _refuse_torn_database)
        _refuse_torn_database(db_path)
        return f"{uri}&immutable=1"
    return uri


def _refuse_unread_changes(db_path: Path) -> None:
    """Raise UnusableDatabase where ``db_path`` has changes in its -wal file (copied while
    open, or left by a crash): read as immutable, SQLite ignores them, and the wardrobe
    would show an older state as if it were the current one."""
    wal = db_path.with_name(db_path.name + "-wal")
    if not wal.is_file() or wal.stat().st_size == 0:
        return
    from .database import UnusableDatabase  # not at the top: database imports SQLAlchemy

    raise UnusableDatabase(
        f"{db_path}'s last changes are still in {wal.name} beside it, which cannot be read "
        "on a read-only disk: copy the folder to one you can write to and open the copy."
    )


def _refuse_torn_database(db_path: Path) -> None:
    """Raise UnusableDatabase where a change to ``db_path`` in rollback-journal mode (a
    backup's copy is in that mode) was cut short by a crash: its ``-journal`` file holds
    the pages to put back, which needs a write. Read as immutable, SQLite ignores it and
    reads a database half changed. (SQLite's own test of a "hot" journal: not empty, its
    first byte not zero; one emptied or zeroed is a finished change's.)"""
    journal = db_path.with_name(db_path.name + "-journal")
    try:
        with open(journal, "rb") as fh:
            first = fh.read(1)
    except OSError:  # none: no change was cut short
        return
    if first in (b"", b"\0"):
        return
    from .database import UnusableDatabase  # not at the top: database imports SQLAlchemy

    raise UnusableDatabase(
        f"{db_path}'s last change was cut short (by a crash), and {journal.name} beside it "
        "holds what is needed to undo it, which cannot be done where the wardrobe cannot "
        "be written: copy the folder to one you can write to and open the copy."
    )
