"""The findings store: runs, snapshots, evidence, the finding lifecycle and its hash-chained log.

Every public method is one database transaction. Writes that append events first lock the single
``event_chain`` row, which serializes them on PostgreSQL (SQLite serializes writers by itself with
``BEGIN IMMEDIATE``), so the chain can never fork and event ids stay contiguous.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType, TracebackType
from typing import Any, Literal

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from auditor.findings import EvidenceRef, Finding, Outcome, Reference, Severity
from auditor.policy.models import Policy
from auditor.snapshot import DeviceSnapshot
from auditor.store.chain import GENESIS_HASH, event_fields, event_hash
from auditor.store.engine import (
    DEFAULT_BUSY_TIMEOUT_MS,
    WRITE_OPTION,
    make_engine,
    unavailable_on_connection_errors,
)
from auditor.store.errors import (
    AmbiguousFingerprint,
    EvidenceNotFound,
    FindingNotFound,
    RunAlreadyRecorded,
    RunNotFound,
    StoreError,
)
from auditor.store.lifecycle import exception_key, matching_exception, may_resolve
from auditor.store.migrate import current_revision, head_revision, upgrade_engine
from auditor.store.models import (
    CollectionErrorRow,
    DeviceRow,
    EventChainRow,
    EvidenceRow,
    FindingEventRow,
    FindingRow,
    RunEvidenceRow,
    RunRow,
    SnapshotRow,
)
from auditor.store.records import (
    EventRecord,
    EventType,
    EvidenceLink,
    FindingRecord,
    FindingStatus,
    RunRecord,
    RunScope,
    RunStatus,
    RunSummary,
    VerifyResult,
)
from auditor.store.types import utc
from auditor.store.url import normalize_db_url

NO_EVIDENCE: Mapping[str, Sequence[tuple[str, bytes]]] = MappingProxyType({})
SYSTEM_ACTOR = "auditor"
COLLECTION_CHECK_PREFIX = "COL-"
MIN_PREFIX_LENGTH = 8
_CHUNK = 500
_HEX = frozenset("0123456789abcdef")

TimeField = Literal["last_seen", "first_seen", "resolved_at"]


class Store:
    """The findings store behind one database URL (SQLite file or PostgreSQL)."""

    def __init__(self, url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        """``url``: a SQLAlchemy URL or a plain SQLite file path; nothing connects yet."""
        self.url = normalize_db_url(url)
        self.engine = make_engine(self.url, busy_timeout_ms=busy_timeout_ms)

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
                Session(bind=connection, expire_on_commit=False, autoflush=False) as session,
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
            _ensure_devices(session, names, started)
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
    ) -> RunSummary:
        """Store everything one run produced and apply the lifecycle, in ONE transaction.

        Raises :class:`RunAlreadyRecorded` when the run is not ``running`` any more, so recording
        the same run twice (a retried daemon job) cannot double-count or double-resolve.
        """
        at = utc(now)
        with self._transaction(write=True) as session:
            chain = _lock_chain(session)
            run = session.get(RunRow, run_id, with_for_update=True)
            if run is None:
                raise RunNotFound(f"run {run_id} does not exist")
            if run.status != RunStatus.RUNNING:
                raise RunAlreadyRecorded(f"run {run_id} was already recorded ({run.status})")
            device_ids = _ensure_devices(session, [*snapshots, *sorted(covered_devices)], at)
            written, unchanged = _store_snapshots(session, run_id, snapshots, device_ids)
            blobs = _store_evidence(session, run_id, evidence, at)
            events = _EventLog(chain, run_id=run_id, actor=actor, at=at)
            tally = _apply_lifecycle(
                session,
                run_id=run_id,
                findings=findings,
                covered_devices=covered_devices,
                evaluated_checks=evaluated_checks,
                policy=policy,
                at=at,
                complete=complete,
                events=events,
            )
            _record_collection_errors(session, run_id, findings, at)
            events.flush(session)
            if covered_devices:
                session.execute(
                    update(DeviceRow)
                    .where(DeviceRow.name.in_(sorted(covered_devices)))
                    .values(last_collected=at)
                )
            status = _run_status(run.devices, covered_devices, complete)
            run.status = status.value
            run.finished_at = at
            run.devices_collected = len(covered_devices)
            run.finding_counts = tally.as_json()
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
            )

    def mark_run_incomplete(self, run_id: int, note: str, *, now: datetime | None = None) -> None:
        """End a run that will not be recorded (SIGTERM, crash): it resolves nothing."""
        self._finish_unrecorded(run_id, RunStatus.INCOMPLETE, note, now)

    def mark_run_failed(self, run_id: int, note: str, *, now: datetime | None = None) -> None:
        """End a run that could not evaluate anything (e.g. policy failed to load)."""
        self._finish_unrecorded(run_id, RunStatus.FAILED, note, now)

    def mark_running_runs_incomplete(self, note: str, *, now: datetime | None = None) -> list[int]:
        """At daemon start: runs still ``running`` were cut off by a crash; close them."""
        at = utc(now or datetime.now(UTC))
        with self._transaction(write=True) as session:
            closed = session.scalars(
                update(RunRow)
                .where(RunRow.status == RunStatus.RUNNING.value)
                .values(status=RunStatus.INCOMPLETE.value, finished_at=at, note=note)
                .returning(RunRow.id)
            )
            return sorted(closed)

    def _finish_unrecorded(
        self, run_id: int, status: RunStatus, note: str, now: datetime | None
    ) -> None:
        at = utc(now or datetime.now(UTC))
        with self._transaction(write=True) as session:
            run = session.get(RunRow, run_id, with_for_update=True)
            if run is None:
                raise RunNotFound(f"run {run_id} does not exist")
            if run.status != RunStatus.RUNNING:
                raise RunAlreadyRecorded(f"run {run_id} already ended ({run.status})")
            run.status = status.value
            run.finished_at = at
            run.note = note

    def get_run(self, run_id: int) -> RunRecord:
        with self._transaction(write=False) as session:
            run = session.get(RunRow, run_id)
            if run is None:
                raise RunNotFound(f"run {run_id} does not exist")
            return _run_record(run)

    def list_runs(self, kind: str | None = None, limit: int = 50) -> list[RunRecord]:
        """Newest first."""
        query = select(RunRow).order_by(RunRow.id.desc()).limit(limit)
        if kind is not None:
            query = query.where(RunRow.kind == kind)
        with self._transaction(write=False) as session:
            return [_run_record(row) for row in session.scalars(query)]

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
            return None if row is None else _run_record(row)

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
        query = select(FindingRow)
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
            records = [_finding_record(row) for row in session.scalars(query)]
        records.sort(
            key=lambda r: (-r.severity.rank, r.device or "", r.check_id, r.subject, r.fingerprint)
        )
        return records if limit is None else records[:limit]

    def get_finding(self, fingerprint_prefix: str) -> tuple[FindingRecord, list[EventRecord]]:
        """The finding whose fingerprint starts with the prefix, and its events, oldest first."""
        with self._transaction(write=False) as session:
            row = _find_by_prefix(session, fingerprint_prefix)
            events = session.scalars(
                select(FindingEventRow)
                .where(FindingEventRow.fingerprint == row.fingerprint)
                .order_by(FindingEventRow.id)
            )
            return _finding_record(row), [_event_record(event) for event in events]

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
            chain = _lock_chain(session)
            row = _find_by_prefix(session, fingerprint_prefix)
            row.acknowledged_by = actor
            row.acknowledged_at = at
            events = _EventLog(chain, run_id=None, actor=actor, at=at)
            events.add(row.fingerprint, EventType.ACKED, {"note": note, "status": row.status})
            events.flush(session)
            return _finding_record(row)

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
            loader = _SnapshotLoader(session)
            return {name: loader.load(row) for row, name in session.execute(query)}

    def snapshot_history(
        self, device: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[DeviceSnapshot]:
        """Every stored sighting of ``device``, oldest first (unchanged ones included)."""
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
            loader = _SnapshotLoader(session)
            return [loader.load(row) for row in session.scalars(query)]

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

    # -- integrity --------------------------------------------------------------------------

    def verify(self) -> VerifyResult:
        """Recompute the event hash chain from the first event; report the first broken link.

        Besides each hash, it checks that ids are contiguous (a deleted event leaves a gap) and
        that the chain ends exactly at the head row (a deleted last event leaves the head ahead).
        """
        columns = (
            FindingEventRow.id,
            FindingEventRow.fingerprint,
            FindingEventRow.run_id,
            FindingEventRow.event_type,
            FindingEventRow.actor,
            FindingEventRow.at,
            FindingEventRow.payload,
            FindingEventRow.prev_hash,
            FindingEventRow.hash,
        )
        with self._transaction(write=False, consistent=True) as session:
            head = session.get(EventChainRow, 1)
            rows = session.execute(
                select(*columns).order_by(FindingEventRow.id).execution_options(yield_per=5000)
            )
            previous_hash = GENESIS_HASH
            expected_id = 1
            checked = 0
            for row in rows:
                values: tuple[Any, ...] = tuple(row)
                event_id, fingerprint, run_id, event_type, actor, at, payload, prev, digest = values
                checked += 1
                if event_id != expected_id:
                    return _broken(
                        checked, event_id, f"events {expected_id}..{event_id - 1} missing"
                    )
                if prev != previous_hash:
                    return _broken(checked, event_id, "prev_hash does not match the previous event")
                fields = event_fields(
                    event_id=event_id,
                    fingerprint=fingerprint,
                    run_id=run_id,
                    event_type=event_type,
                    actor=actor,
                    at=at,
                    payload=payload,
                )
                if event_hash(previous_hash, fields) != digest:
                    return _broken(checked, event_id, "event content does not match its hash")
                previous_hash = digest
                expected_id += 1
            if head is None:
                return _broken(checked, None, "event_chain head row is missing")
            if head.last_event_id != expected_id - 1 or head.last_hash != previous_hash:
                return _broken(
                    checked,
                    expected_id,
                    f"chain ends at event {expected_id - 1} but its head says {head.last_event_id}",
                )
            return VerifyResult(
                ok=True,
                events_checked=checked,
                first_broken_event_id=None,
                reason=None,
                head_hash=previous_hash,
            )


# -- helpers (module level so the Store class stays a readable list of operations) -------------


def _broken(checked: int, event_id: int | None, reason: str) -> VerifyResult:
    return VerifyResult(
        ok=False, events_checked=checked, first_broken_event_id=event_id, reason=reason
    )


def _as_strings(values: Collection[str] | str) -> list[str]:
    return [values] if isinstance(values, str) else [str(value) for value in values]


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lock_chain(session: Session) -> EventChainRow:
    chain = session.get(EventChainRow, 1, with_for_update=True)
    if chain is None:
        raise StoreError("event_chain head row is missing; was the schema created by upgrade()?")
    return chain


def _device_ids(session: Session, names: Sequence[str]) -> dict[str, int]:
    known: dict[str, int] = {}
    for chunk in _chunks(names):
        query = select(DeviceRow.name, DeviceRow.id).where(DeviceRow.name.in_(chunk))
        for name, device_id in session.execute(query):
            known[name] = device_id
    return known


def _ensure_devices(session: Session, names: Iterable[str], at: datetime) -> dict[str, int]:
    wanted = sorted(set(names))
    known = _device_ids(session, wanted)
    missing = [name for name in wanted if name not in known]
    if missing:
        session.execute(insert(DeviceRow), [{"name": name, "first_seen": at} for name in missing])
        known.update(_device_ids(session, missing))
    return known


def _store_snapshots(
    session: Session,
    run_id: int,
    snapshots: Mapping[str, DeviceSnapshot],
    device_ids: Mapping[str, int],
) -> tuple[int, int]:
    """Full JSON only when the content hash differs from the device's previous snapshot."""
    if not snapshots:
        return 0, 0
    ids = sorted({device_ids[name] for name in snapshots})
    previous: dict[int, str] = {}
    for chunk in _chunks(ids):
        newest = (
            select(func.max(SnapshotRow.id))
            .where(SnapshotRow.device_id.in_(chunk))
            .group_by(SnapshotRow.device_id)
        )
        query = select(SnapshotRow.device_id, SnapshotRow.content_hash).where(
            SnapshotRow.id.in_(newest)
        )
        for device_id, content_hash in session.execute(query):
            previous[device_id] = content_hash
    rows: list[dict[str, Any]] = []
    written = 0
    for name, snapshot in snapshots.items():
        device_id = device_ids[name]
        content_hash = snapshot.content_hash()
        changed = previous.get(device_id) != content_hash
        written += changed
        rows.append(
            {
                "run_id": run_id,
                "device_id": device_id,
                "collected_at": utc(snapshot.collected_at),
                "schema_version": snapshot.schema_version,
                "content_hash": content_hash,
                "changed": changed,
                "data": snapshot.model_dump(mode="json") if changed else None,
            }
        )
    session.execute(insert(SnapshotRow), rows)
    return written, len(rows) - written


