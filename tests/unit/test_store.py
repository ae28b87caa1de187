"""The store on its own: schema via migrations, PRAGMAs, files, start-up cleanup."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from wardrobe_app import paths
from wardrobe_app.store import FileStore, Garment, Photo, Store, encode_png, read_png
from wardrobe_app.store.database import HEAD_REVISION, head_revision
from wardrobe_app.store.files import StoreClosed


def _photo(store: Store, sha: str = "a" * 64, n_garments: int = 1) -> tuple[int, list[int]]:
    files = store.files
    photo_rel, _ = files.put_bytes(sha.encode(), ".jpg")
    with store.Session.begin() as s:
        photo = Photo(
            sha256=sha,
            file_path=photo_rel,
            width=10,
            height=10,
            original_width=10,
            original_height=10,
            kind="outfit",
            source_path="/x.jpg",
        )
        for i in range(n_garments):
            rels = [files.put_bytes(f"{sha}-{i}-{part}".encode(), ".png")[0] for part in "mct"]
            g = Garment(
                category="top",
                area=5,
                mask_path=rels[0],
                cutout_path=rels[1],
                thumbnail_path=rels[2],
                box_x0=0,
                box_y0=0,
                box_x1=2,
                box_y1=2,
            )
            g.set_vector(np.ones(4, np.float32), "v1")
            photo.garments.append(g)
        s.add(photo)
        s.flush()
        return photo.id, [g.id for g in photo.garments]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "home")
    yield s
    s.close()


def test_migrations_create_schema(store: Store) -> None:
    insp = inspect(store.engine)
    assert {"photos", "garments", "alembic_version"} <= set(insp.get_table_names())
    cols = {c["name"] for c in insp.get_columns("garments")}
    assert {
        "photo_id",
        "category",
        "fine_type",
        "colours",
        "area",
        "mask_path",
        "cutout_path",
        "thumbnail_path",
        "name",
        "tags",
        "notes",
        "favourite",
        "created_at",
        "updated_at",
        "deleted_at",
        "vector",
        "vector_version",
        "box_x0",
        "box_y1",
    } <= cols
    photo_cols = {c["name"] for c in insp.get_columns("photos")}
    assert {
        "sha256",
        "file_path",
        "width",
        "height",
        "kind",
        "source_path",
        "imported_at",
        "labels_path",
    } <= photo_cols
    indexed = {tuple(ix["column_names"]) for ix in insp.get_indexes("garments")}
    assert ("category",) in indexed and ("created_at",) in indexed
    fks = insp.get_foreign_keys("garments")
    assert fks[0]["referred_table"] == "photos" and fks[0]["options"]["ondelete"] == "CASCADE"
    with sqlite3.connect(paths.database_path(store.home)) as raw:
        assert (
            raw.execute("select version_num from alembic_version").fetchone()[0] == head_revision()
        )


def test_the_head_revision_constant_is_the_newest_migration() -> None:
    # A database at HEAD_REVISION opens without Alembic: a new migration must move it.
    assert head_revision() == HEAD_REVISION


def test_a_wardrobe_already_at_head_opens_without_importing_alembic(store: Store) -> None:
    # Importing it was 0.19 s of each start of the app and of every wardrobe-cli command.
    store.close()
    code = (
        "import sys; from pathlib import Path; from wardrobe_app.store import Store; "
        f"s = Store(Path({str(store.home)!r})); s.close(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_models_match_migrations(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from wardrobe_app.store import Base

    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_pragmas_on_every_connection(store: Store) -> None:
    conns = [store.engine.connect() for _ in range(3)]  # distinct pooled connections
    try:
        for conn in conns:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        for conn in conns:
            conn.close()


def test_reopen_is_idempotent(tmp_path: Path) -> None:
    home = tmp_path / "home"
    Store(home).close()
    s = Store(home)
    try:
        _pid, _ = _photo(s)
        assert s.verify().ok
    finally:
        s.close()


def _bare_garment(photo_id: int, category: str) -> Garment:
    """A garment row of ``photo_id`` in ``category``, its files named but not written: for
    what the database's constraints refuse."""
    return Garment(
        photo_id=photo_id,
        category=category,
        area=1,
        mask_path="m",
        cutout_path="c",
        thumbnail_path="t",
        box_x0=0,
        box_y0=0,
        box_x1=1,
        box_y1=1,
    )


