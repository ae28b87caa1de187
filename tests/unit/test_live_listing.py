"""After a change, the grid's listing reads again only the garments that changed (it read
all of them: 0.9 s at 40,000 garments after one favourite toggled), whoever changed them,
and lists exactly what a listing made from scratch lists; where the log of changes cannot
be trusted, it reads all of them again."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from fakes import garments_read, load_migration
from sqlalchemy import func, select, text

from wardrobe_app import paths
from wardrobe_app.service import Wardrobe
from wardrobe_app.services import live_listing
from wardrobe_app.services.browse import Browse
from wardrobe_app.services.live_listing import LOG_TRIGGERS
from wardrobe_app.store import Garment, GarmentChange, Store
from wardrobe_app.types import GarmentFilter, GarmentRecord

MakeWardrobe = Callable[..., Wardrobe]
Photos = Callable[..., list[Path]]


def _from_scratch(w: Wardrobe) -> list[GarmentRecord]:
    """What a listing with nothing cached lists."""
    fresh = Browse(w.store)
    try:
        return fresh.list_garments(GarmentFilter(descending=False))
    finally:
        fresh.close()


def _listed_after(w: Wardrobe, read: list[int]) -> set[int]:
    """The garments the next listing read again; and that it lists what one made from
    scratch lists, in the same order, newest first and oldest first."""
    read.clear()
    listed = w.list_garments(GarmentFilter(descending=False))
    again = set(read)
    assert listed == _from_scratch(w)
    assert w.list_garments() == listed[::-1]
    return again


def _imported_and_listed(
    w: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch, n: int = 3
) -> tuple[list[int], list[int]]:
    """``n`` photos imported and their garments listed: the garments' ids, oldest first,
    and the ids of those read from here on (``_rows_read``), where the listing's next
    change is counted from."""
    w.import_paths(photos(n))
    ids = [r.id for r in w.list_garments(GarmentFilter(descending=False))]
    read = garments_read(monkeypatch)
    assert _listed_after(w, read) == set()  # nothing changed: nothing read
    return ids, read


def _raw(w: Wardrobe, *statements: str) -> None:
    """Statements run on a connection of their own (another program: the CLI, a tool)."""
    conn = sqlite3.connect(paths.database_path(w.home))
    try:
        with conn:
            for statement in statements:
                conn.execute(statement)
    finally:
        conn.close()


@pytest.mark.parametrize("one_by_one", [live_listing.INSERTED_ONE_BY_ONE, 0])
def test_each_change_made_here_reads_again_only_the_garments_it_changed(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch, one_by_one: int
) -> None:
    # Put in place one by one, and by sorting the whole list again (many changed).
    monkeypatch.setattr(live_listing, "INSERTED_ONE_BY_ONE", one_by_one)
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch, 6)
    assert len(ids) >= 8

    wardrobe.update_garment(ids[3], name="Linen shirt")
    assert _listed_after(wardrobe, read) == {ids[3]}
    wardrobe.update_garment(ids[0], favourite=True)
    assert _listed_after(wardrobe, read) == {ids[0]}
    wardrobe.update_garment(ids[1], category="one-piece", tags=["party"])
    assert _listed_after(wardrobe, read) == {ids[1]}
    wardrobe.delete_garments([ids[2], ids[5]])
    assert _listed_after(wardrobe, read) == set()  # gone: nothing to read
    wardrobe.undo_delete([ids[2], ids[5]])
    assert _listed_after(wardrobe, read) == {ids[2], ids[5]}  # back in their places

    _picture, mask = wardrobe.garment_picture(ids[4])
    rows = np.flatnonzero(mask.any(axis=1))
    mask[: rows[len(rows) // 2]] = False  # a touch-up: new cut-out, colours, vector
    wardrobe.set_garment_mask(ids[4], mask)
    assert _listed_after(wardrobe, read) == {ids[4]}

    new = wardrobe.import_paths(photos(1, start=6))
    added = {g.id for r in new.imported for g in r.garments}
    assert added and _listed_after(wardrobe, read) == added

    with wardrobe.store.write_session() as s:  # one made older: it moves to the front
        first, moved = s.get(Garment, ids[0]), s.get(Garment, ids[6])
        assert first is not None and moved is not None
        moved.created_at = first.created_at - timedelta(days=1)
    assert _listed_after(wardrobe, read) == {ids[6]}
    assert wardrobe.list_garments(GarmentFilter(descending=False))[0].id == ids[6]

    with wardrobe.store.write_session() as s:  # one purged
        purged = s.get(Garment, ids[7])
        assert purged is not None
        s.delete(purged)
    assert _listed_after(wardrobe, read) == set()
    assert ids[7] not in {r.id for r in wardrobe.list_garments()}


def test_changes_made_elsewhere_are_caught_up_reading_only_those(
    make_wardrobe: MakeWardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI beside the app: its own Store on the same file, no call here says so.
    app, cli = make_wardrobe(), make_wardrobe()
    ids, read = _imported_and_listed(app, photos, monkeypatch, 4)

    cli.update_garment(ids[1], name="Wool coat", notes="from the CLI")
    assert _listed_after(app, read) == {ids[1]}
    cli.delete_garments([ids[0]])
    assert _listed_after(app, read) == set()
    cli.undo_delete([ids[0]])
    assert _listed_after(app, read) == {ids[0]}
    added = {g.id for r in cli.import_paths(photos(2, start=4)).imported for g in r.garments}
    assert added and _listed_after(app, read) == added

    other = Store(app.home)  # a Store of its own, its rows edited as the ORM does
    try:
        with other.write_session() as s:
            row = s.get(Garment, ids[2])
            assert row is not None
            row.favourite, row.fine_type = True, "blazer"
    finally:
        other.close()
    assert _listed_after(app, read) == {ids[2]}

    # Plain SQL, as a tool would write it: the triggers keep the log all the same.
    with app.store.session() as s:
        photo = s.scalar(select(Garment.photo_id).where(Garment.id == ids[4]))
        moved = set(s.scalars(select(Garment.id).where(Garment.photo_id == photo)))
        renumbered = 1 + max(s.scalars(select(Garment.id)))  # and one given another id
    old_id = next(i for i in reversed(ids) if i not in moved | {ids[1], ids[3], ids[5]})
    _raw(
        app,
        f"UPDATE garments SET name = 'Renamed' WHERE id = {ids[3]}",
        f"UPDATE garments SET deleted_at = updated_at WHERE id = {ids[1]}",
        f"UPDATE photos SET file_path = file_path || '.moved' WHERE id = {photo}",
        f"UPDATE garments SET id = {renumbered} WHERE id = {old_id}",
    )
    assert _listed_after(app, read) == {ids[3], renumbered} | moved  # the photo's: all

    # A photo's row removed without its garments (a tool without foreign keys): they
    # are listed no more, as a listing from scratch, which joins them to their photos.
    _raw(app, f"DELETE FROM photos WHERE id = (SELECT photo_id FROM garments WHERE id = {ids[5]})")
    assert _listed_after(app, read) == set()
    assert ids[5] not in {r.id for r in app.list_garments()}


def test_dates_a_tool_wrote_otherwise_are_listed_in_the_same_order_both_ways(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite orders the dates as text: '2021-01-01T09:00:00' (a tool's) after
    # '2021-01-01 10:00:00.000000' (this app's), an hour later. A garment put in its
    # place by date when read again went elsewhere than in a listing from scratch.
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch, 2)
    _raw(
        wardrobe,
        f"UPDATE garments SET created_at = '2021-01-01 10:00:00.000000' WHERE id = {ids[0]}",
        f"UPDATE garments SET created_at = '2021-01-01 10:00:00' WHERE id = {ids[1]}",
    )
    _listed_after(wardrobe, read)
    _raw(wardrobe, f"UPDATE garments SET created_at = '2021-01-01T09:00:00' WHERE id = {ids[2]}")
    assert _listed_after(wardrobe, read) == {ids[2]}
    oldest = wardrobe.list_garments(GarmentFilter(descending=False))
    assert [r.id for r in oldest[:3]] == [ids[2], ids[0], ids[1]]  # the same instant: by id


def test_a_log_that_cannot_be_trusted_lists_everything_again(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)

    # A trigger gone (a tool, a migration rebuilding the table): its changes unlogged.
    _raw(wardrobe, "DROP TRIGGER garment_changes_update")
    assert _listed_after(wardrobe, read) == set(ids)
    _raw(wardrobe, f"UPDATE garments SET name = 'Unlogged' WHERE id = {ids[0]}")
    assert _listed_after(wardrobe, read) == set(ids)
    assert wardrobe.list_garments(GarmentFilter(text="unlogged"))[0].id == ids[0]


def _snapshot(database: Path) -> sqlite3.Connection:
    """An in-memory copy of the wardrobe's database, for ``_restore`` later."""
    copy = sqlite3.connect(":memory:")
    with contextlib.closing(sqlite3.connect(database)) as live:
        live.backup(copy)
    return copy


