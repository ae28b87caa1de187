"""Edits of garments: names, categories, tags...; delete, and undo of a delete."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy import select, update

from ..store import Garment, Store, vector_from_blob
from ..store.models import utcnow
from ..types import CATEGORIES, GarmentRecord
from .browse import Browse
from .vectors import Vectors


class Edits:
    """Changes a person makes to one wardrobe's garments; the index follows deletes."""

    def __init__(
        self, store: Store, lock: threading.RLock, vectors: Vectors, browse: Browse
    ) -> None:
        self.store = store
        self._lock = lock
        self._vectors = vectors
        self._browse = browse

    def update_garment(
        self,
        garment_id: int,
        *,
        name: str | None = None,
        category: str | None = None,
        fine_type: str | None = None,
        tags: list[str] | None = None,
        notes: str | None = None,
        favourite: bool | None = None,
    ) -> GarmentRecord:
        if category is not None and category not in CATEGORIES:
            raise ValueError(f"category must be one of {', '.join(CATEGORIES)}, not {category!r}")
        with self._lock, self.store.write_session() as s:
            row = s.get(Garment, int(garment_id))
            if row is None or row.deleted_at is not None:
                raise KeyError(f"no garment {garment_id}")
            if name is not None:
                row.name = name.strip()
            if category is not None:
                row.category = category
            if fine_type is not None:
                row.fine_type = fine_type.strip() or None
            if tags is not None:
                row.tags = _normalise_tags(tags)
            if notes is not None:
                row.notes = notes
            if favourite is not None:
                row.favourite = bool(favourite)
            row.updated_at = utcnow()
        return self._browse.garment(garment_id)

    def delete_garments(self, ids: Sequence[int]) -> list[int]:
        """Soft delete (undo-able until the next start); returns the ids deleted."""
        wanted = [int(i) for i in ids]
        with self._lock:
            with self.store.write_session() as s:
                before = self._vectors.mark(s)
                # One UPDATE, not one per ORM object: 3000 garments took 0.8 s, in the
                # GUI thread (the undo stack runs it there).
                live = (Garment.id.in_(wanted), Garment.deleted_at.is_(None))
                deleted = sorted(s.scalars(select(Garment.id).where(*live)))
                if deleted:
                    s.execute(update(Garment).where(*live).values(deleted_at=utcnow()))
                after = self._vectors.mark(s)
            if self._vectors.index_remove(deleted):
                self._vectors.told_index(before, after)
        return deleted

    def undo_delete(self, ids: Sequence[int]) -> None:
        wanted = [int(i) for i in ids]
        with self._lock:
            with self.store.write_session() as s:
                before = self._vectors.mark(s)
                gone = (Garment.id.in_(wanted), Garment.deleted_at.is_not(None))
                rows = s.execute(
                    select(Garment.id, Garment.vector, Garment.vector_version).where(*gone)
                ).all()
                if rows:
                    s.execute(update(Garment).where(*gone).values(deleted_at=None))
                restored = [
                    (gid, vec)
                    for gid, blob, version in rows
                    if version == self._vectors.version
                    and (vec := vector_from_blob(blob)) is not None
                ]
                after = self._vectors.mark(s)
            if not self._vectors.index_open and rows:
                self._vectors.get_index()  # first vectors of an empty wardrobe: built from the DB
            elif restored and self._vectors.index_add(
                [i for i, _ in restored], [v for _, v in restored]
            ):
                self._vectors.told_index(before, after)


def _normalise_tags(tags: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        tag = str(tag).strip()
        if tag and tag.lower() not in {t.lower() for t in seen}:
            seen[tag] = None
    return list(seen)
