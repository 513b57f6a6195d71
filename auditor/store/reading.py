"""Turning rows into the frozen records the store hands out, and finding rows by prefix."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, overload

import orjson
from sqlalchemy import String, Text, select, type_coerce
from sqlalchemy.orm import Session

from auditor.fastinit import frozen_builder
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
    """Rebuilds snapshots; rows with the same content share one parsed snapshot.

    Unchanged rows borrow the JSON of the row that stored their content, and every row of one
    content is built from one validated :class:`DeviceSnapshot` with only its clocks replaced
    (``model_copy`` is shallow): a day of one-minute polls of an unchanged device costs one parsed
    snapshot plus small shells, not 1,440 full copies (the daemon's history grew ~20 MiB a poll).
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._content: dict[tuple[int, str], dict[str, Any]] = {}
        self._parsed: dict[tuple[int, str], DeviceSnapshot] = {}

    def load(self, row: SnapshotRow) -> DeviceSnapshot:
        snapshot = self._parsed_content(row)
        if row.volatile is not None:
            snapshot = snapshot.with_volatile_state(row.volatile)
        return snapshot.model_copy(update={"collected_at": row.collected_at})

    def series(self, rows: Iterable[SnapshotRow]) -> SnapshotSeries:
        """The rows as a lazy sequence: shared content plus each poll's compact clocks."""
        entries: list[_Sighting] = []
        for row in rows:
            content = self._parsed_content(row)
            volatile = row.volatile
            if volatile is None:
                entries.append(_Sighting(content, row.collected_at, None, None))
                continue
            changes = volatile.get("last_change_seconds", {})
            clocks = tuple(changes.get(i.name) for i in content.interfaces)
            entries.append(
                _Sighting(content, row.collected_at, volatile.get("uptime_seconds"), clocks)
            )
        return SnapshotSeries(entries)

    def _parsed_content(self, row: SnapshotRow) -> DeviceSnapshot:
        key = (row.device_id, row.content_hash)
        snapshot = self._parsed.get(key)
        if snapshot is None:
            data = row.data if row.data is not None else self._content_of(row)
            self._content[key] = data
            snapshot = self._parsed[key] = DeviceSnapshot.model_validate(data)
        return snapshot

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


@dataclass(frozen=True, slots=True)
class _Sighting:
    content: DeviceSnapshot
    collected_at: datetime
    uptime_seconds: float | None
    clocks: tuple[float | None, ...] | None
    """ifLastChange-derived seconds per interface of ``content``, in its interface order."""

    def build(self) -> DeviceSnapshot:
        snapshot = self.content
        if self.clocks is not None:
            interfaces = [
                i.model_copy(update={"last_change_seconds": clock})
                for i, clock in zip(snapshot.interfaces, self.clocks, strict=True)
            ]
            system = snapshot.system.model_copy(update={"uptime_seconds": self.uptime_seconds})
            snapshot = snapshot.model_copy(update={"system": system, "interfaces": interfaces})
        return snapshot.model_copy(update={"collected_at": self.collected_at})


class SnapshotSeries(Sequence[DeviceSnapshot]):
    """A device's stored sightings, built one at a time when read.

    Each poll's clocks (uptime, time since each interface's last change) move every minute, so a
    full snapshot per sighting made the history of a one-minute poller grow by the size of every
    device's interfaces on every poll (``snapshot_history`` keeps a 24-hour window). Here a
    sighting costs one small tuple; the snapshot is rebuilt when a check reads it and can be
    freed right after.
    """

    __slots__ = ("_entries",)

    def __init__(self, entries: list[_Sighting]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> DeviceSnapshot: ...

    @overload
    def __getitem__(self, index: slice) -> list[DeviceSnapshot]: ...

    def __getitem__(self, index: int | slice) -> DeviceSnapshot | list[DeviceSnapshot]:
        if isinstance(index, slice):
            return [entry.build() for entry in self._entries[index]]
        return self._entries[index].build()

    def __iter__(self) -> Iterator[DeviceSnapshot]:
        for entry in self._entries:
            yield entry.build()

    def __repr__(self) -> str:
        return f"SnapshotSeries({len(self._entries)} sightings)"


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
        redacted=bool(row.redacted),
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
        pid=row.pid,
        host=row.host,
    )


FINDING_COLUMNS = (
    FindingRow.fingerprint,
    FindingRow.check_id,
    FindingRow.device,
    FindingRow.subject,
    FindingRow.zone,
    FindingRow.severity,
    FindingRow.outcome,
    FindingRow.message_en,
    FindingRow.message_ja,
    # As stored (JSON text on SQLite): identical lists are parsed once, see FindingRecords.
    type_coerce(FindingRow.references, Text),
    type_coerce(FindingRow.evidence, Text),
    FindingRow.status,
    # Timestamps as the driver returns them (text on SQLite): see StoredTimes.
    type_coerce(FindingRow.first_seen, String),
    type_coerce(FindingRow.last_seen, String),
    type_coerce(FindingRow.resolved_at, String),
    FindingRow.first_run_id,
    FindingRow.last_run_id,
    FindingRow.exception_id,
    FindingRow.acknowledged_by,
    type_coerce(FindingRow.acknowledged_at, String),
    FindingRow.owner,
    FindingRow.due,
    FindingRow.redacted,
)
"""The columns :class:`FindingRecords` reads: a Core select, no ORM object per row."""


class StoredTimes:
    """Stored timestamps as aware UTC datetimes, each distinct value converted once.

    SQLite keeps naive UTC text; SQLAlchemy's result processing parsed it (and ``UtcDateTime``
    then replaced the zone) for every timestamp of every row: a quarter of reading 100,000
    findings, though a run's findings and events share one timestamp. The columns are read raw
    (``type_coerce(..., String)``) and converted here, to the same value ``UtcDateTime`` gives.
    A driver that returns datetimes (PostgreSQL) gets them converted to UTC the same way.
    """

    LIMIT = 100_000
    """Distinct values kept (acknowledgements and comments each have their own timestamp)."""

    def __init__(self) -> None:
        self._seen: dict[Any, datetime | None] = {None: None}
        self._fallback: Callable[[Any], Any] | None = None

    def __call__(self, value: Any) -> Any:
        found = self._seen.get(value, self)
        if found is self:
            found = self._convert(value)
            if len(self._seen) < self.LIMIT:
                self._seen[value] = found
        return found

    def _convert(self, value: Any) -> datetime:
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:  # a text form fromisoformat does not read: SQLAlchemy's parser
                parsed = self._sqlite_parser()(value)
            value = parsed
        if not isinstance(value, datetime):
            raise TypeError(f"a stored timestamp that is not a datetime: {value!r}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def _sqlite_parser(self) -> Callable[[Any], Any]:
        if self._fallback is None:
            from sqlalchemy.dialects.sqlite import DATETIME, dialect

            processor = DATETIME().result_processor(dialect(), None)  # type: ignore[no-untyped-call]
            assert processor is not None
            self._fallback = processor
        return self._fallback


_new_finding_record = frozen_builder(FindingRecord)
_new_event_record = frozen_builder(EventRecord)


class FindingRecords:
    """Builds :class:`FindingRecord` rows from :data:`FINDING_COLUMNS` tuples.

    At 100,000 findings an ORM object and two pydantic validations per row were a third of a
    report's store load; the references of one check repeat on every one of its findings, so
    each distinct stored list is validated once (``Reference`` is frozen, sharing it is safe).
    """

    def __init__(self) -> None:
        self._references: dict[str, tuple[Reference, ...]] = {}
        self._severity = {s.value: s for s in Severity}
        self._outcome = {o.value: o for o in Outcome}
        self._status = {s.value: s for s in FindingStatus}
        self._shared: dict[Any, Any] = {}
        """Repeated values (device, zone, check id) kept once, not per row."""
        self._times = StoredTimes()
        """A run's timestamps: converted once, shared by its rows."""

    def __call__(self, row: Sequence[Any]) -> FindingRecord:
        (
            fingerprint,
            check_id,
            device,
            subject,
            zone,
            severity,
            outcome,
            message_en,
            message_ja,
            references,
            evidence,
            status,
            first_seen,
            last_seen,
            resolved_at,
            first_run_id,
            last_run_id,
            exception_id,
            acknowledged_by,
            acknowledged_at,
            owner,
            due,
            redacted,
        ) = row
        share = self._shared.setdefault
        stamp = self._times
        return _new_finding_record(
            fingerprint=fingerprint,
            check_id=share(check_id, check_id),
            device=share(device, device),
            subject=subject,
            zone=share(zone, zone),
            severity=self._severity.get(severity) or Severity(severity),
            outcome=self._outcome.get(outcome) or Outcome(outcome),
            message_en=message_en,
            message_ja=message_ja,
            references=self._reference_list(references),
            evidence=() if not evidence or evidence == "[]" else _evidence_list(evidence),
            status=self._status.get(status) or FindingStatus(status),
            first_seen=stamp(first_seen),
            last_seen=stamp(last_seen),
            resolved_at=None if resolved_at is None else stamp(resolved_at),
            first_run_id=first_run_id,
            last_run_id=last_run_id,
            exception_id=exception_id,
            acknowledged_by=acknowledged_by,
            acknowledged_at=None if acknowledged_at is None else stamp(acknowledged_at),
            owner=owner,
            due=due,
            redacted=bool(redacted),
        )

    def _reference_list(self, stored: Any) -> tuple[Reference, ...]:
        if not isinstance(stored, str):  # a driver that parses JSON itself (PostgreSQL)
            return tuple(Reference.model_validate(item) for item in stored or ())
        cached = self._references.get(stored)
        if cached is None:
            cached = tuple(Reference.model_validate(item) for item in json.loads(stored))
            if len(self._references) < 10_000:
                self._references[stored] = cached
        return cached


def _evidence_list(stored: Any) -> tuple[EvidenceRef, ...]:
    """Evidence is per finding (and ``EvidenceRef`` is mutable): validated for each row."""
    if not stored or stored == "[]":
        return ()
    items = json.loads(stored) if isinstance(stored, str) else stored
    return tuple(EvidenceRef.model_validate(item) for item in items or ())


EVENT_COLUMNS = (
    FindingEventRow.id,
    FindingEventRow.fingerprint,
    FindingEventRow.run_id,
    FindingEventRow.event_type,
    FindingEventRow.actor,
    type_coerce(FindingEventRow.at, String),  # converted by StoredTimes
    type_coerce(FindingEventRow.payload, Text),  # parsed by EventRecords
    FindingEventRow.prev_hash,
    FindingEventRow.hash,
)
"""The columns :class:`EventRecords` reads: a Core select, no ORM object per row."""


_EVENT_TYPES = {t.value: t for t in EventType}


class EventRecords:
    """Builds :class:`EventRecord` rows from :data:`EVENT_COLUMNS` tuples.

    An export reads 100,000 events: the payload is parsed with orjson (the stdlib's ``json``
    for what orjson refuses, e.g. ``NaN``; same values either way) and the timestamp, shared by
    a run's events, converted once (:class:`StoredTimes`).
    """

    def __init__(self) -> None:
        self._times = StoredTimes()

    def __call__(self, row: Sequence[Any]) -> EventRecord:
        event_id, fingerprint, run_id, event_type, actor, at, payload, prev_hash, digest = row
        return _new_event_record(
            id=event_id,
            fingerprint=fingerprint,
            run_id=run_id,
            event_type=_EVENT_TYPES.get(event_type) or EventType(event_type),
            actor=actor,
            at=self._times(at),
            payload=MappingProxyType(_payload(payload)),
            prev_hash=prev_hash,
            hash=digest,
        )


def _payload(stored: Any) -> dict[str, Any]:
    """A stored event payload as a new dict (JSON text on SQLite; parsed by PostgreSQL's driver)."""
    if isinstance(stored, str):
        try:
            parsed = orjson.loads(stored)
        except orjson.JSONDecodeError:
            parsed = json.loads(stored)
    else:
        parsed = stored
    if isinstance(parsed, dict) and parsed is not stored:
        return parsed  # freshly parsed: nobody else holds it
    if not isinstance(parsed, Mapping):
        raise StoreError(f"an event payload that is not an object: {type(parsed).__name__}")
    return dict(parsed)
