"""Edits of garments: names, categories, tags...; delete, and undo of a delete."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import cast

import numpy as np
from sqlalchemy import select, update

from ..store import Garment, Store, vector_from_blob
from ..store.files import stored_plane
from ..store.label_maps import store_label_map
from ..store.models import utcnow
from ..types import CATEGORIES, Category, GarmentRecord
from ..vision.label_map import recategorised
from .browse import Browse
from .map_edits import MapEdits
from .stored_files import discard_files, other_garments
from .vectors import Vectors

log = logging.getLogger(__name__)


class Edits:
    """Changes a person makes to one wardrobe's garments; the index follows deletes."""

    def __init__(
        self,
        store: Store,
        lock: threading.RLock,
        vectors: Vectors,
        browse: Browse,
        map_edits: MapEdits,
    ) -> None:
        self.store = store
        self._lock = lock
        self._vectors = vectors
        self._browse = browse
        self._map_edits = map_edits

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
        fine_type_was: str | None = None,
    ) -> GarmentRecord:
        if category is not None and category not in CATEGORIES:
            raise ValueError(f"category must be one of {', '.join(CATEGORIES)}, not {category!r}")
        created: list[str] = []  # a label map written here, removed if the save fails
        replaced: list[str] = []
        relabelled: tuple[int, str, str, str, np.ndarray, np.ndarray] | None = None
        with self._lock:
            try:
                with self.store.write_session() as s:
                    row = s.get(Garment, int(garment_id))
                    if row is None or row.deleted_at is not None:
                        raise KeyError(f"no garment {garment_id}")
                    if name is not None:
                        row.name = name.strip()
                    if category is not None and category != row.category:
                        maps = self._relabel(row, cast(Category, category), created, replaced)
                        if maps is not None:
                            rel = str(row.photo.labels_path)
                            relabelled = (row.id, row.category, category, rel, *maps)
                        row.category = category
                    if fine_type_was is not None and (row.fine_type or "") != fine_type_was:
                        fine_type = None  # changed since it was asked: kept
                    self._edit_details(row, fine_type, tags, notes, favourite)
            except BaseException:
                discard_files(self.store, created)
                raise
            if relabelled is not None:
                self._map_edits.remember(*relabelled)
            discard_files(self.store, replaced)  # unless another photo's map is the same
        return self._browse.garment(garment_id)

    def _relabel(
        self, row: Garment, category: Category, created: list[str], replaced: list[str]
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The photo's label map with the garment in its new category: the map kept the
        model's class, and the photo's other garments' pages (and a lost mask redrawn
        from the map) showed it in the old one. A new file by its content, which changing
        the category back finds again; the old one goes once the row no longer uses it.
        A mask or map that cannot be read leaves the map as it is. The category changed
        back (an undo), the map not changed since, it is the map it had (``MapEdits``).
        The maps before and after; None where it is kept."""
        labels_rel = row.photo.labels_path
        if not labels_rel:
            return None
        files = self.store.files
        labels = stored_plane(files, labels_rel)
        damaged = files.is_damaged(row.mask_path)  # another program's bytes: not its pixels
        mask = None if damaged else stored_plane(files, row.mask_path)
        if labels is None or mask is None:
            log.warning("garment %s: its mask or label map cannot be read; kept", row.id)
            return None
        found = other_garments(files, row, labels.shape)  # theirs stay, also in its class
        others, classes = [m for m, _ in found], [c for _, c in found]
        # One whose mask cannot be read: its pixels would be taken for this one's specks
        every = len(others) == len(row.photo.garments) - 1
        new = self._map_edits.undone(row.id, row.category, category, labels_rel, labels)
        if new is None:
            old = cast(Category, row.category)
            new = recategorised(
                labels, mask > 0, others, old, category, specks=every, other_classes=classes
            )
        if new is None:
            return None
        store_label_map(files, row.photo, new, created, replaced)
        return labels, new

    @staticmethod
    def _edit_details(
        row: Garment,
        fine_type: str | None,
        tags: list[str] | None,
        notes: str | None,
        favourite: bool | None,
    ) -> None:
        if fine_type is not None:
            row.fine_type = fine_type.strip() or None
        if tags is not None:
            row.tags = normalise_tags(tags)
        if notes is not None:
            row.notes = notes
        if favourite is not None:
            row.favourite = bool(favourite)
        row.updated_at = utcnow()

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


def normalise_tags(tags: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        tag = str(tag).strip()
        if tag and tag.lower() not in {t.lower() for t in seen}:
            seen[tag] = None
    return list(seen)
