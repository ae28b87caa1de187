"""Initial schema: photos and garments.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_path", sa.String(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("original_width", sa.Integer(), nullable=False),
        sa.Column("original_height", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("source_path", sa.String(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("labels_path", sa.String(), nullable=True),
        sa.Column("message", sa.String(), nullable=False),
        sa.CheckConstraint("kind IN ('outfit', 'item')", name=op.f("ck_photos_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
        sa.UniqueConstraint("sha256", name=op.f("uq_photos_sha256")),
    )
    op.create_table(
        "garments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("fine_type", sa.String(), nullable=True),
        sa.Column("colours", sa.JSON(), nullable=False),
        sa.Column("box_x0", sa.Integer(), nullable=False),
        sa.Column("box_y0", sa.Integer(), nullable=False),
        sa.Column("box_x1", sa.Integer(), nullable=False),
        sa.Column("box_y1", sa.Integer(), nullable=False),
        sa.Column("area", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("mask_path", sa.String(), nullable=False),
        sa.Column("cutout_path", sa.String(), nullable=False),
        sa.Column("thumbnail_path", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("favourite", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.Column("vector_version", sa.String(), nullable=True),
        sa.CheckConstraint(
            "category IN ('top', 'bottom', 'one-piece')", name=op.f("ck_garments_category")
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"],
            ["photos.id"],
            name=op.f("fk_garments_photo_id_photos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_garments")),
    )
    op.create_index(op.f("ix_garments_photo_id"), "garments", ["photo_id"])
    op.create_index(op.f("ix_garments_category"), "garments", ["category"])
    op.create_index(op.f("ix_garments_created_at"), "garments", ["created_at"])
    op.create_index(op.f("ix_garments_deleted_at"), "garments", ["deleted_at"])
    op.create_index("ix_garments_category_created_at", "garments", ["category", "created_at"])


def downgrade() -> None:
    op.drop_table("garments")
    op.drop_table("photos")
