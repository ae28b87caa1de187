"""The grid's cached listing caught up with the garments changed since it was made.

Any commit (one photo imported, a favourite toggled, a delete, the CLI beside the app)
made the next listing read every live garment again: 0.9 s at 40,000. Triggers append
each changed garment's id to ``garment_changes`` (migration 0005), in the writing
transaction, with a ``seq`` that only grows; a listing made at max(seq) = S needs only the
garments logged above S read again. Not ``updated_at``: it comes from the writer's clock,
which can go back, and a transaction that set it early can commit after a listing that
read a later one.

The log is trusted only where it is sure to be complete: its table and all its triggers
there, and the schema unchanged since the listing (a migration can rewrite rows while
the triggers are gone, a tool drop them); neither ``seq`` nor the log's row count gone
back (the database replaced by an older copy; the log emptied by a tool); and a row of
the listing's time left. The triggers keep one row per garment ever logged and never
drop a garment's newest, so the count only grows, and only with ``seq``: ``seq`` alone,
brought back where it was by as many changes after the log was emptied, passed for no
change at all. ``seq`` is AUTOINCREMENT (migration 0006): SQLite never gives one twice,
also after the log was emptied, so every row written since is above the listing's
``seq``, and none at or below it is left: a log emptied, then written for as many
garments as it had rows, is told from one left whole, where the garments changed before
the emptying are logged no more. (None left also where every garment logged then was
changed since: all are read again anyway.) Otherwise every garment is read again.

Nor is the log the listing's where an older copy of the wardrobe was copied over the file
(a plain ``cp``), or a tool emptied ``sqlite_sequence`` with the log: the same ``seq``
numbers are given again to other changes, and once as many are made the marks read as
if nothing went back. Each row carries a random token and the one of the garment's row
it replaced (migration 0007): the listing's newest row is still there with its token, or
named by the garment's row that replaced it, once or up to 8 times since (each row
names the tokens of the rows it replaced: ``log_continues``), or every garment is read
again. An edit made here tells the listing (``Browse.told``): its mark moves with the
edit, the garment to be read again at the next listing, so that the garment page's
saves (one at each pause in typing: 11 for a name, tags, a favourite and notes) never
leave it more than one row behind; edits made elsewhere, more than 8 of the listing's
newest garment between two listings, still read every garment again.

A wardrobe at 0006 or older read as it is (read-only: not migrated) has no tokens. There
the mark holds the database file's identity instead (``FileIdentity``: device, inode,
size, modification and change times), read before the snapshot: a file copied or moved
over it changes it, where SQLite's own commits (to the -wal file beside it) do not, and
every garment is read again. A checkpoint writes the file too (a writer's, every 1,000
pages of its -wal, or one in rollback-journal mode at every commit): every garment is
then read again, as it is after a file written within ``RECENT_S`` of the mark (a
write in the same tick of the file system's clock leaves its times as they were).

Not caught there: a log (and, at 0006, ``sqlite_sequence``) emptied by a tool, then
written for at least as many garments as it had rows, passes for one left whole (the
file is written through SQLite), and the garments changed at a ``seq`` not above the
listing's are not read again; nor a file copied over it by a program that puts back its
times (``touch -r``: its change time still moves) within ``RECENT_S`` of a listing, on
a file system whose clock is another machine's (a network share) running behind.

The same mark tells the window whether to list again (``Browse.change_mark``), and the
similar-items index which garments' vectors to read again after a touch-up elsewhere
(``Vectors.current_index``).
"""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..store import Garment, GarmentChange
from ..types import GarmentRecord
from .records import collector_held_off, garment_records, record_select

# What migration 0005 made (tests/unit/test_live_listing.py checks them against it).
LOG_TABLE = "garment_changes"
LOG_TRIGGERS = frozenset(
    {
        "garment_changes_insert",
        "garment_changes_update",
        "garment_changes_renumber",
        "garment_changes_delete",
        "garment_changes_photo_insert",
        "garment_changes_photo_update",
        "garment_changes_photo_delete",
    }
)
# Up to this many changed garments (or half the listing, where more) are read alone:
# beyond, reading them all is about as quick.
FEW_CHANGES = 64
# Up to this many re-read records are put in place one by one (a bisection each), more
# by sorting the whole list again.
INSERTED_ONE_BY_ONE = 256
# A database file written this recently before its identity was read is not vouched for
# by it: a file system's clock moves by ticks (1-10 ms on Linux, 2 s on FAT), and a
# file copied over it in the same tick keeps its times.
RECENT_S = 2.0