def _media_type(label: str, data: bytes) -> str:
    guessed, _ = mimetypes.guess_type(label)
    if guessed:
        return guessed
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain; charset=utf-8"


def _store_evidence(
    session: Session,
    run_id: int,
    evidence: Mapping[str, Sequence[tuple[str, bytes]]],
    at: datetime,
) -> int:
    """Blobs by SHA-256 (each stored once, ever) plus one link row per (run, device, label)."""
    blobs: dict[str, dict[str, Any]] = {}
    links: list[dict[str, Any]] = []
    for device, items in evidence.items():
        for label, data in items:
            digest = hashlib.sha256(data).hexdigest()
            blobs.setdefault(
                digest,
                {
                    "sha256": digest,
                    "media_type": _media_type(label, data),
                    "size": len(data),
                    "data": data,
                    "created_at": at,
                },
            )
            links.append(
                {"run_id": run_id, "device": device or None, "label": label, "sha256": digest}
            )
    if not links:
        return 0
    existing: set[str] = set()
    for chunk in _chunks(sorted(blobs)):
        existing.update(
            session.scalars(select(EvidenceRow.sha256).where(EvidenceRow.sha256.in_(chunk)))
        )
    new_blobs = [blob for digest, blob in blobs.items() if digest not in existing]
    if new_blobs:
        session.execute(insert(EvidenceRow), new_blobs)
    session.execute(insert(RunEvidenceRow), links)
    return len(new_blobs)