def test_foreign_keys_enforced_and_cascade(store: Store) -> None:
    pid, _gids = _photo(store, n_garments=2)
    with pytest.raises(IntegrityError), store.Session.begin() as s:
        s.add(_bare_garment(pid + 100, "top"))
    with store.Session.begin() as s:
        s.delete(s.get(Photo, pid))
    with store.session() as s:
        assert s.scalars(select(Garment)).all() == []


def test_category_check_constraint(store: Store) -> None:
    pid, _ = _photo(store)
    with pytest.raises(IntegrityError), store.Session.begin() as s:
        s.add(_bare_garment(pid, "shoes"))


def test_datetimes_are_aware_utc(store: Store) -> None:
    _pid, gids = _photo(store)
    with store.session() as s:
        g = s.get(Garment, gids[0])
        assert g is not None and g.created_at.tzinfo is not None
        assert abs((datetime.now(UTC) - g.created_at).total_seconds()) < 60


def test_filestore_content_addressed(tmp_path: Path) -> None:
    fs = FileStore(tmp_path)
    rel, new = fs.put_bytes(b"hello", ".png")
    assert new and rel.startswith("files/") and rel.endswith(".png")
    assert fs.abspath(rel).read_bytes() == b"hello"
    assert fs.put_bytes(b"hello", ".png") == (rel, False)
    src = tmp_path / "src.jpg"
    src.write_bytes(b"photo bytes")
    from wardrobe_app.store import sha256_file

    prel, _ = fs.put_file(src, sha256_file(src), ".jpg")
    assert fs.abspath(prel).read_bytes() == b"photo bytes"
    assert sha256_file(src) in prel
    assert fs.temp_files() == []
    assert set(fs.all_files()) == {rel, prel}


def test_png_roundtrip(tmp_path: Path) -> None:
    fs = FileStore(tmp_path)
    rgba = np.random.default_rng(0).integers(0, 256, (7, 5, 4), dtype=np.uint8)
    mask = np.zeros((6, 4), bool)
    mask[1:3, 2] = True
    rel_a, _ = fs.put_png(rgba)
    rel_m, _ = fs.put_png(mask)
    assert np.array_equal(read_png(fs.abspath(rel_a)), rgba)
    assert np.array_equal(read_png(fs.abspath(rel_m)) > 0, mask)
    assert encode_png(rgba) == encode_png(rgba.copy())


def test_an_empty_or_damaged_png_is_an_os_error(tmp_path: Path) -> None:
    # An empty file (a write cut short by a full disk) raised cv2.error from imdecode,
    # which no caller expects: `segment` showed its traceback.
    empty, damaged = tmp_path / "empty.png", tmp_path / "damaged.png"
    empty.touch()
    damaged.write_bytes(b"\x89PNG cut short")
    with pytest.raises(OSError, match="empty file"):
        read_png(empty)
    with pytest.raises(OSError, match="unreadable PNG"):
        read_png(damaged)


def test_sweep_removes_temp_and_unreferenced(tmp_path: Path) -> None:
    fs = FileStore(tmp_path)
    keep, _ = fs.put_bytes(b"keep", ".png")
    _drop, _ = fs.put_bytes(b"drop", ".png")
    (fs.incoming / f"{'0' * 32}.part").write_bytes(b"half")
    assert fs.sweep({keep}) == 2
    assert fs.all_files() == [keep] and fs.temp_files() == []


def test_sweep_never_touches_files_it_did_not_name(tmp_path: Path) -> None:
    # A folder chosen as the data home may already hold a "files" folder of the user's
    # own: the clean-up at every start deleted all of it.
    fs = FileStore(tmp_path)
    theirs = [
        tmp_path / "files" / "2023" / "taxes.txt",
        tmp_path / "files" / "resume.txt",
        tmp_path / "files" / "ab" / "holiday.jpg",
        tmp_path / "files" / "ab" / ("cd" + "0" * 62 + ".png"),  # a hash in the wrong shard
        tmp_path / "files" / ".incoming" / "notes.part",
    ]
    for path in theirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("mine")
    (tmp_path / "files" / "2024").mkdir()  # an empty folder of theirs
    ours, _ = fs.put_bytes(b"unreferenced", ".png")
    assert fs.all_files() == [ours]
    assert fs.sweep(set()) == 1
    assert all(path.read_text() == "mine" for path in theirs)
    assert (tmp_path / "files" / "2024").is_dir()
    assert not fs.abspath(ours).parent.exists()  # our emptied shard goes


