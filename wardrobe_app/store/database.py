"""Opening the SQLite database: engine, per-connection PRAGMAs, Alembic migrations."""

from __future__ import annotations

import errno
import logging
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
log = logging.getLogger(__name__)


class UnusableDatabase(RuntimeError):
    """The database file is not one this version can open as a wardrobe; it was left
    as it is. The message says why and what to do."""


def damaged_database(exc: BaseException, db_path: Path) -> UnusableDatabase | None:
    """UnusableDatabase, in words, for SQLite's "file is not a database" or "database
    disk image is malformed" (``exc`` as SQLAlchemy raises it: its text holds the SQL
    statement and a web link, shown as they were in the app's dialog); None otherwise."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    orig = exc.orig if isinstance(exc, DBAPIError) else None
    if type(orig) is not sqlite3.DatabaseError:  # the exact class: not locked, not full
        return None
    return UnusableDatabase(
        f"{db_path} is not a Wardrobe database it can open ({orig}): it is damaged, or "
        "not a database at all. Restore it from a backup (the photos and cut-outs beside "
        "it are kept), or choose another data folder. It was left as it is."
    )


def _on_connect(dbapi_connection: Any, connection_record: Any, read_only: bool = False) -> None:
    # Let SQLAlchemy (not the sqlite3 module) decide where transactions begin, so that
    # DDL is transactional too (a migration interrupted by a kill leaves nothing behind).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        if read_only:  # the journal mode is the file's: changing it would write
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 10000")
    finally:
        cursor.close()


# Connection.info key: the next transaction on it takes the write lock at once.
IMMEDIATE = "wardrobe_begin_immediate"


def _on_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get(IMMEDIATE) else "BEGIN")


def storage_trouble(exc: BaseException) -> str | None:
    """Why saving failed, in a few words, where the storage is the cause and not the
    program (a full disk, a read-only or busy database); None otherwise."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "the disk is full"
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    if not isinstance(orig, sqlite3.OperationalError):
        return None
    text = str(orig).lower()
    if "locked" in text or "busy" in text:
        return "the wardrobe is busy (another program is writing to it)"
    if "full" in text:
        return "the disk is full"
    if "readonly" in text:
        return "the wardrobe's database is read-only"
    if "disk i/o" in text:
        return "the wardrobe's database could not be written (a full or failing disk?)"
    return None


def make_engine(db_path: Path, read_only: bool = False) -> Engine:
    """An engine for ``db_path``: WAL, foreign keys, transactional DDL on every connection;
    ``read_only``: opened so that nothing is written to it or beside it."""
    connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": 10}
    if read_only:
        import sqlite3

        from .read_only import read_only_uri

        uri = read_only_uri(db_path)
        # The URL names the file (messages, the pool kind); the URI opens it.
        engine = create_engine(
            f"sqlite:///{db_path}",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=10),
        )
    else:
        engine = create_engine(f"sqlite:///{db_path}", connect_args=connect_args)
    event.listen(engine, "connect", partial(_on_connect, read_only=read_only))
    event.listen(engine, "begin", _on_begin)
    return engine


def alembic_config(connection: Connection | None = None) -> Any:
    """An Alembic ``Config`` built in code (no ini file needed at run time)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


# The newest migration's revision (tests/unit/test_store.py checks it against Alembic's
# script directory): a database already there opens without importing Alembic, 0.19 s
# of every start of the app and of each wardrobe-cli command.
HEAD_REVISION = "0007_change_log_tokens"

# Older revisions that a read-only open reads as they are (updating them is a write):
# each lacks only what its readers have a fallback for, 0004's change counters
# (``Store.counts_changes``), 0005's log of changed garments (the grid's listing is
# then read whole after each change, ``live_listing``, and the window's change mark
# takes every commit for a change, ``Browse.change_mark``) and 0006's ``seq`` never given
# twice (0005's log is trusted as before: only a log a tool emptied, then wrote for as
# many garments as it had rows, goes unseen), and 0007's tokens (without, a file copied
# over the database is told by the file's identity instead, ``live_listing.FileIdentity``;
# a log and its ``sqlite_sequence`` emptied by a tool, then written as far, goes unseen).
# One before 0003 would show and search its coats as "Outwear": it is refused (a copy
# that can be written is updated).
READ_AS_IS = frozenset(
    {
        "0003_outerwear",
        "0004_change_counts",
        "0005_garment_changes",
        "0006_change_log_autoincrement",
    }
)
# Those of them without 0004's change counters.
WITHOUT_CHANGE_COUNTS = frozenset({"0003_outerwear"})


def current_revision(engine: Engine) -> str | None:
    """The database's revision, read in SQL; Alembic's own reading where the table is
    not one row (it says what is wrong)."""
    with engine.connect() as conn:
        has_table = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).first()
        rows = []
        if has_table:
            rows = list(conn.exec_driver_sql("SELECT version_num FROM alembic_version"))
    if has_table and len(rows) == 1:
        return str(rows[0][0])
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _refuse_newer(engine: Engine, current: str | None, head: str | None) -> None:
    """Raise UnusableDatabase, before anything is written, for a database that a newer
    version of Wardrobe made: its revision is unknown here, and upgrading fails."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if current is None:
        return
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(current)
    except CommandError:
        raise UnusableDatabase(
            f"{engine.url.database} was made by a newer version of Wardrobe (schema "
            f"{current}; this version knows up to {head}): open it with that version or a "
            "newer one. It was left as it is."
        ) from None


def database_tables(db_path: Path) -> list[str] | None:
    """The tables in ``db_path``, read without writing to it (opening it as a wardrobe
    would switch it to WAL, and a migration add our tables); [] where it is absent or
    holds none, None where it cannot be read (opening it then says why)."""
    import sqlite3

    if not db_path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return sorted(
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        )
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def migrate(engine: Engine, read_only: bool = False) -> str | None:
    """Bring the schema to the newest revision, in one transaction (``read_only``: one
    that needs it is refused, left as it is, unless it is read as it is: ``READ_AS_IS``).
    The revision the database is at then."""
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return current
    head = head_revision()
    if current == head:
        return current
    _refuse_newer(engine, current, head)
    if read_only and current in READ_AS_IS:
        log.info("database at %s, read as it is (read-only: not migrated)", current)
        return current
    if read_only and current is None:  # an empty database: a wardrobe not made yet
        raise UnusableDatabase(
            f"{engine.url.database} holds no wardrobe, and a new one cannot be started in "
            "its read-only folder: choose another data folder."
        )
    if read_only:
        raise UnusableDatabase(
            f"{engine.url.database} was made by an older version of Wardrobe and must be "
            "updated before this one can read it, which its read-only folder does not "
            "allow: copy the folder to one you can write to and open the copy."
        )
    from alembic import command

    with engine.connect() as conn:
        # The write lock before the revision is read: a second process opening the same
        # old wardrobe waits for this one, then finds it migrated (Alembic reads again).
        conn.info[IMMEDIATE] = True
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), "head")
        finally:
            conn.info.pop(IMMEDIATE, None)  # the info outlives this use: pooled
    log.info("database migrated to %s", head)
    return head
