"""The findings store: runs, snapshots, evidence, the finding lifecycle and its hash-chained log.

Every public method is one database transaction. Writes that append events first lock the single
``event_chain`` row, which serializes them on PostgreSQL (SQLite serializes writers by itself with
``BEGIN IMMEDIATE``), so the chain can never fork and event ids stay contiguous.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType, TracebackType
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from auditor.model.findings import Finding
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.models import Policy, PolicyException
from auditor.store.chain import GENESIS_HASH, ChainBrokenError, linked_events
from auditor.store.checkpoint import (
    CHAIN_COLUMNS,
    checkpoint_failed,
    save_checkpoint,
    walk_from_checkpoint,
)
from auditor.store.engine import (
    DEFAULT_BUSY_TIMEOUT_MS,
    WRITE_OPTION,
    make_engine,
    unavailable_on_connection_errors,
)
from auditor.store.errors import (
    EvidenceNotFound,
    RunAlreadyRecorded,
    RunNotFound,
    StoreError,
)
from auditor.store.events import EventLog, chain_row, lock_chain
from auditor.store.integrity import Replay, check_tables, run_fingerprint, run_state
from auditor.store.migrate import current_revision, head_revision, upgrade_engine
from auditor.store.models import (
    CollectionErrorRow,
    DeviceRow,
    EvidenceRow,
    FindingEventRow,
    FindingRow,
    ResultSetCellRow,
    ResultSetRow,
    RunEvidenceRow,
    RunMatrixRow,
    RunResultSetRow,
    RunRow,
    SnapshotRow,
)
from auditor.store.protocol import AuditStore, TimeField
from auditor.store.reading import (
    EVENT_COLUMNS,
    FINDING_COLUMNS,
    EventRecords,
    FindingRecords,
    SnapshotLoader,
    event_record,
    find_by_prefix,
    finding_record,
    run_record,
)
from auditor.store.recording import (
    apply_lifecycle,
    ensure_devices,
    record_collection_errors,
    run_status,
    store_evidence,
    store_results,
    store_snapshots,
)
from auditor.store.records import (
    ChainHead,
    ChainStatus,
    CheckResult,
    EventRecord,
    EventType,
    EvidenceLink,
    FindingRecord,
    MatrixRecord,
    ResultOutcome,
    ResultRecord,
    RunRecord,
    RunScope,
    RunStatus,
    RunSummary,
    VerifyResult,
)
from auditor.store.retention import prune
from auditor.store.suppressions import manual_exceptions_in, with_manual_exceptions
from auditor.store.tenancy import DEFAULT_TENANT, TenantSession, store_tenant, tenant_rows
from auditor.store.types import utc
from auditor.store.url import normalize_db_url

NO_EVIDENCE: Mapping[str, Sequence[tuple[str, bytes]]] = MappingProxyType({})
SYSTEM_ACTOR = "auditor"


class Store:
    """The findings store behind one database URL (SQLite file or PostgreSQL)."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        tenant: str = DEFAULT_TENANT,
    ) -> None:
        """``url``: a SQLAlchemy URL or a plain SQLite file path; nothing connects yet.

        ``tenant``: the one city this store object reads and writes (see ``store/tenancy.py``);
        every transaction is scoped to it, so the other cities' rows do not exist for it.
        """
        self.url = normalize_db_url(url)
        self.tenant = store_tenant(tenant)
        self.engine = make_engine(self.url, busy_timeout_ms=busy_timeout_ms)

    def for_tenant(self, tenant: str) -> Store:
        """Another store object on the same database, scoped to ``tenant`` (own engine)."""
        return Store(self.url, tenant=tenant)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------------

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest revision (Alembic, never ``create_all``)."""
        upgrade_engine(self.engine)

    def schema_is_current(self) -> bool:
        return current_revision(self.engine) == head_revision()

    @contextmanager
    def _transaction(self, *, write: bool, consistent: bool = False) -> Iterator[Session]:
        """One transaction; ``consistent`` reads see one snapshot across statements.

        (SQLite transactions always do; PostgreSQL's default READ COMMITTED does not.)
        """
        with unavailable_on_connection_errors(self.engine), self.engine.connect() as connection:
            if write:
                connection.execution_options(**{WRITE_OPTION: True})
            if consistent and connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            with (
                TenantSession(
                    bind=connection, expire_on_commit=False, autoflush=False, tenant=self.tenant
                ) as session,
                session.begin(),
            ):
                yield session

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
    ) -> int:
        """Open a run in status ``running`` and return its id."""
        run_scope = RunScope(scope)
        names = list(dict.fromkeys(devices))
        started = utc(started_at)
        with self._transaction(write=True) as session:
            ensure_devices(session, names, started)
            row = RunRow(
                kind=kind,
                scope=run_scope.value,
                status=RunStatus.RUNNING.value,
                started_at=started,
                finished_at=None,
                devices=names,
                devices_attempted=len(names),
                devices_collected=0,
                finding_counts={},
                tool_version=tool_version,
                rule_pack_hash=rule_pack_hash,
                policy_hash=policy_hash,
                note=None,
                pid=os.getpid(),
                host=socket.gethostname()[:255],
            )
            session.add(row)
            session.flush()
            return row.id

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
        evidence: Mapping[str, Sequence[tuple[str, bytes]]] = NO_EVIDENCE,
        actor: str = SYSTEM_ACTOR,
        matrix: Mapping[str, Any] | None = None,
        matrix_error: str | None = None,
        results: Sequence[CheckResult] = (),
    ) -> RunSummary:
        """Store everything one run produced and apply the lifecycle, in ONE transaction.

        Suppressions made from the shell (``auditor findings suppress``) are added to ``policy``'s
        exceptions here, so no entry point can record a run that silently unsuppresses them.
        ``matrix`` is the run's zone matrix (``ZoneMatrix.to_json``); ``matrix_error`` says why a
        run that should have one has none. ``results`` is the run's control matrix: one
        pass / fail / N/A / not-evaluated cell per (check, target). Raises :class:`RunAlreadyRecorded` when the run is not
        ``running`` any more, so recording the same run twice (a retried daemon job) cannot
        double-count or double-resolve.
        """
        at = utc(now)
        with self._transaction(write=True) as session:
            chain = lock_chain(session)
            run = session.get(RunRow, run_id, with_for_update=True)
            if run is None:
                raise RunNotFound(f"run {run_id} does not exist")
            if run.status != RunStatus.RUNNING:
                raise RunAlreadyRecorded(f"run {run_id} was already recorded ({run.status})")
            device_ids = ensure_devices(session, [*snapshots, *sorted(covered_devices)], at)
            written, unchanged = store_snapshots(session, run_id, snapshots, device_ids)
            blobs = store_evidence(session, run_id, evidence, at)
            events = EventLog(chain, run_id=run_id, actor=actor, at=at)
            tally = apply_lifecycle(
                session,
                run_id=run_id,
                findings=findings,
                covered_devices=covered_devices,
                evaluated_checks=evaluated_checks,
                policy=with_manual_exceptions(session, policy),
                at=at,
                complete=complete,
                events=events,
            )
            record_collection_errors(session, run_id, findings, at)
            results_stored = store_results(session, run_id, results)
            status = run_status(run.devices, covered_devices, complete)
            run.status = status.value
            run.finished_at = at
            run.devices_collected = len(covered_devices)
            run.finding_counts = tally.as_json()
            _run_finished_event(events, run, seen=tally.seen_digests)
            if matrix is not None or matrix_error is not None:
                session.add(
                    RunMatrixRow(
                        run_id=run_id,
                        computed_at=at,
                        data=dict(matrix) if matrix is not None else None,
                        error=matrix_error,
                    )
                )
            events.flush(session)
            if covered_devices:
                session.execute(
                    update(DeviceRow)
                    .where(DeviceRow.name.in_(sorted(covered_devices)))
                    .values(last_collected=at)
                )
            return RunSummary(
                run_id=run_id,
                status=status,
                findings_seen=tally.seen,
                new=tally.new,
                reopened=tally.reopened,
                resolved=tally.resolved,
                suppressed=tally.suppressed,
                unsuppressed=tally.unsuppressed,
                errors=tally.errors,
                by_severity=dict(tally.by_severity),
                snapshots_written=written,
                snapshots_unchanged=unchanged,
                evidence_blobs_stored=blobs,
                events_appended=len(events.rows),
                results_stored=results_stored,
            )

    def mark_run_incomplete(self, run_id: int, note: str, *, now: datetime | None = None) -> None:
        """End a run that will not be recorded (SIGTERM, crash): it resolves nothing."""
        self._finish_unrecorded(run_id, RunStatus.INCOMPLETE, note, now)

    def mark_run_failed(self, run_id: int, note: str, *, now: datetime | None = None) -> None:
        """End a run that could not evaluate anything (e.g. policy failed to load)."""
        self._finish_unrecorded(run_id, RunStatus.FAILED, note, now)

    def mark_running_runs_incomplete(self, note: str, *, now: datetime | None = None) -> list[int]:
        """At daemon start: runs still ``running`` were cut off by a crash; close them."""
        return self._close_running(note, now, only_ghosts=False)

    def close_ghost_runs(
        self, *, now: datetime | None = None, include_unknown: bool = False
    ) -> list[int]:
        """Close, as incomplete, runs still ``running`` whose process (pid on this host) is gone.

        Every command that opens the store calls this, so ``auditor status`` and the next run
        never show a run that nobody is running any more. Runs of other hosts and runs without a
        recorded pid (older databases) are left alone: this host cannot tell whether they live
        (``include_unknown`` closes those too: the daemon at start-up, as before revision 0003).
        """
        with self._transaction(write=False) as session:  # the usual case writes nothing
            running = session.scalar(
                select(func.count()).where(RunRow.status == RunStatus.RUNNING.value)
            )
        if not running:
            return []
        return self._close_running(
            "the process running it is gone (killed or crashed)",
            now,
            only_ghosts=True,
            include_unknown=include_unknown,
        )

    def _close_running(
        self, note: str, now: datetime | None, *, only_ghosts: bool, include_unknown: bool = False
    ) -> list[int]:
        at = utc(now or datetime.now(UTC))
        host = socket.gethostname()[:255]
        with self._transaction(write=True) as session:
            query = select(RunRow.id, RunRow.pid, RunRow.host).where(
                RunRow.status == RunStatus.RUNNING.value
            )
            candidates = [
                run_id
                for run_id, pid, run_host in session.execute(query)
                if not only_ghosts
                or (pid is None and include_unknown)
                or (run_host == host and pid is not None and not _alive(pid))
            ]
            if not candidates:
                return []
            chain = lock_chain(session)
            events = EventLog(chain, run_id=None, actor=SYSTEM_ACTOR, at=at)
            for run_id in candidates:
                run = session.get(RunRow, run_id, with_for_update=True)
                if run is None or run.status != RunStatus.RUNNING:
                    continue
                run.status = RunStatus.INCOMPLETE.value
                run.finished_at = at
                run.note = f"{note} (pid {run.pid} on {run.host})" if run.pid else note
                _run_finished_event(events, run, seen={})
            events.flush(session)
            return candidates

    def _finish_unrecorded(
        self, run_id: int, status: RunStatus, note: str, now: datetime | None
    ) -> None:
        at = utc(now or datetime.now(UTC))
        with self._transaction(write=True) as session:
            chain = lock_chain(session)  # chain first, then the run: the order record_run uses
            run = session.get(RunRow, run_id, with_for_update=True)
            if run is None:
                raise RunNotFound(f"run {run_id} does not exist")
            if run.status != RunStatus.RUNNING:
                raise RunAlreadyRecorded(f"run {run_id} already ended ({run.status})")
            run.status = status.value
            run.finished_at = at
            run.note = note
            events = EventLog(chain, run_id=None, actor=SYSTEM_ACTOR, at=at)
            _run_finished_event(events, run, seen={})
            events.flush(session)

    def get_run(self, run_id: int) -> RunRecord:
        with self._transaction(write=False) as session:
            run = session.get(RunRow, run_id)
            if run is None:
                raise RunNotFound(f"run {run_id} does not exist")
            return run_record(run)

    def list_runs(self, kind: str | None = None, limit: int = 50) -> list[RunRecord]:
        """Newest first."""
        query = select(RunRow).order_by(RunRow.id.desc()).limit(limit)
        if kind is not None:
            query = query.where(RunRow.kind == kind)
        with self._transaction(write=False) as session:
            return [run_record(row) for row in session.scalars(query)]

    def first_run_started_at(self) -> datetime | None:
        """Start of the earliest stored run: how far back history reaches."""
        with self._transaction(write=False) as session:
            value = session.scalar(select(func.min(RunRow.started_at)))
        return None if value is None else utc(value)

    def last_run(
        self, kind: str | None = None, *, statuses: Collection[str] | None = None
    ) -> RunRecord | None:
        """The newest run of ``kind`` (optionally only with one of ``statuses``)."""
        query = select(RunRow).order_by(RunRow.id.desc()).limit(1)
        if kind is not None:
            query = query.where(RunRow.kind == kind)
        if statuses is not None:
            query = query.where(RunRow.status.in_(_as_strings(statuses)))
        with self._transaction(write=False) as session:
            row = session.scalars(query).first()
            return None if row is None else run_record(row)

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
    ) -> list[FindingRecord]:
        """Findings matching every given filter, worst severity first.

        ``since`` (inclusive) and ``until`` (exclusive) apply to ``time_field``.
        """
        query = select(*FINDING_COLUMNS)
        if status is not None:
            query = query.where(FindingRow.status.in_(_as_strings(status)))
        if severity is not None:
            query = query.where(FindingRow.severity.in_(_as_strings(severity)))
        if device is not None:
            query = query.where(FindingRow.device == device)
        if check_id is not None:
            query = query.where(FindingRow.check_id == check_id)
        if zone is not None:
            query = query.where(FindingRow.zone == zone)
        column = getattr(FindingRow, time_field)
        if since is not None:
            query = query.where(column >= utc(since))
        if until is not None:
            query = query.where(column < utc(until))
        with self._transaction(write=False) as session:
            build = FindingRecords()
            # fetchall: one driver call for the result instead of one per row
            records = [build(row) for row in tenant_rows(session, query).all()]
        records.sort(
            key=lambda r: (-r.severity.rank, r.device or "", r.check_id, r.subject, r.fingerprint)
        )
        return records if limit is None else records[:limit]

    def get_finding(self, fingerprint_prefix: str) -> tuple[FindingRecord, list[EventRecord]]:
        """The finding whose fingerprint starts with the prefix, and its events, oldest first."""
        with self._transaction(write=False) as session:
            row = find_by_prefix(session, fingerprint_prefix)
            events = session.scalars(
                select(FindingEventRow)
                .where(FindingEventRow.fingerprint == row.fingerprint)
                .order_by(FindingEventRow.id)
            )
            return finding_record(row), [event_record(event) for event in events]

    def ack(
        self,
        fingerprint_prefix: str,
        actor: str,
        note: str | None = None,
        *,
        now: datetime | None = None,
    ) -> FindingRecord:
        """Record that ``actor`` has seen the finding (an ``acked`` event); status is unchanged."""
        at = utc(now or datetime.now(UTC))
        with self._transaction(write=True) as session:
            chain = lock_chain(session)
            row = find_by_prefix(session, fingerprint_prefix)
            row.acknowledged_by = actor
            row.acknowledged_at = at
            events = EventLog(chain, run_id=None, actor=actor, at=at)
            events.add(row.fingerprint, EventType.ACKED, {"note": note, "status": row.status})
            events.flush(session)
            return finding_record(row)

    def list_events(
        self,
        *,
        until: datetime | None = None,
        types: Collection[str] | None = None,
        fingerprints: Collection[str] | None = None,
    ) -> list[EventRecord]:
        """Events up to ``until`` (inclusive), oldest first: a report "as of" a date replays them."""
        query = select(*EVENT_COLUMNS).order_by(FindingEventRow.id)
        if until is not None:
            query = query.where(FindingEventRow.at <= utc(until))
        if types is not None:
            query = query.where(FindingEventRow.event_type.in_(_as_strings(types)))
        with self._transaction(write=False, consistent=True) as session:
            if fingerprints is None:
                build = EventRecords()
                return [build(row) for row in tenant_rows(session, query)]
            wanted = sorted(set(fingerprints))
            build = EventRecords()
            found: list[EventRecord] = []
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                part = query.where(FindingEventRow.fingerprint.in_(chunk))
                found.extend(build(row) for row in tenant_rows(session, part))
            return sorted(found, key=lambda event: event.id)

    def iter_events(
        self, *, until: datetime | None = None, types: Collection[str] | None = None
    ) -> Iterator[EventRecord]:
        """The events of :meth:`list_events`, oldest first, read in batches as they are consumed.

        A report folds 100,000 events into histories one at a time instead of holding them all
        (with their hashes and payloads) beside the findings. The read is one transaction, open
        until the iterator is exhausted or closed.
        """
        query = select(*EVENT_COLUMNS).order_by(FindingEventRow.id)
        if until is not None:
            query = query.where(FindingEventRow.at <= utc(until))
        if types is not None:
            query = query.where(FindingEventRow.event_type.in_(_as_strings(types)))
        with self._transaction(write=False, consistent=True) as session:
            rows = tenant_rows(session, query, yield_per=2000)
            build = EventRecords()
            for row in rows:
                yield build(row)

    # -- control matrix ---------------------------------------------------------------------

    def run_results(self, run_id: int) -> list[ResultRecord]:
        """Every (check, target) result run ``run_id`` stored, by check then target."""
        query = (
            select(
                ResultSetRow.check_id,
                ResultSetCellRow.target,
                ResultSetCellRow.outcome,
                ResultSetCellRow.reason_en,
                ResultSetCellRow.reason_ja,
            )
            .join(RunResultSetRow, RunResultSetRow.set_id == ResultSetRow.id)
            .join(ResultSetCellRow, ResultSetCellRow.set_id == ResultSetRow.id)
            .where(RunResultSetRow.run_id == run_id)
            .order_by(ResultSetRow.check_id, ResultSetCellRow.target)
        )
        with self._transaction(write=False) as session:
            return [
                ResultRecord(
                    run_id=run_id,
                    check_id=check_id,
                    target=target,
                    outcome=ResultOutcome(outcome),
                    reason_en=reason_en,
                    reason_ja=reason_ja,
                )
                for check_id, target, outcome, reason_en, reason_ja in session.execute(query)
            ]

    def results_run(self, before: datetime | None = None) -> RunRecord | None:
        """The newest run (started up to ``before``) that stored a control matrix."""
        query = (
            select(RunRow)
            .where(RunRow.id.in_(select(RunResultSetRow.run_id).distinct()))
            .order_by(RunRow.started_at.desc(), RunRow.id.desc())
            .limit(1)
        )
        if before is not None:
            query = query.where(RunRow.started_at <= utc(before))
        with self._transaction(write=False) as session:
            row = session.scalars(query).first()
            return None if row is None else run_record(row)

    # -- snapshots, evidence, history -----------------------------------------------------

    def latest_snapshots(self, devices: Iterable[str] | None = None) -> dict[str, DeviceSnapshot]:
        """The newest stored snapshot of each device (``collected_at`` of its newest sighting)."""
        newest = select(func.max(SnapshotRow.id)).group_by(SnapshotRow.device_id)
        query = (
            select(SnapshotRow, DeviceRow.name)
            .join(DeviceRow, DeviceRow.id == SnapshotRow.device_id)
            .where(SnapshotRow.id.in_(newest))
        )
        if devices is not None:
            query = query.where(DeviceRow.name.in_(sorted(set(devices))))
        with self._transaction(write=False) as session:
            loader = SnapshotLoader(session)
            return {name: loader.load(row) for row, name in session.execute(query)}

    def snapshot_history(
        self, device: str, since: datetime | None = None, until: datetime | None = None
    ) -> Sequence[DeviceSnapshot]:
        """Every stored sighting of ``device``, oldest first (unchanged ones included).

        A lazy sequence: sightings of the same content share one parsed snapshot and each is
        rebuilt with its own clocks when read (see :class:`~auditor.store.reading.SnapshotSeries`).
        """
        query = (
            select(SnapshotRow)
            .join(DeviceRow, DeviceRow.id == SnapshotRow.device_id)
            .where(DeviceRow.name == device)
            .order_by(SnapshotRow.collected_at, SnapshotRow.id)
        )
        if since is not None:
            query = query.where(SnapshotRow.collected_at >= utc(since))
        if until is not None:
            query = query.where(SnapshotRow.collected_at < utc(until))
        with self._transaction(write=False) as session:
            return SnapshotLoader(session).series(session.scalars(query))

    def last_good_configs(self, devices: Iterable[str] | None = None) -> dict[str, DeviceSnapshot]:
        """Per device, the newest snapshot holding a configuration from a run in which that
        device's collection did not fail (the last known-good configuration, redacted)."""
        failed = select(CollectionErrorRow.run_id).where(
            CollectionErrorRow.device == DeviceRow.name
        )
        query = (
            select(SnapshotRow, DeviceRow.name)
            .join(DeviceRow, DeviceRow.id == SnapshotRow.device_id)
            .where(SnapshotRow.run_id.not_in(failed))
            .order_by(DeviceRow.name, SnapshotRow.collected_at.desc(), SnapshotRow.id.desc())
        )
        if devices is not None:
            query = query.where(DeviceRow.name.in_(sorted(set(devices))))
        found: dict[str, DeviceSnapshot] = {}
        with self._transaction(write=False) as session:
            loader = SnapshotLoader(session)
            for row, name in session.execute(query):
                if name in found:
                    continue
                snapshot = loader.load(row)
                if snapshot.config_redacted is not None:
                    found[name] = snapshot
        return found

    def record_operator_event(
        self,
        subject: str,
        event_type: EventType,
        actor: str,
        payload: Mapping[str, Any],
        *,
        now: datetime | None = None,
    ) -> EventRecord:
        """Append an operator's action that concerns no finding (``subject`` names what it was
        about) to the hash chain, so it is as tamper-evident as the findings' history."""
        at = utc(now or datetime.now(UTC))
        with self._transaction(write=True) as session:
            chain = lock_chain(session)
            events = EventLog(chain, run_id=None, actor=actor, at=at)
            events.add(subject, event_type, payload)
            events.flush(session)
            row = session.scalars(
                select(FindingEventRow).where(FindingEventRow.id == events.rows[-1]["id"])
            ).one()
            return event_record(row)

    def collection_failures(self, device: str, since: datetime | None = None) -> list[datetime]:
        """When collection of ``device`` failed (runs with a ``COL-…`` ERROR finding), oldest first."""
        query = (
            select(CollectionErrorRow.at)
            .where(CollectionErrorRow.device == device)
            .distinct()
            .order_by(CollectionErrorRow.at)
        )
        if since is not None:
            query = query.where(CollectionErrorRow.at >= utc(since))
        with self._transaction(write=False) as session:
            return list(session.scalars(query))

    def evidence_blob(self, sha256: str) -> bytes:
        with self._transaction(write=False) as session:
            data = session.scalar(select(EvidenceRow.data).where(EvidenceRow.sha256 == sha256))
            if data is None:
                raise EvidenceNotFound(f"no evidence with sha256 {sha256}")
            return bytes(data)

    def run_evidence(self, run_id: int) -> list[EvidenceLink]:
        """The evidence a run stored, for evidence bundles."""
        query = (
            select(RunEvidenceRow, EvidenceRow.media_type, EvidenceRow.size)
            .join(EvidenceRow, EvidenceRow.sha256 == RunEvidenceRow.sha256)
            .where(RunEvidenceRow.run_id == run_id)
            .order_by(RunEvidenceRow.id)
        )
        with self._transaction(write=False) as session:
            return [
                EvidenceLink(
                    run_id=link.run_id,
                    device=link.device,
                    label=link.label,
                    sha256=link.sha256,
                    media_type=media_type,
                    size=size,
                )
                for link, media_type, size in session.execute(query)
            ]

    # -- zone matrix ------------------------------------------------------------------------

    def latest_matrix(self, before: datetime | None = None) -> MatrixRecord | None:
        """The matrix of the newest run (started before ``before``) that stored one or its error."""
        query = (
            select(RunMatrixRow, RunRow.kind, RunRow.started_at)
            .join(RunRow, RunRow.id == RunMatrixRow.run_id)
            .order_by(RunRow.started_at.desc(), RunRow.id.desc())
            .limit(1)
        )
        if before is not None:
            query = query.where(RunRow.started_at <= utc(before))
        with self._transaction(write=False) as session:
            found = session.execute(query).first()
            if found is None:
                return None
            row, kind, started_at = found
            return MatrixRecord(
                run_id=row.run_id,
                run_kind=kind,
                run_started_at=started_at,
                computed_at=row.computed_at,
                data=dict(row.data) if row.data is not None else None,
                error=row.error,
            )

    # -- retention --------------------------------------------------------------------------

    def prune(self, before: datetime) -> int:
        """Drop snapshots, evidence, collection errors and hand-over rows older than ``before``
        (see ``store/retention.py`` for what each keeps)."""
        with self._transaction(write=True) as session:
            return prune(session, utc(before))

    # -- integrity --------------------------------------------------------------------------

    def manual_exceptions(self) -> list[PolicyException]:
        """Suppressions made from the shell, as policy exceptions (``record_run`` applies them)."""
        with self._transaction(write=False) as session:
            return manual_exceptions_in(session)

    def chain_head(self) -> ChainHead:
        """The head row as it is now (cheap; ``verify`` proves it)."""
        with self._transaction(write=False) as session:
            head = chain_row(session)
            if head is None:
                return ChainHead(event_id=0, hash=GENESIS_HASH)
            return ChainHead(event_id=head.last_event_id, hash=head.last_hash)

    def chain_status(self) -> ChainStatus:
        """The head hash if the chain is intact (``None`` if not), re-hashing only new events.

        Events up to the stored checkpoint were found intact by an earlier walk; its event must
        still carry the same hash. A walk that finds the chain intact moves the checkpoint to
        the head (best effort: a read-only database just walks again next time). Reports use
        this; ``verify`` walks every event and proves the tables as well.
        """
        with self._transaction(write=False, consistent=True) as session:
            status = walk_from_checkpoint(session)
        if status.intact and status.head_event_id > status.from_event_id and status.head_hash:
            self._save_checkpoint(status.head_event_id, status.head_hash)
        return status

    def _save_checkpoint(self, event_id: int, digest: str) -> None:
        try:
            with self._transaction(write=True) as session:
                save_checkpoint(session, event_id, digest)
        except (SQLAlchemyError, StoreError) as exc:
            checkpoint_failed(exc)

    def verify(self, expect_head: str | None = None) -> VerifyResult:
        """Recompute the event hash chain, then prove the findings and runs tables from it.

        Besides each hash, it checks that ids are contiguous (a deleted event leaves a gap) and
        that the chain ends exactly at the head row (a deleted last event leaves the head ahead).
        Then every finding and run row is compared with the state its events give
        (:mod:`auditor.store.integrity`). ``expect_head`` is a head printed earlier (in a report):
        it must be the hash of some event of the chain, or the chain was cut and rewritten.
        """
        expected = expect_head.strip().lower() if expect_head else None
        expected_at: int | None = 0 if expected == GENESIS_HASH else None
        replay = Replay()
        with self._transaction(write=False, consistent=True) as session:
            head = chain_row(session)
            rows = session.execute(
                select(*CHAIN_COLUMNS)
                .order_by(FindingEventRow.id)
                .execution_options(yield_per=5000)
            )
            previous_hash = GENESIS_HASH
            checked = 0
            try:
                for event in linked_events(rows):
                    event_id, fingerprint, run_id, event_type, actor, at, payload, digest = event
                    checked += 1
                    if digest == expected:
                        expected_at = event_id
                    replay.add(event_id, fingerprint, run_id, event_type, actor, at, payload)
                    previous_hash = digest
            except ChainBrokenError as exc:
                return _broken(exc.checked, exc.event_id, _BREAK_REASONS[exc.kind](exc))
            expected_id = checked + 1
            if head is None:
                return _broken(checked, None, "event_chain head row is missing")
            if head.last_event_id != expected_id - 1 or head.last_hash != previous_hash:
                return _broken(
                    checked,
                    expected_id,
                    f"chain ends at event {expected_id - 1} but its head says {head.last_event_id}",
                )
            tables = check_tables(session, replay)
        last_id = expected_id - 1
        if last_id > 0:  # every event was hashed and linked: the next report starts here
            self._save_checkpoint(last_id, previous_hash)
        found = None if expected is None else expected_at is not None
        reason = None
        if tables.mismatch_count:
            reason = f"{tables.mismatch_count} row(s) differ from their events"
        if found is False:
            reason = "the expected head is not in the chain" + (f"; {reason}" if reason else "")
        return VerifyResult(
            ok=not tables.mismatch_count and found is not False,
            events_checked=checked,
            first_broken_event_id=None,
            reason=reason,
            head_hash=previous_hash,
            findings_checked=tables.findings_checked,
            runs_checked=tables.runs_checked,
            mismatches=tuple(tables.mismatches),
            mismatch_count=tables.mismatch_count,
            unprovable_findings=tables.unprovable_findings,
            unprovable_runs=tables.unprovable_runs,
            expected_head=expected,
            expected_head_found=found,
            events_after_expected=None if expected_at is None else last_id - expected_at,
        )


# -- helpers (module level so the Store class stays a readable list of operations) -------------


def _run_finished_event(events: EventLog, run: RunRow, *, seen: Mapping[str, str]) -> None:
    """The event that proves a run's end state and what it saw (see ``store/integrity.py``)."""
    state = run_state(
        status=run.status,
        finished_at=run.finished_at,
        devices_collected=run.devices_collected,
        finding_counts=run.finding_counts,
        note=run.note,
    )
    events.add(
        run_fingerprint(run.id),
        EventType.RUN_FINISHED,
        {"run": state, "seen": dict(sorted(seen.items()))},
        run_id=run.id,
    )


def _alive(pid: int) -> bool:
    """Whether a process with ``pid`` exists on this host (a reused pid counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_BREAK_REASONS: dict[str, Callable[[ChainBrokenError], str]] = {
    "gap": lambda exc: f"events {exc.expected_id}..{exc.event_id - 1} missing",
    "prev_hash": lambda exc: "prev_hash does not match the previous event",
    "content": lambda exc: "event content does not match its hash",
}


def _broken(checked: int, event_id: int | None, reason: str) -> VerifyResult:
    return VerifyResult(
        ok=False, events_checked=checked, first_broken_event_id=event_id, reason=reason
    )


def _as_strings(values: Collection[str] | str) -> list[str]:
    return [values] if isinstance(values, str) else [str(value) for value in values]


# Names ``auditor.store.manual`` imports from this module; kept so that it keeps working.
_EventLog = EventLog
_find_by_prefix = find_by_prefix
_finding_record = finding_record
_lock_chain = lock_chain


def as_audit_store(store: Store) -> AuditStore:
    """The concrete store where the Protocol is wanted; mypy proves here that it conforms."""
    return store