def test_listing_the_stored_files_asks_the_disk_once_per_folder_not_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every start sweeps the store: a stat() per file made each wardrobe-cli command
    # 0.26 s slower on 3,600 garments (16,000 files), more with a cold disk cache.
    fs = FileStore(tmp_path)
    rels = {fs.put_bytes(f"file {i}".encode(), ".png")[0] for i in range(60)}
    stats: list[object] = []
    real_stat = os.stat

    def counting_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        stats.append(path)
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", counting_stat)
    assert set(fs.all_files()) == rels
    assert fs.sweep(rels) == 0
    assert len(stats) < 10, f"{len(stats)} stat() calls for {len(rels)} files"


def test_files_in_use_are_those_of_the_few_asked_that_some_row_references(
    store: Store,
) -> None:
    _photo(store, "a" * 64, n_garments=2)
    with store.Session.begin() as s:
        s.scalars(select(Garment)).first().deleted_at = datetime.now(UTC)  # type: ignore[union-attr]
    with store.Session() as s:
        every = store.referenced_files(s)
        stray = store.files.put_bytes(b"no row", ".png")[0]
        asked = [*sorted(every)[:3], stray, "files/00/gone.png"]
        assert store.files_in_use(s, asked) == set(sorted(every)[:3])
        assert store.files_in_use(s, [*every, stray]) == every  # a deleted row's too
        assert store.files_in_use(s, []) == set()


def test_startup_cleanup_purges_soft_deleted_and_orphans(tmp_path: Path) -> None:
    home = tmp_path / "home"
    s = Store(home)
    pid, gids = _photo(s, "a" * 64, n_garments=2)
    _pid2, gids2 = _photo(s, "b" * 64, n_garments=1)
    with s.Session.begin() as sess:
        sess.get(Garment, gids[0]).deleted_at = datetime.now(UTC)  # type: ignore[union-attr]
        sess.get(Garment, gids2[0]).deleted_at = datetime.now(UTC)  # type: ignore[union-attr]
    orphan, _ = s.files.put_bytes(b"orphan", ".png")
    (s.files.incoming / "leftover.part").write_bytes(b"x")
    s.close()

    s = Store(home)
    try:
        rep = s.cleanup_report
        assert rep.ran and rep.purged_garments == 2 and rep.purged_photos == 1
        with s.session() as sess:
            assert sorted(sess.scalars(select(Garment.id))) == [gids[1]]
            assert list(sess.scalars(select(Photo.id))) == [pid]
        assert not s.files.abspath(orphan).exists()
        assert s.verify().ok, s.verify()
    finally:
        s.close()


def _with_orphan(home: Path) -> str:
    """A wardrobe at ``home`` holding one stored file no row references."""
    s = Store(home)
    orphan, _ = s.files.put_bytes(b"orphan", ".png")
    s.close()
    return orphan


def test_a_deferred_cleanup_runs_when_started_not_at_the_open(tmp_path: Path) -> None:
    # The app's start waited 0.25 s for it (40,000 garments) before the window showed.
    home = tmp_path / "home"
    orphan = _with_orphan(home)
    s = Store(home, defer_cleanup=True)
    try:
        assert s.files.abspath(orphan).exists() and not s.cleanup_report.ran
        s.start_cleanup()
    finally:
        s.close()  # waits for it
    assert s.cleanup_report.ran and not s.files.abspath(orphan).exists()


def test_a_deferred_cleanup_closed_as_it_starts_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The window closed just after the start: the clean-up's thread, started, met the
    # closed store at its first write and failed ("nothing is saved"), while the close
    # waited for it (the test above failed so on a busy machine).
    home = tmp_path / "home"
    orphan = _with_orphan(home)
    s = Store(home, defer_cleanup=True)
    real = Store._deferred_cleanup

    def late(store: Store) -> None:
        time.sleep(0.2)  # the close comes first
        real(store)

    monkeypatch.setattr(Store, "_deferred_cleanup", late)
    s.start_cleanup()
    s.close()
    assert s.cleanup_report.ran and not s.files.abspath(orphan).exists()
    with pytest.raises(StoreClosed), s.write_session():  # others' writes: still refused
        pass


