"""Edits of garments: names, categories, tags...; delete, and undo of a delete."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Sequence, Set
from typing import cast

from sqlalchemy import select, update

from ..store import Garment, Store, vector_from_blob
from ..store.files import encode_png, stored_plane
from ..store.models import utcnow
from ..types import CATEGORIES, Category, GarmentRecord
from ..vision.label_map import recategorised
from .browse import Browse
from .live_listing import Mark
from .map_edits import MapChange, MapEdits
from .relabel import Asked, Drawn, Turns, Written, basis_of
from .stored_files import discard_files, masks_of, sizes_differ
from .vectors import Vectors

log = logging.getLogger(__name__)

# Drawings of a change of category's map, each overtaken by another change of its photo
# (a touch-up) before it was committed, before the last: drawn in its commit's transaction
DRAWINGS = 3


@dataclasses.dataclass(frozen=True)
class _Fields:
    """The fields an edit writes (None: not this one)."""

    name: str | None
    fine_type: str | None
    tags: list[str] | None
    notes: str | None
    favourite: bool | None
    # The type is written only where the stored one is still this ("" for none)
    fine_type_was: str | None = None

    def to_write(
        self, row: Garment, asked: Asked | None, written: Set[str] = frozenset()
    ) -> _Fields:
        """Those to write over ``row``: not one written since the edit was asked (after
        it), which ``written`` names (written here) or which differs from ``asked``, the
        row as it was then."""
        fine_type = self.fine_type
        if self.fine_type_was is not None and (row.fine_type or "") != self.fine_type_was:
            fine_type = None  # changed since it was asked: kept
        if asked is None:
            return dataclasses.replace(self, fine_type=fine_type)

        def unchanged(field: str, now: object, then: object) -> bool:
            return field not in written and now == then

        return _Fields(
            self.name if unchanged("name", row.name, asked.name) else None,
            fine_type if unchanged("fine_type", row.fine_type, asked.fine_type) else None,
            self.tags if unchanged("tags", tuple(row.tags or ()), asked.tags) else None,
            self.notes if unchanged("notes", row.notes, asked.notes) else None,
            self.favourite
            if unchanged("favourite", bool(row.favourite), asked.favourite)
            else None,
        )


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
        self._turns = Turns()
        self._written = Written()  # fields written while a change of category is drawn

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
        fields = _Fields(name, fine_type, tags, notes, favourite, fine_type_was)
        if category is None:
            with self._lock:
                self._save(int(garment_id), fields)
            return self._browse.garment(garment_id)
        with self._turns.of(int(garment_id)):
            self._recategorise(int(garment_id), cast(Category, category), fields)
        return self._browse.garment(garment_id)

    def _recategorise(self, garment_id: int, category: Category, fields: _Fields) -> None:
        """The photo's label map drawn again without the lock (``relabel``), committed
        under it where the rows it was drawn from are the same; else drawn again, the
        last time in the transaction that commits it (nothing can overtake it there)."""
        saved: MapChange | bool | None = None
        # Watched from before the row is read: a field written from then on is kept.
        with self._written.watch(garment_id) as written:
            asked = self._asked(garment_id)
            for attempt in range(DRAWINGS):
                created: list[str] = []  # a label map written here, removed if not committed
                last = attempt == DRAWINGS - 1
                try:
                    drawn = self._relabel(garment_id, category, created)
                    with self._lock:
                        saved = self._save(
                            garment_id, fields, category, asked, drawn, created, last, written
                        )
                except BaseException:
                    self._discard_created(created)
                    raise
                if saved is not None:
                    break
                log.info("garment %s: its photo changed as its map was drawn: again", garment_id)
                self._discard_created(created)
        if isinstance(saved, MapChange):  # after the commit: an undo of it finds it
            self._map_edits.remember(saved)
        # Not used: a map drawn for a category changed meanwhile (kept), or the one
        # drawn before the last drawing, in the transaction
        used = saved.labels_rel if isinstance(saved, MapChange) else None
        self._discard_created([rel for rel in created if rel != used])

    def _asked(self, garment_id: int) -> Asked:
        with self.store.session() as s:
            row = s.get(Garment, garment_id)
            if row is None or row.deleted_at is not None:
                raise KeyError(f"no garment {garment_id}")
            return Asked.of(row)

    def _discard_created(self, created: list[str]) -> None:
        # Under the lock: a save that found the same file stored, and looks for it
        # under the lock before committing it, is not left naming a removed file.
        if not created:
            return
        with self._lock:
            if not self.store.files.closed:  # else the next start's sweep takes them
                discard_files(self.store, created)

    def _save(
        self,
        garment_id: int,
        fields: _Fields,
        category: Category | None = None,
        asked: Asked | None = None,
        drawn: Drawn | None = None,
        created: list[str] | None = None,
        last: bool = True,
        written: Set[str] = frozenset(),
    ) -> MapChange | bool | None:
        """Write the fields, and the category with the map ``drawn`` for it, in one
        transaction (under the lock). Returns the map's change to remember, True where
        no map changed, None where ``drawn`` was drawn from rows changed since (nothing
        written; the ``last`` time, drawn again here instead). A field written after the
        change was asked is kept: one ``written`` names (written here, a name typed:
        ``Written``), or one (the category too) that differs from ``asked`` (another
        program's edit)."""
        created = [] if created is None else created
        replaced: list[str] = []
        relabelled: MapChange | None = None
        files = self.store.files
        with self.store.write_session() as s:
            before = self._vectors.mark(s)
            row = s.get(Garment, garment_id)
            if row is None or row.deleted_at is not None:
                raise KeyError(f"no garment {garment_id}")
            if category is not None and asked is not None and row.category != asked.category:
                log.info(
                    "garment %s: made a %s meanwhile; kept, not made a %s",
                    garment_id,
                    row.category,
                    category,
                )
            elif category is not None and category != row.category:
                if drawn is None or basis_of(row) != drawn.basis:
                    if not last:
                        return None  # drawn from another map or mask: drawn again
                    # In this transaction, which holds the database's write lock: no
                    # write of this program or another can overtake this drawing
                    drawn = self._relabel(garment_id, category, created)
                if drawn.new is not None and drawn.labels is not None:
                    rel = drawn.rel
                    if not files.abspath(rel).is_file():  # a save replacing it removed it
                        rel, is_new = files.put_bytes(drawn.png, ".png")
                        if is_new:
                            created.append(rel)
                    if rel != row.photo.labels_path:
                        if row.photo.labels_path:
                            replaced.append(row.photo.labels_path)
                        row.photo.labels_path = rel
                    relabelled = MapChange(
                        row.id, row.category, category, rel, drawn.labels, drawn.new
                    )
                row.category = category
            changed = self._edit_details(row, fields.to_write(row, asked, written))
            s.flush()  # the triggers' log row, in ``after``
            after = self._vectors.mark(s)
        self._written.wrote(garment_id, changed)  # committed, under the lock
        # No vector changed: an index caught up before the edit holds what follows it, and
        # the next query need not read this garment's vector again (the log moved on).
        self._vectors.told_index(before, after)
        if isinstance(before[-1], Mark) and isinstance(after[-1], Mark):  # the log's marks
            self._browse.told(before[-1], after[-1], [garment_id])
        discard_files(self.store, replaced)  # unless another photo's map is the same
        return relabelled if relabelled is not None else True

    def _relabel(self, garment_id: int, category: Category, created: list[str]) -> Drawn:
        """The photo's label map with the garment in its new category: the map kept the
        model's class, and the photo's other garments' pages (and a lost mask redrawn
        from the map) showed it in the old one. A new file by its content, which changing
        the category back finds again; the old one goes once the row no longer uses it.
        A mask or map that cannot be read, or of another size, leaves the map as it is.
        The category changed back (an undo), the map not changed since, it is the map it
        had (``MapEdits``). Read, drawn and stored without the wardrobe's lock; the file
        written is noted in ``created``."""
        with self.store.session() as s:
            row = s.get(Garment, garment_id)
            if row is None or row.deleted_at is not None:
                raise KeyError(f"no garment {garment_id}")
            basis = basis_of(row)
        drawn = Drawn(basis)
        labels_rel = basis.labels_path
        if not labels_rel or basis.category == category:
            return drawn
        files = self.store.files
        labels = stored_plane(files, labels_rel)
        damaged = files.is_damaged(basis.mask_path)  # another program's bytes: not its pixels
        mask = None if damaged else stored_plane(files, basis.mask_path)
        if labels is None or mask is None:
            log.warning("garment %s: its mask or label map cannot be read; kept", garment_id)
            return drawn
        if mask.shape != labels.shape:
            kept = "the map kept as it is (its new category not drawn in it)"
            log.warning("%s", sizes_differ(garment_id, mask.shape, labels.shape, kept))
            return drawn
        # theirs stay, also in its class
        found = masks_of(files, basis.others, labels.shape, garment_id)
        others, classes = [m for m, _ in found], [c for _, c in found]
        # One whose mask cannot be read: its pixels would be taken for this one's specks
        every = len(others) == len(basis.others)
        was = cast(Category, basis.category)
        new = self._map_edits.undone(garment_id, was, category, labels_rel, labels)
        if new is None:
            new = recategorised(
                labels, mask > 0, others, was, category, specks=every, other_classes=classes
            )
        if new is None:
            return drawn
        png = encode_png(new)
        rel, is_new = files.put_bytes(png, ".png")
        if is_new:
            created.append(rel)
        return Drawn(basis, labels, new, png, rel)

    @staticmethod
    def _edit_details(row: Garment, fields: _Fields) -> list[str]:
        """Write ``fields`` over ``row``; returns those whose value changed (one saved
        again as it was, the page saving every field with the one edited, is no write
        of it that a change of category must keep)."""
        before = _details(row)
        if fields.name is not None:
            row.name = fields.name.strip()
        if fields.fine_type is not None:
            row.fine_type = fields.fine_type.strip() or None
        if fields.tags is not None:
            row.tags = normalise_tags(fields.tags)
        if fields.notes is not None:
            row.notes = fields.notes
        if fields.favourite is not None:
            row.favourite = bool(fields.favourite)
        row.updated_at = utcnow()
        return [field for field, value in _details(row).items() if before[field] != value]

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


def _details(row: Garment) -> dict[str, object]:
    """The fields of ``row`` an edit writes (``_Fields``), by name."""
    return {
        "name": row.name,
        "fine_type": row.fine_type,
        "tags": tuple(row.tags or ()),
        "notes": row.notes,
        "favourite": bool(row.favourite),
    }


def normalise_tags(tags: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        tag = str(tag).strip()
        if tag and tag.lower() not in {t.lower() for t in seen}:
            seen[tag] = None
    return list(seen)
