"""The city's own work on a finding: owner (所管課), comments, due date, 対応中 — all in the chain.

Each change is one transaction that appends one hash-chained event with the acting person, so
``auditor verify`` covers the workflow like every lifecycle change. Owner and due date are also
kept on the finding row for listing; the events are the record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from auditor.store.events import EventLog, lock_chain
from auditor.store.models import FindingRow
from auditor.store.reading import find_by_prefix, finding_record
from auditor.store.records import EventType, FindingRecord, FindingStatus
from auditor.store.repository import Store
from auditor.store.types import utc

COMMENT_LIMIT = 4000

STARTABLE = frozenset({FindingStatus.NEW, FindingStatus.OPEN, FindingStatus.REOPENED})
"""Work can start on a finding that is present and not excepted (suppressed, resolved: no)."""


class WorkflowError(ValueError):
    """The change does not fit the finding's status (e.g. 対応中 on a resolved finding)."""


def _change(
    store: Store,
    fingerprint_prefix: str,
    *,
    actor: str,
    now: datetime | None,
    event_type: EventType,
    apply: Callable[[FindingRow], Mapping[str, Any]],
) -> FindingRecord:
    """Lock the chain, let ``apply(row)`` change the row and return the event payload, append."""
    if not actor.strip():
        raise WorkflowError("the acting person (--by) must not be empty")
    at = utc(now or datetime.now(UTC))
    with store._transaction(write=True) as session:
        chain = lock_chain(session)
        row = find_by_prefix(session, fingerprint_prefix)
        payload: Mapping[str, Any] = apply(row)
        events = EventLog(chain, run_id=None, actor=actor, at=at)
        events.add(row.fingerprint, event_type, payload)
        events.flush(session)
        return finding_record(row)


def assign_finding(
    store: Store, fingerprint_prefix: str, *, owner: str, actor: str, now: datetime | None = None
) -> FindingRecord:
    """Name the department responsible (所管課); an empty ``owner`` is refused."""
    owner = owner.strip()
    if not owner:
        raise WorkflowError("the owner must not be empty")

    def apply(row: FindingRow) -> dict[str, Any]:
        previous = row.owner
        row.owner = owner
        return {"from": previous, "owner": owner}

    return _change(
        store, fingerprint_prefix, actor=actor, now=now, event_type=EventType.ASSIGNED, apply=apply
    )


def comment_finding(
    store: Store, fingerprint_prefix: str, *, text: str, actor: str, now: datetime | None = None
) -> FindingRecord:
    """Append a comment; comments live only in the event log (never edited, never deleted)."""
    text = text.strip()
    if not text:
        raise WorkflowError("the comment must not be empty")
    if len(text) > COMMENT_LIMIT:
        raise WorkflowError(f"the comment is longer than {COMMENT_LIMIT} characters")

    def apply(row: FindingRow) -> dict[str, Any]:
        return {"text": text, "status": row.status}

    return _change(
        store, fingerprint_prefix, actor=actor, now=now, event_type=EventType.COMMENTED, apply=apply
    )


def set_due(
    store: Store,
    fingerprint_prefix: str,
    *,
    due: date | None,
    actor: str,
    now: datetime | None = None,
) -> FindingRecord:
    """Set (or with ``None`` clear) the date by which the city means to fix the finding."""

    def apply(row: FindingRow) -> dict[str, Any]:
        previous = row.due
        row.due = due
        return {
            "from": previous.isoformat() if previous else None,
            "due": due.isoformat() if due else None,
        }

    return _change(
        store, fingerprint_prefix, actor=actor, now=now, event_type=EventType.DUE_SET, apply=apply
    )


def set_progress(
    store: Store,
    fingerprint_prefix: str,
    *,
    in_progress: bool,
    actor: str,
    now: datetime | None = None,
) -> FindingRecord:
    """対応中 (``in_progress=True``) or back to open; never a way to resolve or unsuppress.

    Only a run that no longer sees the finding resolves it; 対応中 says work has started.
    """

    def apply(row: FindingRow) -> dict[str, Any]:
        current = FindingStatus(row.status)
        if in_progress:
            if current not in STARTABLE:
                raise WorkflowError(f"a {current.value} finding cannot be put in progress")
            target = FindingStatus.IN_PROGRESS
        else:
            if current != FindingStatus.IN_PROGRESS:
                raise WorkflowError(f"the finding is {current.value}, not in progress")
            target = FindingStatus.OPEN
        row.status = target.value
        return {"from": current.value, "to": target.value}

    event_type = EventType.PROGRESS_STARTED if in_progress else EventType.PROGRESS_STOPPED
    return _change(
        store, fingerprint_prefix, actor=actor, now=now, event_type=event_type, apply=apply
    )