def test_a_write_waits_for_the_deferred_cleanup_never_swept_by_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file stored (its row still to come) while the clean-up listed the files would go.
    home = tmp_path / "home"
    orphan = _with_orphan(home)
    s = Store(home, defer_cleanup=True)
    sweeping, go_on = threading.Event(), threading.Event()
    real_sweep = FileStore.sweep

    def held_sweep(files: FileStore, referenced: set[str]) -> int:
        sweeping.set()
        go_on.wait(10)
        return real_sweep(files, referenced)

    monkeypatch.setattr(FileStore, "sweep", held_sweep)
    stored: list[str] = []
    writer = threading.Thread(target=lambda: stored.append(s.files.put_bytes(b"new", ".png")[0]))
    try:
        s.start_cleanup()
        assert sweeping.wait(10)
        writer.start()
        writer.join(0.3)
        assert writer.is_alive() and not stored  # waiting for the clean-up
        go_on.set()
        writer.join(10)
        assert stored and s.files.abspath(stored[0]).exists()
        assert not s.files.abspath(orphan).exists()
    finally:
        go_on.set()
        s.close()


def test_a_write_before_the_deferred_cleanup_started_runs_it_first(tmp_path: Path) -> None:
    home = tmp_path / "home"
    orphan = _with_orphan(home)
    s = Store(home, defer_cleanup=True)
    try:
        new, _ = s.files.put_bytes(b"new", ".png")
        assert s.cleanup_report.ran and not s.files.abspath(orphan).exists()
        assert s.files.abspath(new).exists()
        s.start_cleanup()  # done already: nothing more
    finally:
        s.close()
    assert Path(home / new).exists()


def test_the_thread_that_ran_the_deferred_cleanup_cannot_write_once_closed(
    tmp_path: Path,
) -> None:
    # Its first write ran the clean-up here, which made it the cleaner: its writes, let
    # through while the close waits for the clean-up, were let through after it too.
    home = tmp_path / "home"
    _with_orphan(home)
    s = Store(home, defer_cleanup=True)
    with s.write_session():  # runs the clean-up first, on this thread
        pass
    assert s.cleanup_report.ran
    s.close()
    with pytest.raises(StoreClosed), s.write_session():
        pass


def test_a_deferred_cleanup_is_skipped_when_opened_elsewhere_meanwhile(tmp_path: Path) -> None:
    home = tmp_path / "home"
    orphan = _with_orphan(home)
    s = Store(home, defer_cleanup=True)
    try:
        other = Store(home)  # another process, which may be writing that very file
        try:
            s.start_cleanup()
            s.close()
            assert not s.cleanup_report.ran and other.files.abspath(orphan).exists()
            other.files.put_bytes(b"still open to it", ".png")
        finally:
            other.close()
    finally:
        s.close()


