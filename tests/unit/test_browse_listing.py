"""The grid's listing in a large wardrobe: a change of filter filters the records of the
last listing, any change to the database, from anywhere, lists them again, and records
are made without the garbage collector's passes."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event, select

from wardrobe_app import paths
from wardrobe_app.service import Wardrobe
from wardrobe_app.services import browse
from wardrobe_app.services.records import garment_records
from wardrobe_app.store import Garment
from wardrobe_app.types import GarmentFilter

Photos = Callable[..., list[Path]]


def _made_records(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the listing made records from rows (appended to, one per call)."""
    calls: list[int] = []
    real = browse.garment_records

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(browse, "garment_records", counted)
    return calls


def test_a_change_of_filter_makes_no_records_again(
    wardrobe: Wardrobe, photos: Photos, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each word typed and each chip clicked made every garment's record again: 2-3 s a
    # change in a wardrobe of 40,000 garments.
    wardrobe.import_paths(photos(5))
    everything = wardrobe.list_garments()
    made = _made_records(monkeypatch)
    colour = everything[0].colours[0].name
    tops = wardrobe.list_garments(GarmentFilter(categories={"top"}))
    by_colour = wardrobe.list_garments(GarmentFilter(colours={colour}))
    by_word = wardrobe.list_garments(GarmentFilter(text=colour))
    oldest_first = wardrobe.list_garments(GarmentFilter(descending=False))
    assert made == []
    assert tops == [r for r in everything if r.category == "top"] and tops
    assert by_colour == [r for r in everything if colour in {c.name for c in r.colours}]
    assert by_word and by_colour == by_word
    assert oldest_first == everything[::-1]


@pytest.mark.parametrize("descending", [True, False])
def test_the_listing_keeps_the_database_order(
    wardrobe: Wardrobe, photos: Photos, descending: bool
) -> None:
    # Filtered and sorted in Python now: in the order the query gave, ties (garments of
    # one photo, made in the same instant) by id.
    wardrobe.import_paths(photos(4))
    with wardrobe.store.write_session() as s:  # every garment made in the same instant
        for row in s.scalars(select(Garment)):
            row.created_at = wardrobe.list_garments()[0].created_at
    for sort in ("date", "category"):
        listed = wardrobe.list_garments(GarmentFilter(sort=sort, descending=descending))
        order = Garment.created_at.desc() if descending else Garment.created_at.asc()
        tie = Garment.id.desc() if descending else Garment.id.asc()
        keys = (Garment.category, order, tie) if sort == "category" else (order, tie)
        with wardrobe.store.session() as s:
            ids = list(s.scalars(select(Garment.id).order_by(*keys)))
        assert [r.id for r in listed] == ids


def test_a_change_made_by_another_program_is_listed(wardrobe: Wardrobe, photos: Photos) -> None:
    # The CLI beside the app writes with its own connection: no call here says so.
    wardrobe.import_paths(photos(2))
    first = wardrobe.list_garments()
    conn = sqlite3.connect(paths.database_path(wardrobe.home))
    try:
        with conn:
            conn.execute("UPDATE garments SET name = 'Linen Blazer' WHERE id = ?", (first[0].id,))
            conn.execute("UPDATE garments SET deleted_at = updated_at WHERE id = ?", (first[1].id,))
    finally:
        conn.close()
    assert [r.id for r in wardrobe.list_garments(GarmentFilter(text="linen"))] == [first[0].id]
    assert first[1].id not in {r.id for r in wardrobe.list_garments()}
    wardrobe.update_garment(first[0].id, name="Wool Blazer")  # and one made here
    assert [r.name for r in wardrobe.list_garments(GarmentFilter(text="wool"))] == ["Wool Blazer"]


def test_rows_become_records_without_the_garbage_collector(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    # Its passes, set off by the objects records are made of, were half of listing
    # 40,000 garments (0.9 of 1.8 s), the interpreter held: the window froze meanwhile.
    wardrobe.import_paths(photos(10))
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    thresholds = gc.get_threshold()
    with wardrobe.store.session() as s:
        s.connection()  # the session's own set-up before the count
        gc.set_threshold(100)  # a pass every 100 objects (20 records make thousands)
        gc.collect()  # counted from 0
        gc.callbacks.append(seen)
        try:
            records = garment_records(s, wardrobe.store.files.abspath)
        finally:
            gc.callbacks.remove(seen)
            gc.set_threshold(*thresholds)
    assert len(records) == 20
    assert collections in ([], [0])  # at most the young pass due once it is back on
    assert gc.isenabled()  # held off while they were made only
    gc.disable()
    try:
        with wardrobe.store.session() as s:
            garment_records(s, wardrobe.store.files.abspath)
        assert not gc.isenabled()  # and left off where it was off
    finally:
        gc.enable()


def test_the_change_mark_scans_the_garments_only_after_a_change(
    wardrobe: Wardrobe, photos: Photos
) -> None:
    # The window asks for it at each activation, on the GUI thread: its scan of every
    # garment took 13-36 ms at 40,000. Unchanged database, no query; a change made by
    # another program (the CLI), or here, a new mark.
    wardrobe.import_paths(photos(2))
    statements: list[str] = []

    def counted(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    first = wardrobe.change_mark()
    event.listen(wardrobe.store.engine, "before_cursor_execute", counted)
    try:
        assert wardrobe.change_mark() == first
        assert wardrobe.change_mark() == first
        assert statements == []
        garment = wardrobe.list_garments()[0].id
        conn = sqlite3.connect(paths.database_path(wardrobe.home))
        try:
            with conn:
                conn.execute("UPDATE garments SET deleted_at = updated_at WHERE id = ?", (garment,))
        finally:
            conn.close()
        deleted = wardrobe.change_mark()
        assert deleted != first
        wardrobe.undo_delete([garment])  # and one made here
        assert wardrobe.change_mark() != deleted
    finally:
        event.remove(wardrobe.store.engine, "before_cursor_execute", counted)