@dataclass
class _EventLog:
    """Events of one transaction, hashed in id order onto the locked chain head."""

    chain: EventChainRow
    run_id: int | None
    actor: str
    at: datetime
    rows: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._last_id = self.chain.last_event_id
        self._last_hash = self.chain.last_hash

    def add(self, fingerprint: str, event_type: EventType, payload: Mapping[str, Any]) -> None:
        self._last_id += 1
        fields = event_fields(
            event_id=self._last_id,
            fingerprint=fingerprint,
            run_id=self.run_id,
            event_type=event_type.value,
            actor=self.actor,
            at=self.at,
            payload=payload,
        )
        digest = event_hash(self._last_hash, fields)
        self.rows.append(
            {
                "id": self._last_id,
                "fingerprint": fingerprint,
                "run_id": self.run_id,
                "event_type": event_type.value,
                "actor": self.actor,
                "at": self.at,
                "payload": dict(payload),
                "prev_hash": self._last_hash,
                "hash": digest,
            }
        )
        self._last_hash = digest

    def flush(self, session: Session) -> None:
        if not self.rows:
            return
        for chunk in _chunks(self.rows, 2000):
            session.execute(insert(FindingEventRow), list(chunk))
        self.chain.last_event_id = self._last_id
        self.chain.last_hash = self._last_hash
        self.chain.event_count = self.chain.event_count + len(self.rows)
        session.flush()


