"""Tenants: a ``tenant`` column on every table of city data; keys widened to include it.

Every existing row belongs to tenant ``default`` (the server default), so a single-city store
keeps working unchanged and its hash chain stays valid: event ids and hashes are untouched, the
chain head simply becomes the ``default`` tenant's head.

Revision ID: 0015_tenants
Revises: 0014_bundles
Create Date: 2027-02-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_tenants"
down_revision: str | None = "0014_bundles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "devices",
    "runs",
    "snapshots",
    "evidence",
    "run_evidence",
    "findings",
    "finding_events",
    "event_chain",
    "collection_errors",
    "run_matrices",
    "run_results",
    "notification_outbox",
    "chain_checkpoint",
    "web_users",
    "web_sessions",
    "imported_bundles",
    "device_collections",
)
"""Tables that hold one city's data."""


def _tenant(primary_key: bool = False) -> sa.Column[str]:
    return sa.Column(
        "tenant",
        sa.String(length=64),
        nullable=False,
        server_default="default",
        primary_key=primary_key,
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # SQLite rebuilds the tables whose keys change (it cannot drop a constraint in place); the
    # migration runner turns foreign keys off for that and checks every reference before commit.
    if not sqlite:
        op.drop_constraint("fk_run_evidence_sha256_evidence", "run_evidence", type_="foreignkey")

    for table in ("runs", "snapshots", "collection_errors", "run_matrices", "run_results"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(_tenant())
    with op.batch_alter_table("devices", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(_tenant())
        batch.drop_constraint("uq_devices_name", type_="unique")
        batch.create_unique_constraint("uq_devices_tenant_name", ["tenant", "name"])
    with op.batch_alter_table("findings", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(_tenant())
        batch.drop_constraint("uq_findings_fingerprint", type_="unique")
        batch.create_unique_constraint("uq_findings_tenant_fingerprint", ["tenant", "fingerprint"])
    with op.batch_alter_table("notification_outbox", recreate="always" if sqlite else "auto") as b:
        b.add_column(_tenant())
        b.drop_constraint("uq_notification_outbox_channel_key", type_="unique")
        b.create_unique_constraint(
            "uq_notification_outbox_tenant_channel_key", ["tenant", "channel", "dedupe_key"]
        )
    with op.batch_alter_table("finding_events", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(_tenant())
        batch.drop_constraint("uq_finding_events_hash", type_="unique")
        batch.create_unique_constraint("uq_finding_events_tenant_hash", ["tenant", "hash"])
        batch.drop_constraint("pk_finding_events", type_="primary")
        batch.create_primary_key("pk_finding_events", ["tenant", "id"])
    for table, key in (("event_chain", "id"), ("evidence", "sha256")):
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch:
            batch.add_column(_tenant())
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", ["tenant", key])
    with op.batch_alter_table("run_evidence", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(_tenant())
        if sqlite:
            batch.drop_constraint("fk_run_evidence_sha256_evidence", type_="foreignkey")
        batch.create_foreign_key(
            "fk_run_evidence_tenant_evidence",
            "evidence",
            ["tenant", "sha256"],
            ["tenant", "sha256"],
        )
    # Tables that arrived with the web console, the chain checkpoint and distributed collection:
    # one checkpoint per city chain, users/sessions per city, replay register per city.
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(_tenant())
    with op.batch_alter_table("web_users", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(_tenant())
        batch.drop_constraint("uq_web_users_username", type_="unique")
        batch.create_unique_constraint("uq_web_users_tenant_username", ["tenant", "username"])
    with op.batch_alter_table("chain_checkpoint", recreate="always" if sqlite else "auto") as b:
        b.add_column(_tenant())
        b.drop_constraint("pk_chain_checkpoint", type_="primary")
        b.create_primary_key("pk_chain_checkpoint", ["tenant", "id"])
    with op.batch_alter_table("imported_bundles", recreate="always" if sqlite else "auto") as b:
        b.add_column(_tenant())
        b.drop_constraint("uq_imported_bundles_bundle_id", type_="unique")
        b.drop_constraint("uq_imported_bundles_collector_sequence", type_="unique")
        b.create_unique_constraint("uq_imported_bundles_tenant_bundle_id", ["tenant", "bundle_id"])
        b.create_unique_constraint(
            "uq_imported_bundles_tenant_collector_sequence", ["tenant", "collector_id", "sequence"]
        )
    with op.batch_alter_table("device_collections", recreate="always" if sqlite else "auto") as b:
        b.add_column(_tenant())
        b.drop_constraint("uq_device_collections_run_key_device", type_="unique")
        b.create_unique_constraint(
            "uq_device_collections_tenant_run_key_device", ["tenant", "run_key", "device"]
        )
    for table in TABLES:
        op.create_index(f"ix_{table}_tenant", table, ["tenant"])


def downgrade() -> None:
    raise NotImplementedError(
        "0015_tenants cannot be undone once several tenants share the store; restore a backup"
    )
