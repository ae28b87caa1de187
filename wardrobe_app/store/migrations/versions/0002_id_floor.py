"""Ids are never given twice: the highest id ever deleted, per table.

SQLite gives a new row max(id) + 1, so once the rows with the highest ids are purged their
ids come back for new photos and garments, and ``similar 35`` in a script or a note then
means another garment. AUTOINCREMENT would need the tables rebuilt (and the garments'
foreign key switched off meanwhile); a trigger that keeps the highest deleted id, which
``Store.next_id`` starts above, needs nothing rebuilt.

Revision ID: 0002_id_floor
Revises: 0001_initial
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_id_floor"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None

TABLES = ("photos", "garments")


def upgrade() -> None:
    op.create_table(
        "id_floor",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_id_floor")),
    )
    for table in TABLES:
        op.execute(
            f"""
            CREATE TRIGGER {table}_id_floor AFTER DELETE ON {table}
            BEGIN
                INSERT OR REPLACE INTO id_floor (name, last) VALUES (
                    '{table}',
                    max(OLD.id, coalesce((SELECT last FROM id_floor WHERE name = '{table}'), 0))
                );
            END
            """
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_id_floor")
    op.drop_table("id_floor")
