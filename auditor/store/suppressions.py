"""Manual suppressions read back as policy exceptions, inside any store transaction.

``auditor findings suppress`` records a suppression as a ``suppressed`` event. Runs re-apply
exceptions from the policy only, so the store turns the recorded suppressions back into
:class:`PolicyException` objects when it records a run; a caller cannot forget them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditor.policy.models import Policy, PolicyException, Selector
from auditor.store.models import FindingEventRow, FindingRow
from auditor.store.records import EventType, FindingStatus

MANUAL_PREFIX = "manual:"


def _glob_literal(text: str) -> str:
    """``text`` as an fnmatch pattern that matches only itself."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def manual_exceptions_in(session: Session) -> list[PolicyException]:
    """Every manual suppression still recorded on a suppressed finding, as a policy exception."""
    rows = session.execute(
        select(FindingRow.fingerprint, FindingRow.check_id, FindingRow.device, FindingRow.subject)
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


def with_manual_exceptions(session: Session, policy: Policy) -> Policy:
    """``policy`` plus the manual suppressions not already among its exceptions."""
    known = {exception.id for exception in policy.exceptions}
    manual = [e for e in manual_exceptions_in(session) if e.id not in known]
    if not manual:
        return policy
    return policy.model_copy(update={"exceptions": [*policy.exceptions, *manual]})
