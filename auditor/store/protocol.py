"""What the rest of the program may ask of the findings store, as a typed :class:`Protocol`.

The audit service, the daemon, the report and the CLI are typed against :class:`AuditStore`,
not against the SQLAlchemy-backed :class:`~auditor.store.repository.Store`: mypy then checks every
call, and wrappers (the daemon's retrying store) must implement each operation explicitly.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from auditor.model.findings import Finding
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.models import Policy, PolicyException
from auditor.store.records import (
    ChainStatus,
    CheckResult,
    EventRecord,
    EvidenceLink,
    FindingRecord,
    MatrixRecord,
    RunRecord,
    RunSummary,
    VerifyResult,
)

TimeField = Literal["last_seen", "first_seen", "resolved_at"]


class AuditStore(Protocol):
    """Runs, findings, snapshots, evidence and stored matrices; each call is one transaction."""

    # -- runs -------------------------------------------------------------------------------

    def begin_run(
        self,
        kind: str,
        scope: str,
        devices: Sequence[str],
        tool_version: str,
        rule_pack_hash: str | None,
        policy_hash: str | None,
        started_at: datetime,
    ) -> int: ...

    def record_run(
        self,
        run_id: int,
        *,
        snapshots: Mapping[str, DeviceSnapshot],
        findings: Sequence[Finding],
        covered_devices: set[str],
        evaluated_checks: set[str],
        policy: Policy,
        now: datetime,
        complete: bool,
        evidence: Mapping[str, Sequence[tuple[str, bytes]]] = ...,
        actor: str = ...,
        matrix: Mapping[str, Any] | None = None,
        matrix_error: str | None = None,
        results: Sequence[CheckResult] = ...,
    ) -> RunSummary:
        """Record the run; manual suppressions are applied by the store itself."""
        ...

    def mark_run_incomplete(
        self, run_id: int, note: str, *, now: datetime | None = None
    ) -> None: ...

    def mark_run_failed(self, run_id: int, note: str, *, now: datetime | None = None) -> None: ...

    def mark_running_runs_incomplete(
        self, note: str, *, now: datetime | None = None
    ) -> list[int]: ...

    def get_run(self, run_id: int) -> RunRecord: ...

    def list_runs(self, kind: str | None = None, limit: int = 50) -> list[RunRecord]: ...

    def first_run_started_at(self) -> datetime | None: ...

    def last_run(
        self, kind: str | None = None, *, statuses: Collection[str] | None = None
    ) -> RunRecord | None: ...

    # -- findings ---------------------------------------------------------------------------

    def list_findings(
        self,
        status: Collection[str] | str | None = None,
        severity: Collection[str] | str | None = None,
        device: str | None = None,
        check_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        zone: str | None = None,
        time_field: TimeField = "last_seen",
        limit: int | None = None,
    ) -> list[FindingRecord]: ...

    def get_finding(self, fingerprint_prefix: str) -> tuple[FindingRecord, list[EventRecord]]: ...

    def ack(
        self,
        fingerprint_prefix: str,
        actor: str,
        note: str | None = None,
        *,
        now: datetime | None = None,
    ) -> FindingRecord: ...

    def manual_exceptions(self) -> list[PolicyException]: ...

    def list_events(
        self,
        *,
        until: datetime | None = None,
        types: Collection[str] | None = None,
        fingerprints: Collection[str] | None = None,
    ) -> list[EventRecord]: ...

    def iter_events(
        self, *, until: datetime | None = None, types: Collection[str] | None = None
    ) -> Iterator[EventRecord]: ...

    # -- snapshots, evidence, history, matrix -----------------------------------------------

    def latest_snapshots(
        self, devices: Iterable[str] | None = None
    ) -> dict[str, DeviceSnapshot]: ...

    def snapshot_history(
        self, device: str, since: datetime | None = None, until: datetime | None = None
    ) -> Sequence[DeviceSnapshot]: ...

    def collection_failures(self, device: str, since: datetime | None = None) -> list[datetime]: ...

    def evidence_blob(self, sha256: str) -> bytes: ...

    def run_evidence(self, run_id: int) -> list[EvidenceLink]: ...

    def latest_matrix(self, before: datetime | None = None) -> MatrixRecord | None: ...

    # -- maintenance ------------------------------------------------------------------------

    def prune(self, before: datetime) -> int: ...

    def verify(self, expect_head: str | None = None) -> VerifyResult: ...

    def chain_status(self) -> ChainStatus: ...
