"""Suppressions decided by a person (``auditor findings suppress``), written into the hash chain.

A manual suppression carries the same facts as a policy exception (reason, approver, approval
number, expiry). ``Store.record_run`` re-applies them itself (see ``auditor.store.suppressions``),
so a later run keeps the finding suppressed whichever entry point recorded it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from auditor.policy.models import PolicyException
from auditor.store.records import EventType, FindingRecord, FindingStatus
from auditor.store.repository import (
    Store,
    _EventLog,
    _find_by_prefix,
    _finding_record,
    _lock_chain,
)
from auditor.store.suppressions import MANUAL_PREFIX, manual_exceptions_in
from auditor.store.types import utc

__all__ = ["MANUAL_PREFIX", "manual_exceptions", "suppress_finding"]


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


def manual_exceptions(store: Store) -> list[PolicyException]:
    """Every manual suppression still recorded on a suppressed finding, as a policy exception."""
    with store._transaction(write=False) as session:
        return manual_exceptions_in(session)