@dataclass
class _Tally:
    seen: int = 0
    new: int = 0
    reopened: int = 0
    resolved: int = 0
    suppressed: int = 0
    unsuppressed: int = 0
    errors: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "seen": self.seen,
            "new": self.new,
            "reopened": self.reopened,
            "resolved": self.resolved,
            "suppressed": self.suppressed,
            "unsuppressed": self.unsuppressed,
            "errors": self.errors,
            "by_severity": dict(self.by_severity),
        }


_EXISTING_COLUMNS = (
    FindingRow.id,
    FindingRow.fingerprint,
    FindingRow.status,
    FindingRow.severity,
    FindingRow.device,
    FindingRow.check_id,
    FindingRow.exception_id,
)


def _apply_lifecycle(
    session: Session,
    *,
    run_id: int,
    findings: Sequence[Finding],
    covered_devices: set[str],
    evaluated_checks: set[str],
    policy: Policy,
    at: datetime,
    complete: bool,
    events: _EventLog,
) -> _Tally:
    """new → open, resolved → reopened, unseen → resolved (when allowed), exceptions → suppressed."""
    seen: dict[str, Finding] = {}
    for finding in findings:
        if finding.outcome != Outcome.NOT_APPLICABLE:
            seen.setdefault(finding.fingerprint, finding)

    existing = {
        row.fingerprint: row
        for row in session.execute(
            select(*_EXISTING_COLUMNS).where(FindingRow.status != FindingStatus.RESOLVED.value)
        )
    }
    unknown = [fingerprint for fingerprint in seen if fingerprint not in existing]
    for chunk in _chunks(unknown):
        for row in session.execute(
            select(*_EXISTING_COLUMNS).where(FindingRow.fingerprint.in_(chunk))
        ):
            existing[row.fingerprint] = row

    tally = _Tally(seen=len(seen))
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    reopen_updates: list[dict[str, Any]] = []
    for fingerprint, finding in seen.items():
        exception = matching_exception(
            policy.exceptions,
            check_id=finding.check_id,
            device=finding.device,
            subject=finding.subject,
            now=at,
        )
        exception_id = exception_key(exception) if exception is not None else None
        values = _finding_values(finding, run_id, at)
        if finding.outcome == Outcome.ERROR:
            tally.errors += 1
        old = existing.get(fingerprint)
        if old is None:
            status = FindingStatus.SUPPRESSED if exception_id else FindingStatus.NEW
            inserts.append(
                {
                    **values,
                    "fingerprint": fingerprint,
                    "status": status.value,
                    "first_seen": at,
                    "first_run_id": run_id,
                    "resolved_at": None,
                    "exception_id": exception_id,
                }
            )
            tally.new += 1
            events.add(fingerprint, EventType.CREATED, _created_payload(finding, status))
            if exception_id:
                tally.suppressed += 1
                events.add(fingerprint, EventType.SUPPRESSED, {"exception_id": exception_id})
        else:
            old_status = FindingStatus(old.status)
            status = _transition(old_status, old.exception_id, exception_id, fingerprint, events)
            if status == FindingStatus.SUPPRESSED and old_status != FindingStatus.SUPPRESSED:
                tally.suppressed += 1
            elif status == FindingStatus.REOPENED:
                tally.reopened += 1
            elif old_status == FindingStatus.SUPPRESSED and status == FindingStatus.OPEN:
                tally.unsuppressed += 1
            if old.severity != finding.severity.value:
                events.add(
                    fingerprint,
                    EventType.SEVERITY_CHANGED,
                    {"from": old.severity, "to": finding.severity.value},
                )
            change = {
                **values,
                "id": old.id,
                "status": status.value,
                "resolved_at": None,
                "exception_id": exception_id,
            }
            if status == FindingStatus.REOPENED:
                reopen_updates.append({**change, "acknowledged_by": None, "acknowledged_at": None})
            else:
                updates.append(change)
        if status != FindingStatus.SUPPRESSED and finding.outcome == Outcome.FAIL:
            severity = finding.severity.value
            tally.by_severity[severity] = tally.by_severity.get(severity, 0) + 1

    resolved: list[dict[str, Any]] = []
    for fingerprint, old in existing.items():
        if fingerprint in seen or old.status == FindingStatus.RESOLVED.value:
            continue
        if may_resolve(
            device=old.device,
            check_id=old.check_id,
            covered_devices=covered_devices,
            evaluated_checks=evaluated_checks,
            complete=complete,
        ):
            resolved.append(
                {
                    "id": old.id,
                    "status": FindingStatus.RESOLVED.value,
                    "resolved_at": at,
                    "exception_id": None,
                }
            )
            events.add(fingerprint, EventType.RESOLVED, {"from": old.status})
    tally.resolved = len(resolved)

    for chunk in _chunks(inserts, 2000):
        session.execute(insert(FindingRow), list(chunk))
    for batch in (updates, reopen_updates, resolved):
        for chunk in _chunks(batch, 2000):
            session.execute(update(FindingRow), list(chunk))
    return tally


