"""The ORM schema (SQLAlchemy 2.0 typed declarative).

The migrations in ``migrations/versions`` create exactly this schema; a change here needs
a new revision there (``alembic -c wardrobe_app/store/alembic.ini revision --autogenerate``).

File paths in rows are relative to the data folder (``files/ab/abcdef….png``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import numpy as np
from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite keeps no zone), returned as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Photo(Base):
    __tablename__ = "photos"
    __table_args__ = (CheckConstraint("kind IN ('outfit', 'item')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_path: Mapped[str] = mapped_column(String)  # the original, copied by hash
    width: Mapped[int] = mapped_column(Integer)  # size the label map / boxes refer to
    height: Mapped[int] = mapped_column(Integer)
    original_width: Mapped[int] = mapped_column(Integer)  # EXIF-rotated size of the file
    original_height: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    source_path: Mapped[str] = mapped_column(String, default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    labels_path: Mapped[str | None] = mapped_column(String, nullable=True)
    message: Mapped[str] = mapped_column(String, default="")

    garments: Mapped[list[Garment]] = relationship(
        back_populates="photo", cascade="all, delete-orphan", passive_deletes=True
    )

    def file_paths(self) -> list[str]:
        return [p for p in (self.file_path, self.labels_path) if p]


class Garment(Base):
    __tablename__ = "garments"
    __table_args__ = (
        CheckConstraint("category IN ('top', 'bottom', 'one-piece')", name="category"),
        Index("ix_garments_category_created_at", "category", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(16), index=True)
    fine_type: Mapped[str | None] = mapped_column(String, nullable=True)
    colours: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    box_x0: Mapped[int] = mapped_column(Integer)
    box_y0: Mapped[int] = mapped_column(Integer)
    box_x1: Mapped[int] = mapped_column(Integer)
    box_y1: Mapped[int] = mapped_column(Integer)
    area: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    mask_path: Mapped[str] = mapped_column(String)
    cutout_path: Mapped[str] = mapped_column(String)
    thumbnail_path: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    favourite: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    vector: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    vector_version: Mapped[str | None] = mapped_column(String, nullable=True)

    photo: Mapped[Photo] = relationship(back_populates="garments")

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.box_x0, self.box_y0, self.box_x1, self.box_y1)

    @box.setter
    def box(self, box: tuple[int, int, int, int]) -> None:
        self.box_x0, self.box_y0, self.box_x1, self.box_y1 = (int(v) for v in box)

    def vector_array(self) -> np.ndarray | None:
        return vector_from_blob(self.vector)

    def set_vector(self, vector: np.ndarray | None, version: str | None) -> None:
        if vector is None:
            self.vector, self.vector_version = None, None
            return
        self.vector = np.ascontiguousarray(vector, dtype=np.float32).ravel().tobytes()
        self.vector_version = version

    def file_paths(self) -> list[str]:
        return [self.mask_path, self.cutout_path, self.thumbnail_path]


class IdFloor(Base):
    """The highest id ever deleted from a table, kept by a trigger (migration 0002), so
    that an id is never given twice (``Store.next_id``)."""

    __tablename__ = "id_floor"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class ChangeCount(Base):
    """How often the garments changed, counted by triggers (migration 0004): "garment_set"
    when which garments the similar-items index holds changes, "garment_vectors" when a
    vector does; a cheap, exact staleness check (``Vectors.mark``)."""

    __tablename__ = "change_counts"
    SET: ClassVar[str] = "garment_set"  # the counters' names
    VECTORS: ClassVar[str] = "garment_vectors"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class GarmentChange(Base):
    """Which garments changed, appended by triggers (migration 0005) in the writing
    transaction, whoever writes: at most one row per garment id, its latest. ``seq`` only
    grows, also across a log emptied by a tool (AUTOINCREMENT, migration 0006), so a
    listing made at ``max(seq)`` catches up by re-reading the garments of the rows above
    it (``services.live_listing``)."""

    __tablename__ = "garment_changes"
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    garment_id: Mapped[int] = mapped_column(Integer, index=True)
    # Random, and the ones of the garment's rows this replaced, newest first, up to 8
    # (migration 0007): another history of the file (an older copy over it) holds
    # neither at the same seq.
    token: Mapped[bytes | None] = mapped_column(LargeBinary)
    prev: Mapped[bytes | None] = mapped_column(LargeBinary)


def vector_from_blob(blob: bytes | None) -> np.ndarray | None:
    """A stored garment vector (``Garment.vector``, also read as a bare column)."""
    return None if blob is None else np.frombuffer(blob, dtype=np.float32).copy()