def test_cleanup_skipped_while_open_elsewhere(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = Store(home)
    try:
        orphan, _ = first.files.put_bytes(b"in flight", ".png")
        second = Store(home)
        try:
            assert not second.cleanup_report.ran
            assert second.files.abspath(orphan).exists()
        finally:
            second.close()
    finally:
        first.close()
    third = Store(home)
    try:
        assert third.cleanup_report.ran and not third.files.abspath(orphan).exists()
    finally:
        third.close()


def test_a_wardrobe_from_before_the_id_floor_is_migrated_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    from alembic import command

    from wardrobe_app.store.database import alembic_config, make_engine

    home = tmp_path / "old"
    home.mkdir()
    engine = make_engine(paths.database_path(home))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001_initial")  # a wardrobe of the first release
    engine.dispose()
    store = Store(home)
    try:
        photo_id, garment_ids = _photo(store, n_garments=2)
        with store.Session.begin() as s:
            s.get(Garment, garment_ids[1]).deleted_at = datetime.now(UTC)  # type: ignore[union-attr]
            store.purge_deleted(s)
            assert store.next_id(s, Garment) == garment_ids[1] + 1  # the purged id stays taken
            assert store.next_id(s, Photo) == photo_id + 1
            # the whole photo purged: its id, and its last garment's (by cascade), stay taken
            s.get(Garment, garment_ids[0]).deleted_at = datetime.now(UTC)  # type: ignore[union-attr]
            assert store.purge_deleted(s) == (1, 1)
            assert store.next_id(s, Photo) == photo_id + 1
            assert store.next_id(s, Garment) == garment_ids[1] + 1
        report = store.verify()  # (the purged garment's files wait for the next start)
        assert report.integrity == "ok" and not report.foreign_key_violations
    finally:
        store.close()
    with sqlite3.connect(paths.database_path(home)) as raw:
        assert (
            raw.execute("select version_num from alembic_version").fetchone()[0] == head_revision()
        )
        triggers = raw.execute("select name from sqlite_master where type = 'trigger'")
        assert {"photos_id_floor", "garments_id_floor"} <= {row[0] for row in triggers}


def test_a_home_whose_database_went_is_refused_and_its_files_kept(tmp_path: Path) -> None:
    """The database deleted, renamed or left behind in a copy: a new, empty one made every
    stored file unreferenced, and the start-up cleanup deleted them all."""
    from wardrobe_app.store import UnusableDatabase

    home = tmp_path / "home"
    store = Store(home)
    try:
        _photo(store, n_garments=2)
        stored = sorted(store.files.all_files())
    finally:
        store.close()
    for leftover in home.glob("wardrobe.sqlite3*"):
        leftover.unlink()
    with pytest.raises(UnusableDatabase, match="not its database"):
        Store(home)
    assert sorted(FileStore(home).all_files()) == stored
    assert not paths.database_path(home).exists()
    paths.database_path(home).touch()  # an empty file is no database either
    with pytest.raises(UnusableDatabase, match="missing or empty"):
        Store(home)
    assert sorted(FileStore(home).all_files()) == stored
    assert paths.database_path(home).stat().st_size == 0
    with sqlite3.connect(paths.database_path(home)) as raw:  # nor one with no tables
        raw.execute("create table scratch (x)")
        raw.execute("drop table scratch")
    assert paths.database_path(home).stat().st_size > 0
    with pytest.raises(UnusableDatabase, match="not its database"):
        Store(home)
    assert sorted(FileStore(home).all_files()) == stored


def test_a_database_from_a_newer_version_is_refused_in_words_and_untouched(
    tmp_path: Path,
) -> None:
    from wardrobe_app.store import UnusableDatabase

    home = tmp_path / "home"
    store = Store(home)
    try:
        _photo(store)
    finally:
        store.close()
    db = paths.database_path(home)
    with sqlite3.connect(db) as raw:  # what a later release's migration leaves
        raw.execute("update alembic_version set version_num = '0099_later'")
        raw.execute("alter table garments add column season text")
    before = db.read_bytes()
    with pytest.raises(UnusableDatabase, match=r"newer version of Wardrobe.*0099_later"):
        Store(home)
    assert db.read_bytes() == before


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    """Opened as a wardrobe, it got our tables added and was switched to WAL."""
    from wardrobe_app.store import UnusableDatabase

    home = tmp_path / "home"
    home.mkdir()
    db = paths.database_path(home)
    with sqlite3.connect(db) as raw:
        raw.execute("create table notes (id integer primary key, body text)")
        raw.execute("insert into notes values (1, 'mine')")
    before = db.read_bytes()
    with pytest.raises(UnusableDatabase, match="another program's tables: notes"):
        Store(home)
    assert db.read_bytes() == before
    # nor anything made beside it (a files folder, the lock file)
    assert sorted(p.name for p in home.iterdir()) == ["wardrobe.sqlite3"]


def test_verify_finds_stored_files_truncated_or_written_over(tmp_path: Path) -> None:
    """Only missing files were found: a cut-out cut short or a photo replaced by another
    file passed as consistent."""
    store = Store(tmp_path / "home")
    try:
        _photo(store, n_garments=2)
        with store.Session() as s:
            garments = s.scalars(select(Garment).order_by(Garment.id)).all()
            photo_rel = s.scalars(select(Photo.file_path)).one()
            cut = garments[0].cutout_path
        assert store.verify().ok
        data = store.files.abspath(cut).read_bytes()
        store.files.abspath(cut).write_bytes(data[: len(data) // 2])
        store.files.abspath(photo_rel).write_bytes(b"another photo")
        report = store.verify()
        assert not report.ok and report.damaged_files == sorted([cut, photo_rel])
        assert not report.missing_files and not report.unreferenced_files
    finally:
        store.close()


def test_verify_counts_no_leftovers_while_another_program_has_the_wardrobe_open(
    tmp_path: Path,
) -> None:
    """`verify` while the app or an import wrote found "unfinished writes" and "files no
    garment uses" (their files, rows not committed yet): "the wardrobe has problems"."""
    home = tmp_path / "home"
    store = Store(home)
    try:
        _photo(store)
        other = Store(home)  # the app: its import has written a file, not yet its row
        try:
            unsaved, _ = other.files.put_bytes(b"a photo being imported", ".jpg")
            (other.files.incoming / f"{'c' * 32}.part").write_bytes(b"half a cut-out")
            report = store.verify()
            assert report.in_use and report.ok
            assert report.unreferenced_files == [unsaved] and len(report.temp_files) == 1
        finally:
            other.close()
        report = store.verify()  # nobody else: leftovers of a crash, say
        assert not report.in_use and not report.ok
        assert report.unreferenced_files == [unsaved] and len(report.temp_files) == 1
    finally:
        store.close()


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_database_is_refused_in_words(tmp_path: Path, damage: str) -> None:
    """The app's 'Cannot open the wardrobe' dialog showed SQLAlchemy's text: the SQL
    statement that failed and a link to sqlalche.me."""
    from wardrobe_app.store import UnusableDatabase

    home = tmp_path / "home"
    store = Store(home)
    try:
        _photo(store, n_garments=3)
    finally:
        store.close()
    db = paths.database_path(home)
    if damage == "garbage":
        db.write_bytes(b"no database" * 500)
    else:
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 2])
    before = db.read_bytes()
    with pytest.raises(UnusableDatabase) as raised:
        Store(home)
    text = str(raised.value)
    assert "is not a Wardrobe database it can open" in text and "backup" in text
    assert "[SQL" not in text and "sqlalche.me" not in text
    assert db.read_bytes() == before


def test_filestore_refuses_a_file_that_no_longer_matches_its_hash(tmp_path: Path) -> None:
    from wardrobe_app.store import SourceChangedError, sha256_file

    fs = FileStore(tmp_path)
    src = tmp_path / "src.jpg"
    src.write_bytes(b"photo bytes")
    digest = sha256_file(src)
    src.write_bytes(b"other bytes")  # written to after it was hashed
    with pytest.raises(SourceChangedError):
        fs.put_file(src, digest, ".jpg")
    assert fs.all_files() == [] and fs.temp_files() == []


def test_the_type_outwear_is_stored_as_outerwear_on_upgrade(tmp_path: Path) -> None:
    """The clothing data set's "Outwear" was shown, filtered and searched as stored:
    "outerwear" in the search box found no coat."""
    from alembic import command

    from wardrobe_app.store.database import alembic_config, make_engine

    home = tmp_path / "old"
    home.mkdir()
    engine = make_engine(paths.database_path(home))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002_id_floor")  # before the rename
    engine.dispose()
    store = Store(home)  # migrated to the head at once: the rows are written after
    try:
        _, ids = _photo(store, n_garments=3)
    finally:
        store.close()
    with sqlite3.connect(paths.database_path(home)) as raw:
        raw.execute("update garments set fine_type = ? where id = ?", ("Outwear", ids[0]))
        raw.execute("update garments set fine_type = ? where id = ?", ("Blazer", ids[1]))
    raw.close()
    engine = make_engine(paths.database_path(home))
    with engine.begin() as conn:  # the later revisions undone: a wardrobe of 0002's time
        command.downgrade(alembic_config(conn), "0002_id_floor")
    engine.dispose()
    store = Store(home)
    try:
        with store.Session() as s:
            types = {g.id: g.fine_type for g in s.scalars(select(Garment))}
    finally:
        store.close()
    assert types == {ids[0]: "Outerwear", ids[1]: "Blazer", ids[2]: None}


def test_change_counts_follow_which_garments_hold_which_vectors(store: Store) -> None:
    """The similar-items index's staleness check (``Vectors.mark``): every change of
    which garments it holds bumps "garment_set", every new vector "garment_vectors"; an
    edit of a name neither, so that it reads no vector again."""
    from wardrobe_app.store import ChangeCount

    def counts() -> tuple[int, int]:
        with store.Session() as s:
            found = {name: n for name, n in s.execute(select(ChangeCount.name, ChangeCount.n))}
        return found["garment_set"], found["garment_vectors"]

    start = counts()

    def moved(change: str, value: object, where: int) -> tuple[int, int]:
        before = counts()
        with store.Session.begin() as s:
            setattr(s.get(Garment, where), change, value)
        after = counts()
        return after[0] - before[0], after[1] - before[1]

    _, ids = _photo(store, n_garments=3)
    assert counts() == (start[0] + 3, start[1])  # three added
    now = datetime.now(UTC)
    assert moved("deleted_at", now, ids[0]) == (1, 0)
    assert moved("deleted_at", now, ids[0]) == (0, 0)  # deleted again: the same set
    assert moved("deleted_at", None, ids[0]) == (1, 0)  # restored
    assert moved("name", "renamed", ids[0]) == (0, 0)
    assert moved("vector", np.zeros(4, np.float32).tobytes(), ids[1]) == (0, 1)  # touched up
    assert moved("vector_version", "v2", ids[1]) == (1, 0)  # another model's
    assert moved("vector", None, ids[2]) == (1, 1)  # its vector dropped
    with store.Session.begin() as s:
        s.delete(s.get(Garment, ids[2]))
    assert counts() == (start[0] + 3 + 5, start[1] + 2)  # purged


def test_the_index_trusts_the_counters_with_the_triggers_the_migration_makes() -> None:
    from fakes import load_migration

    from wardrobe_app.services.vectors import COUNT_TRIGGERS

    migration = load_migration("0004_change_counts")
    assert {name for name, _when, _counter in migration.TRIGGERS} == COUNT_TRIGGERS


def _log_of(home: Path) -> tuple[list[tuple[int, int]], list[tuple[str, str, str]]]:
    """The log of changed garments' rows, and the SQL of every index, trigger and view
    that names it, as the database holds them."""
    with sqlite3.connect(paths.database_path(home)) as raw:
        rows = raw.execute("SELECT seq, garment_id FROM garment_changes ORDER BY seq").fetchall()
        made = raw.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type != 'table' "
            "AND sql LIKE '%garment_changes%' ORDER BY name"
        ).fetchall()
    raw.close()
    return rows, made