def _transition(
    old: FindingStatus,
    old_exception: str | None,
    exception_id: str | None,
    fingerprint: str,
    events: _EventLog,
) -> FindingStatus:
    """The status of a finding seen again, appending the event that explains the change."""
    if exception_id is not None:
        if old != FindingStatus.SUPPRESSED or old_exception != exception_id:
            events.add(
                fingerprint, EventType.SUPPRESSED, {"from": old.value, "exception_id": exception_id}
            )
        return FindingStatus.SUPPRESSED
    if old == FindingStatus.SUPPRESSED:
        events.add(fingerprint, EventType.UNSUPPRESSED, {"exception_id": old_exception})
        return FindingStatus.OPEN
    if old == FindingStatus.RESOLVED:
        events.add(fingerprint, EventType.REOPENED, {})
        return FindingStatus.REOPENED
    if old in (FindingStatus.NEW, FindingStatus.REOPENED):
        events.add(fingerprint, EventType.SEEN, {"from": old.value})
    return FindingStatus.OPEN


def _finding_values(finding: Finding, run_id: int, at: datetime) -> dict[str, Any]:
    return {
        "check_id": finding.check_id,
        "device": finding.device,
        "subject": finding.subject,
        "zone": finding.zone,
        "severity": finding.severity.value,
        "outcome": finding.outcome.value,
        "message_en": finding.message_en,
        "message_ja": finding.message_ja,
        "references": [reference.model_dump(mode="json") for reference in finding.references],
        "evidence": [item.model_dump(mode="json") for item in finding.evidence],
        "last_seen": at,
        "last_run_id": run_id,
    }


