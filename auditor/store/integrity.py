"""Proving the ``findings`` and ``runs`` tables from the hash chain.

The chain proves the events; the tables are what exports show. ``verify`` therefore replays the
events into the state each finding and each run must have and compares it with the rows:

* per-finding events give check id, device, subject, severity, status, exception, resolution,
  acknowledgement and the first sighting;
* one ``run_finished`` event per run (fingerprint ``run:<id>``) gives the run's end state and
  names every finding the run saw with a digest of its exported content (severity, outcome, zone,
  messages, references, evidence), which proves ``last_seen``, ``last_run_id`` and the content.

Findings created before the first ``run_finished`` event (databases older than this scheme) and
not seen since cannot have their last sighting or content proven; ``verify`` counts them instead
of calling them broken. Their status, exception and acknowledgement are still proven.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditor.store.chain import canonical_json
from auditor.store.models import FindingRow, RunRow
from auditor.store.records import EventType, FindingStatus

RUN_FINGERPRINT_PREFIX = "run:"
SEEN_KEY_LENGTH = 16
"""Hex characters of a fingerprint kept in a run's ``seen`` map (64 bits: no collisions in
practice, and a quarter of the size of the full fingerprint on every run)."""
DIGEST_LENGTH = 16
MISMATCH_LIMIT = 200

CONTENT_FIELDS = (
    "check_id",
    "device",
    "subject",
    "zone",
    "severity",
    "outcome",
    "message_en",
    "message_ja",
    "references",
    "evidence",
)


# Events that record an operator's action rather than a finding's state change.
OPERATOR_EVENTS = frozenset(
    {
        EventType.CONFIG_EXPORTED,
        EventType.WEB_SIGNED_IN,
        EventType.WEB_SIGNED_OUT,
        EventType.WEB_SIGN_IN_FAILED,
        EventType.WEB_USER_CHANGED,
    }
)


def run_fingerprint(run_id: int) -> str:
    return f"{RUN_FINGERPRINT_PREFIX}{run_id}"


def content_digest(values: Mapping[str, Any]) -> str:
    """Digest of what an export shows of a finding besides its lifecycle fields."""
    content = {name: values.get(name) for name in CONTENT_FIELDS}
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def seen_key(fingerprint: str) -> str:
    return fingerprint[:SEEN_KEY_LENGTH]


def run_state(
    *,
    status: str,
    finished_at: datetime | None,
    devices_collected: int,
    finding_counts: Mapping[str, Any],
    note: str | None,
) -> dict[str, Any]:
    """The end state of a run as its ``run_finished`` event records it."""
    return {
        "status": status,
        "finished_at": None if finished_at is None else _iso(finished_at),
        "devices_collected": devices_collected,
        "finding_counts": dict(finding_counts),
        "note": note,
    }


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


@dataclass
class _Derived:
    check_id: Any = None
    device: Any = None
    subject: Any = None
    severity: Any = None
    status: str | None = None
    exception_id: str | None = None
    first_seen: datetime | None = None
    first_run_id: int | None = None
    resolved_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    owner: str | None = None
    due: date | None = None
    created_event: int = 0


@dataclass
class Replay:
    """State derived from the events, fed one event at a time in chain order."""

    findings: dict[str, _Derived] = field(default_factory=dict)
    last_seen: dict[str, tuple[int, datetime, str]] = field(default_factory=dict)
    runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    first_run_event: int | None = None
    first_run_at: datetime | None = None
    problems: list[str] = field(default_factory=list)

    def add(
        self,
        event_id: int,
        fingerprint: str,
        run_id: int | None,
        event_type: str,
        actor: str,
        at: datetime,
        payload: Mapping[str, Any],
    ) -> None:
        if event_type == EventType.RUN_FINISHED:
            if run_id is None:
                self.problems.append(f"event {event_id}: run_finished without a run id")
                return
            if self.first_run_event is None:
                self.first_run_event = event_id
                self.first_run_at = at
            self.runs[run_id] = dict(payload.get("run", {}))
            for key, digest in dict(payload.get("seen", {})).items():
                self.last_seen[str(key)] = (run_id, at, str(digest))
            return
        if event_type in OPERATOR_EVENTS:
            return  # an operator's action on no finding (e.g. a recovery-kit export): chained only
        state = self.findings.get(fingerprint)
        if event_type == EventType.CREATED:
            self.findings[fingerprint] = _Derived(
                check_id=payload.get("check_id"),
                device=payload.get("device"),
                subject=payload.get("subject"),
                severity=payload.get("severity"),
                status=payload.get("status"),
                first_seen=at,
                first_run_id=run_id,
                created_event=event_id,
            )
            return
        if state is None:
            self.problems.append(f"event {event_id}: {event_type} before the finding was created")
            return
        if event_type == EventType.SEEN:
            state.status = FindingStatus.OPEN.value
        elif event_type == EventType.RESOLVED:
            state.status = FindingStatus.RESOLVED.value
            state.resolved_at = at
            state.exception_id = None
        elif event_type == EventType.REOPENED:
            state.status = FindingStatus.REOPENED.value
            state.resolved_at = None
            state.exception_id = None
            state.acknowledged_by = None
            state.acknowledged_at = None
        elif event_type == EventType.SUPPRESSED:
            state.status = FindingStatus.SUPPRESSED.value
            state.exception_id = payload.get("exception_id")
            state.resolved_at = None
        elif event_type == EventType.UNSUPPRESSED:
            state.status = FindingStatus.OPEN.value
            state.exception_id = None
        elif event_type == EventType.ACKED:
            state.acknowledged_by = actor
            state.acknowledged_at = at
        elif event_type == EventType.SEVERITY_CHANGED:
            state.severity = payload.get("to")
        elif event_type in (EventType.PROGRESS_STARTED, EventType.PROGRESS_STOPPED):
            state.status = payload.get("to")
        elif event_type == EventType.ASSIGNED:
            state.owner = payload.get("owner")
        elif event_type == EventType.DUE_SET:
            due = payload.get("due")
            state.due = date.fromisoformat(due) if isinstance(due, str) else None
        # COMMENTED changes no state: the comment lives in the chain only.


@dataclass
class TableCheck:
    """What comparing the tables with the replayed events found."""

    findings_checked: int = 0
    runs_checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    mismatch_count: int = 0
    unprovable_findings: int = 0
    unprovable_runs: int = 0

    def mismatch(self, text: str) -> None:
        self.mismatch_count += 1
        if len(self.mismatches) < MISMATCH_LIMIT:
            self.mismatches.append(text)


_LIFECYCLE_FIELDS = (
    "check_id",
    "device",
    "subject",
    "severity",
    "status",
    "exception_id",
    "first_seen",
    "first_run_id",
    "resolved_at",
    "acknowledged_by",
    "acknowledged_at",
    "owner",
    "due",
)


def check_tables(session: Session, replay: Replay) -> TableCheck:
    """Compare every finding and run row with the state the events say it must have."""
    result = TableCheck()
    for problem in replay.problems:
        result.mismatch(problem)
    listed: set[str] = set()
    rows: Iterable[FindingRow] = session.scalars(
        select(FindingRow).order_by(FindingRow.id).execution_options(yield_per=2000)
    )
    for row in rows:
        result.findings_checked += 1
        listed.add(row.fingerprint)
        _check_finding(row, replay, result)
        session.expunge(row)
    for fingerprint in replay.findings.keys() - listed:
        result.mismatch(f"finding {fingerprint[:12]}: its events exist but the row was deleted")
    _check_runs(session, replay, result)
    return result


def _check_finding(row: FindingRow, replay: Replay, result: TableCheck) -> None:
    short = row.fingerprint[:12]
    derived = replay.findings.get(row.fingerprint)
    if derived is None:
        result.mismatch(f"finding {short}: no created event (row written outside the store)")
        return
    for name in _LIFECYCLE_FIELDS:
        stored = getattr(row, name)
        expected = getattr(derived, name)
        if stored != expected:
            result.mismatch(
                f"finding {short}: {name} is {_show(stored)} but its events say {_show(expected)}"
            )
    last = replay.last_seen.get(seen_key(row.fingerprint))
    if last is None:
        legacy = replay.first_run_event is None or derived.created_event < replay.first_run_event
        if legacy:
            result.unprovable_findings += 1
        else:
            result.mismatch(f"finding {short}: no run_finished event lists it as seen")
        return
    run_id, at, digest = last
    if row.last_run_id != run_id:
        result.mismatch(
            f"finding {short}: last_run_id is {row.last_run_id} but it was last seen by run "
            f"{run_id}"
        )
    if row.last_seen != at:
        result.mismatch(
            f"finding {short}: last_seen is {_show(row.last_seen)} but run {run_id} saw it at "
            f"{_show(at)}"
        )
    values = {name: getattr(row, name) for name in CONTENT_FIELDS}
    if content_digest(values) != digest:
        result.mismatch(
            f"finding {short}: content (severity, outcome, zone, messages, references or "
            f"evidence) differs from what run {run_id} recorded"
        )


def _check_runs(session: Session, replay: Replay, result: TableCheck) -> None:
    for row in session.scalars(select(RunRow).order_by(RunRow.id)):
        result.runs_checked += 1
        recorded = replay.runs.get(row.id)
        if recorded is None:
            if row.status == "running":
                continue
            if replay.first_run_at is None or row.started_at < replay.first_run_at:
                result.unprovable_runs += 1
            else:
                result.mismatch(f"run {row.id}: {row.status} but no run_finished event")
            continue
        stored = run_state(
            status=row.status,
            finished_at=row.finished_at,
            devices_collected=row.devices_collected,
            finding_counts=row.finding_counts,
            note=row.note,
        )
        for name, value in stored.items():
            if canonical_json(value) != canonical_json(recorded.get(name)):
                result.mismatch(
                    f"run {row.id}: {name} is {_show(value)} but its run_finished event says "
                    f"{_show(recorded.get(name))}"
                )


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return _iso(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
