"""Counters that triggers bump when the garments change: an exact, cheap staleness check.

The similar-items index catches up with changes another process made (the CLI beside the
app) when a fingerprint of its rows changes. That fingerprint was their count, largest
id and id sum, read by a scan of every garment (40 ms at 100k) before every query, and it
missed changes that keep all three: deleting garments 5 and 7 and restoring 4 and 8.
Triggers count, in the writing transaction itself, every change to which garments the
index holds ("garment_set": a row added or removed, deleted or restored, given or losing
a vector, or another model's) and every change of a vector ("garment_vectors": a touch-up
elsewhere); reading both is one lookup.

Revision ID: 0004_change_counts
Revises: 0003_outerwear
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_change_counts"
down_revision: str | None = "0003_outerwear"
branch_labels: str | None = None
depends_on: str | None = None

SET, VECTORS = "garment_set", "garment_vectors"


def _bump(name: str) -> str:
    return f"UPDATE change_counts SET n = n + 1 WHERE name = '{name}';"


# (trigger name, when it fires, the counter it bumps)
TRIGGERS = (
    ("garments_added", "AFTER INSERT ON garments", SET),
    ("garments_removed", "AFTER DELETE ON garments", SET),
    (
        "garments_set_changed",
        "AFTER UPDATE OF deleted_at, vector, vector_version ON garments "
        "WHEN (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL) "
        "OR (OLD.vector IS NULL) IS NOT (NEW.vector IS NULL) "
        "OR OLD.vector_version IS NOT NEW.vector_version",
        SET,
    ),
    (
        "garments_vector_changed",
        "AFTER UPDATE OF vector ON garments WHEN OLD.vector IS NOT NEW.vector",
        VECTORS,
    ),
)


def upgrade() -> None:
    op.create_table(
        "change_counts",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counts")),
    )
    op.execute(f"INSERT INTO change_counts (name, n) VALUES ('{SET}', 0), ('{VECTORS}', 0)")
    for name, when, counter in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {_bump(counter)} END")


def downgrade() -> None:
    for name, _when, _counter in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("change_counts")
