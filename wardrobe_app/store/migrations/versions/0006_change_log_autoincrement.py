"""The log of changed garments' ``seq`` never given twice: AUTOINCREMENT.

``seq`` was the table's plain rowid: SQLite gives a new row the largest rowid plus one,
so a log emptied by a tool started again at 1, and once written for as many garments as
it had rows it read as a log never emptied, to its largest ``seq`` and row count: a
listing caught up from it missed the garments changed before the emptying. With
AUTOINCREMENT, SQLite keeps the largest ``seq`` ever given in ``sqlite_sequence``, which
emptying the table leaves, and every new row is given one above it
(``services/live_listing.py`` then tells an emptied log from one left whole).

SQLite cannot add AUTOINCREMENT to a table: it is made again, its rows copied with their
``seq`` (``sqlite_sequence`` starts at the largest), its index and the triggers and views
that name it made again from their own SQL, as the wardrobe held them. The triggers are
dropped first: renaming or dropping a table that a trigger names fails, or rewrites the
trigger to name the renamed one. All in the migration's one transaction (``migrate``):
interrupted, the wardrobe is left as it was, at 0005.

Revision ID: 0006_change_log_autoincrement
Revises: 0005_garment_changes
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0006_change_log_autoincrement"
down_revision: str | None = "0005_garment_changes"
branch_labels: str | None = None
depends_on: str | None = None

TABLE = "garment_changes"
# Where the rows wait while the table is made again.
OLD = "garment_changes_before_0006"

WITH_AUTOINCREMENT = (
    f"CREATE TABLE {TABLE} (seq INTEGER NOT NULL, garment_id INTEGER NOT NULL, "
    f"CONSTRAINT pk_{TABLE} PRIMARY KEY (seq AUTOINCREMENT))"
)
# As migration 0005 made it (its name, columns and constraint).
WITHOUT = (
    f"CREATE TABLE {TABLE} (seq INTEGER NOT NULL, garment_id INTEGER NOT NULL, "
    f"CONSTRAINT pk_{TABLE} PRIMARY KEY (seq))"
)


def _made_again(create: str) -> None:
    """The log's table made again by ``create``, its rows, index, triggers and views kept."""
    conn = op.get_bind()
    # Every trigger and view naming the table, in the order they were made (the log's
    # seven triggers on garments and photos, and any a tool added), and its own indexes
    # (not SQLite's, which have no SQL): made again from their own SQL after.
    dependants = conn.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'view') "
        "AND sql LIKE ? ORDER BY rowid",
        (f"%{TABLE}%",),
    ).all()
    indexes = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY rowid",
        (TABLE,),
    ).all()
    for kind, name, _sql in dependants:
        op.execute(f'DROP {kind.upper()} "{name}"')
    op.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    op.execute(create)
    op.execute(f"INSERT INTO {TABLE} (seq, garment_id) SELECT seq, garment_id FROM {OLD}")
    op.execute(f"DROP TABLE {OLD}")  # and its indexes, whose names are then free
    for (sql,) in indexes:
        op.execute(sql)
    for _kind, _name, sql in dependants:
        op.execute(sql)


def upgrade() -> None:
    _made_again(WITH_AUTOINCREMENT)


def downgrade() -> None:
    _made_again(WITHOUT)  # SQLite drops its sqlite_sequence row with the table
