"""Initial schema: every table of the findings store.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        _timestamp("first_seen"),
        _timestamp("last_collected", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("name", name=op.f("uq_devices_name")),
    )
    event_chain = op.create_table(
        "event_chain",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("event_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_chain")),
    )
    assert event_chain is not None
    op.bulk_insert(
        event_chain, [{"id": 1, "last_event_id": 0, "last_hash": GENESIS_HASH, "event_count": 0}]
    )
    op.create_table(
        "evidence",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _timestamp("started_at"),
        _timestamp("finished_at", nullable=True),
        sa.Column("devices", sa.JSON(), nullable=False),
        sa.Column("devices_attempted", sa.Integer(), nullable=False),
        sa.Column("devices_collected", sa.Integer(), nullable=False),
        sa.Column("finding_counts", sa.JSON(), nullable=False),
        sa.Column("tool_version", sa.String(length=64), nullable=False),
        sa.Column("rule_pack_hash", sa.String(length=128), nullable=True),
        sa.Column("policy_hash", sa.String(length=128), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index("ix_runs_kind_started_at", "runs", ["kind", "started_at"])
    op.create_table(
        "collection_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=255), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        _timestamp("at"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_collection_errors_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_errors")),
    )
    op.create_index("ix_collection_errors_device_at", "collection_errors", ["device", "at"])
    op.create_table(
        "finding_events",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        _timestamp("at"),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_finding_events_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_finding_events_hash")),
    )
    op.create_index(op.f("ix_finding_events_fingerprint"), "finding_events", ["fingerprint"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=255), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("message_ja", sa.Text(), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _timestamp("first_seen"),
        _timestamp("last_seen"),
        _timestamp("resolved_at", nullable=True),
        sa.Column("first_run_id", sa.Integer(), nullable=True),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("exception_id", sa.String(length=128), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=255), nullable=True),
        _timestamp("acknowledged_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["first_run_id"], ["runs.id"], name=op.f("fk_findings_first_run_id_runs")
        ),
        sa.ForeignKeyConstraint(
            ["last_run_id"], ["runs.id"], name=op.f("fk_findings_last_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_findings_fingerprint")),
    )
    for column in ("check_id", "device", "last_seen", "status"):
        op.create_index(op.f(f"ix_findings_{column}"), "findings", [column])
    op.create_table(
        "run_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=255), nullable=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_run_evidence_run_id_runs")),
        sa.ForeignKeyConstraint(
            ["sha256"], ["evidence.sha256"], name=op.f("fk_run_evidence_sha256_evidence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_evidence")),
    )
    op.create_index(op.f("ix_run_evidence_run_id"), "run_evidence", ["run_id"])
    op.create_index(op.f("ix_run_evidence_sha256"), "run_evidence", ["sha256"])
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        _timestamp("collected_at"),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("volatile", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_snapshots_device_id_devices")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_snapshots_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
        sa.UniqueConstraint("run_id", "device_id", name="uq_snapshots_run_device"),
    )
    op.create_index(op.f("ix_snapshots_content_hash"), "snapshots", ["content_hash"])
    op.create_index("ix_snapshots_device_collected", "snapshots", ["device_id", "collected_at"])


def downgrade() -> None:
    for table in (
        "snapshots",
        "run_evidence",
        "findings",
        "finding_events",
        "collection_errors",
        "runs",
        "evidence",
        "event_chain",
        "devices",
    ):
        op.drop_table(table)