def _kept(
    now: tuple[list[tuple[int, int]], list[tuple[str, str, str]]],
    then: tuple[list[tuple[int, int]], list[tuple[str, str, str]]],
) -> bool:
    """Whether ``now`` (``_log_of``) holds ``then``'s rows, and its index, triggers and
    views by name (migration 0007 makes the log's triggers again, to write tokens)."""
    return now[0] == then[0] and [m[:2] for m in now[1]] == [m[:2] for m in then[1]]


def _table_sql(home: Path) -> str:
    with sqlite3.connect(paths.database_path(home)) as raw:
        (sql,) = raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'garment_changes'"
        ).fetchone()
    raw.close()
    return str(sql)


def _wardrobe_of_0005(home: Path) -> list[int]:
    """A wardrobe as release 0005 left it, its log's seq with gaps (garments changed
    again): the ids of its garments."""
    from fakes import made_by_release

    store = Store(home)
    try:
        _, ids = _photo(store, n_garments=4)
        for n, garment_id in enumerate((ids[1], ids[0], ids[1])):
            with store.Session.begin() as s:
                s.get(Garment, garment_id).name = f"change {n}"  # type: ignore[union-attr]
    finally:
        store.close()
    made_by_release(paths.database_path(home), "0005_garment_changes")
    return ids


