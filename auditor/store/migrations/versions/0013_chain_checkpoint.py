"""A checkpoint of the event chain: reports re-hash only the events after the last verified one.

Revision ID: 0013_chain_checkpoint
Revises: 0012_web_users
Create Date: 2027-01-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_chain_checkpoint"
down_revision: str | None = "0012_web_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Empty at first: the first report after the upgrade walks the whole chain once.
    op.create_table(
        "chain_checkpoint",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_checkpoint")),
    )


def downgrade() -> None:
    op.drop_table("chain_checkpoint")
