"""A log of which garments changed, kept by triggers: a listing re-reads only those.

The grid's listing caches every live garment's record; any commit (one photo imported, a
favourite toggled) made the next listing read all of them again, 0.9 s at 40,000. Here
every row change to a garment (added, edited, deleted, restored, purged, re-embedded),
and a change of its photo's row, appends the garment's id to ``garment_changes`` in the
writing transaction itself, whatever process or tool writes; the garment's older entries
are dropped, so the log holds at most one row per garment id. ``seq`` is the rowid:
SQLite gives a new row the largest rowid plus one, and the largest row is never the one
dropped, so ``seq`` only grows, in commit order (one writer at a time). A listing made
at ``max(seq)`` = S catches up by reading the garments whose ``seq`` > S. No clock is
involved: ``updated_at`` comes from the writer's clock, which can go back, and a
transaction that set it early can commit after a listing that read a later one.

The triggers insert without a conflict clause and never conflict (a new rowid each
time), so the one of a statement that fires them (INSERT OR IGNORE, which SQLite hands
down to the trigger's statements) cannot make them skip an entry.

Revision ID: 0005_garment_changes
Revises: 0004_change_counts
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_garment_changes"
down_revision: str | None = "0004_change_counts"
branch_labels: str | None = None
depends_on: str | None = None


def _logged(garment: str) -> str:
    """Statements appending ``garment`` (NEW.id or OLD.id) to the log, then dropping its
    older entries: its newest stays, so the largest ``seq`` does too (dropped first, its
    rowid would be given again). ``last_insert_rowid()`` is, inside a trigger, the row it
    inserted: the older entries found by an index lookup, a third of the cost of a query
    for each one's newest (timed updating all 40,000 garments of a big wardrobe)."""
    return (
        f"INSERT INTO garment_changes (garment_id) VALUES ({garment}); "
        f"DELETE FROM garment_changes WHERE garment_id = {garment} "
        "AND seq < last_insert_rowid();"
    )


def _logged_all(ids: str) -> str:
    """``_logged`` for the garments of ``ids`` (a SELECT of ids): each one's newest
    entry stays."""
    return (
        f"INSERT INTO garment_changes (garment_id) {ids}; "
        f"DELETE FROM garment_changes WHERE garment_id IN ({ids}) AND seq < ("
        "SELECT max(c.seq) FROM garment_changes AS c WHERE c.garment_id = "
        "garment_changes.garment_id);"
    )


# (trigger name, when it fires, its statements); services/live_listing.py checks that
# these are all there before it trusts the log.
TRIGGERS = (
    ("garment_changes_insert", "AFTER INSERT ON garments", _logged("NEW.id")),
    ("garment_changes_update", "AFTER UPDATE ON garments", _logged("NEW.id")),
    (
        "garment_changes_renumber",
        "AFTER UPDATE OF id ON garments WHEN OLD.id IS NOT NEW.id",
        _logged("OLD.id"),
    ),
    ("garment_changes_delete", "AFTER DELETE ON garments", _logged("OLD.id")),
    # A listing joins each garment to its photo and names the photo's file: a photo
    # changed, added or removed changes its garments' records (or whether they are
    # listed, where a tool wrote without foreign keys).
    (
        "garment_changes_photo_insert",
        "AFTER INSERT ON photos",
        _logged_all("SELECT id FROM garments WHERE photo_id = NEW.id"),
    ),
    (
        "garment_changes_photo_update",
        "AFTER UPDATE OF id, file_path ON photos",
        _logged_all("SELECT id FROM garments WHERE photo_id IN (OLD.id, NEW.id)"),
    ),
    (
        "garment_changes_photo_delete",
        "AFTER DELETE ON photos",
        _logged_all("SELECT id FROM garments WHERE photo_id = OLD.id"),
    ),
)


def upgrade() -> None:
    op.create_table(
        "garment_changes",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("garment_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_garment_changes")),
    )
    op.create_index(
        op.f("ix_garment_changes_garment_id"), "garment_changes", ["garment_id"], unique=False
    )
    for name, when, statements in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {statements} END")


def downgrade() -> None:
    for name, _when, _statements in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(op.f("ix_garment_changes_garment_id"), table_name="garment_changes")
    op.drop_table("garment_changes")
