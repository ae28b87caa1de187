"""Storage: SQLite (SQLAlchemy 2 ORM, Alembic migrations) + content-addressed image files."""

from __future__ import annotations

from .database import UnusableDatabase
from .files import FileStore, SourceChangedError, encode_png, read_png, sha256_file
from .models import (
    Base,
    ChangeCount,
    Garment,
    GarmentChange,
    IdFloor,
    Photo,
    vector_from_blob,
)
from .store import CleanupReport, Store, StoreClosed, VerifyReport

__all__ = [
    "Base",
    "ChangeCount",
    "CleanupReport",
    "FileStore",
    "Garment",
    "GarmentChange",
    "IdFloor",
    "Photo",
    "SourceChangedError",
    "Store",
    "StoreClosed",
    "UnusableDatabase",
    "VerifyReport",
    "encode_png",
    "read_png",
    "sha256_file",
    "vector_from_blob",
]
