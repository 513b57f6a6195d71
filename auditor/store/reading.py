"""Turning rows into the frozen records the store hands out, and finding rows by prefix."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditor.model.findings import EvidenceRef, Outcome, Reference, Severity
from auditor.model.snapshot import DeviceSnapshot
from auditor.store.errors import AmbiguousFingerprint, FindingNotFound, StoreError
from auditor.store.models import FindingEventRow, FindingRow, RunRow, SnapshotRow
from auditor.store.records import (
    EventRecord,
    EventType,
    FindingRecord,
    FindingStatus,
    RunRecord,
    RunScope,
    RunStatus,
)

MIN_PREFIX_LENGTH = 8
HEX = frozenset("0123456789abcdef")


def find_by_prefix(session: Session, prefix: str) -> FindingRow:
    text = prefix.strip().lower()
    if len(text) < MIN_PREFIX_LENGTH or not set(text) <= HEX:
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


class SnapshotLoader:
    """Rebuilds snapshots; unchanged rows borrow the JSON of the row that stored their content."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._content: dict[tuple[int, str], dict[str, Any]] = {}

    def load(self, row: SnapshotRow) -> DeviceSnapshot:
        data = row.data if row.data is not None else self._content_of(row)
        self._content[(row.device_id, row.content_hash)] = data
        snapshot = DeviceSnapshot.model_validate(data)
        if row.volatile is not None:
            snapshot = snapshot.with_volatile_state(row.volatile)
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


def finding_record(row: FindingRow) -> FindingRecord:
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
        owner=row.owner,
        due=row.due,
    )


def event_record(row: FindingEventRow) -> EventRecord:
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


def run_record(row: RunRow) -> RunRecord:
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
