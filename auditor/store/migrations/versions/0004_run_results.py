"""Every result of a run (the control matrix) and the city's workflow fields on findings.

Revision ID: 0004_results
Revises: 0010_outbox
Create Date: 2026-12-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_results"
# The head of this branch; the lead re-chains it after M's 0003 at merge.
down_revision: str | None = "0010_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=True),
        sa.Column("reason_ja", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_run_results_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_results")),
        sa.UniqueConstraint("run_id", "check_id", "target", name="uq_run_results_run_check_target"),
    )
    op.create_index(op.f("ix_run_results_run_id"), "run_results", ["run_id"])
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("due", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("due")
        batch.drop_column("owner")
    op.drop_index(op.f("ix_run_results_run_id"), table_name="run_results")
    op.drop_table("run_results")
