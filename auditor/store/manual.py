"""Suppressions decided by a person (``auditor findings suppress``), written into the hash chain.

A manual suppression carries the same facts as a policy exception (reason, approver, approval
number, expiry). Runs re-apply exceptions from the policy only, so :func:`manual_exceptions` turns
the recorded suppressions back into :class:`PolicyException` objects the engine can add to the
policy's list before recording a run; without that a later run would unsuppress the finding.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from auditor.policy.models import PolicyException, Selector
from auditor.store.models import FindingEventRow, FindingRow
from auditor.store.records import EventType, FindingRecord, FindingStatus
from auditor.store.repository import (
    Store,
    _EventLog,
    _find_by_prefix,
    _finding_record,
    _lock_chain,
)
from auditor.store.types import utc

MANUAL_PREFIX = "manual:"


def suppress_finding(
    store: Store,
    fingerprint_prefix: str,
    *,
    actor: str,
    reason: str,
    approver: str,
    approval_number: str,
    expires: date,
    now: datetime | None = None,
) -> FindingRecord:
    """Suppress one finding until ``expires`` (inclusive, JST) and append a ``suppressed`` event."""
    if not reason.strip() or not approver.strip() or not approval_number.strip():
        raise ValueError("reason, approver and approval number are all required")
    at = utc(now or datetime.now(UTC))
    exception_id = f"{MANUAL_PREFIX}{approval_number}"
    with store._transaction(write=True) as session:
        chain = _lock_chain(session)
        row = _find_by_prefix(session, fingerprint_prefix)
        previous = row.status
        row.status = FindingStatus.SUPPRESSED.value
        row.exception_id = exception_id
        events = _EventLog(chain, run_id=None, actor=actor, at=at)
        events.add(
            row.fingerprint,
            EventType.SUPPRESSED,
            {
                "from": previous,
                "exception_id": exception_id,
                "reason": reason,
                "approver": approver,
                "approval_number": approval_number,
                "expires": expires.isoformat(),
                "manual": True,
            },
        )
        events.flush(session)
        return _finding_record(row)


def _glob_literal(text: str) -> str:
    """``text`` as an fnmatch pattern that matches only itself."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def manual_exceptions(store: Store) -> list[PolicyException]:
    """Every manual suppression still recorded on a suppressed finding, as a policy exception."""
    with store._transaction(write=False) as session:
        rows = session.execute(
            select(
                FindingRow.fingerprint, FindingRow.check_id, FindingRow.device, FindingRow.subject
            )
            .where(FindingRow.status == FindingStatus.SUPPRESSED.value)
            .where(FindingRow.exception_id.like(f"{MANUAL_PREFIX}%"))
        ).all()
        result = []
        for fingerprint, check_id, device, subject in rows:
            event = session.scalars(
                select(FindingEventRow)
                .where(FindingEventRow.fingerprint == fingerprint)
                .where(FindingEventRow.event_type == EventType.SUPPRESSED.value)
                .order_by(FindingEventRow.id.desc())
                .limit(1)
            ).first()
            if event is None or not event.payload.get("manual"):
                continue
            payload: dict[str, Any] = event.payload
            result.append(
                PolicyException(
                    id=str(payload["exception_id"]),
                    check=check_id,
                    selector=Selector(
                        device=_glob_literal(device or ""), subject=_glob_literal(subject)
                    ),
                    reason=str(payload["reason"]),
                    approver=str(payload["approver"]),
                    approval_number=str(payload["approval_number"]),
                    expires=date.fromisoformat(str(payload["expires"])),
                )
            )
        return result
