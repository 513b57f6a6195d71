"""Findings whose texts were redacted when recorded: exports stop redacting them on every read.

Revision ID: 0011_findings_redacted
Revises: 0004_results
Create Date: 2027-01-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_findings_redacted"
down_revision: str | None = "0004_results"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows written before this revision were stored as the checks wrote them: false, so the
    # report still redacts them when it reads them.
    with op.batch_alter_table("findings") as batch:
        batch.add_column(
            sa.Column("redacted", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("redacted")