def test_a_wardrobe_of_0005_is_migrated_its_log_kept_and_its_seq_never_given_twice(
    tmp_path: Path,
) -> None:
    """A log a tool emptied gave its seq again from 1: a listing caught up from it missed
    the changes made before (tests/unit/test_live_listing.py)."""
    home = tmp_path / "old"
    ids = _wardrobe_of_0005(home)
    rows, made = _log_of(home)
    assert [g for _seq, g in rows] == [ids[2], ids[3], ids[0], ids[1]] and rows[-1][0] > 4
    assert "AUTOINCREMENT" not in _table_sql(home).upper()

    store = Store(home)
    try:
        # Every row, the index and the 7 triggers (made again by 0007, to write tokens).
        assert _kept(_log_of(home), (rows, made))
        assert "PRIMARY KEY (seq AUTOINCREMENT)" in _table_sql(home)
        report = store.verify()
        assert report.integrity == "ok" and not report.foreign_key_violations
        with sqlite3.connect(paths.database_path(home)) as tool:
            tool.execute("DELETE FROM garment_changes")
        tool.close()
        with store.Session.begin() as s:
            s.get(Garment, ids[2]).name = "after the emptying"  # type: ignore[union-attr]
        after, _ = _log_of(home)
        assert after == [(rows[-1][0] + 1, ids[2])]  # above every seq given before
    finally:
        store.close()
    with sqlite3.connect(paths.database_path(home)) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)
    raw.close()


