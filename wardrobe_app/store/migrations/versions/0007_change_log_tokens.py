"""Each row of the log of changed garments carries a random ``token``, and the token of
the garment's row it replaced, then the ones that row named, up to ``NAMED`` (``prev``,
newest first, 8 bytes each): a listing can tell the log it was made from from another
one with the same ``seq`` numbers.

``seq`` only grows within one history of the file, but an older copy of the wardrobe
copied over the live one (a plain ``cp``), or a tool that empties both the log and
``sqlite_sequence``, gives the same ``seq`` numbers again to other changes: once as many
are made, the log reads as the one a listing was made from (its largest ``seq``, its row
count), and the garments changed in the history the copy lacks are never read again. A
token is random, so no other history holds the listing's newest row's: that row is still
there with its token, or its garment's row that replaced it (once, or up to ``NAMED``
times) names it in ``prev`` (``services/live_listing.py``); otherwise every garment is
read again. (A wardrobe migrated here before ``prev`` named more than one token keeps
triggers naming one: a listing then finds its token only after one replacement.)

The triggers of migration 0005 are made again to write both; the rows there get a token.

Revision ID: 0007_change_log_tokens
Revises: 0006_change_log_autoincrement
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_change_log_tokens"
down_revision: str | None = "0006_change_log_autoincrement"
branch_labels: str | None = None
depends_on: str | None = None

TABLE = "garment_changes"
TOKEN = "randomblob(8)"


# How many of a garment's replaced rows a row names (8 bytes each): a listing whose
# newest row's garment was edited up to this many times since (a name, then its tags)
# still finds its token; beyond, every garment is read again.
NAMED = 8


def _newest_token(garment: str) -> str:
    """The token of ``garment``'s row in the log, then the ones that row names, newest
    first, up to ``NAMED`` (NULL: no row). || makes text of blobs, byte for byte."""
    return (
        f"(SELECT substr(CAST(c.token || coalesce(c.prev, x'') AS BLOB), 1, {8 * NAMED}) "
        f"FROM {TABLE} AS c WHERE c.garment_id = {garment} ORDER BY c.seq DESC LIMIT 1)"
    )


def _logged(garment: str, tokens: bool) -> str:
    """Migration 0005's statements for one garment (NEW.id or OLD.id), with the tokens
    where ``tokens``: its new row first, then its older ones dropped."""
    insert = (
        f"INSERT INTO {TABLE} (garment_id, token, prev) "
        f"VALUES ({garment}, {TOKEN}, {_newest_token(garment)}); "
        if tokens
        else f"INSERT INTO {TABLE} (garment_id) VALUES ({garment}); "
    )
    return (
        insert + f"DELETE FROM {TABLE} WHERE garment_id = {garment} AND seq < last_insert_rowid();"
    )


def _logged_all(ids: str, tokens: bool) -> str:
    """Migration 0005's statements for the garments of ``ids`` (a SELECT of ids)."""
    insert = (
        f"INSERT INTO {TABLE} (garment_id, token, prev) SELECT changed.id, {TOKEN}, "
        f"{_newest_token('changed.id')} FROM ({ids}) AS changed; "
        if tokens
        else f"INSERT INTO {TABLE} (garment_id) {ids}; "
    )
    return (
        insert + f"DELETE FROM {TABLE} WHERE garment_id IN ({ids}) AND seq < ("
        f"SELECT max(c.seq) FROM {TABLE} AS c WHERE c.garment_id = {TABLE}.garment_id);"
    )


def _triggers(tokens: bool) -> list[tuple[str, str, str]]:
    """Migration 0005's triggers (name, when, statements), writing tokens or not."""
    return [
        ("garment_changes_insert", "AFTER INSERT ON garments", _logged("NEW.id", tokens)),
        ("garment_changes_update", "AFTER UPDATE ON garments", _logged("NEW.id", tokens)),
        (
            "garment_changes_renumber",
            "AFTER UPDATE OF id ON garments WHEN OLD.id IS NOT NEW.id",
            _logged("OLD.id", tokens),
        ),
        ("garment_changes_delete", "AFTER DELETE ON garments", _logged("OLD.id", tokens)),
        (
            "garment_changes_photo_insert",
            "AFTER INSERT ON photos",
            _logged_all("SELECT id FROM garments WHERE photo_id = NEW.id", tokens),
        ),
        (
            "garment_changes_photo_update",
            "AFTER UPDATE OF id, file_path ON photos",
            _logged_all("SELECT id FROM garments WHERE photo_id IN (OLD.id, NEW.id)", tokens),
        ),
        (
            "garment_changes_photo_delete",
            "AFTER DELETE ON photos",
            _logged_all("SELECT id FROM garments WHERE photo_id = OLD.id", tokens),
        ),
    ]


def _made_again(tokens: bool) -> None:
    for name, when, statements in _triggers(tokens):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {statements} END")


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("token", sa.LargeBinary(), nullable=True))
    op.add_column(TABLE, sa.Column("prev", sa.LargeBinary(), nullable=True))
    op.execute(f"UPDATE {TABLE} SET token = {TOKEN}")  # fires no trigger of the log's
    _made_again(tokens=True)


def downgrade() -> None:
    _made_again(tokens=False)  # first: a trigger naming a column stops its drop
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN prev")
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN token")