class FileIdentity(NamedTuple):
    """The database file's identity (``os.stat``), for a log without tokens: it moves
    with the file copied or moved over it, and with a checkpoint; not with a commit to
    its -wal file. ``recent``: written within ``RECENT_S`` of the reading."""

    device: int
    inode: int
    size: int
    modified_ns: int
    changed_ns: int
    recent: bool


def file_identity(database: str | None) -> FileIdentity | None:
    """``database``'s identity; None where it is not a file (in memory, gone)."""
    if not database or database == ":memory:":
        return None
    try:
        st = os.stat(database)
    except OSError:
        return None
    newest = max(st.st_mtime_ns, st.st_ctime_ns)
    recent = time.time_ns() - newest < RECENT_S * 1e9
    return FileIdentity(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, recent)


@dataclass(frozen=True)
class Mark:
    """Where a listing was read: the schema's version, the log's largest ``seq`` (None:
    the log is not to be trusted, or not there), its number of rows and its smallest
    ``seq`` (0: no row); the token of its newest row and that row's garment (None, 0:
    no row, or a log without tokens, before migration 0007); and, for a log without
    tokens, the database file's identity (``FileIdentity``; None: a log with tokens, or
    no file)."""

    schema: int
    seq: int | None
    rows: int = 0
    first: int = 0
    head: bytes | None = None
    head_garment: int = 0
    file: FileIdentity | None = None


@dataclass(frozen=True)
class Listing:
    """Every live garment's record, oldest first (ties by id), as of ``mark``."""

    mark: Mark
    records: list[GarmentRecord]


def listing_mark(s: Session) -> Mark:
    """The mark of what ``s`` reads; its first statement where the listing's rows are to
    be read in the same snapshot. (The window's ``Browse.change_mark`` too: where this
    has not moved, a listing caught up would list what it listed.)"""
    # Before the first statement, which starts the snapshot: a file copied over it in
    # between is read, and then taken for a change at the next mark.
    file = file_identity(s.get_bind().engine.url.database)
    found: dict[str, str | None] = {
        name: sql
        for name, sql in s.execute(
            text("SELECT name, sql FROM sqlite_master WHERE name LIKE :prefix"),
            {"prefix": LOG_TABLE + "%"},
        )
    }
    names = set(found)
    schema = int(s.execute(text("PRAGMA schema_version")).scalar_one())
    if not names >= LOG_TRIGGERS | {LOG_TABLE}:
        return Mark(schema, None)
    # Three lookups in one statement: SQLite answers max() and min() from the rowid's
    # b-tree and count() from the smallest index's pages (microseconds at 40,000 rows);
    # all in one SELECT's list would scan every row instead.
    seq, rows, first = s.execute(
        text(
            f"SELECT (SELECT max(seq) FROM {LOG_TABLE}), (SELECT count(*) FROM {LOG_TABLE}), "
            f"(SELECT min(seq) FROM {LOG_TABLE})"
        )
    ).one()
    head, head_garment = None, 0
    if "token" in (found[LOG_TABLE] or ""):  # migration 0007's: no file identity needed
        file = None
        if seq is not None:
            newest = f"FROM {LOG_TABLE} ORDER BY seq DESC LIMIT 1"
            head, head_garment = s.execute(
                text(f"SELECT (SELECT token {newest}), (SELECT garment_id {newest})")
            ).one()
    return Mark(
        schema, int(seq or 0), int(rows or 0), int(first or 0), head, head_garment or 0, file
    )


