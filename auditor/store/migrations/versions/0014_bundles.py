"""The imported-bundle register and the per-(dispatch, device) rows of distributed collection.

Revision ID: 0014_bundles
Revises: 0013_chain_checkpoint
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_bundles"
down_revision: str | None = "0013_chain_checkpoint"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imported_bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.String(length=36), nullable=False),
        sa.Column("collector_id", sa.String(length=200), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_imported_bundles_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_bundles")),
        sa.UniqueConstraint("bundle_id", name=op.f("uq_imported_bundles_bundle_id")),
        sa.UniqueConstraint(
            "collector_id", "sequence", name="uq_imported_bundles_collector_sequence"
        ),
    )
    op.create_table(
        "device_collections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_key", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=200), nullable=False),
        sa.Column("queue", sa.String(length=100), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=True),
        sa.Column("failures", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_collections")),
        sa.UniqueConstraint("run_key", "device", name="uq_device_collections_run_key_device"),
    )
    op.create_index(
        op.f("ix_device_collections_run_key"), "device_collections", ["run_key"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_device_collections_run_key"), table_name="device_collections")
    op.drop_table("device_collections")
    op.drop_table("imported_bundles")
