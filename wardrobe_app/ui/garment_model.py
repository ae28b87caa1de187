"""The list model behind every grid and strip of garments.

``Qt.UserRole`` (``GarmentRoles.Record``) returns the :class:`GarmentRecord`; the other
roles are named below. ``DecorationRole`` gives the thumbnail from the cache, or
``None`` while it loads (the delegate draws a placeholder): the view asks only for the
visible rows, so thumbnails load lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Slot,
)

from ..services.naming import category_label, type_label
from ..services.naming import display_name as display_name  # (the UI imports it from here)
from ..types import GarmentRecord
from .thumbnails import ThumbnailCache

Index = QModelIndex | QPersistentModelIndex


class GarmentRoles(IntEnum):
    Record = Qt.ItemDataRole.UserRole  # the GarmentRecord
    Id = Qt.ItemDataRole.UserRole + 1
    Category = Qt.ItemDataRole.UserRole + 2
    Score = Qt.ItemDataRole.UserRole + 3  # similarity in [-1, 1] or None
    Favourite = Qt.ItemDataRole.UserRole + 4
    ThumbnailPath = Qt.ItemDataRole.UserRole + 5
    Colours = Qt.ItemDataRole.UserRole + 6  # list[Colour]
    Subtitle = Qt.ItemDataRole.UserRole + 7  # "T-Shirt · Top"


def subtitle(record: GarmentRecord, with_category: bool = True) -> str:
    """ "Dress · One-piece": the type first, as it is what a card's narrow line has room
    for ("One-piece · Dr…" said the category, which its dot says too). Without the
    category (a strip all of one category) where there is a type."""
    category = category_label(record.category)
    parts = [type_label(record.fine_type)] if record.fine_type else []
    if (with_category or not parts) and category.lower() not in (p.lower() for p in parts):
        parts.append(category)  # not "Top · Top"
    return " · ".join(parts)


def spoken_details(record: GarmentRecord, score: float | None = None) -> str:
    """What a card draws beside its name, for a screen reader: "T-Shirt · Top, colours
    navy, white, favourite, 67% similar"."""
    parts = [subtitle(record)]
    if record.colours:
        parts.append("colours " + ", ".join(c.name for c in record.colours))
    if record.favourite:
        parts.append("favourite")
    if score is not None:
        parts.append(f"{score:.0%} similar")
    return ", ".join(parts)


class GarmentListModel(QAbstractListModel):
    def __init__(
        self, thumbnails: ThumbnailCache | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._records: list[GarmentRecord] = []
        self._scores: list[float | None] = []
        # The row of each thumbnail, and the further rows of one that several garments
        # share (rare): a list per row made 40,000 objects, and the garbage collection
        # they set off, a full pass over every record held (0.3-0.7 s), froze the grid.
        self._row_of_thumb: dict[str, int] = {}
        self._more_rows_of_thumb: dict[str, list[int]] = {}
        self.thumbnails = thumbnails
        # A strip of similar items or matches is all one category: each card repeating it
        # left no room for the type. Where set, the cards drop it while all share one.
        self.drop_shared_category = False
        self._one_category = False
        if thumbnails is not None:
            thumbnails.loaded.connect(self._thumbnail_loaded)

    # --- contents ----------------------------------------------------------------------
    def set_records(
        self, records: Sequence[GarmentRecord], scores: Sequence[float] | None = None
    ) -> None:
        self.beginResetModel()
        self._records = list(records)
        self._scores = list(scores) if scores is not None else [None] * len(self._records)
        self._row_of_thumb = {}
        self._more_rows_of_thumb = {}
        for row, rec in enumerate(self._records):
            key = str(rec.thumbnail_path)
            if self._row_of_thumb.setdefault(key, row) != row:
                self._more_rows_of_thumb.setdefault(key, []).append(row)
        self._one_category = len({r.category for r in self._records}) == 1
        self.endResetModel()

    def records(self) -> list[GarmentRecord]:
        return list(self._records)

    def record(self, row: int) -> GarmentRecord:
        return self._records[row]

    def row_of(self, garment_id: int) -> int:
        for row, rec in enumerate(self._records):
            if rec.id == garment_id:
                return row
        return -1

    def replace_record(self, record: GarmentRecord) -> None:
        row = self.row_of(record.id)
        if row >= 0:
            self._records[row] = record
            one = len({r.category for r in self._records}) == 1
            if one != self._one_category:  # every card's line changes
                self._one_category = one
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._records) - 1, 0))
                return
            idx = self.index(row, 0)
            self.dataChanged.emit(idx, idx)

    # --- QAbstractListModel ------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in GarmentRoles:
            names[int(role)] = QByteArray((role.name[0].lower() + role.name[1:]).encode())
        return names

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._records)):
            return None
        rec = self._records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_name(rec)
        if role == Qt.ItemDataRole.ToolTipRole:
            colours = ", ".join(c.name for c in rec.colours)
            tip = f"{display_name(rec)}\n{subtitle(rec)}"
            if colours:
                tip += f"\nColours: {colours}"
            if rec.tags:
                tip += f"\nTags: {', '.join(rec.tags)}"
            score = self._scores[index.row()]
            if score is not None:
                tip += f"\nSimilarity: {score:.0%}"
            return tip
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return spoken_details(rec, self._scores[index.row()])
        if role == Qt.ItemDataRole.DecorationRole:
            if self.thumbnails is None:
                return None
            return self.thumbnails.get(rec.thumbnail_path)
        if role == GarmentRoles.Record:
            return rec
        if role == GarmentRoles.Id:
            return rec.id
        if role == GarmentRoles.Category:
            return rec.category
        if role == GarmentRoles.Score:
            return self._scores[index.row()]
        if role == GarmentRoles.Favourite:
            return rec.favourite
        if role == GarmentRoles.ThumbnailPath:
            return str(rec.thumbnail_path)
        if role == GarmentRoles.Colours:
            return list(rec.colours)
        if role == GarmentRoles.Subtitle:
            return subtitle(rec, not (self.drop_shared_category and self._one_category))
        return None

    @Slot(str)
    def _thumbnail_loaded(self, key: str) -> None:
        first = self._row_of_thumb.get(key)
        if first is None:
            return
        for row in (first, *self._more_rows_of_thumb.get(key, ())):
            idx = self.index(row, 0)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])