def _created_payload(finding: Finding, status: FindingStatus) -> dict[str, Any]:
    return {
        "check_id": finding.check_id,
        "device": finding.device,
        "subject": finding.subject,
        "severity": finding.severity.value,
        "outcome": finding.outcome.value,
        "status": status.value,
    }


def _record_collection_errors(
    session: Session, run_id: int, findings: Sequence[Finding], at: datetime
) -> None:
    rows = {
        (finding.device, finding.check_id)
        for finding in findings
        if finding.outcome == Outcome.ERROR
        and finding.device is not None
        and finding.check_id.startswith(COLLECTION_CHECK_PREFIX)
    }
    if rows:
        session.execute(
            insert(CollectionErrorRow),
            [
                {"run_id": run_id, "device": device, "check_id": check_id, "at": at}
                for device, check_id in sorted(rows)
            ],
        )


def _run_status(attempted: Sequence[str], covered: set[str], complete: bool) -> RunStatus:
    if not complete:
        return RunStatus.INCOMPLETE
    missing = set(attempted) - covered
    if attempted and missing == set(attempted):
        return RunStatus.FAILED
    return RunStatus.PARTIAL if missing else RunStatus.COMPLETE


def _find_by_prefix(session: Session, prefix: str) -> FindingRow:
    text = prefix.strip().lower()
    if len(text) < MIN_PREFIX_LENGTH or not set(text) <= _HEX:
        raise ValueError(
            f"fingerprint prefix must be at least {MIN_PREFIX_LENGTH} hexadecimal characters"
        )
    rows = list(
        session.scalars(
            select(FindingRow)
            .where(FindingRow.fingerprint.startswith(text, autoescape=True))
            .limit(2)
        )
    )
    if not rows:
        raise FindingNotFound(f"no finding fingerprint starts with {text}")
    if len(rows) > 1:
        raise AmbiguousFingerprint(f"several findings start with {text}; give more characters")
    return rows[0]


