"""The store: SQLite database + content-addressed files of one data home.

Opening a store migrates the schema and, when no other process has the same home open,
cleans up after interrupted work: temporary files, soft-deleted garments (purged for
good) and files that no row references. Import order elsewhere guarantees that this is
all that a crash can leave behind: files are written (temp + rename) before the rows
that reference them are committed in one transaction.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import delete, func, insert, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from .. import paths
from .database import (
    IMMEDIATE,
    WITHOUT_CHANGE_COUNTS,
    UnusableDatabase,
    damaged_database,
    database_tables,
    make_engine,
    migrate,
)
from .files import FILES, FileStore, StoreClosed, holds_stored_files
from .label_maps import erase_purged
from .models import Garment, IdFloor, Photo
from .read_only import read_only_reason, refusal
from .scratch import ScratchFolder, remove_dead_leftovers

log = logging.getLogger(__name__)
LOCK_FILE = ".wardrobe.lock"

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: single instance assumed
    fcntl = None  # type: ignore[assignment]


class HomeLock:
    """Who else has this data home open? (``flock``: released by the OS if a process dies.)

    Every open store holds a shared lock; start-up cleanup runs only when an exclusive
    lock can be taken, i.e. when no other live process could be half-way through an import.
    """

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = path
        self._fh: IO[bytes] | None = None
        if create:
            self._fh = open(path, "a+b")  # noqa: SIM115 - held open
        elif path.is_file():  # read-only: a shared lock still keeps others' clean-up off
            self._fh = open(path, "rb")  # noqa: SIM115 - held open

    def try_exclusive(self) -> bool:
        if fcntl is None or self._fh is None:
            return True
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def shared(self) -> None:
        if fcntl is not None and self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                if fcntl is not None:
                    fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


@dataclass
class CleanupReport:
    ran: bool = False
    purged_garments: int = 0
    purged_photos: int = 0
    removed_files: int = 0

    def __str__(self) -> str:
        if not self.ran:
            return "cleanup skipped (the wardrobe is open elsewhere)"
        return (
            f"purged {self.purged_garments} deleted garment(s), {self.purged_photos} photo(s); "
            f"removed {self.removed_files} leftover file(s)"
        )


@dataclass
class VerifyReport:
    integrity: str = "ok"
    foreign_key_violations: int = 0
    missing_files: list[str] = field(default_factory=list)
    damaged_files: list[str] = field(default_factory=list)  # bytes no longer their hash
    unreferenced_files: list[str] = field(default_factory=list)
    temp_files: list[str] = field(default_factory=list)
    # Another program had the wardrobe open (the app, an import): the files it is writing
    # show as unfinished writes, and as files no garment uses until it commits their rows.
    in_use: bool = False

    @property
    def ok(self) -> bool:
        """No problem found; leftovers (unused and temporary files) count only where no
        other program was using the wardrobe: else they may be its work in progress."""
        leftovers = not self.in_use and bool(self.unreferenced_files or self.temp_files)
        return (
            self.integrity == "ok"
            and not self.foreign_key_violations
            and not self.missing_files
            and not self.damaged_files
            and not leftovers
        )


class Store:
    """Database engine, session factory and file store of one data home."""

    def __init__(
        self,
        home: Path,
        *,
        cleanup: bool = True,
        fsync: bool = True,
        read_only: bool | None = None,
        defer_cleanup: bool = False,
    ) -> None:
        """``read_only``: None opens a folder that cannot be written read-only (and any
        other as usual); True opens it read-only whatever it allows; False never.
        ``defer_cleanup``: the start-up clean-up waits for ``start_cleanup`` (0.25 s of
        the app's start at 40,000 garments, before the window showed). It runs where no
        other process has the wardrobe open then, as at the start, and every write here
        waits for it (or runs it first, where it has not started): it never sweeps a
        file being written."""
        self.home = Path(home)
        db = paths.database_path(self.home)
        reason = read_only_reason(self.home, db) if read_only is not False else None
        if read_only and reason is None:
            reason = "it was asked for"
        # Why nothing may be changed (the sentence said to the user), or None.
        self.refusal = None if reason is None else refusal(self.home, reason)
        if self.refusal is None:
            self.home.mkdir(parents=True, exist_ok=True)
        elif not db.is_file():
            self._refuse_unusable_database()  # a wardrobe's files without its database
            raise UnusableDatabase(
                f"{self.home} holds no wardrobe, and a new one cannot be started in it "
                f"({reason}): choose another data folder."
            )
        # Before the files folder and the lock file are made: a folder refused (another
        # program's) is left as it was.
        self._refuse_unusable_database()
        self._closed = False
        self._scratch: ScratchFolder | None = None  # a read-only wardrobe's index folder
        self._cleanup_due = False  # deferred (defer_cleanup), not run yet
        self._cleaned = threading.Event()  # set once no clean-up is due or running
        self._cleanup_guard = threading.Lock()
        self._cleaner: threading.Thread | None = None  # the thread that runs it
        self.files = FileStore(self.home, fsync=fsync, refusal=self.refusal)
        self._lock = HomeLock(self.home / LOCK_FILE, create=not self.read_only)
        exclusive = not self.read_only and self._lock.try_exclusive()
        try:  # a read-only one may be refused here (see read_only_uri)
            self.engine = make_engine(db, read_only=self.read_only)
        except BaseException:
            self._lock.release()
            raise
        try:
            # Whether the database has 0004's change counters: an older one opened
            # read-only has not (its readers fall back on SQLite's data_version).
            revision = migrate(self.engine, read_only=self.read_only)
            self.counts_changes = revision not in WITHOUT_CHANGE_COUNTS
            self.Session = sessionmaker(self.engine, expire_on_commit=False)
            self.cleanup_report = CleanupReport()
            if exclusive and cleanup and defer_cleanup:
                self._cleanup_due = True
            elif exclusive and cleanup:
                self.cleanup_report = self.cleanup()
                log.info("%s", self.cleanup_report)
        except BaseException as exc:
            self.engine.dispose()
            self._lock.release()
            unusable = damaged_database(exc, paths.database_path(self.home))
            if unusable is not None:
                raise unusable from exc
            raise
        self.files.before_write = self._cleaned_first
        self._lock.shared()
        if not self._cleanup_due:
            self._cleaned.set()
        if self.read_only:  # where its index is kept: what crashed runs left there
            remove_dead_leftovers()

    def _refuse_unusable_database(self) -> None:
        """Raise UnusableDatabase, changing nothing, where the home's database is another
        program's, or where the home holds stored files but no wardrobe database (it was
        deleted, renamed, emptied, or left behind in a copy): a new, empty one would make
        every photo and cut-out unreferenced, and the start-up cleanup would delete them
        all."""
        db = paths.database_path(self.home)
        tables = database_tables(db)
        # Alembic makes its table in the transaction that makes ours: a wardrobe has it.
        if tables is None or "alembic_version" in tables:
            return  # a wardrobe's, or one that cannot be read: opening it says why
        if tables:
            raise UnusableDatabase(
                f"{db} is not a Wardrobe database (it holds another program's tables: "
                f"{', '.join(tables[:5])}): choose another data folder. "
                "It was left as it is."
            )
        if not holds_stored_files(self.home):
            return  # a new wardrobe
        raise UnusableDatabase(
            f"{self.home} holds a wardrobe's photos and cut-outs but not its database "
            f"({db.name} is missing or empty): put the database back (from a backup or the "
            "folder it was copied from), or choose another data folder; to start afresh "
            f"here, move its {FILES} folder away. Nothing was changed."
        )

    @property
    def read_only(self) -> bool:
        return self.refusal is not None

    def index_dir(self) -> Path:
        """Where the similar-items index is kept: for a read-only wardrobe, a temporary
        folder removed at close (its own folder is not written, and may hold none)."""
        if not self.read_only:
            return paths.index_dir(self.home)
        if self._scratch is None:
            self._scratch = ScratchFolder()
        return self._scratch.path

    def check_writable(self) -> None:
        """Raise ReadOnlyWardrobe, with the sentence to say, where nothing may be changed."""
        self.files.check_writable()

    # -- deferred start-up clean-up ----------------------------------------------------
    def start_cleanup(self) -> None:
        """Run the clean-up ``defer_cleanup`` put off, on a thread of its own."""
        with self._cleanup_guard:
            if not self._cleanup_due or self._cleaner is not None or self._closed:
                return
            self._cleaner = threading.Thread(
                target=self._deferred_cleanup, name="wardrobe-cleanup", daemon=True
            )
            self._cleaner.start()

    def _deferred_cleanup(self) -> None:
        try:
            # Another process that opened the wardrobe since may be writing: the
            # clean-up is for the next start then. (A refused upgrade of the shared lock
            # drops it: taken again below, as a start that found the wardrobe open.)
            if self._lock.try_exclusive():
                self.cleanup_report = self.cleanup()
            log.info("%s", self.cleanup_report)
        except Exception as exc:  # what it leaves goes at the next start
            log.warning("the start-up clean-up failed: %s", exc)
        finally:
            self._lock.shared()
            self._cleaned.set()

    def _cleaned_first(self) -> None:
        """Before any write (a file stored or removed, a transaction): the deferred
        clean-up done, run here where it has not started. A file written while it
        listed the files, its row not yet committed, would be swept."""
        if not self._cleanup_due or self._cleaned.is_set():
            return
        if threading.current_thread() is self._cleaner:
            return  # the clean-up's own writes
        with self._cleanup_guard:
            here = self._cleaner is None and not self._closed
            if here:
                self._cleaner = threading.current_thread()
        if here:
            self._deferred_cleanup()
        self._cleaned.wait()

    def session(self) -> Session:
        return self.Session()

    def _check_open(self) -> None:
        # A worker that outlived the window (a model still loading at exit) must not
        # write once the home's lock is released: the start-up clean-up of another
        # process could then sweep files its rows are about to reference. (Reading is
        # harmless: a refresh queued before the window closed may still list.)
        # The deferred clean-up, once started, writes on: close waits for it to end. Only
        # while it runs: a writer that ran it (``_cleaned_first``) stays ``_cleaner``.
        cleaning = threading.current_thread() is self._cleaner and not self._cleaned.is_set()
        if self._closed and not cleaning:
            raise StoreClosed(f"the wardrobe in {self.home} was closed: nothing is saved")

    @contextlib.contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session in a transaction that holds the write lock from its first statement
        (``BEGIN IMMEDIATE``), committed on leaving. A transaction that reads first and
        writes later fails at once with "database is locked" when another process commits
        in between; one that starts as the writer waits its turn (``busy_timeout``)."""
        self._check_open()
        self.check_writable()
        self._cleaned_first()
        with self.engine.connect() as conn:
            conn.info[IMMEDIATE] = True
            try:
                with self.Session(bind=conn) as session, session.begin():
                    yield session
            finally:
                conn.info.pop(IMMEDIATE, None)  # the info outlives this use: pooled

    def close(self) -> None:
        with self._cleanup_guard:
            self._closed = True  # a clean-up not started yet stays for the next start
            cleaner = self._cleaner
        if cleaner is not None and cleaner is not threading.current_thread():
            self._cleaned.wait()  # files are being removed: not under a closed store
        self._cleaned.set()  # nothing waits for a clean-up that will not run
        self.files.closed = True  # no file written into files/ either
        self.engine.dispose()
        self._lock.release()
        if self._scratch is not None:
            self._scratch.remove()

    # -- maintenance -------------------------------------------------------------------
    @staticmethod
    def referenced_files(session: Session) -> set[str]:
        refs: set[str] = set()
        for file_path, labels_path in session.execute(select(Photo.file_path, Photo.labels_path)):
            refs.add(file_path)
            if labels_path:
                refs.add(labels_path)
        for row in session.execute(
            select(Garment.mask_path, Garment.cutout_path, Garment.thumbnail_path)
        ):
            refs.update(row)
        return refs

    @staticmethod
    def files_in_use(session: Session, rels: Iterable[str]) -> set[str]:
        """Those of ``rels`` some row references: ``referenced_files`` asked of a few, in
        SQL (listing all 16,000 paths of 3,600 garments was 30 ms of every touch-up)."""
        wanted = set(rels)
        if not wanted:
            return set()
        used: set[str] = set()
        # One scan of each table (a garment row is mostly its vector): rows that hold any.
        for columns in (
            (Photo.file_path, Photo.labels_path),
            (Garment.mask_path, Garment.cutout_path, Garment.thumbnail_path),
        ):
            query = select(*columns).where(or_(*(c.in_(sorted(wanted)) for c in columns)))
            for row in session.execute(query):
                used.update(row)
        return used & wanted

    @staticmethod
    def next_id(session: Session, model: type[Photo] | type[Garment]) -> int:
        """The id for a new row of ``model``: above every id it holds and every id it
        ever held (SQLite alone would give a purged garment's id to the next one)."""
        table = model.__tablename__
        # A write first: the transaction takes the write lock (waiting for another writer)
        # before it reads, so two processes importing at once cannot pick the same id.
        session.execute(insert(IdFloor).prefix_with("OR IGNORE").values(name=table, last=0))
        highest = session.scalar(select(func.max(model.id))) or 0
        deleted = session.scalar(select(IdFloor.last).where(IdFloor.name == table)) or 0
        return max(highest, deleted) + 1

    @staticmethod
    def purge_deleted(
        session: Session,
        files: FileStore | None = None,
        *,
        source: FileStore | None = None,
        created: list[str] | None = None,
    ) -> tuple[int, int]:
        """Delete soft-deleted garments (and photos left with none); (garments, photos).
        With ``files``, their pixels are first erased from the label maps of the photos
        they leave garments in (``erase_purged``: new maps stored in ``files``, noted in
        ``created``, read from ``source`` or ``files``); a photo whose new map cannot be
        written keeps its deleted garments for the next purge."""
        photo_ids = set(
            session.scalars(select(Garment.photo_id).where(Garment.deleted_at.is_not(None)))
        )
        if files is not None:
            photo_ids -= erase_purged(
                session, photo_ids, files, source or files, [] if created is None else created
            )
        if not photo_ids:
            return 0, 0
        n_garments = session.execute(
            delete(Garment).where(
                Garment.deleted_at.is_not(None), Garment.photo_id.in_(sorted(photo_ids))
            )
        ).rowcount  # type: ignore[attr-defined]
        emptied = [
            pid
            for pid in photo_ids
            if not session.scalar(select(func.count()).where(Garment.photo_id == pid))
        ]
        n_photos = 0
        if emptied:
            n_photos = session.execute(delete(Photo).where(Photo.id.in_(emptied))).rowcount  # type: ignore[attr-defined]
        return int(n_garments or 0), int(n_photos or 0)

    def cleanup(self) -> CleanupReport:
        """Purge soft-deleted garments, then remove temp and unreferenced files."""
        report = CleanupReport(ran=True)
        with self.write_session() as session:
            # New label maps written first: a crash before the commit leaves them unused.
            report.purged_garments, report.purged_photos = self.purge_deleted(session, self.files)
        with self.Session() as session:
            refs = self.referenced_files(session)
        report.removed_files = self.files.sweep(refs)
        return report

    def verify(self) -> VerifyReport:
        """Consistency check of database and files (used by tests and ``doctor`` tools)."""
        report = VerifyReport(in_use=self.in_use_elsewhere())
        with self.engine.connect() as conn:
            report.integrity = str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())
            report.foreign_key_violations = len(
                conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            )
        with self.Session() as session:
            refs = self.referenced_files(session)
        stored = set(self.files.all_files())
        report.missing_files = sorted(r for r in refs if not self.files.abspath(r).is_file())
        present = refs.difference(report.missing_files)
        report.damaged_files = sorted(r for r in present if self.files.is_damaged(r))
        report.unreferenced_files = sorted(stored - refs)
        report.temp_files = [os.fspath(p) for p in self.files.temp_files()]
        # Asked again: a program that opened the wardrobe meanwhile may have written some.
        report.in_use = report.in_use or self.in_use_elsewhere()
        return report

    def in_use_elsewhere(self) -> bool:
        """Whether another process has this wardrobe open now (its shared lock)."""
        self._cleaned_first()  # a clean-up's exclusive lock is not this one's to drop
        with self._cleanup_guard:
            alone = self._lock.try_exclusive()
            self._lock.shared()  # back (a refused upgrade of the shared lock drops it)
        return not alone

    def file_users(self, rels: Iterable[str]) -> dict[str, str]:
        """What each of ``rels`` is stored for, in words ("cut-out of garment #2"), where
        a row names it: which garments a missing or damaged file leaves without it."""
        wanted = set(rels)
        users: dict[str, list[str]] = {}
        with self.Session() as session:
            worn: dict[int, list[str]] = {}
            for gid, pid in session.execute(select(Garment.id, Garment.photo_id)):
                worn.setdefault(pid, []).append(f"#{gid}")
            for pid, photo, labels in session.execute(
                select(Photo.id, Photo.file_path, Photo.labels_path)
            ):
                for rel, what in ((photo, "photo"), (labels, "label map of photo")):
                    if rel in wanted:
                        garments = ", ".join(worn.get(pid, [])) or "none"
                        users.setdefault(rel, []).append(f"{what} #{pid}, garments {garments}")
            for gid, *files in session.execute(
                select(Garment.id, Garment.mask_path, Garment.cutout_path, Garment.thumbnail_path)
            ):
                for rel, what in zip(files, ("mask", "cut-out", "thumbnail"), strict=True):
                    if rel in wanted:
                        users.setdefault(rel, []).append(f"{what} of garment #{gid}")
        return {rel: ", ".join(found) for rel, found in users.items()}

    def pragma(self, name: str) -> object:
        with self.engine.connect() as conn:
            return conn.execute(text(f"PRAGMA {name}")).scalar()
