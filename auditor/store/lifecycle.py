"""Pure lifecycle rules: which exception applies, and when an unseen finding may be resolved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from fnmatch import fnmatchcase

from auditor.policy.models import PolicyException

JAPAN_TIME = timezone(timedelta(hours=9), "JST")
"""Exception expiry dates come from Japanese approval documents, so they are read in JST."""


def exception_key(exception: PolicyException) -> str:
    """The identifier stored on a suppressed finding: the exception id, else its approval number."""
    return exception.id or exception.approval_number


def exception_active(exception: PolicyException, now: datetime) -> bool:
    """An exception is valid through the whole of its ``expires`` day (Japan time)."""
    return now.astimezone(JAPAN_TIME).date() <= exception.expires


def matching_exception(
    exceptions: Iterable[PolicyException],
    *,
    check_id: str,
    device: str | None,
    subject: str,
    now: datetime,
) -> PolicyException | None:
    """The first active exception whose check id is equal and whose globs match, if any."""
    for exception in exceptions:
        if exception.check != check_id or not exception_active(exception, now):
            continue
        if fnmatchcase(device or "", exception.selector.device) and fnmatchcase(
            subject, exception.selector.subject
        ):
            return exception
    return None


def may_resolve(
    *,
    device: str | None,
    check_id: str,
    covered_devices: set[str],
    evaluated_checks: set[str],
    complete: bool,
) -> bool:
    """Whether a run that did not see this finding has the right to call it fixed.

    Only a run that finished (``complete``) may resolve, and only what it looked at: a device it
    collected (or a network-wide finding) under a check it evaluated. An interrupted run resolves
    nothing, so a SIGTERM or an unreachable device never turns into a false "fixed".
    """
    if not complete or check_id not in evaluated_checks:
        return False
    return device is None or device in covered_devices