def _restore(copy: sqlite3.Connection, database: Path) -> None:
    """``copy`` written back into the file in use (SQLite's backup), then closed."""
    with contextlib.closing(sqlite3.connect(database)) as live:
        copy.backup(live)
    copy.close()


def test_the_database_restored_from_an_older_copy_lists_everything_again(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy taken, three edits, listed; the copy restored (SQLite's backup, into the
    # file in use), then three other edits: the log's largest seq is where it was at the
    # listing, yet the garments are not.
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    database = paths.database_path(wardrobe.home)
    copy = _snapshot(database)
    for garment_id in ids[:3]:
        wardrobe.update_garment(garment_id, name="before the restore")
    _listed_after(wardrobe, read)

    _restore(copy, database)
    _raw(wardrobe, *(f"UPDATE garments SET notes = 'after' WHERE id = {i}" for i in ids[3:6]))
    assert _listed_after(wardrobe, read) == set(ids)
    assert not wardrobe.list_garments(GarmentFilter(text="restore"))


def _checkpointed(database: Path) -> None:
    """Every page of ``database`` in its file, its write-ahead log empty: a plain copy of
    the file is then the whole wardrobe."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()


def test_an_older_copy_copied_over_the_file_then_written_as_far_lists_everything_again(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A plain copy of the file taken, three edits, listed; the copy copied back over the
    # file in use (same file, same schema version), then three other edits: the log's
    # largest seq and row count are where they were at the listing, yet its rows are
    # others. Neither the window nor the listing saw the garments go back.
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    database = paths.database_path(wardrobe.home)
    _checkpointed(database)
    shutil.copyfile(database, tmp_path / "copy.db")
    for garment_id in ids[:3]:
        wardrobe.update_garment(garment_id, name="before the copy")
    _listed_after(wardrobe, read)
    seen = wardrobe.change_mark()

    _checkpointed(database)
    shutil.copyfile(tmp_path / "copy.db", database)
    _raw(wardrobe, *(f"UPDATE garments SET notes = 'after' WHERE id = {i}" for i in ids[3:6]))
    assert wardrobe.change_mark()[:3] == seen[:3]  # what the log's numbers say: the same
    assert wardrobe.change_mark() != seen
    assert _listed_after(wardrobe, read) == set(ids)
    assert not wardrobe.list_garments(GarmentFilter(text="before the copy"))


def test_the_log_and_its_sequence_emptied_then_written_as_far_lists_everything_again(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tool empties the log and sqlite_sequence (AUTOINCREMENT's memory), then renames
    # every garment, and one again until seq is back where it was: the same largest
    # seq and row count, and neither the window nor the listing saw a garment renamed.
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    seen = wardrobe.change_mark()
    seq = seen[1]
    assert isinstance(seq, int) and seq >= len(ids) == 6
    renames = [f"UPDATE garments SET name = 'Relogged {i}' WHERE id = {i}" for i in ids]
    again = [f"UPDATE garments SET notes = '{n}' WHERE id = {ids[0]}" for n in range(seq - 6)]
    emptied = ["DELETE FROM garment_changes", "DELETE FROM sqlite_sequence"]
    _raw(wardrobe, *emptied, *renames, *again)
    assert wardrobe.change_mark()[:3] == seen[:3]  # what the log's numbers say: the same
    assert wardrobe.change_mark() != seen
    assert _listed_after(wardrobe, read) == set(ids)
    assert len(wardrobe.list_garments(GarmentFilter(text="relogged"))) == len(ids)


def test_the_newest_garment_changed_again_reads_again_only_it(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its row in the log, the listing's newest, is replaced by one naming its token: the
    # same history, gone on; read in full, a name typed with autosave read every garment.
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    wardrobe.update_garment(ids[2], name="Once")
    assert _listed_after(wardrobe, read) == {ids[2]}
    wardrobe.update_garment(ids[2], name="Twice")
    assert _listed_after(wardrobe, read) == {ids[2]}


@pytest.mark.parametrize("edits", [2, 8])
def test_the_newest_garment_changed_again_and_again_reads_again_only_it(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch, edits: int
) -> None:
    # A garment edited, Back (its row the listing's newest), opened again and its name
    # then its tags edited, Back: the listing's row replaced twice, none named it, and
    # every garment was read again (2,000 at 2,000 garments: relist_twice.py).
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    wardrobe.update_garment(ids[2], name="Once")
    assert _listed_after(wardrobe, read) == {ids[2]}
    for n in range(edits):
        wardrobe.update_garment(ids[2], name=f"Again {n}", tags=[f"tag {n}"])
    assert _listed_after(wardrobe, read) == {ids[2]}
    wardrobe.update_garment(ids[2], notes="once more")
    wardrobe.update_garment(ids[1], notes="another")
    assert _listed_after(wardrobe, read) == {ids[1], ids[2]}


def test_the_newest_garment_changed_elsewhere_more_times_than_its_row_names_lists_all_again(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its row names the tokens of the 8 rows it replaced: the listing's, 9 back, not.
    # (Edits made here tell the listing: see the test below.)
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    wardrobe.update_garment(ids[2], name="Once")
    assert _listed_after(wardrobe, read) == {ids[2]}
    _raw(
        wardrobe, *(f"UPDATE garments SET name = 'Again {n}' WHERE id = {ids[2]}" for n in range(9))
    )
    assert _listed_after(wardrobe, read) == set(ids)


def test_the_newest_garment_saved_here_more_times_than_its_row_names_reads_again_only_it(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The garment page saves at each pause in typing: a name in 4 words, tags in 3, a
    # favourite and notes in 3 wrote 11 rows of the listing's newest garment between
    # two listings, and Back read every garment again. Each save tells the listing.
    wardrobe.import_paths(photos(3))
    ids = [r.id for r in wardrobe.list_garments(GarmentFilter(descending=False))]
    read = garments_read(monkeypatch)
    wardrobe.update_garment(ids[2], name="Once")
    assert _listed_after(wardrobe, read) == {ids[2]}
    for n in range(11):
        wardrobe.update_garment(ids[2], name=f"Again {n}")
    assert _listed_after(wardrobe, read) == {ids[2]}
    # And another program's edit between two saves here: the listing's mark is not the
    # one the next save read first, and the log says which garments it changed.
    wardrobe.update_garment(ids[2], notes="here")
    _raw(wardrobe, f"UPDATE garments SET notes = 'elsewhere' WHERE id = {ids[0]}")
    wardrobe.update_garment(ids[2], notes="here again")
    assert _listed_after(wardrobe, read) == {ids[0], ids[2]}
    # A delete made here: the garment goes from the listing.
    wardrobe.list_garments()
    wardrobe.update_garment(ids[1], name="Deleted next")
    wardrobe.delete_garments([ids[1]])
    assert ids[1] not in {r.id for r in wardrobe.list_garments()}


def test_an_older_copy_copied_over_the_file_then_the_newest_garment_edited_lists_all_again(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The copy taken before the listing's newest row was written: the rows written over
    # it for that garment name the copy's tokens, never the listing's.
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    database = paths.database_path(wardrobe.home)
    _checkpointed(database)
    shutil.copyfile(database, tmp_path / "copy.db")
    wardrobe.update_garment(ids[0], name="before the copy")
    wardrobe.update_garment(ids[2], name="before the copy")
    _listed_after(wardrobe, read)

    _checkpointed(database)
    shutil.copyfile(tmp_path / "copy.db", database)
    _raw(wardrobe, *(f"UPDATE garments SET notes = '{n}' WHERE id = {ids[2]}" for n in range(3)))
    assert _listed_after(wardrobe, read) == set(ids)
    assert not wardrobe.list_garments(GarmentFilter(text="before the copy"))


def test_the_log_gone_back_lists_everything_again(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its largest seq lower than at the listing: not the history the listing saw.
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    _raw(
        wardrobe,
        "DELETE FROM garment_changes",
        f"UPDATE garments SET name = 'Relogged' WHERE id = {ids[2]}",
    )
    assert _listed_after(wardrobe, read) == set(ids)


def test_the_log_emptied_and_its_seq_brought_back_lists_everything_again(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tool empties the log, then makes as many changes as bring its largest seq back
    # where it was at the listing (three garments, twice each): the mark was the same,
    # and neither the window nor the listing saw the garments renamed.
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    with wardrobe.store.session() as s:
        assert s.scalar(select(func.max(GarmentChange.seq))) == len(ids)  # one per garment
    seen = wardrobe.change_mark()
    renames = [
        f"UPDATE garments SET name = 'Relogged {n}' WHERE id = {i}" for n in (1, 2) for i in ids[:3]
    ]
    _raw(wardrobe, "DELETE FROM garment_changes", *renames)
    assert wardrobe.change_mark() != seen
    assert _listed_after(wardrobe, read) == set(ids)  # and it lists the new names
    assert len(wardrobe.list_garments(GarmentFilter(text="relogged"))) == 3


def test_the_log_emptied_then_written_for_every_garment_lists_them_all_again(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tool empties the log, then renames every garment: its seq began again at 1, and
    # the log read as one never emptied, to its largest seq and row count: neither the
    # window nor the listing saw a garment renamed.
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    seen = wardrobe.change_mark()
    renames = [f"UPDATE garments SET name = 'Relogged {i}' WHERE id = {i}" for i in ids]
    _raw(wardrobe, "DELETE FROM garment_changes", *renames)
    assert wardrobe.change_mark() != seen
    assert _listed_after(wardrobe, read) == set(ids)
    assert len(wardrobe.list_garments(GarmentFilter(text="relogged"))) == len(ids)


def test_a_change_before_the_log_was_emptied_is_listed(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One garment renamed; a tool empties the log and renames the others; a photo
    # imported: the log has more rows than at the listing, every one above its seq, yet
    # the first rename is logged no more. Reading only the garments logged since, the
    # listing kept its old name.
    ids, read = _imported_and_listed(wardrobe, photos, monkeypatch)
    wardrobe.update_garment(ids[0], name="Before the emptying")
    renames = [f"UPDATE garments SET notes = 'after' WHERE id = {i}" for i in ids[1:]]
    _raw(wardrobe, "DELETE FROM garment_changes", *renames)
    added = {g.id for r in wardrobe.import_paths(photos(1, start=3)).imported for g in r.garments}
    assert added
    assert _listed_after(wardrobe, read) == set(ids) | added
    assert [r.id for r in wardrobe.list_garments(GarmentFilter(text="emptying"))] == [ids[0]]


def test_the_log_keeps_one_row_per_garment_and_its_seq_only_grows(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    # Its newest row dropped and a new one added, SQLite would give the same seq again,
    # and a listing made at that seq would miss the change.
    wardrobe.import_paths(photos(2))
    ids = [r.id for r in wardrobe.list_garments()]

    def log() -> list[tuple[int, int]]:
        with wardrobe.store.session() as s:
            rows = s.execute(select(GarmentChange.seq, GarmentChange.garment_id))
            return [(seq, garment) for seq, garment in rows]

    last = max(log())
    for n in range(3):  # the newest garment changed again and again
        wardrobe.update_garment(last[1], notes=f"edit {n}")
        newest = max(log())
        assert newest[0] > last[0] and newest[1] == last[1]
        last = newest
    assert sorted(g for _seq, g in log()) == sorted(ids)


def test_the_listing_trusts_the_triggers_the_migration_makes() -> None:
    migration = load_migration("0005_garment_changes")
    assert {name for name, _when, _statements in migration.TRIGGERS} == LOG_TRIGGERS
    tokens = load_migration("0007_change_log_tokens")  # makes them again
    assert {name for name, _when, _statements in tokens._triggers(True)} == LOG_TRIGGERS


# Changes a tool (or another program) makes that keep the live garments' count, ids and
# latest ``updated_at``, and the counter of which garments the index holds: the window's
# change_mark() was made of those, and did not move.
KEPT_BY_THE_OLD_MARK = {
    "renamed, updated_at left": "UPDATE garments SET name = 'Renamed' WHERE id = {id}",
    "re-embedded": "UPDATE garments SET vector = zeroblob(length(vector)) WHERE id = {id}",
    "its photo moved": (
        "UPDATE photos SET file_path = file_path || '.moved' "
        "WHERE id = (SELECT photo_id FROM garments WHERE id = {id})"
    ),
}


@pytest.mark.parametrize("statement", KEPT_BY_THE_OLD_MARK.values(), ids=KEPT_BY_THE_OLD_MARK)
def test_the_change_mark_moves_with_every_change_the_log_holds(
    wardrobe: Wardrobe, photos: Photos, statement: str
) -> None:
    # The window lists the garments again, back from the CLI or a tool, when the mark
    # moved (and the "not compared" notice counts again: a garment re-embedded).
    wardrobe.import_paths(photos(2))
    garment = wardrobe.list_garments()[0].id
    seen = wardrobe.change_mark()
    _raw(wardrobe, statement.format(id=garment))
    assert wardrobe.change_mark() != seen


def test_the_change_mark_stays_with_a_commit_that_changes_no_garment(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    wardrobe.import_paths(photos(2))
    seen = wardrobe.change_mark()
    _raw(wardrobe, "UPDATE photos SET message = 'read again' WHERE id = 1")
    assert wardrobe.change_mark() == seen  # nothing listed changed: not listed again


def test_the_change_mark_moves_where_the_log_alone_cannot_tell(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    # The log's largest seq where it was at the last mark, yet the garments are not.
    wardrobe.import_paths(photos(3))
    ids = [r.id for r in wardrobe.list_garments(GarmentFilter(descending=False))]
    database = paths.database_path(wardrobe.home)

    # An older copy restored (SQLite's backup, into the file in use), then as many edits.
    copy = _snapshot(database)
    for garment_id in ids[:2]:
        wardrobe.update_garment(garment_id, name="before the restore")
    seen = wardrobe.change_mark()
    _restore(copy, database)
    _raw(wardrobe, *(f"UPDATE garments SET notes = 'after' WHERE id = {i}" for i in ids[2:4]))
    assert wardrobe.change_mark() != seen

    # A migration rebuilding the table: its rows rewritten while the triggers are gone,
    # then made again.
    with wardrobe.store.session() as s:
        trigger = s.scalar(
            text("SELECT sql FROM sqlite_master WHERE name = 'garment_changes_update'")
        )
    seen = wardrobe.change_mark()
    _raw(
        wardrobe,
        "DROP TRIGGER garment_changes_update",
        f"UPDATE garments SET name = 'Migrated' WHERE id = {ids[0]}",
        trigger,
    )
    assert wardrobe.change_mark() != seen

    # A trigger left out (a tool dropped it): every commit is taken for a change.
    _raw(wardrobe, "DROP TRIGGER garment_changes_update")
    seen = wardrobe.change_mark()
    _raw(wardrobe, f"UPDATE garments SET name = 'Unlogged' WHERE id = {ids[1]}")
    assert wardrobe.change_mark() != seen