def test_a_migration_of_the_log_cut_short_leaves_the_wardrobe_as_it_was(tmp_path: Path) -> None:
    """Stopped after the old table was renamed and the new one made (as a kill would
    stop it): nothing of it is left, and the next open migrates it whole."""
    from sqlalchemy import Engine, event

    home = tmp_path / "old"
    _wardrobe_of_0005(home)
    rows, made = _log_of(home)
    table = _table_sql(home)

    def cut_short(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("INSERT INTO garment_changes (seq, garment_id)"):
            raise KeyboardInterrupt  # in the copy of the rows

    event.listen(Engine, "before_cursor_execute", cut_short)
    try:
        with pytest.raises(KeyboardInterrupt):
            Store(home)
    finally:
        event.remove(Engine, "before_cursor_execute", cut_short)
    assert _log_of(home) == (rows, made) and _table_sql(home) == table
    with sqlite3.connect(paths.database_path(home)) as raw:
        version = raw.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {name for (name,) in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()
    assert version == ("0005_garment_changes",)
    assert not {t for t in tables if t.startswith("garment_changes_before")}
    store = Store(home)
    try:
        assert _kept(_log_of(home), (rows, made))
        assert "AUTOINCREMENT" in _table_sql(home)
    finally:
        store.close()


def _tokens_of(home: Path) -> list[tuple[int, int, bytes | None, bytes | None]]:
    """The log's rows with their tokens (migration 0007): seq, garment, token, prev."""
    with sqlite3.connect(paths.database_path(home)) as raw:
        rows = raw.execute(
            "SELECT seq, garment_id, token, prev FROM garment_changes ORDER BY seq"
        ).fetchall()
    raw.close()
    return rows


@pytest.mark.parametrize("release", ["0005_garment_changes", "0006_change_log_autoincrement"])
def test_a_wardrobe_before_the_log_s_tokens_is_migrated_its_rows_given_tokens(
    tmp_path: Path, release: str
) -> None:
    """Without tokens, an older copy copied over the file, then written as far, read as
    the log a listing was made from (tests/unit/test_live_listing.py)."""
    from fakes import made_by_release

    home = tmp_path / "old"
    ids = _wardrobe_of_0005(home)
    store = Store(home)  # to head, then back to the release
    store.close()
    made_by_release(paths.database_path(home), release)
    rows, made = _log_of(home)
    with sqlite3.connect(paths.database_path(home)) as raw:
        columns = {c[1] for c in raw.execute("PRAGMA table_info(garment_changes)")}
    raw.close()
    assert columns == {"seq", "garment_id"}

    store = Store(home)
    try:
        assert _kept(_log_of(home), (rows, made))
        tokens = _tokens_of(home)
        assert [(seq, g) for seq, g, _t, _p in tokens] == rows
        assert all(t is not None and len(t) == 8 for _s, _g, t, _p in tokens)
        assert len({t for _s, _g, t, _p in tokens}) == len(tokens)  # random: all differ
        before = {g: t for _s, g, t, _p in tokens}
        with store.Session.begin() as s:
            s.get(Garment, ids[2]).name = "after the migration"  # type: ignore[union-attr]
        seq, garment, token, prev = _tokens_of(home)[-1]
        assert (garment, prev) == (ids[2], before[ids[2]]) and seq > rows[-1][0]
        assert token is not None and token not in before.values()
        assert store.verify().integrity == "ok"
    finally:
        store.close()


def test_the_log_s_tokens_undone_leave_the_log_of_0006(tmp_path: Path) -> None:
    """Downgraded (a release before opening it): the columns gone, its triggers write
    the log as 0006's did; the next open gives tokens again."""
    from fakes import made_by_release

    home = tmp_path / "old"
    ids = _wardrobe_of_0005(home)
    Store(home).close()
    rows, _made = _log_of(home)
    made_by_release(paths.database_path(home), "0006_change_log_autoincrement")
    with sqlite3.connect(paths.database_path(home)) as raw:
        columns = {c[1] for c in raw.execute("PRAGMA table_info(garment_changes)")}
        raw.execute("UPDATE garments SET name = 'at 0006' WHERE id = ?", (ids[0],))
        logged = raw.execute("SELECT seq, garment_id FROM garment_changes").fetchall()
    raw.close()
    assert columns == {"seq", "garment_id"}
    assert max(logged) == (rows[-1][0] + 1, ids[0]) and len(logged) == len(rows)
    Store(home).close()
    tokens = _tokens_of(home)
    assert [(seq, g) for seq, g, _t, _p in tokens] == sorted(logged)
    assert all(t is not None for _s, _g, t, _p in tokens)
