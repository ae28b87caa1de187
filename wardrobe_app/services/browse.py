"""Browse queries: counts, the filtered listing, one garment and what goes with it."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..store import Garment, Photo, Store
from ..store.files import stored_plane
from ..types import CATEGORIES, GarmentFilter, GarmentRecord
from ..vision.colours import PALETTE_NAMES
from .data_version import DataVersion
from .live_listing import Listing, Mark, caught_up, listing_mark, read_all
from .records import garment_records, record_select
from .search_words import matches, search_terms, searched_text


class Browse:
    """Read-only queries on one wardrobe's live garments."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Every live garment's record, oldest first, and the database's data version it
        # was read at: a change of filter (a word typed, a chip clicked) filters these
        # instead of making 40,000 records again (2-3 s a change); after a change, the
        # garments changed since are read again, not all (``live_listing``).
        # With it, the garments edited here since its records were read, whose edits
        # moved its mark (``told``): read again at the next listing.
        self._listing: tuple[int, Listing, frozenset[int]] | None = None
        # The last change_mark() and the data version it was read at: the window asks
        # for it at each activation, on the GUI thread; unchanged, it costs no query.
        self._mark: tuple[int, tuple[object, ...]] | None = None
        # SQLite's data_version: it changes with every commit, by this process or another.
        self._version = DataVersion(store)

    def close(self) -> None:
        self._version.close()
        self._listing = None
        self._mark = None

    def _live_records(self) -> list[GarmentRecord]:
        """Every live garment's record, oldest first (ties by id): cached until the
        database changes, then caught up with the garments changed since where the log
        of changes allows, else read again. The list is shared: callers make their own."""
        version = self._version.read()  # before the query: a commit in between relists
        cached = self._listing
        if cached is not None and cached[0] == version and not cached[2]:
            return cached[1].records
        with self.store.session() as s:
            # Its first read: the mark and the records come from one snapshot.
            mark = listing_mark(s)
            abspath = self.store.files.abspath
            listing = None if cached is None else caught_up(s, abspath, cached[1], mark, cached[2])
            if listing is None:
                listing = read_all(s, abspath, mark)
        self._listing = (version, listing, frozenset())
        return listing.records

    def told(self, before: Mark, after: Mark, ids: Iterable[int]) -> None:
        """An edit made here moved the log from ``before`` to ``after`` (both read in its
        write transaction, which no other program can interleave), changing garments
        ``ids``: a listing made at ``before`` takes ``after`` for its mark, and reads
        ``ids`` again at the next listing. Its mark stays at most one row behind the log
        where the garment page saves again and again (an autosave at each pause in
        typing: a name, tags, notes and a favourite wrote 11 rows), whose newest row
        names only the 8 before it (``log_continues``): every garment was read again.
        (Each state of ``_listing`` holds its records, its mark and the garments to read
        again together: a listing stored meanwhile replaces it whole.)"""
        cached = self._listing
        if cached is not None and cached[1].mark == before:
            self._listing = (cached[0], Listing(after, cached[1].records), cached[2] | set(ids))

    def count(self) -> int:
        with self.store.session() as s:
            return int(
                s.scalar(select(func.count(Garment.id)).where(Garment.deleted_at.is_(None))) or 0
            )

    def list_garments(self, flt: GarmentFilter | None = None) -> list[GarmentRecord]:
        flt = flt or GarmentFilter()
        records = self._live_records()
        if flt.categories:
            records = [r for r in records if r.category in flt.categories]
        if flt.fine_types:
            records = [r for r in records if r.fine_type in flt.fine_types]
        if flt.favourites_only:
            records = [r for r in records if r.favourite]
        # Newest first is the oldest-first list reversed: ties by id, descending too.
        records = records[::-1] if flt.descending else list(records)
        if flt.sort == "category":
            records.sort(key=lambda r: r.category)  # stable: by date within each
        if flt.colours:
            wanted = {c.lower() for c in flt.colours}
            records = [r for r in records if any(c.name.lower() in wanted for c in r.colours)]
        terms = search_terms(flt.text)  # each word with its synonyms ("jeans": Pants)
        if terms:
            records = [r for r in records if matches(searched_text(r), terms)]
        if flt.sort == "colour":
            # In the colour chips' order (black, grey, white, ... round the colour wheel),
            # not the alphabet's; garments without a colour last.
            rank = {name: i for i, name in enumerate(PALETTE_NAMES)}
            records.sort(
                key=lambda r: (
                    (rank.get(r.colours[0].name, len(rank)), r.colours[0].name)
                    if r.colours
                    else (len(rank) + 1, "")
                )
            )
        return records

    def change_mark(self) -> tuple[object, ...]:
        """A cheap fingerprint of the wardrobe's garments: it changes when one is added,
        deleted, restored or edited, here or by another process (the CLI beside the
        app), so that a view can tell when to list them again. Read again only when
        the database changed since the last reading (SQLite's data_version).

        It is the listing's own mark (``live_listing``): the schema's version, and the
        largest ``seq`` and the row count of the log of changed garments, which triggers
        append to with every change to a garment's row or its photo's, whoever writes;
        the schema's version moves with what the log cannot show (an older copy
        restored, a migration that rewrote rows while the triggers were gone), the count
        with a log a tool emptied; ``seq`` with every change, also after a log emptied
        (AUTOINCREMENT, migration 0006: one of 0005 read as it is starts again at 1);
        the newest row's random token with an older copy copied over the file, then
        written as far (migration 0007); in a wardrobe without tokens read as it is
        (read-only), the database file's identity (``live_listing.FileIdentity``).
        Where the log is not to be trusted (not there: an older wardrobe read as it is;
        a trigger gone), every commit is taken for a change."""
        version = self._version.read()  # before the mark: a commit in between reads again
        cached = self._mark
        if cached is not None and cached[0] == version:
            return cached[1]
        with self.store.session() as s:
            mark = listing_mark(s)
        found = (
            (mark.schema, mark.seq, mark.rows, mark.head, mark.file)
            if mark.seq is not None
            else (mark.schema, None, version)
        )
        self._mark = (version, found)
        return found

    def garment(self, garment_id: int) -> GarmentRecord:
        with self.store.session() as s:
            found = garment_records(s, self.store.files.abspath, [int(garment_id)])
        if not found:
            raise KeyError(f"no garment {garment_id}")
        return found[0]

    def colour_names(self) -> list[str]:
        with self.store.session() as s:
            names = s.scalars(
                text(
                    "SELECT DISTINCT json_extract(j.value, '$.name') FROM garments, "
                    "json_each(garments.colours) AS j WHERE garments.deleted_at IS NULL"
                )
            )
            return sorted(n for n in names if n)

    def fine_types(self) -> list[str]:
        with self.store.session() as s:
            return sorted(
                s.scalars(
                    select(Garment.fine_type)
                    .where(Garment.deleted_at.is_(None), Garment.fine_type.is_not(None))
                    .distinct()
                )
            )

    def fine_types_by_category(self) -> dict[str, list[str]]:
        """Each category's fine types among its live garments (a type typed on garments of
        two categories is in both)."""
        found: dict[str, set[str]] = {}
        with self.store.session() as s:
            rows = s.execute(
                select(Garment.category, Garment.fine_type)
                .where(Garment.deleted_at.is_(None), Garment.fine_type.is_not(None))
                .distinct()
            )
            for category, fine_type in rows:
                if fine_type is not None:
                    found.setdefault(category, set()).add(fine_type)
        return {category: sorted(types) for category, types in found.items()}

    def worn_with(self, garment_id: int, *, deleted: bool = False) -> list[GarmentRecord]:
        """The other garments of a garment's photo in the wardrobe; with ``deleted``,
        those deleted instead (until the next start: an undo brings them back)."""
        with self.store.session() as s:
            row = s.get(Garment, int(garment_id))
            if row is None:
                raise KeyError(f"no garment {garment_id}")
            return self._of_photo(s, row.photo_id, deleted=deleted, leaving_out=row.id)

    def garments_of_photo(self, photo_id: int) -> list[GarmentRecord]:
        """A stored photo's garments in the wardrobe (not those deleted), by id."""
        with self.store.session() as s:
            return self._of_photo(s, int(photo_id))

    def _of_photo(
        self, s: Session, photo_id: int, *, deleted: bool = False, leaving_out: int | None = None
    ) -> list[GarmentRecord]:
        """A photo's garments by id, those deleted with ``deleted``, but ``leaving_out``."""
        gone = Garment.deleted_at.is_not(None) if deleted else Garment.deleted_at.is_(None)
        stmt = record_select().where(Garment.photo_id == photo_id, gone)
        if leaving_out is not None:
            stmt = stmt.where(Garment.id != leaving_out)
        return garment_records(s, self.store.files.abspath, stmt=stmt.order_by(Garment.id))

    def photo_labels(self, garment_id: int) -> np.ndarray | None:
        with self.store.session() as s:
            row = s.get(Garment, int(garment_id))
            if row is None:
                raise KeyError(f"no garment {garment_id}")
            rel = row.photo.labels_path
        return stored_plane(self.store.files, rel) if rel else None

    def stats(self) -> dict[str, int]:
        """Counts: photos, live garments, and live garments per category."""
        with self.store.session() as s:
            photos = int(s.scalar(select(func.count(Photo.id))) or 0)
            rows = s.execute(
                select(Garment.category, func.count())
                .where(Garment.deleted_at.is_(None))
                .group_by(Garment.category)
            ).all()
        by_cat = {c: 0 for c in CATEGORIES} | {str(c): int(n) for c, n in rows}
        return {"photos": photos, "garments": sum(by_cat.values()), **by_cat}