def log_continues(s: Session, then: Mark) -> bool:
    """Whether the log ``s`` reads is the one ``then`` was read from, gone on: the row of
    ``then``'s newest ``seq`` is there with its token, or the garment's row that
    replaced it names it among the tokens of the rows it replaced (up to 8: a name, then
    tags edited since; see the module's words). One lookup or two, by index."""
    if then.head is None:
        return True  # no row then, or no tokens (a wardrobe before 0007 read as it is)
    kept = s.scalar(
        text(f"SELECT 1 FROM {LOG_TABLE} WHERE seq = :seq AND token = :token"),
        {"seq": then.seq, "token": then.head},
    )
    if kept is not None:
        return True
    # An older copy copied over the file cannot fake this: ``then.head`` was drawn at
    # random as its row was written, so a copy taken before holds no row naming it,
    # and rows written over the copy name only the copy's tokens (each names those of
    # the rows it replaced, from the file it is written in). A copy taken after holds
    # that row's history: the listing's, gone on. Tokens at their 8-byte places only.
    named = s.scalars(
        text(f"SELECT prev FROM {LOG_TABLE} WHERE garment_id = :garment AND seq > :seq"),
        {"garment": then.head_garment, "seq": then.seq},
    )
    size = len(then.head)
    return any(
        prev[at : at + size] == then.head
        for prev in named
        if prev is not None
        for at in range(0, len(prev), size)
    )


def log_follows(then: Mark, now: Mark) -> bool:
    """Whether the garments logged above ``then.seq`` are all those changed from
    ``then`` to ``now`` (see the module's words)."""
    if now.seq is None or then.seq is None or now.schema != then.schema:
        return False
    if now.file != then.file or (then.file is not None and then.file.recent):
        return False  # a log without tokens: the file copied over, or may have been
    if now.seq < then.seq or now.rows < then.rows:
        return False  # gone back: another database in its place, the log emptied
    if now.first > then.seq:
        return False  # no row of then's left: the log emptied, then written again
    return now.seq > then.seq or now.rows == then.rows  # no row without a new seq


def read_all(s: Session, abspath: Callable[[str], Path], mark: Mark) -> Listing:
    """Every live garment's record, read in ``s`` at ``mark``."""
    stmt = record_select().where(Garment.deleted_at.is_(None))
    stmt = stmt.order_by(Garment.created_at.asc(), Garment.id.asc())
    records = garment_records(s, abspath, stmt=stmt)
    # In the order ``caught_up`` puts records in: SQLite compares the dates as text,
    # which is their order only where all are written alike, as this app writes them
    # (a tool's '2026-01-01T09:00:00' comes after '2026-01-01 10:00:00.000000'). Already
    # in order, as they are unless a tool wrote them: one pass of comparisons.
    with collector_held_off():  # a key each: 40,000 tuples
        records.sort(key=_order)
    return Listing(mark, records)


def caught_up(
    s: Session,
    abspath: Callable[[str], Path],
    listing: Listing,
    mark: Mark,
    also: frozenset[int] = frozenset(),
) -> Listing | None:
    """``listing`` as of ``mark`` (read in ``s``), with only the garments changed since
    read again, and those of ``also`` (edited here after its records were read: its
    mark moved past them, ``Browse.told``); None where it cannot be sure (see the
    module's words), or where so many changed that reading all is as quick."""
    then = listing.mark
    if not log_follows(then, mark) or not log_continues(s, then):
        return None
    if mark.seq == then.seq and not also:
        return Listing(mark, listing.records)  # no garment changed (a photo without any)
    since = select(GarmentChange.garment_id).where(GarmentChange.seq > then.seq)
    changed = set(s.scalars(since)) | also
    if len(changed) > max(FEW_CHANGES, len(listing.records) // 2):
        return None
    stmt = record_select().where(Garment.deleted_at.is_(None), Garment.id.in_(changed))
    stmt = stmt.order_by(Garment.created_at.asc(), Garment.id.asc())
    fresh = garment_records(s, abspath, stmt=stmt)
    kept = [r for r in listing.records if r.id not in changed]  # a new list: shared
    return Listing(mark, _merged(kept, fresh))


def _order(r: GarmentRecord) -> tuple[datetime, int]:
    """The listing's order: oldest first, ties by id."""
    return (r.created_at, r.id)


def _merged(kept: list[GarmentRecord], fresh: list[GarmentRecord]) -> list[GarmentRecord]:
    """``kept`` with ``fresh`` put in their places (both in the listing's order)."""
    if len(fresh) > INSERTED_ONE_BY_ONE:
        kept.extend(fresh)
        with collector_held_off():  # a key each
            kept.sort(key=_order)  # two sorted runs: one merge
        return kept
    for record in fresh:
        bisect.insort(kept, record, key=_order)
    return kept
