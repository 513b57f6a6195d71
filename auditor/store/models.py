"""ORM tables of the findings store. Only Alembic creates them (``migrations/versions``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from auditor.store.base import NAMING_CONVENTION as NAMING_CONVENTION
from auditor.store.base import Base as Base
from auditor.store.tenancy import DEFAULT_TENANT, TenantScoped


class DeviceRow(TenantScoped, Base):
    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("tenant", "name", name="uq_devices_tenant_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    first_seen: Mapped[datetime]
    last_collected: Mapped[datetime | None]


class RunRow(TenantScoped, Base):
    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_kind_started_at", "kind", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    devices: Mapped[list[str]]
    devices_attempted: Mapped[int] = mapped_column(Integer, default=0)
    devices_collected: Mapped[int] = mapped_column(Integer, default=0)
    finding_counts: Mapped[dict[str, Any]]
    tool_version: Mapped[str] = mapped_column(String(64))
    rule_pack_hash: Mapped[str | None] = mapped_column(String(128))
    policy_hash: Mapped[str | None] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)
    # Which process runs it: a run left ``running`` by a process that is gone is a ghost.
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))


class SnapshotRow(TenantScoped, Base):
    """One device in one run; ``data`` is NULL when the content equals the previous snapshot."""

    __tablename__ = "snapshots"
    __table_args__ = (
        UniqueConstraint("run_id", "device_id", name="uq_snapshots_run_device"),
        Index("ix_snapshots_device_collected", "device_id", "collected_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    collected_at: Mapped[datetime]
    schema_version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    changed: Mapped[bool]
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # The clocks of this poll (uptime, time since link changes), left out of ``content_hash``.
    volatile: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class EvidenceRow(TenantScoped, Base):
    """A content-addressed blob, already redacted by whoever collected it."""

    __tablename__ = "evidence"

    # Per tenant: a blob is never shared between cities (retention of one must not drop another's).
    tenant: Mapped[str] = mapped_column(
        String(64), primary_key=True, server_default=DEFAULT_TENANT, index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class RunEvidenceRow(TenantScoped, Base):
    __tablename__ = "run_evidence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "sha256"],
            ["evidence.tenant", "evidence.sha256"],
            name="fk_run_evidence_tenant_evidence",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    device: Mapped[str | None] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)


class FindingRow(TenantScoped, Base):
    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("tenant", "fingerprint", name="uq_findings_tenant_fingerprint"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    check_id: Mapped[str] = mapped_column(String(64), index=True)
    device: Mapped[str | None] = mapped_column(String(255), index=True)
    subject: Mapped[str] = mapped_column(Text)
    zone: Mapped[str | None] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    message_en: Mapped[str] = mapped_column(Text)
    message_ja: Mapped[str] = mapped_column(Text)
    references: Mapped[list[Any]]
    evidence: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(16), index=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime] = mapped_column(index=True)
    resolved_at: Mapped[datetime | None]
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    exception_id: Mapped[str | None] = mapped_column(String(128))
    acknowledged_by: Mapped[str | None] = mapped_column(String(255))
    acknowledged_at: Mapped[datetime | None]
    owner: Mapped[str | None] = mapped_column(String(255))
    due: Mapped[date | None] = mapped_column(Date)
    redacted: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    """Messages and evidence details were redacted when recorded (readers need not again)."""


class FindingEventRow(TenantScoped, Base):
    """Append-only, hash-chained history; ids are allocated by the store, contiguously, per
    tenant (each tenant has its own chain)."""

    __tablename__ = "finding_events"
    __table_args__ = (UniqueConstraint("tenant", "hash", name="uq_finding_events_tenant_hash"),)

    tenant: Mapped[str] = mapped_column(
        String(64), primary_key=True, server_default=DEFAULT_TENANT, index=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    event_type: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime]
    payload: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class EventChainRow(TenantScoped, Base):
    """The row naming a tenant's chain head (``id`` 1); locking it serializes that tenant's
    event appends."""

    __tablename__ = "event_chain"

    tenant: Mapped[str] = mapped_column(
        String(64), primary_key=True, server_default=DEFAULT_TENANT, index=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_event_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(BigInteger)


class ChainCheckpointRow(TenantScoped, Base):
    """The last event a full walk of a tenant's chain found intact (one row per tenant, ``id`` 1).

    Reports verify only the events after it (and that its event still has this hash); ``auditor
    verify`` ignores it and walks every event.
    """

    __tablename__ = "chain_checkpoint"

    tenant: Mapped[str] = mapped_column(
        String(64), primary_key=True, server_default=DEFAULT_TENANT, index=True
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[datetime]


class CollectionErrorRow(TenantScoped, Base):
    """Each COL-… ERROR finding per run, so monitoring checks can count repeated failures."""

    __tablename__ = "collection_errors"
    __table_args__ = (Index("ix_collection_errors_device_at", "device", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    device: Mapped[str] = mapped_column(String(255))
    check_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class RunMatrixRow(TenantScoped, Base):
    """The zone matrix one run computed (``data``), or why it could not (``error``)."""

    __tablename__ = "run_matrices"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    computed_at: Mapped[datetime]
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    error: Mapped[str | None] = mapped_column(Text)


class ResultSetRow(TenantScoped, Base):
    """One distinct set of a check's results (its (target, outcome, reasons) rows), stored once
    per city however many runs concluded exactly that: an unchanged poll links the same set."""

    __tablename__ = "result_sets"
    __table_args__ = (
        UniqueConstraint("tenant", "check_id", "digest", name="uq_result_sets_tenant_check_digest"),
        # The target of the (tenant, set) references below: a set is never another city's.
        UniqueConstraint("tenant", "id", name="uq_result_sets_tenant_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))


class ResultSetCellRow(TenantScoped, Base):
    """One cell of a result set: pass / fail / not applicable / not evaluated for one target."""

    __tablename__ = "result_set_rows"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "set_id"],
            ["result_sets.tenant", "result_sets.id"],
            name="fk_result_set_rows_tenant_result_sets",
        ),
    )

    set_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(255), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    reason_en: Mapped[str | None] = mapped_column(Text)
    reason_ja: Mapped[str | None] = mapped_column(Text)


class RunResultSetRow(TenantScoped, Base):
    """Run ``run_id``'s results of one check are set ``set_id`` (one link per check)."""

    __tablename__ = "run_result_sets"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "set_id"],
            ["result_sets.tenant", "result_sets.id"],
            name="fk_run_result_sets_tenant_result_sets",
        ),
    )

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    set_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class WebUserRow(TenantScoped, Base):
    """A local account of one city's web console (``auditor web user add``); the password is an
    argon2 hash, ``None`` for an account that signs in only through the trusted reverse proxy."""

    __tablename__ = "web_users"
    __table_args__ = (UniqueConstraint("tenant", "username", name="uq_web_users_tenant_username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebSessionRow(TenantScoped, Base):
    """A signed-in browser of one city's console: only the SHA-256 of its cookie is kept, so a
    database reader cannot take over a session; logout deletes the row."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(255), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ImportedBundleRow(TenantScoped, Base):
    """A collection bundle that was imported (``auditor import``): the register refusing replays.

    Per city, ``(collector_id, sequence)`` and ``bundle_id`` are unique, so the same bundle (or
    another bundle reusing a collector's sequence number) can never be recorded twice for it.
    """

    __tablename__ = "imported_bundles"
    __table_args__ = (
        UniqueConstraint(
            "tenant",
            "collector_id",
            "sequence",
            name="uq_imported_bundles_tenant_collector_sequence",
        ),
        UniqueConstraint("tenant", "bundle_id", name="uq_imported_bundles_tenant_bundle_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_id: Mapped[str] = mapped_column(String(36))
    collector_id: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    imported_at: Mapped[datetime]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True)


class DeviceCollectionRow(TenantScoped, Base):
    """What a distributed worker collected for one device of one dispatch (``run_key``).

    Unique per (tenant, run_key, device): a re-delivered task finds the row and does not write
    again.
    ``snapshot`` is the snapshot JSON (``None`` when the device failed); ``failures`` and
    ``evidence`` are JSON lists (evidence bytes in base64, already redacted by the collectors).
    """

    __tablename__ = "device_collections"
    __table_args__ = (
        UniqueConstraint(
            "tenant", "run_key", "device", name="uq_device_collections_tenant_run_key_device"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_key: Mapped[str] = mapped_column(String(64), index=True)
    device: Mapped[str] = mapped_column(String(200))
    queue: Mapped[str] = mapped_column(String(100))
    worker: Mapped[str] = mapped_column(String(200))
    snapshot: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime]


# The outbox table lives in its own module; importing it here (after ``Base`` exists) means
# ``Base.metadata`` always knows it, whichever store module is imported first.
from auditor.store import outbox_models as _outbox_models  # noqa: E402, F401
