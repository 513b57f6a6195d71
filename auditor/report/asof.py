"""Findings as they stood at a past moment, replayed from the hash-chained event history.

A report "as of" 11/24 must show 11/24's statuses, severities, suppressions and owners, not
today's: each finding's state is rebuilt from its events up to the cutoff. The texts (message,
evidence) are the newest stored; they describe the same fingerprint.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from auditor.model.findings import Severity
from auditor.store.records import EventRecord, EventType, FindingRecord, FindingStatus


def events_by_finding(events: Iterable[EventRecord]) -> dict[str, list[EventRecord]]:
    grouped: dict[str, list[EventRecord]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e.id):
        grouped[event.fingerprint].append(event)
    return dict(grouped)


def _status(value: Any, fallback: FindingStatus) -> FindingStatus:
    try:
        return FindingStatus(str(value))
    except ValueError:
        return fallback


def replay(
    record: FindingRecord, events: Sequence[EventRecord], moment: datetime
) -> FindingRecord | None:
    """``record`` as its ``events`` (oldest first, already cut at ``moment``) leave it.

    ``None`` when the finding had not been created yet. An event type this code does not know
    changes the status only through a ``"to"`` status in its payload.
    """
    if not events or events[0].event_type != EventType.CREATED:
        return None
    state: dict[str, Any] = {
        "status": _status(events[0].payload.get("status"), FindingStatus.NEW),
        "severity": Severity(str(events[0].payload.get("severity", record.severity.value))),
        "resolved_at": None,
        "exception_id": None,
        "acknowledged_by": None,
        "acknowledged_at": None,
        "owner": None,
        "due": None,
    }
    for event in events[1:]:
        payload: Mapping[str, Any] = event.payload
        kind = event.event_type
        if kind == EventType.SEEN:
            state["status"] = FindingStatus.OPEN
        elif kind == EventType.RESOLVED:
            state.update(status=FindingStatus.RESOLVED, resolved_at=event.at, exception_id=None)
        elif kind == EventType.REOPENED:
            state.update(
                status=FindingStatus.REOPENED,
                resolved_at=None,
                acknowledged_by=None,
                acknowledged_at=None,
            )
        elif kind == EventType.SUPPRESSED:
            state.update(status=FindingStatus.SUPPRESSED, exception_id=payload.get("exception_id"))
        elif kind == EventType.UNSUPPRESSED:
            state.update(status=FindingStatus.OPEN, exception_id=None)
        elif kind == EventType.SEVERITY_CHANGED:
            state["severity"] = Severity(str(payload.get("to", state["severity"].value)))
        elif kind == EventType.ACKED:
            state.update(acknowledged_by=event.actor, acknowledged_at=event.at)
        elif kind == EventType.ASSIGNED:
            state["owner"] = payload.get("owner")
        elif kind == EventType.DUE_SET:
            due = payload.get("due")
            state["due"] = date.fromisoformat(str(due)) if due else None
        elif "to" in payload:
            state["status"] = _status(payload["to"], state["status"])
    return replace(record, last_seen=min(record.last_seen, moment), **state)


def findings_as_of(
    records: Iterable[FindingRecord], events: Iterable[EventRecord], moment: datetime
) -> list[FindingRecord]:
    """Every finding that existed at ``moment``, in the state its events up to then describe."""
    grouped = events_by_finding(e for e in events if e.at <= moment)
    rebuilt: list[FindingRecord] = []
    for record in records:
        if record.first_seen > moment:
            continue
        state = replay(record, grouped.get(record.fingerprint, []), moment)
        if state is not None:
            rebuilt.append(state)
    return rebuilt