class _SnapshotLoader:
    """Rebuilds snapshots; unchanged rows borrow the JSON of the row that stored their content."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._content: dict[tuple[int, str], dict[str, Any]] = {}

    def load(self, row: SnapshotRow) -> DeviceSnapshot:
        data = row.data if row.data is not None else self._content_of(row)
        self._content[(row.device_id, row.content_hash)] = data
        snapshot = DeviceSnapshot.model_validate(data)
        return snapshot.model_copy(update={"collected_at": row.collected_at})

    def _content_of(self, row: SnapshotRow) -> dict[str, Any]:
        key = (row.device_id, row.content_hash)
        cached = self._content.get(key)
        if cached is not None:
            return cached
        data = self._session.scalar(
            select(SnapshotRow.data)
            .where(
                SnapshotRow.device_id == row.device_id,
                SnapshotRow.content_hash == row.content_hash,
                SnapshotRow.data.is_not(None),
                SnapshotRow.id <= row.id,
            )
            .order_by(SnapshotRow.id.desc())
            .limit(1)
        )
        if not isinstance(data, dict):
            raise StoreError(f"snapshot {row.id} refers to content {row.content_hash} never stored")
        return data


def _finding_record(row: FindingRow) -> FindingRecord:
    return FindingRecord(
        fingerprint=row.fingerprint,
        check_id=row.check_id,
        device=row.device,
        subject=row.subject,
        zone=row.zone,
        severity=Severity(row.severity),
        outcome=Outcome(row.outcome),
        message_en=row.message_en,
        message_ja=row.message_ja,
        references=tuple(Reference.model_validate(item) for item in row.references),
        evidence=tuple(EvidenceRef.model_validate(item) for item in row.evidence),
        status=FindingStatus(row.status),
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        resolved_at=row.resolved_at,
        first_run_id=row.first_run_id,
        last_run_id=row.last_run_id,
        exception_id=row.exception_id,
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=row.acknowledged_at,
    )


def _event_record(row: FindingEventRow) -> EventRecord:
    return EventRecord(
        id=row.id,
        fingerprint=row.fingerprint,
        run_id=row.run_id,
        event_type=EventType(row.event_type),
        actor=row.actor,
        at=row.at,
        payload=MappingProxyType(dict(row.payload)),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _run_record(row: RunRow) -> RunRecord:
    return RunRecord(
        id=row.id,
        kind=row.kind,
        scope=RunScope(row.scope),
        status=RunStatus(row.status),
        started_at=row.started_at,
        finished_at=row.finished_at,
        devices=tuple(row.devices),
        devices_attempted=row.devices_attempted,
        devices_collected=row.devices_collected,
        finding_counts=MappingProxyType(dict(row.finding_counts)),
        tool_version=row.tool_version,
        rule_pack_hash=row.rule_pack_hash,
        policy_hash=row.policy_hash,
        note=row.note,
    )
