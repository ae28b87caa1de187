"""``GarmentRecord``s from garment rows: what browse, import and similar items return."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import Garment, Photo
from ..types import Category, Colour, GarmentRecord


def record_select() -> Any:
    """The columns a GarmentRecord is made of, and its photo's file: rows, not ORM
    objects, and no vector blob (listing 3000 garments: 50 ms against 75-150 ms)."""
    columns = [c for c in Garment.__table__.columns if c.name not in ("vector",)]
    return select(*columns, Photo.file_path).join(Photo, Photo.id == Garment.photo_id)


def garment_record(row: Any, photo_rel: str, abspath: Callable[[str], Path]) -> GarmentRecord:
    """A record of a Garment, or of a row of ``record_select()`` (the same names)."""
    category: Category = row.category
    return GarmentRecord(
        id=row.id,
        photo_id=row.photo_id,
        category=category,
        fine_type=row.fine_type,
        name=row.name,
        tags=list(row.tags or []),
        notes=row.notes,
        favourite=bool(row.favourite),
        colours=[
            Colour(str(c.get("name", "")), str(c.get("hex", "")), float(c.get("share", 0)))
            for c in (row.colours or [])
        ],
        box=(row.box_x0, row.box_y0, row.box_x1, row.box_y1),
        area=row.area,
        cutout_path=abspath(row.cutout_path),
        thumbnail_path=abspath(row.thumbnail_path),
        mask_path=abspath(row.mask_path),
        photo_path=abspath(photo_rel),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def garment_records(
    s: Session,
    abspath: Callable[[str], Path],
    ids: Sequence[int] | None = None,
    *,
    live: bool = True,
    stmt: Any = None,
) -> list[GarmentRecord]:
    """Records of the garments ``ids`` (all where None; live ones only unless ``live``
    is False), or of the rows of ``stmt``, a ``record_select()`` of the caller's."""
    with collector_held_off():
        if stmt is None:
            stmt = record_select()
            if live:
                stmt = stmt.where(Garment.deleted_at.is_(None))
            if ids is not None:
                stmt = stmt.where(Garment.id.in_(list(ids)))
        return [garment_record(row, row.file_path, abspath) for row in s.execute(stmt)]


@contextmanager
def collector_held_off() -> Iterator[None]:
    """The garbage collector held off while rows become records. They make no cycles,
    yet the objects they are made of set off its passes, full ones over every object
    held: half of listing 40,000 garments (0.9 of 1.8 s), with the interpreter held, so
    the window froze meanwhile. (Process-wide: another thread enables it again at worst,
    which only costs time.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
