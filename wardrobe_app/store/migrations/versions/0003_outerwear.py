"""The type "Outwear" (the clothing data set's spelling) stored as "Outerwear".

Types are shown, filtered and searched as stored: "outerwear" in the search box found
no coat, and the type filter listed a word people do not use. New garments are typed
"Outerwear" (``vision.fine_types.CLOTHING_LABEL_WORDS``); this renames the old ones.

Revision ID: 0003_outerwear
Revises: 0002_id_floor
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0003_outerwear"
down_revision: str | None = "0002_id_floor"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute("UPDATE garments SET fine_type = 'Outerwear' WHERE fine_type = 'Outwear'")


def downgrade() -> None:
    op.execute("UPDATE garments SET fine_type = 'Outwear' WHERE fine_type = 'Outerwear'")
